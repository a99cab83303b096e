"""Rights that belong to no app: the bin, and the 403 helper every view uses.

Rights over a cell's meetings are cells/permissions.py's, over insights
insights/permissions.py's; who counts as a member or staff is core/roles.py's.
"""

from django.core.exceptions import PermissionDenied

from .roles import is_staff


def can_manage_bin(user):
    return is_staff(user)


def require(allowed):
    """Raise 403 unless `allowed`; views call it after fetching what the user may see."""
    if not allowed:
        raise PermissionDenied
