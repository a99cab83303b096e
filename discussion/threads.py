"""The comments of one meeting or insight as a reader sees them: top-level comments, oldest first, each with
its replies; what the reader may do with each. A fixed number of queries, however many comments there are.

The comments shown are those Comment.objects.visible_to(reader) holds. A top-level comment the reader may
not see (removed by its author, or hidden) but which has replies they may see is shown as a placeholder
("comment removed", "comment hidden"), without its text, so the replies keep their place.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from people.names import name_or_member, shown_name

from . import permissions
from .models import Comment, Flag


@dataclass
class Entry:
    """One comment on the page, with what this reader may do with it."""

    comment: object
    placeholder: str = ""  # "removed" or "hidden": shown without its text
    replies: list = field(default_factory=list)
    can_edit: bool = False
    can_delete: bool = False
    can_flag: bool = False
    flagged_by_reader: bool = False
    open_flags: int = 0
    reply_form: object = None
    author: str = ""  # its author's name as this reader sees it (people/names.py)

    @property
    def pk(self):
        return self.comment.pk


def thread(target, reader, *, moderator):
    """(entries, count): the top-level entries of `target` with their replies, and how many comments the
    reader may read there. One query: the comments on `target` (as the reader may read it), each marked
    whether Comment.objects.visible_to(reader) holds it, with its author's name as the reader sees it."""
    comments = (
        Comment.objects.on_visible_content(reader)
        .on(target)
        .annotate(
            shown=Exists(Comment.objects.visible_to(reader).filter(pk=OuterRef("pk"))),
            author_shown_as=shown_name(reader, OuterRef("author_id")),
        )
    )
    if reader.is_authenticated:
        comments = comments.annotate(
            flagged_by_reader=Exists(Flag.objects.filter(comment=OuterRef("pk"), flagged_by=reader))
        )
    if moderator:
        comments = comments.annotate(open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)))
    comments = list(comments)
    visible = [comment for comment in comments if comment.shown]
    replied_to = {comment.parent_id for comment in visible if comment.parent_id}
    now = timezone.now()
    entries = {
        comment.pk: Entry(comment, placeholder="removed" if comment.is_removed else "hidden")
        for comment in comments
        if not comment.shown and comment.pk in replied_to  # its text is never put on the page
    }
    for comment in visible:
        entries[comment.pk] = Entry(
            comment,
            can_edit=permissions.can_edit(reader, comment, now=now),
            can_delete=permissions.can_delete(reader, comment),
            can_flag=permissions.can_flag(reader, comment),
            flagged_by_reader=getattr(comment, "flagged_by_reader", False),
            open_flags=getattr(comment, "open_flags", 0),
            author=name_or_member(comment.author_shown_as, comment.author_id),
        )
    top = []
    for entry in sorted(entries.values(), key=lambda e: (e.comment.created_at, e.pk)):
        parent_id = entry.comment.parent_id
        if parent_id is None:
            top.append(entry)
        elif parent_id in entries:
            entries[parent_id].replies.append(entry)
    return top, len(visible)
