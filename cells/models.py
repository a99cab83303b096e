import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from taggit.managers import TaggableManager

from betterway.dates import DatePrecision, display_date
from betterway.visibility import LayeredQuerySet, Status, Visibility


class Cell(models.Model):
    """A small working group on one theme that meets several times."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    aims = models.TextField(blank=True, help_text="Markdown.")
    is_active = models.BooleanField("active", default=True, help_text="Untick when the cell has closed.")
    order = models.PositiveSmallIntegerField(default=0)
    members = models.ManyToManyField("people.Person", through="Membership", related_name="cells", blank=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cells:cell", args=[self.slug])


class Membership(models.Model):
    """A person's place in a cell: convenor, thought leader for the series, or member."""

    class Role(models.TextChoices):
        CONVENOR = "convenor", "Convenor"
        THOUGHT_LEADER = "thought_leader", "Thought leader"
        MEMBER = "member", "Member"

    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role, default=Role.MEMBER)

    class Meta:
        ordering = ["cell", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["cell", "person", "role"], name="unique_membership_role"),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_role_display()}, {self.cell}"


class JoinRequest(models.Model):
    """A member's request to join a cell, which its convenors accept or decline."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a convenor"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "user"], condition=Q(status="pending"), name="one_pending_join_request"
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.cell} ({self.get_status_display()})"


class MeetingQuerySet(LayeredQuerySet):
    def involving(self, user):
        """Meetings `user` created, or whose draft they were asked to review as a named speaker."""
        reviewing = SpeakerReview.objects.filter(person__user=user).values("meeting_id")
        return Q(created_by=user) | Q(pk__in=reviewing)

    def for_listing(self):
        """What a list of notes shows: the cell, nothing per row."""
        return self.select_related("cell")

    def chronological(self):
        return self.order_by("date", "number", "pk")

    def newest_first(self):
        return self.order_by(models.F("date").desc(nulls_last=True), "-number", "-pk")


@reversion.register(follow=["speaker_roles", "questions"])
class Meeting(models.Model):
    """A meeting of a cell, or a network event (no cell), and its notes."""

    class Kind(models.TextChoices):
        CELL_MEETING = "cell_meeting", "Cell meeting"
        ROUNDTABLE = "roundtable", "Roundtable"
        DINNER = "dinner", "Dinner discussion"
        NETWORK_DISCUSSION = "network_discussion", "Network discussion"
        GATHERING = "gathering", "Gathering"

    cell = models.ForeignKey(
        Cell, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings",
        help_text="Leave empty for a network event that belongs to no cell.",
    )
    kind = models.CharField(max_length=30, choices=Kind, default=Kind.CELL_MEETING)
    number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Its number within the cell: meeting 1, 2, 3…"
    )
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=80, unique=True)
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY,
        help_text="How exact the date is. A date the notes do not give exactly is month or year only.",
    )
    place = models.CharField(max_length=200, blank=True)
    online = models.BooleanField(default=False)
    summary = models.TextField("summary of key points", blank=True, help_text="Markdown.")
    notes = models.TextField("notes in detail", blank=True, help_text="Markdown.")
    editorial_note = models.TextField(
        blank=True, help_text="Markdown. How a date or detail was decided where the sources disagree."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    visibility = models.CharField(
        max_length=10, choices=Visibility, default=Visibility.PUBLIC,
        help_text="Who may read this note (its title, date, speakers and key points).",
    )
    notes_visibility = models.CharField(
        "who may read the detailed notes", max_length=10, choices=Visibility, default=Visibility.PUBLIC,
        help_text="Keep the notes in detail for members or the cell while the key points are public.",
    )
    principles = models.ManyToManyField("insights.Principle", blank=True, related_name="meetings")
    tags = TaggableManager(blank=True)
    speakers = models.ManyToManyField("people.Person", through="Speaker", related_name="meetings", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Set when moved to the bin.")
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edit_version = models.PositiveIntegerField(default=1, help_text="Goes up with every save; stale forms are refused.")

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = [models.F("date").desc(nulls_last=True), "-number", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "number"], condition=Q(cell__isnull=False, number__isnull=False),
                name="unique_meeting_number_in_cell",
            ),
            models.CheckConstraint(
                condition=~Q(visibility=Visibility.CELL) | Q(cell__isnull=False),
                name="meeting_cell_only_needs_cell",
            ),
            models.CheckConstraint(
                condition=~Q(notes_visibility=Visibility.CELL) | Q(cell__isnull=False),
                name="meeting_cell_only_notes_need_cell",
            ),
        ]
        indexes = [models.Index(fields=["status", "visibility", "date"], name="meeting_listing_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cells:meeting", args=[self.slug])

    def clean(self):
        errors = {}
        if self.visibility == Visibility.CELL and not self.cell_id:
            errors["visibility"] = "Only a cell's meeting can be kept to the cell's members."
        if self.notes_visibility == Visibility.CELL and not self.cell_id:
            errors["notes_visibility"] = "Only a cell's meeting can keep its notes to the cell's members."
        if self.number and not self.cell_id:
            errors["number"] = "Only a cell's meetings are numbered."
        if errors:
            raise ValidationError(errors)

    @property
    def display_date(self):
        return display_date(self.date, self.date_precision)

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def has_note(self):
        """False for a meeting the archive knows of (a summary names it) but holds no note of."""
        return bool(self.summary or self.notes)


@reversion.register()
class Speaker(models.Model):
    """A person who spoke at a meeting, with their role at that meeting."""

    class Role(models.TextChoices):
        CONVENOR = "convenor", "Convenor"
        CO_CONVENOR = "co_convenor", "Co-convenor"
        THOUGHT_LEADER = "thought_leader", "Thought leader"
        MAIN_SPEAKER = "main_speaker", "Main speaker"
        PRESENTER = "presenter", "Presenter"
        FACILITATOR = "facilitator", "Facilitator"
        INTRODUCER = "introducer", "Introduced the meeting"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speaker_roles")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="speaker_roles")
    role = models.CharField(max_length=20, choices=Role)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person", "role"], name="unique_speaker_role"),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()}) at {self.meeting}"


class SpeakerReview(models.Model):
    """A named speaker's review of a draft that quotes them: confirmed, or a change asked for."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Asked to review"
        CONFIRMED = "confirmed", "Confirmed"
        CHANGES = "changes", "Asked for a change"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reviews")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(max_length=10, choices=Status, default=Status.REQUESTED)
    comment = models.TextField(blank=True, max_length=4000)
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="one_review_per_speaker")]

    def __str__(self):
        return f"{self.person} on {self.meeting}: {self.get_status_display()}"


@reversion.register()
class Question(models.Model):
    """A question or topic a meeting carried forward, and the later meetings that took it up."""

    raised_at = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    taken_up_in = models.ManyToManyField(Meeting, blank=True, related_name="questions_taken_up")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["raised_at", "order", "pk"]

    def __str__(self):
        return self.text[:80]


class UpcomingDate(models.Model):
    """A date a cell has set for a future meeting ('next meetings')."""

    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="upcoming_dates")
    date = models.DateField()
    time = models.CharField(max_length=50, blank=True, help_text="e.g. 3.00–4.30pm")
    place = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["cell", "date"], name="unique_upcoming_date")]

    def __str__(self):
        return f"{self.cell}: {self.date:%d %B %Y}"
