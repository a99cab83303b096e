"""What members follow, how they want to be told, and a record of every email (so none goes twice).

- Follow: a member follows one cell, principle, topic or person (`Follow.objects.visible_to(user)`:
  their own follows of what they may still see).
- Preference: per member and kind of email, immediately / in the weekly bulletin / never
  (no row: the default in DEFAULTS).
- Event: something happened (a publication, a comment), recorded with the write that caused it and
  fanned out to its recipients after the transaction commits.
- Delivery: one email (or one item waiting for the bulletin) for one recipient and one event, unique on
  (recipient, key): a retried task, a second worker or a re-run finds the row and sends nothing twice.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from core.roles import is_account

from .topics import visible_topics


class Kind(models.TextChoices):
    """The kinds of email a member chooses about."""

    FOLLOWING = "following", "New notes and insights in what you follow"
    REPLIES = "replies", "Replies to your comments"
    CELL_COMMENTS = "cell_comments", "Comments on meetings of cells you convene"
    BULLETIN = "bulletin", "The weekly bulletin"


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately, one email each time"
    WEEKLY = "weekly", "In the weekly bulletin"
    NEVER = "never", "Never"


# What a member gets before choosing: what they follow, replies and comments on their cells at once (they
# asked for these by following, commenting, convening); the bulletin weekly.
DEFAULTS = {
    Kind.FOLLOWING: Frequency.IMMEDIATELY,
    Kind.REPLIES: Frequency.IMMEDIATELY,
    Kind.CELL_COMMENTS: Frequency.IMMEDIATELY,
    Kind.BULLETIN: Frequency.WEEKLY,
}


class FollowQuerySet(models.QuerySet):
    def visible_to(self, user):
        """`user`'s own follows of what they may see (a person since hidden, a topic no longer used on what
        they may read, drop out)."""
        if not is_account(user):
            return self.none()
        people = self.model._meta.get_field("person").related_model.objects
        own = self.filter(user=user)
        followed_people = people.filter(pk__in=own.values("person"))  # asked about alone (PersonQuerySet)
        return own.filter(
            Q(cell__isnull=False)  # cells and principles are everyone's
            | Q(principle__isnull=False)
            | Q(tag__in=visible_topics(user).values("pk"))
            | Q(person__in=people.visible_to(user, among=followed_people).values("pk"))
        )


class Follow(models.Model):
    """A member following one thing: exactly one of cell, principle, tag (a topic) or person is set."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    cell = models.ForeignKey("cells.Cell", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    principle = models.ForeignKey(
        "insights.Principle", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tag = models.ForeignKey("taggit.Tag", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowQuerySet.as_manager()

    TARGET_FIELDS = ["cell", "principle", "tag", "person"]

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cell__isnull=False, principle__isnull=True, tag__isnull=True, person__isnull=True)
                | Q(cell__isnull=True, principle__isnull=False, tag__isnull=True, person__isnull=True)
                | Q(cell__isnull=True, principle__isnull=True, tag__isnull=False, person__isnull=True)
                | Q(cell__isnull=True, principle__isnull=True, tag__isnull=True, person__isnull=False),
                name="follow_one_thing",
            ),
            *(
                models.UniqueConstraint(
                    fields=["user", name], condition=Q(**{f"{name}__isnull": False}), name=f"follow_{name}_once"
                )
                for name in ["cell", "principle", "tag", "person"]
            ),
        ]

    def __str__(self):
        return f"{self.user} follows {self.target}"

    @property
    def target(self):
        return self.cell or self.principle or self.tag or self.person


class Preference(models.Model):
    """How a member wants one kind of email. No row: DEFAULTS."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    kind = models.CharField(max_length=20, choices=Kind)
    frequency = models.CharField(max_length=20, choices=Frequency)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()} — {self.get_frequency_display()}"


class Event(models.Model):
    """Something members may be told of: recorded in the transaction that made it, fanned out after commit."""

    class Type(models.TextChoices):
        PUBLISHED = "published", "Published"
        COMMENT = "comment", "Comment posted"

    key = models.CharField(max_length=120, unique=True, help_text="e.g. published:cells.meeting:12, comment:7")
    type = models.CharField(max_length=20, choices=Type)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True, help_text="When its recipients were worked out.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["fanned_out_at", "created_at"], name="event_fan_out_idx")]

    def __str__(self):
        return self.key


class Delivery(models.Model):
    """One email to one recipient about one event (or one bulletin), or one item waiting for their bulletin."""

    class Status(models.TextChoices):
        PENDING = "pending", "To send"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        WAITING = "waiting", "Waiting for the weekly bulletin"
        BUNDLED = "bundled", "Sent in a bulletin"
        SKIPPED = "skipped", "Not sent"
        FAILED = "failed", "Failed: gave up"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(max_length=120, help_text="The event's key, or bulletin:<year>-W<week>.")
    kind = models.CharField(max_length=20, choices=Kind)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a worker began sending it.")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Why it was not sent, if it was not.")
    covers_from = models.DateTimeField(null=True, blank=True, help_text="A bulletin: what was published after…")
    covers_until = models.DateTimeField(null=True, blank=True, help_text="…and up to this moment.")
    bulletin = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="items", help_text="Sent in it."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="one_delivery_per_event")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["recipient", "kind", "status"], name="delivery_recipient_idx"),
        ]

    def __str__(self):
        return f"{self.key} → {self.recipient}"
