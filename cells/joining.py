"""Asking to join a cell, and its convenors' answer.

Rights are betterway/permissions.py's (can_ask_to_join, can_manage_members); this
module says where a user stands with a cell and records the decisions.
"""

from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.utils import timezone

from people.profiles import person_for

from .models import JoinRequest, Membership, cells_of


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="A note to the convenors",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who you are and why you would like to join, up to 1000 characters.",
        error_messages={"max_length": "Keep your note to %(limit_value)d characters or fewer (it has %(show_value)d)."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].widget.attrs.pop("maxlength", None)  # a browser would cut a long paste silently


@dataclass
class Standing:
    """Where a user stands with a cell: their place in it, or their request waiting for an answer."""

    membership: Membership | None = None
    pending: JoinRequest | None = None

    @property
    def may_ask(self):
        return self.membership is None and self.pending is None


def standing(user, cell):
    """One query: their place where the reader's cells (asked once a request: cells_of) hold this one, else their
    request waiting (a member's own request no longer matters)."""
    if not user.is_authenticated:
        return Standing()
    if cell.pk in cells_of(user)[0]:
        return Standing(membership=Membership.objects.filter(cell=cell, person__user=user).order_by("role").first())
    return Standing(pending=cell.join_requests.filter(user=user, status=JoinRequest.Status.PENDING).first())


def ask_to_join(cell, user, message=""):
    """The user's pending request to join `cell` (an earlier one waiting is kept, not doubled)."""
    join_request, _ = JoinRequest.objects.get_or_create(
        cell=cell, user=user, status=JoinRequest.Status.PENDING, defaults={"message": message}
    )
    return join_request


def pending_requests(cell):
    return cell.join_requests.filter(status=JoinRequest.Status.PENDING).select_related("user__person__organisation")


def accept(join_request, *, by):
    """Make the asker a member of the cell (giving them a Person if they have none). False if already decided."""
    return _decide(join_request, JoinRequest.Status.ACCEPTED, by)


def decline(join_request, *, by):
    return _decide(join_request, JoinRequest.Status.DECLINED, by)


@transaction.atomic
def _decide(join_request, status, by):
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        return False  # another convenor answered first
    if status == JoinRequest.Status.ACCEPTED:
        person = person_for(join_request.user)
        Membership.objects.get_or_create(cell=join_request.cell, person=person, role=Membership.Role.MEMBER)
    join_request.status, join_request.decided_by, join_request.decided_at = status, by, timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    return True
