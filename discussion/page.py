"""What the comments and topics part of a meeting's or insight's page shows its reader, and may let them do.

Used by the template tag (discussion/templatetags/discussion.py: `{% discussion meeting notes_readable %}`,
`{% discussion insight %}`), the plug-in point on the pages of the apps below: they load the tag library
and never import this app. A fixed number of queries, however many comments or topics there are.
"""

from django.urls import reverse

from core.roles import is_member
from people.names import how_shown, name_in, names_for

from . import permissions, tagging
from .forms import AddTopicsForm, CommentForm
from .models import commentable
from .replies import reply_boxes
from .targets import kind_of
from .threads import thread


def panel(request, target, *, notes_readable=None):
    """The context of discussion/discussion.html for `request.user` reading `target` (fetched through
    visible_to); its comments a page at a time (?comments=, discussion/threads.py).

    Who reads the comments is decided by `commentable`; a meeting's page has asked already whether its
    reader may read its detailed notes (core.visibility.may_read_notes), the same question for a published
    meeting, and passes the answer as `notes_readable` to save asking again."""
    if not target.is_published or target.in_bin:
        return {"shown": False}
    user = request.user
    kind = kind_of(target)
    member = is_member(user)
    readable = _comments_readable(target, user, notes_readable)
    convening = member and permissions.convenes(user, target)
    context = {
        "shown": True,
        "target": target,
        "noun": "note" if kind == "meeting" else "insight",
        "comments_readable": readable,
        "member": member,
        "signed_in": user.is_authenticated,
        **_topics(target, user, kind, member, convening),
    }
    if readable:
        moderator = permissions.can_moderate_on(user, target, convening=convening)
        page, count = thread(request, target, moderator=moderator)
        can_comment = member  # a member who may read the comments may comment
        post_url = reverse(f"discussion:{kind}_comment", args=[target.slug])
        shown_as = how_shown(user) if can_comment else ("", False)
        if can_comment:
            repliable = [entry for entry in page.object_list if not entry.placeholder]
            reply_boxes(request, repliable, post_url=post_url, shown_as=shown_as)
        context.update(
            entries=page.object_list,
            comments_page=page,
            count=count,
            moderator=moderator,
            can_comment=can_comment,
            form=CommentForm() if can_comment else None,
            post_url=post_url,
            shown_as=shown_as,
        )
    return context


def _comments_readable(target, user, notes_readable):
    """Whether `user` reads the comments of `target`, a published meeting or insight out of the bin that
    they may see: an insight's readers do; a meeting's are those who read its detailed notes."""
    if kind_of(target) == "insight":
        return True  # commentable(Insight, user) is Insight.objects.visible_to(user).published()
    if notes_readable is None:
        return commentable(type(target), user).filter(pk=target.pk).exists()
    return bool(notes_readable)


def _topics(target, user, kind, member, may_remove_any):
    """Topics: the add form for members, the remove buttons for those who may remove (convenors, staff,
    and the member who added one)."""
    if not member:
        return {"topics_form": None, "removable": []}
    items = [item for item in tagging.tagged_items(target) if may_remove_any or permissions.added_by(user, item)]
    adders = [item.member_tag.added_by for item in items if hasattr(item, "member_tag")]
    names = names_for(user, adders)
    removable = [
        {
            "item": item,
            "added_by": name_in(names, item.member_tag.added_by) if hasattr(item, "member_tag") else "",
            "by_reader": permissions.added_by(user, item),
            "remove_url": reverse(f"discussion:{kind}_topic_remove", args=[target.slug, item.tag.slug]),
        }
        for item in items
    ]
    can_add = permissions.can_add_tags(user, target)
    suggestions = tagging.suggested_names(user) if can_add else []
    return {
        "topics_form": AddTopicsForm(suggesting=bool(suggestions)) if can_add else None,
        "topics_url": reverse(f"discussion:{kind}_topics", args=[target.slug]),
        "suggestions": suggestions,
        "removable": removable,
        "removes_any": may_remove_any,  # else the list is of the topics the reader added
    }
