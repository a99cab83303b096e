"""Who may take part, and how (what they may *see* is Comment.objects.visible_to and core/visibility.py).

- Comment (and reply): a member (core/roles.py) who may read the comments of a published meeting or
  insight (`commentable`: for a meeting, its detailed notes).
- Edit their own comment: its author, for EDIT_WINDOW after posting, while it is neither removed nor hidden.
- Delete their own comment: its author, while it is not removed (a hidden one too).
- Flag a comment: any member who can see it, but not its author.
- Hide or restore a comment, keep a flagged one: staff, and a cell's convenors on their cell's meetings.
- Add topics: a member who can see a published meeting or insight.
- Remove a topic: staff, the convenors of the content's cell, and the member who added that topic.
"""

from datetime import timedelta

from django.utils import timezone

from cells.models import Meeting
from cells.permissions import convened_ids
from core.roles import is_account, is_member, is_staff

from .models import commentable

EDIT_WINDOW = timedelta(minutes=15)


def can_comment(user, target):
    return is_member(user) and commentable(type(target), user).filter(pk=target.pk).exists()


def edit_deadline(comment):
    return comment.created_at + EDIT_WINDOW


def is_author(user, comment):
    return is_account(user) and comment.author_id == user.pk


def may_edit_but_for_time(user, comment):
    """The author of a comment that is neither removed nor hidden: they may edit it within EDIT_WINDOW."""
    return is_member(user) and is_author(user, comment) and not comment.is_removed and not comment.is_hidden


def can_edit(user, comment, *, now=None):
    return may_edit_but_for_time(user, comment) and (now or timezone.now()) <= edit_deadline(comment)


def can_delete(user, comment):
    return is_author(user, comment) and not comment.is_removed


def can_flag(user, comment):
    """A member may flag someone else's comment while it is shown: one removed by its author or hidden by a
    moderator (whom a cell's convenors and staff still see, to restore) has nothing left to flag."""
    return is_member(user) and not is_author(user, comment) and not comment.is_removed and not comment.is_hidden


def convenes(user, target):
    """Staff, or a convenor of the cell `target` (a meeting or insight) belongs to."""
    if is_staff(user):
        return True
    return target.cell_id is not None and target.cell_id in convened_ids(user)


def can_moderate_on(user, target, *, convening=None):
    """Hide, restore and keep the comments on `target`: staff; a cell's convenors on their cell's meetings.
    (`convening`: convenes(user, target), when the caller knows it already.)"""
    if is_staff(user):
        return True
    if not isinstance(target, Meeting):
        return False
    return convenes(user, target) if convening is None else convening


def can_moderate(user, comment):
    return can_moderate_on(user, comment.target)


def can_use_moderation_page(user):
    return is_staff(user)


def can_add_tags(user, target):
    """`target` was fetched through visible_to(user): a member may add topics to it once it is published."""
    return is_member(user) and target.is_published and not target.in_bin


def can_remove_tags(user, target):
    """Remove any topic of `target`: staff, and the convenors of its cell."""
    return convenes(user, target)


def added_by(user, tagged_item):
    member_tag = getattr(tagged_item, "member_tag", None)
    return member_tag is not None and is_member(user) and member_tag.added_by_id == user.pk


def can_remove_tag(user, target, tagged_item):
    """Remove this one topic: those who may remove any, and the member who added it."""
    return added_by(user, tagged_item) or can_remove_tags(user, target)
