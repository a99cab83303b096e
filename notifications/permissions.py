"""Who may follow, choose their emails, and preview the bulletin (who counts as a member: core/roles.py).

- Members (an account with a verified email) follow what they may see and choose their emails; only
  members get emails at all.
- Staff preview the bulletin.
- Unsubscribing needs no account: the signed link in an email is the right (notifications/tokens.py).
"""

from core.roles import is_member, is_staff


def may_follow(user):
    return is_member(user)


def may_choose_emails(user):
    return is_member(user)


def may_receive(user):
    """Whether `user` is sent emails at all: an active member with an address."""
    return bool(user.is_active and user.email) and is_member(user)


def may_preview_bulletin(user):
    return is_staff(user)
