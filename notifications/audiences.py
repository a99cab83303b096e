"""Who is told of an event, and whether each may still read it: decided by each recipient's own visibility.

Used when an event is fanned out and again when each email is sent (visibility may change in between).
"""

from django.contrib.auth import get_user_model

from cells.models import Membership
from discussion.models import Comment

from . import following
from .models import Event, Kind
from .permissions import may_receive


def publication_may_reach(user, obj):
    """`user` may read the published `obj` and still follows something it concerns."""
    readable = type(obj).objects.visible_to(user).published().filter(pk=obj.pk).exists()
    return readable and bool(following.reasons(user, obj))


def comment_may_reach(user, comment):
    """`user` may read `comment` (on what they may read; hidden and removed comments are told to nobody)."""
    if comment.hidden_at or comment.removed_at:
        return False
    return Comment.objects.visible_to(user).filter(pk=comment.pk).exists()


def may_reach(user, event):
    """Whether `event` may still be told to `user` (at send time too)."""
    content = event.content
    if content is None or not may_receive(user):
        return False
    if event.type == Event.Type.PUBLISHED:
        return publication_may_reach(user, content)
    return comment_may_reach(user, content)


def audience(event):
    """[(user, kind)] to tell of `event`: never its author, nobody who may not read it, each user once."""
    content = event.content
    if content is None:
        return []
    if event.type == Event.Type.PUBLISHED:
        candidates = _followers(content)
    else:
        candidates = _comment_readers(content)
    candidates.pop(event.actor_id, None)
    return [(user, kind) for user, kind in candidates.values() if may_reach(user, event)]


def _followers(obj):
    users = get_user_model().objects.filter(pk__in=following.matching(obj).values("user"), is_active=True)
    return {user.pk: (user, Kind.FOLLOWING) for user in users.order_by("pk")}


def _comment_readers(comment):
    """The convenors of the cell of the meeting it is on; the author of the comment it replies to (one email
    each: a convenor replied to is told of the reply)."""
    found = {}
    if comment.meeting_id and comment.meeting.cell_id:
        convenors = get_user_model().objects.filter(
            person__memberships__cell_id=comment.meeting.cell_id,
            person__memberships__role=Membership.Role.CONVENOR,
            is_active=True,
        )
        found.update({user.pk: (user, Kind.CELL_COMMENTS) for user in convenors.order_by("pk").distinct()})
    if comment.parent_id and comment.parent.author_id:
        found[comment.parent.author_id] = (comment.parent.author, Kind.REPLIES)
    return found
