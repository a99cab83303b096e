"""Members commenting: post (or reply), edit within the time allowed, delete their own, flag.

Each works without JavaScript (a form page shows errors with the text kept); static/js/comments.js posts
without reloading, asking for the comment (or the form with its errors) as a fragment of the page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from core import versions
from core.permissions import ForMembers, require
from core.roles import is_account, is_member
from people.names import how_shown, name_for

from .. import permissions, writing
from ..forms import EditCommentForm, FlagForm, reply_form
from ..models import Comment
from ..replies import reply_boxes
from ..targets import target_for
from ..threads import Entry, address_on_page


def wants_fragment(request):
    """The page's script asks for the new comment, or the form with its errors, without the page around it."""
    return request.headers.get("X-Requested-With") == "fetch"


def visible_comment(user, pk):
    """The comment, if `user` may read it (else 404), with what it is on."""
    return get_object_or_404(
        Comment.objects.visible_to(user).select_related("meeting__cell", "insight", "author"), pk=pk
    )


def show_comment(request, pk):
    """A comment's address (in emails, after posting, the link on its time): the page of its thread that
    shows it to this reader. A visitor is invited to log in for a comment on what only members read."""
    comment = Comment.objects.visible_to(request.user).select_related("meeting", "insight").filter(pk=pk).first()
    if comment is None:
        if not is_member(request.user) and Comment.objects.members_only().filter(pk=pk).exists():
            raise ForMembers(verify_email=is_account(request.user))
        raise Http404("No comment here.")
    return redirect(address_on_page(comment, request.user))


def _replying_to(request, target):
    """The top-level comment a reply answers (a reply to a reply answers its top-level comment), or None;
    `missing` when it was asked for but is not there to answer (removed or hidden meanwhile)."""
    asked = request.POST.get("parent") if request.method == "POST" else request.GET.get("reply_to")
    if not asked:
        return None, False
    if not str(asked).isdigit():
        return None, True
    shown = Comment.objects.visible_to(request.user).on(target).select_related("author")
    parent = shown.filter(pk=asked).first()
    if parent is not None and parent.parent_id:
        parent = shown.filter(pk=parent.parent_id).first()
    return parent, parent is None


@login_required
def post_comment(request, kind, slug):
    target = target_for(request.user, kind, slug)
    require(permissions.can_comment(request.user, target))
    parent, missing = _replying_to(request, target)
    data = request.POST if request.method == "POST" else None
    form = reply_form(parent, data)
    status = 200
    if data is not None and missing:
        form.is_valid()
        form.add_error(None, "The comment you replied to is no longer shown. Your text is below: post it as a comment.")
    elif data is not None and form.is_valid():
        try:
            comment = writing.post_comment(target, author=request.user, body=form.cleaned_data["body"], parent=parent)
        except writing.Refused as refusal:
            form.add_error("body", str(refusal))
            status = refusal.status
        else:
            if wants_fragment(request):
                entry = Entry(comment, can_edit=True, can_delete=True, author=name_for(request.user, request.user))
                shown_as = how_shown(request.user)
                if parent is None:  # a reply is answered in its thread, under the comment it replies to
                    reply_boxes(request, [entry], post_url=request.path, shown_as=shown_as)
                context = {"entry": entry, "post_url": request.path, "shown_as": shown_as}
                return render(request, "discussion/includes/comment.html", context, status=201)
            messages.success(request, "Your reply is posted." if parent else "Your comment is posted.")
            return redirect(address_on_page(comment, request.user))
    context = {
        "target": target,
        "form": form,
        "parent": parent,
        "post_url": request.path,
        "shown_as": how_shown(request.user),
        "parent_author": name_for(request.user, parent.author) if parent else "",
        "reply": parent is not None,
    }
    if wants_fragment(request):
        return render(request, "discussion/includes/comment_form.html", context, status=status)
    return render(request, "discussion/comment_form.html", context, status=status)


@login_required
def edit_comment(request, pk):
    comment = visible_comment(request.user, pk)
    require(permissions.may_edit_but_for_time(request.user, comment))
    data = request.POST if request.method == "POST" else None
    form = EditCommentForm(data, initial={"body": comment.body, "edit_version": comment.edit_version})
    in_time = permissions.can_edit(request.user, comment)
    if data is not None and in_time and form.is_valid():
        try:
            writing.edit_comment(
                comment,
                user=request.user,
                body=form.cleaned_data["body"],
                expected_version=form.cleaned_data["edit_version"],
            )
        except versions.StaleEdit:
            form.add_error(
                None,
                "This comment changed after you opened this page, so your edit was not saved. Your text is "
                "below: open the comment again to see it as it is now.",
            )
        else:
            messages.success(request, "Your comment is saved.")
            return redirect(address_on_page(comment, request.user))
    context = {
        "comment": comment,
        "target": comment.target,
        "form": form,
        "in_time": in_time,
        "deadline": permissions.edit_deadline(comment),
    }
    return render(request, "discussion/comment_edit.html", context, status=200 if in_time else 403)


@login_required
def delete_comment(request, pk):
    comment = visible_comment(request.user, pk)
    require(permissions.can_delete(request.user, comment))
    if request.method == "POST":
        writing.remove_comment(comment, user=request.user)
        messages.success(request, "Your comment is deleted.")
        return redirect(f"{comment.target.get_absolute_url()}#comments")
    return render(request, "discussion/comment_delete.html", {"comment": comment, "target": comment.target})


@login_required
def flag_comment(request, pk):
    comment = visible_comment(request.user, pk)
    require(permissions.can_flag(request.user, comment))
    data = request.POST if request.method == "POST" else None
    form = FlagForm(data)
    if data is not None and form.is_valid():
        if writing.flag_comment(comment, user=request.user, reason=form.cleaned_data["reason"]):
            messages.success(request, "Thank you. A moderator will look at the comment.")
        else:
            messages.info(request, "You have flagged this comment already: a moderator will look at it.")
        return redirect(address_on_page(comment, request.user))
    context = {
        "comment": comment,
        "target": comment.target,
        "form": form,
        "author": name_for(request.user, comment.author),
    }
    return render(request, "discussion/comment_flag.html", context)
