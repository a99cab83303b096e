"""Every write of a comment and a flag: posting, editing, deleting, hiding, restoring, flagging, keeping.

A comment is written only inside core.versions.saving (through `saving_on_top`), so each change is a version
(its earlier text is kept); nothing is deleted (an author's delete sets removed_at). Posting sends
discussion.signals.comment_posted once, after the comment is saved.
"""

from contextlib import contextmanager

from django.utils import timezone

from core import versions

from . import throttle
from .models import Comment, Flag
from .signals import comment_posted


class Refused(Exception):
    """A post the site will not take now (too many, or the same text again); the message says why, and
    `status` is the HTTP status of the page that says it (429: too many; 409: the same again)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


@contextmanager
def saving_on_top(obj, *, user, comment, expected_version=None):
    """versions.saving, on top of what is stored: once the row is locked it is read again, so that a
    change someone made since `obj` was read (a moderator hiding it) is not written over."""
    with versions.saving(obj, user=user, comment=comment, expected_version=expected_version):
        if obj.pk:
            edit_version = obj.edit_version
            obj.refresh_from_db()
            obj.edit_version = edit_version
        yield obj
        obj.save()


def _place(target, parent):
    return f"{target._meta.label}:{target.pk}:{parent.pk if parent else ''}"


def post_comment(target, *, author, body, parent=None):
    """Post `body` on `target` (a meeting or insight), as a reply to `parent` if given. Refused (with the
    message to show) when the author has posted as many comments as they may for now, or sent the same
    text there a moment ago."""
    message = throttle.take("comments", author)
    if message:
        raise Refused(message, 429)
    place = _place(target, parent)
    if not throttle.first_time(author, place, body):
        throttle.give_back("comments", author)
        raise Refused("You posted this same text here a moment ago, so it was not posted again.", 409)
    comment = Comment(author=author, body=body, parent=parent, **{target._meta.model_name: target})
    try:
        with saving_on_top(comment, user=author, comment="Posted a reply" if parent else "Posted"):
            pass
    except Exception:
        throttle.forget(author, place, body)
        throttle.give_back("comments", author)
        raise
    comment_posted.send(sender=Comment, comment=comment)
    return comment


def edit_comment(comment, *, user, body, expected_version):
    """The author's new text; the earlier one stays in the comment's versions. StaleEdit if the comment
    changed since the form was made."""
    with saving_on_top(comment, user=user, comment="Edited by its author", expected_version=expected_version):
        comment.body = body
        comment.edited_at = timezone.now()


def remove_comment(comment, *, user):
    """Its author deletes it: it shows to nobody ("comment removed" where it has replies); the row stays."""
    with saving_on_top(comment, user=user, comment="Deleted by its author"):
        comment.removed_at = timezone.now()


def hide_comment(comment, *, user):
    """A moderator hides it (readers no longer see it; staff and the cell's convenors do) and its flags
    are dealt with. False if it was hidden already."""
    if comment.is_hidden:
        return False
    with saving_on_top(comment, user=user, comment="Hidden by a moderator"):
        comment.hidden_at = timezone.now()
        comment.hidden_by = user
    _resolve_flags(comment, user)
    return True


def restore_comment(comment, *, user):
    """A moderator shows a hidden comment again. False if it was not hidden."""
    if not comment.is_hidden:
        return False
    with saving_on_top(comment, user=user, comment="Restored by a moderator"):
        comment.hidden_at = None
        comment.hidden_by = None
    return True


def flag_comment(comment, *, user, reason):
    """A member flags a comment for moderators. False if they had flagged it already (and it is still open);
    a flag a moderator dealt with is opened again with the new reason."""
    flag, created = Flag.objects.get_or_create(comment=comment, flagged_by=user, defaults={"reason": reason})
    if created:
        return True
    if flag.resolved_at is None:
        return False
    flag.reason, flag.resolved_at, flag.resolved_by, flag.created_at = reason, None, None, timezone.now()
    flag.save()
    return True


def keep_comment(comment, *, user):
    """A moderator looked at a flagged comment and keeps it as it is: its open flags are dealt with."""
    return _resolve_flags(comment, user)


def _resolve_flags(comment, user):
    return comment.flags.filter(resolved_at__isnull=True).update(resolved_at=timezone.now(), resolved_by=user)
