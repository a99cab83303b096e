"""Comments on published meetings and insights, one level of replies, flags and moderation.

A comment is visible exactly to those who may read what it is on: for a meeting, its
detailed notes' layer (Meeting.objects.notes_visible_to); for an insight, Insight.objects.visible_to.
Every write goes through core.versions.saving, so an edited comment's earlier text is kept.
"""

import reversion
from django.conf import settings
from django.db import models
from django.db.models import Q

from cells.models import Meeting
from core.models import Versioned
from core.roles import is_staff
from insights.models import Insight

MAX_LENGTH = 4000


class CommentQuerySet(models.QuerySet):
    def on_visible_content(self, user):
        """Comments on content `user` may read (hidden ones included: see visible_to)."""
        return self.filter(
            Q(meeting__in=Meeting.objects.notes_visible_to(user).published())
            | Q(insight__in=Insight.objects.visible_to(user).published())
        )

    def visible_to(self, user):
        """Comments `user` may read: on content they may read, and not hidden (staff see hidden ones too;
        a cell's convenors see those on their cell's meetings, to restore them)."""
        comments = self.on_visible_content(user)
        if is_staff(user):
            return comments
        shown = Q(hidden_at__isnull=True)
        if user.is_authenticated:
            shown |= Q(meeting__cell__in=Meeting.objects.reader_cells(user, convening=True))
        return comments.filter(shown)


@reversion.register()
class Comment(Versioned):
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="comments")
    insight = models.ForeignKey(Insight, null=True, blank=True, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
        help_text="The comment this one replies to (one level: a reply has no replies).",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments")
    body = models.TextField(max_length=MAX_LENGTH, help_text="Markdown (no headings, no images).")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True, help_text="Set when its author deleted it.")
    hidden_at = models.DateTimeField(null=True, blank=True, help_text="Set when a moderator hid it.")
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, insight__isnull=True)
                | Q(meeting__isnull=True, insight__isnull=False),
                name="comment_on_one_thing",
            ),
        ]
        indexes = [
            models.Index(fields=["meeting", "created_at"], name="comment_meeting_idx"),
            models.Index(fields=["insight", "created_at"], name="comment_insight_idx"),
        ]

    def __str__(self):
        return f"Comment {self.pk} on {self.target}"

    @property
    def target(self):
        return self.meeting or self.insight

    def get_absolute_url(self):
        return f"{self.target.get_absolute_url()}#comment-{self.pk}"
