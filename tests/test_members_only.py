"""A page that is for members tells a reader who is not one yet that it is, and how to read it; nothing else is
told of it (core/permissions.py readable_or_invite). Drafts, the bin and pages that are not there answer 404, all
alike, with the site's own 404 page, under `make run` (DEBUG) too.

Who may read what is the permission matrix's (tests/test_permissions.py); this is what each reader is shown.
"""

import html
import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import (
    InsightFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    QuestionFactory,
    SpeakerFactory,
    UserFactory,
    verified_user,
)

PASSWORD = "a long and unguessable passphrase"  # noqa: S105 - a test account's

# Everything a members-only note or insight says of itself: none of it may reach a reader who may not read it.
SECRETS = (
    "Quiet harbour talks",  # a meeting's title
    "Tidewater compact",  # its key points
    "Lanternfish notes",  # its notes in detail
    "Collaborative Leadership",  # its cell
    "Ottoline Quarrington",  # its speaker
    "Brackenfold Trust",  # the speaker's organisation
    "Marram grass topic",  # its topic
    "Who keeps the lighthouse?",  # the question it carries forward
    "Essay on kelp forests",  # an insight's title
    "Standfirst of seagrass",  # its standfirst
    "Body of bladderwrack",  # its body
    "Peregrine Featherstonehaugh",  # its author
)


def html_of(response):
    return response.content.decode()


@pytest.fixture
def restricted(cell):
    """For each of members-only and cell-only: a note and an insight of the cell "clip", with every field named."""
    speaker = PersonFactory(name="Ottoline Quarrington", organisation=OrganisationFactory(name="Brackenfold Trust"))
    author = PersonFactory(name="Peregrine Featherstonehaugh")
    pages = {}
    for visibility in ("members", "cell"):
        meeting = MeetingFactory(
            cell=cell,
            slug=f"m-{visibility}",
            title=f"Quiet harbour talks ({visibility})",
            summary="- Tidewater compact",
            notes="Lanternfish notes in detail.",
            visibility=visibility,
            notes_visibility=visibility,
            tags=["Marram grass topic"],
        )
        SpeakerFactory(meeting=meeting, person=speaker)
        QuestionFactory(raised_at=meeting, text="Who keeps the lighthouse?")
        insight = InsightFactory(
            cell=cell,
            slug=f"i-{visibility}",
            title=f"Essay on kelp forests ({visibility})",
            standfirst="Standfirst of seagrass.",
            body="Body of bladderwrack.",
            visibility=visibility,
            authors=[author],
        )
        pages[visibility] = [meeting.get_absolute_url(), insight.get_absolute_url()]
    return pages


def leaks(text):
    return [secret for secret in SECRETS if secret.lower() in text.lower()]


def head_of(text):
    """The <title> and the content of every <meta> tag."""
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    return title, re.findall(r'<meta [^>]*content="([^"]*)"', text)


# --- who is shown what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", ["members", "cell"])
def test_a_visitor_is_told_the_page_is_for_members_and_invited_to_log_in_and_come_back(client, restricted, visibility):
    for url in restricted[visibility]:
        response = client.get(url)

        assert response.status_code == 403
        text = html_of(response)
        assert "<h1>This page is for members</h1>" in text
        assert "This page is for members of A Better Way." in text
        login = f"{reverse('account_login')}?next={quote(url)}"
        assert f'<a class="button" href="{login}">Log in to read it</a>' in text
        assert f'href="{reverse("account_signup")}?next={quote(url)}">Sign up</a>' in text
        assert '<meta name="robots" content="noindex">' in text and response["X-Robots-Tag"] == "noindex"
        assert leaks(text) == [], url


@pytest.mark.parametrize("visibility", ["members", "cell"])
def test_an_account_whose_email_is_not_confirmed_is_asked_to_confirm_it_and_told_nothing_more(
    client, restricted, visibility
):
    client.force_login(UserFactory(username="unconfirmed@example.org"))
    for url in restricted[visibility]:
        response = client.get(url)

        assert response.status_code == 403
        text = html_of(response)
        assert "<h1>Confirm your email address to read this page</h1>" in text
        assert "This page is for members of A Better Way." in text
        assert f'<a class="button" href="{reverse("account_email")}">Send the confirmation email again</a>' in text
        assert "Log in to read it" not in text  # they are logged in
        assert leaks(text) == [], url


@pytest.mark.parametrize("role", ["anonymous", "unverified"])
def test_the_title_and_meta_tags_of_the_page_for_members_name_nothing_of_it(client_for, users, restricted, role):
    client = client_for(users.get(role) or UserFactory(username="unconfirmed@example.org"))
    for url in restricted["members"] + restricted["cell"]:
        title, metas = head_of(html_of(client.get(url)))

        assert title in ("For members · A Better Way", "Confirm your email address to read this page · A Better Way")
        assert 'name="description" content="This page is for members of A Better Way."' in html_of(client.get(url))
        assert leaks(" ".join([title, *metas])) == []


def test_a_member_reads_members_only_pages_and_a_cells_members_read_its_cell_only_pages(client_for, users, restricted):
    for role, visibility in [("member", "members"), ("cell_member", "members"), ("cell_member", "cell")]:
        for url in restricted[visibility]:
            response = client_for(users[role]).get(url)
            assert response.status_code == 200, (role, url)
            assert "This page is for members of A Better Way." not in html_of(response)


