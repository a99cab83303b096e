# Which main-navigation section a page belongs to, for aria-current in the header.
SECTIONS = {
    "insights:principle_list": "principles",
    "insights:principle": "principles",
    "insights:insight_list": "insights",
    "insights:insight": "insights",
    "cells:meeting_list": "notes",
    "cells:meeting": "notes",
    "cells:cell_list": "cells",
    "cells:cell": "cells",
    "people:person_list": "people",
    "people:person": "people",
    "people:organisation": "people",
    "tag_list": "tags",
    "tag": "tags",
    "about": "about",
}


def navigation(request):
    match = getattr(request, "resolver_match", None)
    return {
        "nav": SECTIONS.get(match.view_name) if match else None,
        "can_author": _can_author(request),
        "login_next": _login_next(request, match),
        "ask_for_two_factor": _ask_for_two_factor(request, match),
    }


def _ask_for_two_factor(request, match):
    """Whether to ask a staff member to turn on two-factor authentication (they have no authenticator yet): on
    every page but the account pages, where they turn it on (one query, for staff only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_staff or (match and (match.url_name or "").startswith(("mfa_", "account_"))):
        return False
    from allauth.mfa.utils import is_mfa_enabled

    return not is_mfa_enabled(user)


def _login_next(request, match):
    """Where the header's "Log in" comes back to: this page, but not an account page (its ?next= would nest)."""
    if match and (match.url_name or "").startswith("account_"):
        return None
    return request.get_full_path()


def _can_author(request):
    """Whether to offer 'Your notes': staff and convenors (asked only when the template uses it)."""
    from django.utils.functional import SimpleLazyObject

    from cells.permissions import can_author_meetings

    user = getattr(request, "user", None)
    if user is None:
        return False
    return SimpleLazyObject(lambda: can_author_meetings(user))
