"""Who may do what: the one place for rights (what they may *see* is betterway/visibility.py).

- Member: any active account with a verified email address.
- Convenor: set per cell by staff (Membership role convenor). Authors that cell's
  meetings, accepts members, moderates on that cell's pages. Nothing of other cells.
- Staff: everything; authors network events (meetings with no cell) and insights.
"""

from django.core.exceptions import PermissionDenied


def is_staff(user):
    return user.is_authenticated and user.is_active and user.is_staff


def is_member(user):
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def convened_cells(user):
    """The cells `user` convenes (all cells for staff), as a queryset."""
    from cells.models import Cell, Membership

    if is_staff(user):
        return Cell.objects.all()
    if not (user.is_authenticated and user.is_active):
        return Cell.objects.none()
    return Cell.objects.filter(
        memberships__person__user=user, memberships__role=Membership.Role.CONVENOR
    ).distinct()


def is_convenor(user, cell=None):
    if cell is None:
        return convened_cells(user).exists()
    return is_staff(user) or convened_cells(user).filter(pk=cell.pk).exists()


def can_author_meeting(user, meeting=None, *, cell=None):
    """Create (in `cell`; None is a network event) or edit `meeting`."""
    if is_staff(user):
        return True
    cell_id = meeting.cell_id if meeting is not None else (cell.pk if cell else None)
    if cell_id is None:
        return False  # network events are staff's
    return convened_cells(user).filter(pk=cell_id).exists()


def can_ask_to_join(user):
    """Ask to join a cell: any member (whether they are in it already is the cell page's business)."""
    return is_member(user)


def can_manage_members(user, cell):
    """See a cell's members and accept or decline requests to join it: its convenors and staff."""
    return is_convenor(user, cell)


def can_author_insights(user):
    return is_staff(user)


def can_manage_bin(user):
    return is_staff(user)


def require(allowed):
    """Raise 403 unless `allowed`; views call it after fetching what the user may see."""
    if not allowed:
        raise PermissionDenied
