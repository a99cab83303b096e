import datetime
import zoneinfo

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from taggit.managers import TaggableManager

from core import prepared, versions
from core.dates import DatePrecision, display_date
from core.markdown import excerpt
from core.models import Publishable
from core.roles import is_account, is_staff
from core.visibility import LayeredQuerySet, Status, Visibility, VisibleQuerySet, through

from .times import format_times


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
        # the active cells in their order (the home page names the first dozen): read along the index, not
        # sorted from every cell (12,500 cells at 100,000 meetings: 8 ms a home page)
        indexes = [models.Index(fields=["order", "name"], name="cell_active_order_idx", condition=Q(is_active=True))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cells:cell", args=[self.slug])


class MembershipQuerySet(models.QuerySet):
    def leading(self):
        """Convenors and thought leaders: the people a cell's page names."""
        return self.exclude(role=Membership.Role.MEMBER)

    def visible_to(self, user):
        """Places in cells of people the reader may see (a hidden person's place stays hidden too)."""
        if is_staff(user):
            return self.all()
        people = self.model._meta.get_field("person").related_model.objects
        return self.filter(person__in=people.visible_to(user, among=people.filter(memberships__in=self.values("pk"))))

    def few_visible_to(self, user):
        """visible_to, as a list, for a few places (a cell's leads): their people read with them and asked as
        PersonQuerySet.those_visible_to asks (no query where each is open to the reader), not through a subquery."""
        places = list(self.select_related("person"))
        people = self.model._meta.get_field("person").related_model.objects
        shown = {person.pk for person in people.those_visible_to(user, [place.person for place in places])}
        return [place for place in places if place.person_id in shown]


class Membership(models.Model):
    """A person's place in a cell: convenor, thought leader for the series, or member."""

    class Role(models.TextChoices):
        CONVENOR = "convenor", "Convenor"
        THOUGHT_LEADER = "thought_leader", "Thought leader"
        MEMBER = "member", "Member"

    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role, default=Role.MEMBER)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["cell", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["cell", "person", "role"], name="unique_membership_role"),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_role_display()}, {self.cell}"


_reader_changes = 0  # how many times what `reader_facts` reads changed in this process


def reader_changed(**kwargs):
    """Receiver of the saves and deletes of memberships, people (whose account a person is), speakers' reviews and
    meetings (a draft published) (cells/apps.py): the next `reader_facts` asks again."""
    global _reader_changes
    _reader_changes += 1


REVIEWING = "reviewing"  # reader_facts' rows of drafts to review, beside memberships' roles


def reader_facts(user):
    """(cells `user` is in, cells they convene, drafts they were asked to review as a named speaker), each a
    frozenset of ids, in one query: asked once and kept on the user object, as Django's ModelBackend keeps a
    user's permissions (`_perm_cache`), so that a request asks once however many lists, permissions and
    visibility rules it checks. A change in this process (reader_changed) makes the next call ask again; a
    request's user object is its own. The drafts are the few a reader reviews now: as ids, a meeting's
    visibility rule (MeetingQuerySet.involving) needs no subquery about speakers' reviews in every query."""
    if not is_account(user):
        return frozenset(), frozenset(), frozenset()
    kept = getattr(user, "_reader_facts", None)
    if kept is None or kept[0] != _reader_changes:
        asked_at = _reader_changes
        rows = prepared.rows(_reader_rows, user.pk)
        kept = user._reader_facts = (
            asked_at,
            frozenset(cell for role, cell in rows if role != REVIEWING),
            frozenset(cell for role, cell in rows if role == Membership.Role.CONVENOR),
            frozenset(meeting for role, meeting in rows if role == REVIEWING),
        )
    return kept[1:]


def _reader_rows(user_id):
    """(role, cell id) of the account's memberships and (REVIEWING, meeting id) of the drafts it reviews."""
    cells = Membership.objects.filter(person__user=user_id).order_by().values_list("role", "cell_id")
    drafts = (
        SpeakerReview.objects.filter(person__user=user_id, meeting__status=Status.DRAFT)
        .order_by()
        .annotate(kind=models.Value(REVIEWING, output_field=models.CharField()))
        .values_list("kind", "meeting_id")
    )
    return cells.union(drafts, all=True)


