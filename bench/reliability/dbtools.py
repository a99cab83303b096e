"""The reliability checks' look into the database through the site's own models:
`python -m bench.reliability.dbtools accounts|facts|meeting SLUG` (DJANGO_SETTINGS_MODULE and DATABASE_URL set, as
bench/reliability/common.py does). Each prints one line of JSON.

- `accounts`: the accounts the checks log in with, besides the demo accounts: 20 members (rel-member-01 … -20,
  verified email addresses, as tests/factories.py `verified_user` makes them), a second convenor of the demo cell
  (rel-convenor-2), and a password for one synthetic member of a cell with cell-only notes (so the backup
  check reads those as a member of the cell). All with the demo password.
- `facts`: the paths the checks read: published notes (public, members-only, cell-only), insights, principles,
  people, topics, cells, the demo cell's notes, a note for the concurrency check's comments.
- `sessions EMAIL …`: a logged-in session for each account, {email: session id} (as if each had logged in: for
  the checks that need many members at once without twenty password hashes first).
"""

import json
import os
import sys


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.reliability.settings")
    import django

    django.setup()
    command, *rest = argv
    answer = {"accounts": accounts, "facts": facts, "sessions": sessions}[command](*rest)
    print(json.dumps(answer))


def accounts():
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from bench.reliability.common import CONCURRENT_MEMBERS, PASSWORD, SECOND_CONVENOR, member_email
    from betterway.management.commands.create_demo_accounts import DEMO_CELL
    from cells.models import Cell, Membership
    from people.models import Person

    User = get_user_model()
    hashed = make_password(PASSWORD)  # once: the hasher is slow on purpose

    def verified(email, name=None):
        user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
        user.password = hashed
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if name:
            Person.objects.get_or_create(user=user, defaults={"name": name, "slug": email.split("@")[0]})
        return user

    with transaction.atomic():
        members = [verified(member_email(n), f"Reliability Member {n}") for n in range(1, CONCURRENT_MEMBERS + 1)]
        convenor = verified(SECOND_CONVENOR, "Reliability Convenor")
        cell = Cell.objects.get(slug=DEMO_CELL)
        Membership.objects.get_or_create(cell=cell, person=convenor.person, role=Membership.Role.CONVENOR)
        reader = _cell_reader()
        if reader is not None:
            reader.password = hashed
            reader.save()
    return {
        "members": [m.email for m in members],
        "second_convenor": convenor.email,
        "cell_reader": reader.email if reader else None,
    }


def facts():
    from django.contrib.auth.models import AnonymousUser
    from taggit.models import Tag

    from bench.reliability.common import SECOND_CONVENOR
    from betterway.management.commands.create_demo_accounts import DEMO_CELL
    from cells.models import Cell, Meeting
    from core.visibility import Status, Visibility
    from insights.models import Insight, Principle
    from people.models import Person

    visitor = AnonymousUser()
    published = Meeting.objects.filter(status=Status.PUBLISHED, deleted_at=None).exclude(cell=None).order_by("pk")
    public = published.filter(visibility=Visibility.PUBLIC, notes_visibility=Visibility.PUBLIC)
    demo = list(public.filter(cell__slug=DEMO_CELL).values_list("slug", flat=True))
    scale_public = list(public.filter(slug__startswith="scale-").values_list("slug", flat=True))
    cell_only = published.filter(visibility=Visibility.CELL)
    reader = _cell_reader()
    if reader is not None:
        cell_only = cell_only.filter(cell__memberships__person__user=reader)
    return {
        "public_notes": [m.slug for m in public[:40]],
        "demo_notes": demo,
        "comment_note": scale_public[-1],  # the concurrency check's comments go here
        "fault_note": scale_public[-2],  # the fault check's
        "members_notes": list(published.filter(visibility=Visibility.MEMBERS).values_list("slug", flat=True)[:5]),
        "cell_notes": list(cell_only.values_list("slug", flat=True)[:5]),
        "cell_reader": reader.email if reader else None,
        "second_convenor": SECOND_CONVENOR,
        "insights": [i.get_absolute_url() for i in Insight.objects.visible_to(visitor).order_by("pk")[:15]],
        "principles": [p.get_absolute_url() for p in Principle.objects.order_by("pk")],
        "people": [p.get_absolute_url() for p in Person.objects.visible_to(visitor).order_by("pk")[:30]],
        "topics": [f"/topics/{t.slug}/" for t in Tag.objects.order_by("pk")[:30]],
        "cells": [c.get_absolute_url() for c in Cell.objects.order_by("pk")[:10]],
        "demo_cell": f"/cells/{DEMO_CELL}/",
    }


def _cell_reader():
    """The first synthetic member (verified) of a cell that has published cell-only notes."""
    from django.contrib.auth import get_user_model

    from cells.models import Meeting, Membership
    from core.visibility import Status, Visibility

    cells = Meeting.objects.filter(status=Status.PUBLISHED, visibility=Visibility.CELL, deleted_at=None).values("cell")
    memberships = Membership.objects.filter(cell__in=cells, role=Membership.Role.MEMBER).values("person__user")
    return (
        get_user_model()
        .objects.filter(pk__in=memberships, username__startswith="scale-", emailaddress__verified=True)
        .order_by("pk")
        .first()
    )


def sessions(*emails):
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    store = import_module(settings.SESSION_ENGINE).SessionStore
    made = {}
    for user in get_user_model().objects.filter(username__in=emails):
        session = store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        made[user.username] = session.session_key
    return made


if __name__ == "__main__":
    main(sys.argv[1:])
