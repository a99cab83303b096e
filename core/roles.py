"""Who someone is to the site: a visitor, an account, a member, staff.

One definition each, used by the visibility rule (core/visibility.py) and by every
app's rights (its permissions.py):

- An account is a logged-in, active user.
- A member is an account with a verified email address (staff always count).
- Staff are active accounts with is_staff.
"""


def is_account(user):
    return bool(user.is_authenticated and user.is_active)


def is_staff(user):
    return is_account(user) and user.is_staff


def is_member(user):
    """Asked once per request and user: the answer is kept on the user object."""
    if not is_account(user):
        return False
    if user.is_staff:
        return True
    if not hasattr(user, "_is_member"):
        from .prepared import rows

        user._is_member = bool(rows(_verified_email, user.pk))
    return user._is_member


def _verified_email(user_id):
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user_id, verified=True).values_list("pk")[:1]


def members():
    """Every member, as a queryset of users: the same definition as is_member."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    verified = EmailAddress.objects.filter(verified=True).values("user")
    return get_user_model().objects.filter(is_active=True).filter(Q(is_staff=True) | Q(pk__in=verified))
