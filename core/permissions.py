"""Rights that belong to no app: the bin, the 403 helper every view uses, and the one fetch of a meeting or
insight for its reader.

Rights over a cell's meetings are cells/permissions.py's, over insights
insights/permissions.py's; who counts as a member or staff is core/roles.py's.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .roles import is_account, is_member, is_staff


def can_manage_bin(user):
    return is_staff(user)


def require(allowed):
    """Raise 403 unless `allowed`; views call it after fetching what the user may see."""
    if not allowed:
        raise PermissionDenied


class ForMembers(PermissionDenied):
    """The page is for members and the reader is not one yet: core.middleware.MembersOnlyMiddleware answers
    with the page that invites them to log in (or to verify their email). Without it, a bare 403."""

    def __init__(self, *, verify_email):
        super().__init__("This page is for members of A Better Way.")
        self.verify_email = verify_email


def readable_or_invite(request, queryset, **lookup):
    """The row of `queryset` (meetings, insights) that `lookup` finds, when `request.user` may read it.

    Otherwise 404, as for nothing at all, except for published members-only or cell-only content
    (`members_only()`, core/visibility.py) asked for by someone not yet a member: ForMembers, so that a
    visitor is invited to log in and an account with an unverified email is asked to verify it. A member
    who may not read a cell's note gets 404: logging in cannot help them, and a cell's notes are its own.
    """
    user = request.user
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        if not is_member(user) and queryset.members_only().filter(**lookup).exists():
            raise ForMembers(verify_email=is_account(user)) from None
        raise Http404(f"No {queryset.model._meta.object_name} matches the given query.") from None