def cells_of(user):
    """(the ids of the cells `user` is in, the ids of those they convene), as frozensets (reader_facts)."""
    member_of, convened, _ = reader_facts(user)
    return member_of, convened


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


class CellContentQuerySet(VisibleQuerySet):
    """Content that may belong to a cell (meetings, insights): whose members read its cell-only rows
    and whose convenors read all of it (core/visibility.py has the rule)."""

    def reader_cells(self, user, *, convening=False):
        member_of, convened = cells_of(user)
        return sorted(convened if convening else member_of)  # sorted: the same SQL for the same cells


TEXT_FIELDS = ("summary", "notes", "editorial_note")  # a meeting's own text, long


class MeetingQuerySet(CellContentQuerySet, LayeredQuerySet):
    def involving(self, user):
        """Meetings `user` created, or whose draft they were asked to review as a named speaker."""
        reviewing = reader_facts(user)[2]
        return Q(created_by=user) | Q(pk__in=sorted(reviewing)) if reviewing else Q(created_by=user)

    def for_listing(self):
        """What a list of notes shows: the cell, nothing per row."""
        return self.select_related("cell")

    def for_naming(self):
        """What naming a meeting in a link needs (its series and title: reader_title, meeting_name.html), without
        its text: a note's key points and notes in detail are some kilobytes a row that such a list never shows."""
        return self.select_related("cell").defer(*TEXT_FIELDS)

    def with_note(self):
        """Meetings the archive holds a note of (key points or notes in detail); a meeting known only from a
        summary shows in its cell's series instead."""
        return self.exclude(summary="", notes="")

    def for_reading(self, user):
        """A list of notes `user` may see (through visible_to), each with `notes_readable`: whether they may read
        its detailed notes, so that its excerpt comes from them only then (Meeting.excerpt). No query per row:
        the rule of the second layer on each row (notes_rule)."""
        return self.for_listing().annotate(notes_readable=self._notes_readable(user))

    def with_notes_access(self, user):
        """Meetings `user` may see, each with `reader_reads_notes`: whether they may read its detailed notes, asked
        with the row (the note's page, without a query of its own). Under its own name, not `notes_readable`:
        Meeting.excerpt, which describes the page to everyone (its meta description, a shared link's preview),
        stays of the key points where the notes are for members."""
        return self.annotate(reader_reads_notes=self._notes_readable(user))

    def _notes_readable(self, user):
        return models.ExpressionWrapper(Meeting.objects.notes_rule(user), output_field=models.BooleanField())

    def chronological(self):
        return self.order_by("date", "number", "pk")

    def newest_first(self):
        return self.order_by(models.F("date").desc(nulls_last=True), "-number", "-pk")


