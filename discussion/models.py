"""Comments on published meetings and insights, one level of replies, flags and moderation; the topics
members add.

A comment is visible exactly to those who may read what it is on: for a meeting, its
detailed notes' layer (Meeting.objects.notes_visible_to); for an insight, Insight.objects.visible_to;
only while that content is published and out of the bin (`commentable`).
Every write goes through core.versions.saving (discussion/writing.py), so an edited comment's earlier
text is kept, and a comment its author deletes keeps its row (removed_at), shown to nobody.
"""

import reversion
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.urls import reverse
from taggit.models import TaggedItem

from cells.models import Meeting
from core.models import Versioned
from core.roles import is_member, is_staff
from core.visibility import Status
from insights.models import Insight

MAX_LENGTH = 4000


def commentable(model, user):
    """The meetings or insights (`model`) whose comments `user` may read: published, out of the bin, and for
    a meeting its detailed notes readable by them (the comments discuss the notes)."""
    return model.objects.filter(commentable_rule(model, user))


def commentable_rule(model, user):
    """commentable's condition, as a Q on one meeting or insight (core.visibility.through asks it through a
    relation)."""
    rule = model.objects.visible_rule(user) & Q(status=Status.PUBLISHED)
    if model is Meeting:
        rule &= Meeting.objects.notes_rule(user)
    return rule


class CommentQuerySet(models.QuerySet):
    def shown(self):
        """Comments shown to every reader of what they are on: not removed by their author, not hidden by a
        moderator. (Search finds these alone: betterway/search_index.py.)"""
        return self.filter(removed_at__isnull=True, hidden_at__isnull=True)

    def members_only(self):
        """Comments shown on published content out of the bin that only members read (a meeting whose key
        points or notes are for members or a cell, a members-only insight): a comment's address invites a
        visitor to log in for these (discussion/views/comments.py show_comment), as the page would."""
        return self.shown().filter(
            Q(meeting__in=Meeting.objects.notes_members_only().values("pk"))
            | Q(insight__in=Insight.objects.members_only().values("pk"))
        )

    def on_visible_content(self, user):
        """Comments on content `user` may read (hidden and removed ones included: see visible_to)."""
        return self.filter(
            Q(meeting__in=commentable(Meeting, user).values("pk"))
            | Q(insight__in=commentable(Insight, user).values("pk"))
        )

    def visible_to(self, user):
        """Comments `user` may read: on content they may read, not removed by their author, and not hidden
        (staff see hidden ones too; a cell's convenors see those on their cell's meetings, to restore them).

        A removed comment's text shows to nobody on the site; where it has replies, the page shows
        "comment removed" in its place (discussion/threads.py), without its text."""
        return self.on_visible_content(user).filter(self.readable_by(user))

    def readable_by(self, user):
        """Of the comments on content `user` may read, the condition for those they may read (visible_to's
        second half, as a Q, so that a thread can mark each comment without asking twice)."""
        rule = Q(removed_at__isnull=True)
        if is_staff(user):
            return rule
        shown = Q(hidden_at__isnull=True)
        if is_member(user):  # convenors are members (cells/permissions.py)
            shown |= Q(meeting__cell__in=Meeting.objects.reader_cells(user, convening=True))
        return rule & shown

    def on(self, target):
        """The comments on one meeting or insight."""
        return self.filter(**{_target_field(target): target})


def _target_field(target):
    return "meeting" if isinstance(target, Meeting) else "insight"


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
        """The comment's own address, which finds the page of the thread that shows it (discussion/threads.py)."""
        return reverse("discussion:comment", args=[self.pk])

    @property
    def is_reply(self):
        return self.parent_id is not None

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def is_removed(self):
        return self.removed_at is not None

    @property
    def author_name(self):
        """The name on its author's profile, for staff (readers see names through people/names.py)."""
        if self.author is None:
            return "A former member"
        try:
            person = self.author.person
        except ObjectDoesNotExist:
            return "A member"
        return person.name if person.name.strip() else "A member"


class Flag(models.Model):
    """A member's report that a comment needs a moderator's look, with their reason. Resolved when a
    moderator hides the comment or keeps it."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["comment", "flagged_by"], name="one_flag_per_member")]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="flag_open_idx")]

    def __str__(self):
        return f"Flag on comment {self.comment_id}"


class MemberTag(models.Model):
    """Who added a topic to a meeting or insight from its page (the tag link itself is taggit's TaggedItem,
    part of the content's versions). Goes with the link: removed when the topic is removed, moved with it
    when topics are merged. The content's versions keep who added what for good ("Added the topic …")."""

    tagged_item = models.OneToOneField(TaggedItem, on_delete=models.CASCADE, related_name="member_tag")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.tagged_item} added by {self.added_by}"
