"""The signed unsubscribe link of every email: one per recipient and kind of email, usable without logging in.

The token carries the user's id and the kind, signed with SECRET_KEY (django.core.signing), so it cannot be
made for someone else or another kind; it does not expire, so an old email's link still works.
"""

from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from .links import absolute
from .models import Kind

SALT = "notifications.unsubscribe"


def make_token(user, kind):
    return signing.dumps({"u": user.pk, "k": str(kind)}, salt=SALT)


def read_token(token):
    """(user, Kind) from a token, or None when it is not one of ours or its user is gone."""
    try:
        data = signing.loads(token, salt=SALT)
        kind = Kind(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    return (user, kind) if user else None


def unsubscribe_url(user, kind):
    return absolute(reverse("notifications:unsubscribe", args=[make_token(user, kind)]))
