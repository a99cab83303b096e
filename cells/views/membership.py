"""A cell's members: asking to join, and convenors accepting or declining."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.permissions import require

from .. import joining
from ..models import Cell, Membership
from ..permissions import can_ask_to_join, can_manage_members

ROLE_HEADINGS = {
    Membership.Role.CONVENOR: "Convenors",
    Membership.Role.THOUGHT_LEADER: "Thought leaders",
    Membership.Role.MEMBER: "Members",
}


@login_required
def request_to_join(request, slug):
    cell = get_object_or_404(Cell, slug=slug)
    require(can_ask_to_join(request.user))
    if not joining.standing(request.user, cell).may_ask:
        return redirect(cell)  # the cell page says they are in it, or that their request is waiting
    form = joining.JoinRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        joining.ask_to_join(cell, request.user, form.cleaned_data["message"])
        messages.success(request, f"Your request to join {cell.name} is with its convenors.")
        return redirect(cell)
    return render(request, "cells/join.html", {"cell": cell, "form": form})


@login_required
def members(request, slug):
    cell = get_object_or_404(Cell, slug=slug)
    require(can_manage_members(request.user, cell))
    memberships = list(cell.memberships.select_related("person__organisation"))
    context = {
        "cell": cell,
        "groups": [(heading, [m for m in memberships if m.role == role]) for role, heading in ROLE_HEADINGS.items()],
        "requests": joining.pending_requests(cell),
    }
    return render(request, "cells/members.html", context)


@require_POST
@login_required
def decide_request(request, slug, pk):
    cell = get_object_or_404(Cell, slug=slug)
    require(can_manage_members(request.user, cell))
    join_request = get_object_or_404(cell.join_requests.select_related("user"), pk=pk)
    decision = {"accept": joining.accept, "decline": joining.decline}.get(request.POST.get("decision"))
    if decision is None:
        raise BadRequest("Accept or decline?")
    if decision(join_request, by=request.user):
        verb = "accepted" if decision is joining.accept else "declined"
        messages.success(request, f"You {verb} {join_request.user.email}’s request to join.")
    else:
        messages.info(request, f"{join_request.user.email}’s request was already answered.")
    return redirect("cells:members", slug=cell.slug)
