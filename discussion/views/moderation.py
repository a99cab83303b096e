"""Moderators: hide, restore and keep comments (staff; a cell's convenors on their cell's meetings), and
staff's moderation page of flagged and recently hidden comments."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.pagination import paginate
from core.permissions import require

from .. import permissions, writing
from ..models import Comment, Flag
from .comments import visible_comment

RECENTLY = timedelta(days=30)


def _back(request, comment):
    """Where a moderator's action returns: the page they came from (the moderation page), else the comment."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(comment)


def _moderating(request, pk):
    comment = visible_comment(request.user, pk)
    require(permissions.can_moderate(request.user, comment))
    return comment


@require_POST
@login_required
def hide_comment(request, pk):
    comment = _moderating(request, pk)
    if writing.hide_comment(comment, user=request.user):
        messages.success(request, "The comment is hidden. Its readers no longer see it; you can restore it.")
    else:
        messages.info(request, "The comment was hidden already.")
    return _back(request, comment)


@require_POST
@login_required
def restore_comment(request, pk):
    comment = _moderating(request, pk)
    if writing.restore_comment(comment, user=request.user):
        messages.success(request, "The comment is shown again.")
    else:
        messages.info(request, "The comment was not hidden.")
    return _back(request, comment)


@require_POST
@login_required
def keep_comment(request, pk):
    comment = _moderating(request, pk)
    writing.keep_comment(comment, user=request.user)
    messages.success(request, "The comment stays as it is; its flags are dealt with.")
    return _back(request, comment)


@login_required
def moderation(request):
    require(permissions.can_use_moderation_page(request.user))
    # staff may see everyone: their comments show the name on their author's profile (author_name)
    shown = Comment.objects.visible_to(request.user).select_related("meeting", "insight", "author__person")
    open_flags = Flag.objects.filter(resolved_at__isnull=True).select_related("flagged_by__person")
    flagged = (
        shown.filter(hidden_at__isnull=True)
        .annotate(
            open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)),
            last_flagged=Max("flags__created_at", filter=Q(flags__resolved_at__isnull=True)),
        )
        .filter(open_flags__gt=0)
        .prefetch_related(Prefetch("flags", queryset=open_flags, to_attr="open_flag_list"))
        .order_by("-last_flagged", "-pk")
    )
    hidden = (
        shown.filter(hidden_at__gte=timezone.now() - RECENTLY)
        .select_related("hidden_by__person")
        .order_by("-hidden_at", "-pk")[:50]
    )
    context = {"page": paginate(request, flagged), "hidden": hidden, "days": RECENTLY.days}
    return render(request, "discussion/moderation.html", context)
