"""Every URL of the site, for every role, against public, members-only, cell-only and draft content.

EXPECTATIONS names each URL pattern with how it should answer; a test checks that
every pattern the site has is named there, so a new URL cannot escape this test.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from reversion.models import Version

from cells.models import JoinRequest, SpeakerReview
from core import versions

from .factories import InsightFactory, MeetingFactory, PersonFactory, PrincipleFactory, UserFactory

ROLES = ["anonymous", "member", "cell_member", "convenor", "other_convenor", "staff"]
VARIANTS = ["public", "members", "cell", "draft"]
SEES = {
    "public": set(ROLES),
    "members": set(ROLES) - {"anonymous"},
    "cell": {"cell_member", "convenor", "staff"},
    "draft": {"convenor", "staff"},
}
LOGIN = "login"  # a redirect to the login page


@dataclass
class Page:
    """How a URL answers: `rule(role, variant)` gives the status (or LOGIN); `url(world, variant)` builds it."""

    url: object
    rule: object
    method: str = "get"
    per_variant: bool = False
    data: dict = field(default_factory=dict)


# --- rules --------------------------------------------------------------------------------

def everyone(role, variant=None):
    return 200


def reading(role, variant):
    return 200 if role in SEES[variant] else 404


def logged_in(role, variant=None, ok=200):
    return LOGIN if role == "anonymous" else ok


def anonymous_only(role, variant=None):
    return 200 if role == "anonymous" else 302  # logged-in users are sent on from login and signup


def staff_only(role, variant=None, ok=200):
    if role == "anonymous":
        return LOGIN
    return ok if role == "staff" else 403


def authors_only(role, variant=None):
    if role == "anonymous":
        return LOGIN
    return 200 if role in {"convenor", "other_convenor", "staff"} else 403


def meeting_author(role, variant, ok=200):
    if role == "anonymous":
        return LOGIN
    if role not in SEES[variant]:
        return 404
    return ok if role in {"convenor", "staff"} else 403


def insight_author(role, variant, ok=200):
    if role == "anonymous":
        return LOGIN
    if role not in SEES[variant]:
        return 404
    return ok if role == "staff" else 403


def cell_convenor(role, variant=None, ok=200):
    if role == "anonymous":
        return LOGIN
    return ok if role in {"convenor", "staff"} else 403


def post_done(rule):
    """A POST action that redirects (302) when allowed."""
    return lambda role, variant=None: rule(role, variant, ok=302) if variant else rule(role, ok=302)


def joining(role, variant=None):
    if role == "anonymous":
        return LOGIN
    return 302  # asking to join (or being told you are in already) comes back to the cell page


def reviewing(role, variant):
    return LOGIN if role == "anonymous" else (200 if role == "reviewer" else 404)


# --- the table ------------------------------------------------------------------------------

def meeting_url(name):
    return lambda world, variant: reverse(name, args=[world["meetings"][variant].slug])


def insight_url(name):
    return lambda world, variant: reverse(name, args=[world["insights"][variant].slug])


def fixed(name, *args):
    return lambda world, variant=None: reverse(name, args=args)


EXPECTATIONS = {
    # reading
    "home": Page(fixed("home"), everyone),
    "about": Page(fixed("about"), everyone),
    "search": Page(lambda w, v=None: reverse("search") + "?q=meeting", everyone),
    "tag_list": Page(fixed("tag_list"), everyone),
    "tag": Page(fixed("tag", "place"), everyone),
    "insights:principle_list": Page(fixed("insights:principle_list"), everyone),
    "insights:principle": Page(lambda w, v=None: w["principle"].get_absolute_url(), everyone),
    "insights:insight_list": Page(fixed("insights:insight_list"), everyone),
    "insights:insight": Page(insight_url("insights:insight"), reading, per_variant=True),
    "cells:cell_list": Page(fixed("cells:cell_list"), everyone),
    "cells:cell": Page(lambda w, v=None: w["cell"].get_absolute_url(), everyone),
    "cells:meeting_list": Page(fixed("cells:meeting_list"), everyone),
    "cells:meeting": Page(meeting_url("cells:meeting"), reading, per_variant=True),
    "people:person_list": Page(fixed("people:person_list"), everyone),
    "people:person": Page(lambda w, v=None: w["speaker"].get_absolute_url(), everyone),
    "people:organisation": Page(lambda w, v=None: w["speaker"].organisation.get_absolute_url(), everyone),
    # members
    "people:profile": Page(fixed("people:profile"), logged_in),
    "cells:join": Page(lambda w, v=None: reverse("cells:join", args=[w["cell"].slug]), joining, method="post"),
    "cells:members": Page(lambda w, v=None: reverse("cells:members", args=[w["cell"].slug]), cell_convenor),
    "cells:decide_request": Page(
        lambda w, v=None: reverse("cells:decide_request", args=[w["cell"].slug, w["join_request"].pk]),
        post_done(cell_convenor), method="post", data={"decision": "accept"},
    ),
    # writing up meetings
    "cells:my_notes": Page(fixed("cells:my_notes"), authors_only),
    "cells:meeting_create": Page(fixed("cells:meeting_create"), authors_only),
    "note_import": Page(fixed("note_import"), authors_only),
    "cells:meeting_edit": Page(meeting_url("cells:meeting_edit"), meeting_author, per_variant=True),
    "cells:meeting_preview": Page(meeting_url("cells:meeting_preview"), meeting_author, per_variant=True),
    "cells:meeting_publish": Page(meeting_url("cells:meeting_publish"), meeting_author, per_variant=True),
    "cells:meeting_unpublish": Page(meeting_url("cells:meeting_unpublish"), post_done(meeting_author),
                                    per_variant=True, method="post"),
    "cells:meeting_delete": Page(meeting_url("cells:meeting_delete"), meeting_author, per_variant=True),
    "cells:meeting_request_reviews": Page(meeting_url("cells:meeting_request_reviews"), post_done(meeting_author),
                                          per_variant=True, method="post"),
    "cells:meeting_review": Page(meeting_url("cells:meeting_review"), reviewing, per_variant=True),
    "cells:meeting_history": Page(meeting_url("cells:meeting_history"), meeting_author, per_variant=True),
    "cells:meeting_restore": Page(
        lambda w, v: reverse("cells:meeting_restore", args=[w["meetings"][v].slug, w["meeting_versions"][v]]),
        post_done(meeting_author), per_variant=True, method="post",
    ),
    # staff: insights and the bin
    "insights:insight_create": Page(fixed("insights:insight_create"), staff_only),
    "insights:insight_edit": Page(insight_url("insights:insight_edit"), insight_author, per_variant=True),
    "insights:insight_preview": Page(insight_url("insights:insight_preview"), insight_author, per_variant=True),
    "insights:insight_publish": Page(insight_url("insights:insight_publish"), insight_author, per_variant=True),
    "insights:insight_unpublish": Page(insight_url("insights:insight_unpublish"), post_done(insight_author),
                                       per_variant=True, method="post"),
    "insights:insight_delete": Page(insight_url("insights:insight_delete"), insight_author, per_variant=True),
    "insights:insight_history": Page(insight_url("insights:insight_history"), insight_author, per_variant=True),
    "insights:insight_restore": Page(
        lambda w, v: reverse("insights:insight_restore", args=[w["insights"][v].slug, w["insight_versions"][v]]),
        post_done(insight_author), per_variant=True, method="post",
    ),
    "bin": Page(fixed("bin"), staff_only),
    "bin_restore": Page(lambda w, v=None: reverse("bin_restore", args=["meeting", w["binned"].pk]),
                        post_done(staff_only), method="post"),
    # accounts (django-allauth)
    "account_login": Page(fixed("account_login"), anonymous_only),
    "account_signup": Page(fixed("account_signup"), anonymous_only),
    "account_logout": Page(fixed("account_logout"), lambda role, v=None: 302, method="post"),
    "account_inactive": Page(fixed("account_inactive"), everyone),
    "account_reauthenticate": Page(fixed("account_reauthenticate"), logged_in),
    "account_email": Page(fixed("account_email"), logged_in),
    "account_email_verification_sent": Page(fixed("account_email_verification_sent"), everyone),
    "account_change_password": Page(fixed("account_change_password"), logged_in),
    "account_set_password": Page(fixed("account_set_password"), lambda role, v=None: LOGIN if role == "anonymous"
                                 else 302),  # users with a password are sent to change it instead
    "account_reset_password": Page(fixed("account_reset_password"), everyone),
    "account_reset_password_done": Page(fixed("account_reset_password_done"), everyone),
    "account_reset_password_from_key": Page(fixed("account_reset_password_from_key", "0", "bad-key"), everyone),
    "account_reset_password_from_key_done": Page(fixed("account_reset_password_from_key_done"), everyone),
    "account_confirm_email": Page(fixed("account_confirm_email", "bad-key"), everyone),
    # login by code is off: with no code pending, everyone is sent away (visitors to the login page)
    "account_confirm_login_code": Page(fixed("account_confirm_login_code"), lambda role, v=None: logged_in(role, ok=302)),
}


def site_url_names():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # the Django admin has its own permission system (staff only)
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_of_the_site_is_in_the_permission_table():
    assert site_url_names() - set(EXPECTATIONS) == set(), "add the new URL to EXPECTATIONS"
    assert set(EXPECTATIONS) - site_url_names() == set(), "remove URLs the site no longer has"


@pytest.fixture
def world(cell, users):
    speaker = PersonFactory(slug="speaker")
    meetings, insights, meeting_versions, insight_versions = {}, {}, {}, {}
    for variant in VARIANTS:
        status = "draft" if variant == "draft" else "published"
        visibility = "public" if variant == "draft" else variant
        meeting = MeetingFactory(cell=cell, slug=f"meeting-{variant}", status=status, visibility=visibility,
                                 tags=["place"])
        insight = InsightFactory(slug=f"insight-{variant}", cell=cell, status=status, visibility=visibility)
        for obj, kept in ((meeting, meeting_versions), (insight, insight_versions)):
            with versions.saving(obj, user=users["staff"], comment="Edited"):
                obj.title += " (edited)"
                obj.save()
            kept[variant] = Version.objects.get_for_object(obj).last().pk
        meetings[variant], insights[variant] = meeting, insight
    applicant = UserFactory()
    return {
        "cell": cell, "speaker": speaker, "principle": PrincipleFactory(),
        "meetings": meetings, "insights": insights,
        "meeting_versions": meeting_versions, "insight_versions": insight_versions,
        "join_request": JoinRequest.objects.create(cell=cell, user=applicant),
        "binned": MeetingFactory(cell=cell, deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)),
    }


def answer(client, page, world, variant):
    url = page.url(world, variant) if page.per_variant else page.url(world)
    response = client.post(url, page.data) if page.method == "post" else client.get(url)
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_each_role_gets_the_expected_answer(client_for, users, world, name):
    """For one URL: every role, and every kind of content where the URL is about one meeting or insight.
    Each try is rolled back, so an action one role takes does not change what the next one meets."""
    page = EXPECTATIONS[name]
    wrong = []
    for role in ROLES:
        for variant in VARIANTS if page.per_variant else [None]:
            expected = page.rule(role, variant) if page.per_variant else page.rule(role)
            savepoint = transaction.savepoint()
            try:
                got = answer(client_for(users[role]), page, world, variant)
            finally:
                transaction.savepoint_rollback(savepoint)
            if got != expected:
                wrong.append(f"{role:<15} {variant or '':<8} expected {expected}, got {got}")
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_speaker_asked_to_review_may_open_the_draft_review_page(client, world, variant):
    reviewer = UserFactory()
    meeting = world["meetings"][variant]
    SpeakerReview.objects.create(meeting=meeting, person=PersonFactory(user=reviewer))
    client.force_login(reviewer)
    assert client.get(reverse("cells:meeting_review", args=[meeting.slug])).status_code == 200
