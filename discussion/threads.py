"""The comments of one meeting or insight as a reader sees them: top-level comments, oldest first, each with
its replies, a page of COMMENTS_PER_PAGE top-level comments at a time; what the reader may do with each.
A fixed number of queries, however many comments there are.

The comments shown are those Comment.objects.visible_to(reader) holds. A top-level comment the reader may
not see (removed by its author, or hidden) but which has replies they may see is shown as a placeholder
("comment removed", "comment hidden"), without its text, so the replies keep their place.

A comment's address (`/comments/<pk>/`, Comment.get_absolute_url) finds the page of the thread it is on for
the reader who follows it (`page_of`), since what is on which page depends on what that reader may read.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from core.pagination import paginate
from people.names import name_or_member, names_for

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


def thread(request, target, *, moderator):
    """(page, count): the page of top-level entries of `target` that ?comments= asks for, each with its
    replies, and how many comments the reader may read there, for a reader who may read the comments of
    `target` (discussion/page.py asks). Two or three queries: the comments, then the names of the page's authors as
    the reader sees them (people.names.names_for: a second query where some profiles are not open to the reader)."""
    reader = request.user
    top, count = _entries(target, reader, moderator=moderator)
    page = paginate(request, top, settings.COMMENTS_PER_PAGE, name="comments")
    on_page = [entry for top_entry in page.object_list for entry in [top_entry, *top_entry.replies]]
    names = names_for(reader, [entry.comment.author for entry in on_page if not entry.placeholder])
    now = timezone.now()
    for entry in on_page:
        if entry.placeholder:
            continue
        comment = entry.comment
        entry.can_edit = permissions.can_edit(reader, comment, now=now)
        entry.can_delete = permissions.can_delete(reader, comment)
        entry.can_flag = permissions.can_flag(reader, comment)
        entry.author = name_or_member(names.get(comment.author_id), comment.author_id)
    return page, count


def address_on_page(comment, reader):
    """The address of `comment` (one `reader` may read) on the page of its thread that shows it to them."""
    top, _ = _entries(comment.target, reader, moderator=False)
    thread_id = comment.parent_id or comment.pk
    number = next(
        (index // settings.COMMENTS_PER_PAGE + 1 for index, entry in enumerate(top) if entry.pk == thread_id), 1
    )
    query = f"?comments={number}" if number > 1 else ""
    return f"{comment.target.get_absolute_url()}{query}#comment-{comment.pk}"


def _entries(target, reader, *, moderator):
    """(top-level entries in order, each with its replies; how many comments the reader may read). One query:
    the comments on `target`, each marked whether Comment.objects.visible_to(reader) holds it (its second half,
    `readable_by`). The first half, whether the reader may read the comments of `target` at all, the callers
    have asked already: the page's panel (discussion/page.py, `_comments_readable`), and a comment's address,
    which found the comment through Comment.objects.visible_to. Authors are not named here: only a page's are."""
    comments = (
        Comment.objects.on(target)  # what they are on: asked before (see above)
        .select_related("author")
        .annotate(shown=ExpressionWrapper(Comment.objects.readable_by(reader), output_field=BooleanField()))
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
    entries = {
        comment.pk: Entry(comment, placeholder="removed" if comment.is_removed else "hidden")
        for comment in comments
        if not comment.shown and comment.pk in replied_to  # its text is never put on the page
    }
    for comment in visible:
        entries[comment.pk] = Entry(
            comment,
            flagged_by_reader=getattr(comment, "flagged_by_reader", False),
            open_flags=getattr(comment, "open_flags", 0),
        )
    top = []
    for entry in sorted(entries.values(), key=lambda e: (e.comment.created_at, e.pk)):
        parent_id = entry.comment.parent_id
        if parent_id is None:
            top.append(entry)
        elif parent_id in entries:
            entries[parent_id].replies.append(entry)
    return top, len(visible)
