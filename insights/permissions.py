"""Who may write insights (what they may *see* is core/visibility.py): staff."""

from core.roles import is_staff


def can_author_insights(user):
    return is_staff(user)