def test_a_member_outside_the_cell_gets_404_for_its_cell_only_pages_and_is_told_some_notes_are_for_one_cell(
    client_for, users, restricted
):
    for url in restricted["cell"]:
        response = client_for(users["member"]).get(url)

        assert response.status_code == 404
        text = html_of(response)
        assert "Some notes are for the members of one cell only" in text
        assert "Log in" not in text.split("<main", 1)[1]  # logging in again cannot help: no invitation
        assert leaks(text) == []


# --- the way back: log in and read it ---------------------------------------------------------------------------


def test_logging_in_from_the_invitation_comes_back_to_the_note(client, restricted):
    user = verified_user(username="returning@example.org")
    user.set_password(PASSWORD)
    user.save()
    note = restricted["members"][0]

    invitation = html_of(client.get(note))
    login_url = html.unescape(re.search(r'<a class="button" href="([^"]+)">Log in to read it</a>', invitation)[1])
    login_page = html_of(client.get(login_url))
    next_field = re.search(r'<input type="hidden" name="next" value="([^"]+)"', login_page)[1]
    assert next_field == note
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD, "next": next_field})

    assert response.status_code == 302 and response["Location"] == note
    assert "Quiet harbour talks (members)" in html_of(client.get(note))


# --- drafts, the bin and what is not there: one and the same 404 -------------------------------------------------


def normalised(response, url):
    """The page and its headers, without what differs between any two requests (the address asked for, the
    CSRF token): what is left must not tell a draft from nothing."""
    text = html_of(response).replace(quote(url), "ADDRESS").replace(url, "ADDRESS")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", text)
    headers = sorted(name for name in response.headers if name.lower() not in ("content-length", "set-cookie"))
    return response.status_code, headers, text


@pytest.mark.parametrize("role", ["anonymous", "unverified", "member", "other_convenor"])
def test_a_draft_or_a_binned_note_answers_exactly_as_a_page_that_is_not_there(client_for, users, cell, role):
    client = client_for(users.get(role) or UserFactory(username="unconfirmed@example.org"))
    hidden = [
        MeetingFactory(cell=cell, slug="m-draft", status="draft", visibility="members", title="Quiet harbour talks"),
        MeetingFactory(cell=cell, slug="m-binned", visibility="members", deleted_at=timezone.now()),
        InsightFactory(cell=cell, slug="i-draft", status="draft", visibility="cell", title="Essay on kelp forests"),
        InsightFactory(slug="i-binned", visibility="members", deleted_at=timezone.now()),
    ]
    nothing = {
        "cells": reverse("cells:meeting", args=["m-nothing"]),
        "insights": reverse("insights:insight", args=["i-nothing"]),
    }
    for obj in hidden:
        url = obj.get_absolute_url()
        absent = nothing[obj._meta.app_label]
        draft, missing = client.get(url), client.get(absent)

        assert draft.status_code == 404
        assert normalised(draft, url) == normalised(missing, absent), url
        assert leaks(html_of(draft)) == []


# --- the 404 page ----------------------------------------------------------------------------------------------


def test_the_404_page_invites_a_visitor_to_log_in_and_offers_search_and_the_main_sections(client, db):
    url = "/notes/perhaps-for-members/"
    response = client.get(url)

    assert response.status_code == 404
    text = html_of(response)
    assert "<h1>Page not found</h1>" in text
    assert "Some pages are for members of A Better Way." in text
    assert f'<a class="button" href="{reverse("account_login")}?next={quote(url)}">Log in</a>' in text
    assert '<input id="not-found-q" type="search" name="q">' in text
    for section in ("cells:meeting_list", "insights:insight_list", "insights:principle_list", "tag_list"):
        assert f'href="{reverse(section)}"' in text.split("<main", 1)[1], section


def test_the_404_page_asks_an_unconfirmed_account_to_confirm_its_email_and_invites_no_member_to_log_in(client, users):
    client.force_login(UserFactory(username="unconfirmed@example.org"))
    text = html_of(client.get("/no-such-page/"))
    assert f'<a href="{reverse("account_email")}">Confirm your email address</a>' in text

    client.force_login(users["member"])
    main = html_of(client.get("/no-such-page/")).split("<main", 1)[1]
    assert "Page not found" in main and "Log in" not in main and "Confirm your email" not in main


# --- under `make run` (DEBUG) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["/no-such-page/", "/notes/no-such-note/", "/insights/no-such-insight/"])
def test_under_debug_a_missing_page_is_the_sites_own_404_not_djangos(client, settings, cell, address):
    """Tests run with DEBUG off (pytest-django turns it off); `make run` has it on, as here. An address no URL
    pattern matches, and one whose view raises Http404, both answer with the site's own page."""
    settings.DEBUG = True

    response = client.get(address)

    assert response.status_code == 404
    text = html_of(response)
    assert "<h1>Page not found</h1>" in text and 'class="site-header"' in text
    assert "Using the URLconf" not in text and "technical_404" not in text and "Django" not in text


def test_under_debug_an_address_without_its_slash_is_still_sent_to_the_page_with_it(client, settings, db):
    settings.DEBUG = True

    response = client.get("/notes")

    assert response.status_code == 301 and response["Location"] == "/notes/"


def test_under_debug_a_members_only_page_still_invites_a_visitor_to_log_in(client, settings, restricted):
    settings.DEBUG = True

    response = client.get(restricted["members"][0])

    assert response.status_code == 403
    assert "This page is for members of A Better Way." in html_of(response)
