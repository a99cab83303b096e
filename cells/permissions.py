"""Who may do what with cells and their meetings (what they may *see* is core/visibility.py).

- Convenor: set per cell by staff (Membership role convenor), and a member of the site
  (core/roles.py). Authors that cell's meetings, accepts members, moderates on that cell's
  pages. Nothing of other cells.
- Staff: everything; authors network events (meetings with no cell).
- Any member may ask to join a cell.
"""

from core.roles import is_member, is_staff

from .models import Cell, cells_of


def convened_cells(user):
    """The cells `user` convenes (all cells for staff), as a queryset."""
    if is_staff(user):
        return Cell.objects.all()
    return Cell.objects.filter(pk__in=convened_ids(user))


def convened_ids(user):
    """The ids of the cells `user` convenes (not staff's all): a convenor is a member of the site too."""
    return cells_of(user)[1] if is_member(user) else frozenset()


def is_convenor(user, cell=None):
    if cell is None:
        return Cell.objects.exists() if is_staff(user) else bool(convened_ids(user))
    return is_staff(user) or cell.pk in convened_ids(user)


def can_author_meetings(user):
    """Write up meetings at all: staff and convenors."""
    return is_staff(user) or is_convenor(user)


def can_author_meeting(user, meeting=None, *, cell=None):
    """Create (in `cell`; None is a network event) or edit `meeting`."""
    if is_staff(user):
        return True
    cell_id = meeting.cell_id if meeting is not None else (cell.pk if cell else None)
    if cell_id is None:
        return False  # network events are staff's
    return cell_id in convened_ids(user)


def can_ask_to_join(user):
    """Ask to join a cell: any member (whether they are in it already is the cell page's business)."""
    return is_member(user)


def can_manage_members(user, cell):
    """See a cell's members and accept or decline requests to join it: its convenors and staff."""
    return is_convenor(user, cell)