@reversion.register(follow=["speaker_roles", "questions", "tagged_items"])
class Meeting(Publishable):
    """A meeting of a cell, or a network event (no cell), and its notes."""

    class Kind(models.TextChoices):
        CELL_MEETING = "cell_meeting", "Cell meeting"
        ROUNDTABLE = "roundtable", "Roundtable"
        DINNER = "dinner", "Dinner discussion"
        NETWORK_DISCUSSION = "network_discussion", "Network discussion"
        GATHERING = "gathering", "Gathering"

    cell = models.ForeignKey(
        Cell,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text="Leave empty for a network event that belongs to no cell.",
    )
    kind = models.CharField(max_length=30, choices=Kind, default=Kind.CELL_MEETING)
    number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Its number within the cell: meeting 1, 2, 3…"
    )
    title = models.CharField(max_length=250, help_text="The note’s own title, as its writer gave it.")
    subject = models.CharField(
        max_length=120,
        blank=True,
        help_text="What the meeting was about, in a few words (“Leadership”, “Is local better than national?”). "
        "Lists and the note’s page lead with it; the title is kept as the note’s own.",
    )
    slug = models.SlugField(max_length=80, unique=True)
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text="How exact the date is. A date the notes do not give exactly is month or year only.",
    )
    place = models.CharField(max_length=200, blank=True)
    online = models.BooleanField(default=False)
    summary = models.TextField("summary of key points", blank=True, help_text="Markdown.")
    notes = models.TextField("notes in detail", blank=True, help_text="Markdown.")
    editorial_note = models.TextField(
        blank=True, help_text="Markdown. How a date or detail was decided where the sources disagree."
    )
    visibility = models.CharField(
        max_length=10,
        choices=Visibility,
        default=Visibility.PUBLIC,
        help_text="Who may read this note (its title, date, speakers and key points).",
    )
    notes_visibility = models.CharField(
        "who may read the detailed notes",
        max_length=10,
        choices=Visibility,
        default=Visibility.PUBLIC,
        help_text="Keep the notes in detail (and the questions for later meetings) for members or the cell "
        "while the key points are public.",
    )
    # principles: declared on insights.Principle (related_name "principles"), so cells need not know insights
    tags = TaggableManager(blank=True)
    speakers = models.ManyToManyField("people.Person", through="Speaker", related_name="meetings", blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = [models.F("date").desc(nulls_last=True), "-number", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "number"],
                condition=Q(cell__isnull=False, number__isnull=False),
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
        indexes = [
            models.Index(fields=["status", "visibility", "date"], name="meeting_listing_idx"),
            # On PostgreSQL, lists newest first also walk meeting_newest_idx (migration 0009: SQLite refuses its
            # NULLS LAST in an index, so it is not declared here).
            #
            # The visibility rule (core/visibility.py), used as a subquery by comments, topics, questions and people,
            # and the counts of notes read from these narrow indexes rather than from the whole table.
            models.Index(
                fields=["status", "visibility", "notes_visibility", "cell", "created_by", "id"],
                name="meeting_visible_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["status", "visibility", "kind", "notes_visibility", "cell", "created_by", "id"],
                name="meeting_with_note_idx",
                condition=Q(deleted_at__isnull=True) & ~Q(summary="", notes=""),  # with_note()
            ),
        ]

    compared_fields = [
        ("title", "Title"),
        ("subject", "What it was about"),
        ("cell", "Cell"),
        ("number", "Meeting number"),
        ("kind", "Kind"),
        ("date", "Date"),
        ("date_precision", "How exact the date is"),
        ("place", "Place"),
        ("online", "Online"),
        ("summary", "Summary of key points"),
        ("notes", "The notes in detail"),
        ("editorial_note", "Editorial note"),
        ("visibility", "Who may read it"),
        ("notes_visibility", "Who may read the detailed notes"),
        ("status", "Status"),
    ]
    compared_parts = [("speakers", "Speakers"), ("questions", "Questions for later meetings"), ("tags", "Topics")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cells:meeting", args=[self.slug])

    @classmethod
    def version_parts(cls, version):
        """The speakers, questions and topics saved with this version of a meeting, as text."""
        meeting_id = int(version.object_id)
        speakers = sorted(
            (fields["order"], fields["person_id"], fields["role"])
            for fields in versions.parts_in(version, Speaker)
            if fields["meeting_id"] == meeting_id
        )
        questions = sorted(
            (fields["order"], fields["text"])
            for fields in versions.parts_in(version, Question)
            if fields["raised_at_id"] == meeting_id
        )
        people = Speaker._meta.get_field("person").related_model.objects.in_bulk([pid for _, pid, _ in speakers])
        roles = dict(Speaker.Role.choices)
        return {
            "speakers": "\n".join(
                f"{people[pid].name if pid in people else 'someone since removed'} ({roles.get(role, role)})"
                for _, pid, role in speakers
            ),
            "questions": "\n".join(text for _, text in questions),
            "tags": versions.tags_of(version),
        }

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
    def has_note(self):
        """False for a meeting the archive knows of (a summary names it) but holds no note of."""
        return bool(self.summary or self.notes)

    @property
    def heading(self):
        """The reader's title: what the meeting was about, else the note's own title."""
        return self.subject or self.title

    @property
    def place_in_series(self):
        """'Meeting 2' within its cell; the kind of a network event ('Roundtable'); '' for an unnumbered meeting."""
        if self.cell_id:
            return f"Meeting {self.number}" if self.number else ""
        return self.get_kind_display()

    @property
    def series_label(self):
        """What lists lead with: 'London cell 2 · Meeting 1', 'Roundtable' (needs the cell: for_listing)."""
        if self.cell_id:
            return " · ".join(part for part in (self.cell.name, self.place_in_series) if part)
        return self.get_kind_display()

    @property
    def reader_title(self):
        """'London cell 2 · Meeting 1 — Leadership and systems change': the series, then the subject."""
        return f"{self.series_label} — {self.heading}"

    @property
    def excerpt(self):
        """One or two lines for lists: from the key points, else from the notes in detail where the reader may
        read them (`notes_readable`, from MeetingQuerySet.for_reading; without it, only public notes)."""
        if self.summary:
            return excerpt(self.summary)
        readable = getattr(self, "notes_readable", self.notes_visibility == Visibility.PUBLIC)
        return excerpt(self.notes) if readable else ""


class SpeakerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A speaker shows wherever their meeting does."""
        return self.filter(meeting__in=Meeting.objects.visible_to(user))


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

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person", "role"], name="unique_speaker_role"),
        ]
        indexes = [models.Index(fields=["person", "meeting"], name="speaker_person_meeting_idx")]  # a person's page

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


class QuestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Questions carried forward belong to the detailed notes' layer (core/visibility.py): they show
        to those who may read the notes of the meeting that raised them. The rule is asked of the meeting that
        raised each question (core.visibility.through), not as `raised_at IN (the meetings whose notes the reader
        may read)`: the same rows, and a list that joins that meeting anyway (newest_first) joins it once. At 1,000
        meetings PostgreSQL took 9 ms to plan a principle's open questions with the subquery, 3 ms without."""
        meetings = Meeting.objects
        return self.filter(through(meetings.visible_rule(user) & meetings.notes_rule(user), "raised_at"))

    def newest_first(self):
        """By the meeting that raised them, newest first (as Meeting.newest_first), then in their order there.
        Led by the meetings' listing index (meeting_newest_idx, of meetings out of the bin: what visible_to
        asks anyway), so a page of the newest reads about a page of rows, however many questions there are."""
        return (
            self.filter(raised_at__deleted_at__isnull=True)
            .select_related("raised_at__cell")
            .order_by(F("raised_at__date").desc(nulls_last=True), "-raised_at__number", "-raised_at__pk", "order", "pk")
        )


@reversion.register()
class Question(models.Model):
    """A question or topic a meeting carried forward, and the later meetings that took it up."""

    raised_at = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    taken_up_in = models.ManyToManyField(Meeting, blank=True, related_name="questions_taken_up")
    order = models.PositiveSmallIntegerField(default=0)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "order", "pk"]

    def __str__(self):
        return self.text[:80]


class UpcomingDate(models.Model):
    """A date a cell has set for a future meeting ('next meetings'), with its times where they are known.

    A date with no start time is a meeting whose time is not set yet: calendars show it as an all-day
    event. Times are in the site's time zone (settings.TIME_ZONE, Europe/London)."""

    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="upcoming_dates")
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True, help_text="Leave empty while the time is not set.")
    end_time = models.TimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["cell", "date"], name="unique_upcoming_date"),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(start_time__isnull=False, end_time__gt=models.F("start_time")),
                name="upcoming_date_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.cell}: {self.date:%d %B %Y}{f', {self.times}' if self.times else ''}"

    def clean(self):
        if self.end_time is not None and self.start_time is None:
            raise ValidationError({"start_time": "Give the start time too, or neither."})
        if self.end_time is not None and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "The meeting would end before it starts."})

    @property
    def times(self):
        """'3.00–4.30pm', as convenors write it; '' when the time is not set."""
        return format_times(self.start_time, self.end_time)

    def _at(self, time):
        return datetime.datetime.combine(self.date, time, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))

    @property
    def starts_at(self):
        """When it starts, in the site's time zone; None when only the day is known."""
        return self._at(self.start_time) if self.start_time is not None else None

    @property
    def ends_at(self):
        return self._at(self.end_time) if self.end_time is not None else None
