"""What bench/run loads, read from the benchmark database: `python -m bench.pages paths|session|count ...`.

Run from the project folder with DJANGO_SETTINGS_MODULE=bench.settings and the bench's environment (bench/run
sets it). Subcommands:

- `paths [--word W]`: one `label=/path` line per page: the home page, the principle, cell, topic and person
  with the most content a visitor may see (the longest lists, whatever the archive size), the first public
  insight and note (a note in a cell, with notes a visitor may read), search for W, the notes and insights
  lists, and the about page (a reference: what any page costs before it asks anything of the archive).
- `session`: a logged-in member's Cookie header value (a stored session of a synthetic member who is in
  cells, so that the whole visibility rule applies), created for this run.
- `count [--sql-log FILE] label=/path ...`: the SQL queries of each page for a visitor and for that member, in
  process (the first request and the next, as the peers' count_queries.py does), and the time the next one
  took (one request alone: server time without load): `RESULT label who status bytes first steady ms` (the site
  logs to stdout too: a failing page's traceback).
"""

import argparse
import os
import sys
import time
from importlib import import_module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    paths = sub.add_parser("paths")
    paths.add_argument("--word", default="collaboration")
    sub.add_parser("session")
    count = sub.add_parser("count")
    count.add_argument("--sql-log")
    count.add_argument("targets", nargs="+", metavar="label=/path")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    if args.command == "paths":
        for label, path in page_paths(args.word):
            print(f"{label}={path}")
    elif args.command == "session":
        print(session_cookie(bench_member()))
    else:
        count_queries(bench_member(), args.targets, args.sql_log)


def page_paths(word):
    from urllib.parse import quote

    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Count, Q
    from taggit.models import TaggedItem

    from cells.models import Cell, Meeting
    from insights.models import Insight, Principle
    from people.models import Person

    visitor = AnonymousUser()
    meetings = Meeting.objects.visible_to(visitor)
    note = meetings.filter(pk__in=Meeting.objects.notes_visible_to(visitor), cell__isnull=False).order_by("pk").first()
    insight = Insight.objects.visible_to(visitor).order_by("pk").first()
    if note is None or insight is None:
        sys.exit("No public note or insight: is this a make_scale_data archive?")
    principle = (
        Principle.objects.annotate(n=Count("meetings", filter=Q(meetings__in=meetings))).order_by("-n", "pk").first()
    )
    cell = Cell.objects.annotate(n=Count("meetings", filter=Q(meetings__in=meetings))).order_by("-n", "pk").first()
    person = (
        Person.objects.visible_to(visitor)
        .annotate(n=Count("speaker_roles", filter=Q(speaker_roles__meeting__in=meetings)))
        .order_by("-n", "pk")
        .first()
    )
    topic = (
        TaggedItem.objects.values("tag__slug").annotate(n=Count("pk")).order_by("-n", "tag__slug").first()["tag__slug"]
    )
    return [
        ("home", "/"),
        ("principle", principle.get_absolute_url()),
        ("insight", insight.get_absolute_url()),
        ("note", note.get_absolute_url()),
        ("cell", cell.get_absolute_url()),
        ("topic", f"/topics/{topic}/"),
        ("person", person.get_absolute_url()),
        ("search", f"/search/?q={quote(word)}"),
        ("notes", "/notes/"),
        ("insights", "/insights/"),
        ("about", "/about/"),  # a reference, not a target: a page that asks nothing of the archive (bench/report.py)
    ]


def bench_member():
    """A synthetic member (verified email) whose person is in a cell; made when the archive has none."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from betterway.scale import PREFIX

    User = get_user_model()
    member = (
        User.objects.filter(
            username__startswith=PREFIX,
            is_active=True,
            emailaddress__verified=True,
            person__memberships__isnull=False,
        )
        .order_by("pk")
        .first()
    )
    if member is None:
        email = f"{PREFIX}bench-member@example.org"
        member, _ = User.objects.get_or_create(username=email, defaults={"email": email})
        EmailAddress.objects.get_or_create(user=member, email=email, defaults={"verified": True, "primary": True})
    return member


def session_cookie(user):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(7 * 24 * 3600)
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def count_queries(user, targets, sql_log):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # a page that fails is reported by its status (bench/run then leaves it out), not raised
    visitor = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    member = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    member.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    log = open(sql_log, "a", encoding="utf-8") if sql_log else None  # noqa: SIM115 - closed below
    for target in targets:
        label, _, path = target.partition("=")
        for who, client in (("visitor", visitor), ("member", member)):
            counts = []
            for _ in range(2):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(path)
                    body = b"".join(response) if response.streaming else response.content
                elapsed = time.perf_counter() - started
                counts.append(len(captured.captured_queries))
            if log:
                log.write(f"### {who} {label} {path} ({counts[1]} queries, {elapsed * 1000:.1f} ms)\n")
                for number, query in enumerate(captured.captured_queries, 1):
                    log.write(f"{number:3d} [{query['time']}s] {query['sql']}\n")
                log.write("\n")
            fields = [label, who, response.status_code, len(body), *counts, f"{elapsed * 1000:.1f}"]
            print("\t".join(["RESULT", *map(str, fields)]))
    if log:
        log.close()


if __name__ == "__main__":
    main()
