"""The bin: meetings and insights moved there by convenors or staff, which staff restore."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cells.models import Meeting
from core import publishing
from core.permissions import can_manage_bin, require
from insights.models import Insight

KINDS = {"meeting": Meeting, "insight": Insight}


@login_required
def bin_list(request):
    require(can_manage_bin(request.user))
    meetings = Meeting.objects.in_bin().select_related("cell", "deleted_by").order_by("-deleted_at")
    insights = Insight.objects.in_bin().select_related("deleted_by").order_by("-deleted_at")
    context = {
        "meetings": [
            _row(meeting, "meeting", meeting.cell.name if meeting.cell else "Network event") for meeting in meetings
        ],
        "insights": [_row(insight, "insight", insight.get_kind_display()) for insight in insights],
    }
    return render(request, "bin.html", context)


def _row(item, kind, where):
    user = item.deleted_by
    who = (user.get_full_name() or user.email or user.get_username()) if user else "someone no longer on the site"
    return {"item": item, "kind": kind, "where": where, "who": who}


@login_required
@require_POST
def restore(request, kind, pk):
    require(can_manage_bin(request.user))
    if kind not in KINDS:
        raise Http404("No such kind of thing in the bin.")
    obj = get_object_or_404(KINDS[kind].objects.in_bin(), pk=pk)
    publishing.restore_from_bin(obj, user=request.user)
    messages.success(request, f"Restored “{obj.title}” from the bin, as it was when it was moved there.")
    return redirect(obj.get_absolute_url())
