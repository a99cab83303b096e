"""Bad requests fail cleanly: bodies too large or with too many fields answer the site's own 400 page; an upload
over the import limit is a form error that costs neither memory nor a temporary file; every POST without a CSRF
token is refused (403) and changes nothing; `next=` sends nobody off the site; and every form answers malformed
input with a clear error, the text typed kept, and nothing saved."""

import os
import re
import urllib.parse
from unittest import mock

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch
from django.urls.resolvers import RoutePattern
from django.utils.http import url_has_allowed_host_and_scheme
from reversion.models import Version

from betterway.import_views import NoteUploadHandler
from betterway.importer.readers import MAX_BYTES
from cells.models import JoinRequest, Meeting
from core import publishing

from .factories import (
    CommentFactory,
    InsightFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    PrincipleFactory,
    UpcomingDateFactory,
    verified_user,
)
from .test_hostile_uploads import rebuilt, saved
from .test_insight_authoring import form_data as insight_data
from .test_meeting_authoring import meeting_data

MEGABYTE = 1024 * 1024


def snapshot():
    """Every row of every table but the sessions: what a request may not change."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.label != "sessions.Session"
    }


def the_sites_400_page(response):
    return (
        response.status_code == 400
        and "400.html" in [template.name for template in response.templates]
        and "The site could not read that request" in response.content.decode()
        and "base.html" in [template.name for template in response.templates]  # with the site's header and footer
    )


# --- requests too large, or with too much in them ------------------------------------------------------------------


@pytest.fixture
def convenor(client_for, users, settings):
    settings.DEBUG = False  # the 400 page visitors see, not Django's technical one
    return client_for(users["convenor"])


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_body_over_the_memory_limit_answers_the_sites_400_page_and_saves_nothing(convenor, cell, settings, encoding):
    data = meeting_data(cell, notes="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    before = snapshot()
    if encoding == "urlencoded":
        body = urllib.parse.urlencode(data)
        response = convenor.post(
            reverse("cells:meeting_create"), body, content_type="application/x-www-form-urlencoded"
        )
    else:
        response = convenor.post(reverse("cells:meeting_create"), data)
    assert the_sites_400_page(response)
    assert snapshot() == before


def test_a_body_with_too_many_fields_answers_the_sites_400_page(convenor, cell, settings):
    data = meeting_data(cell, **{f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)})
    before = snapshot()
    response = convenor.post(reverse("cells:meeting_create"), data)
    assert the_sites_400_page(response)
    assert snapshot() == before


def test_too_many_files_answer_the_sites_400_page(convenor, settings):
    files = [SimpleUploadedFile(f"note{n}.txt", b"x") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    response = convenor.post(reverse("note_import"), {"file": files})
    assert the_sites_400_page(response)
    assert not Meeting.objects.exists()


def test_a_broken_multipart_body_answers_the_sites_400_page(convenor):
    response = convenor.generic(
        "POST", reverse("note_import"), b"--x\r\nnot a part", content_type="multipart/form-data; boundary="
    )
    assert the_sites_400_page(response)


def test_an_upload_over_the_import_limit_is_a_form_error_and_never_a_temporary_file(client_for, users):
    """Django's own handlers would write it to a temporary file (over FILE_UPLOAD_MAX_MEMORY_SIZE); the import
    page keeps at most the limit in memory and reads the rest to the end without keeping it."""
    client = client_for(users["staff"])
    before = saved()
    with mock.patch.object(TemporaryFileUploadHandler, "new_file", side_effect=AssertionError("a temporary file")):
        response = client.post(reverse("note_import"), {"file": SimpleUploadedFile("big.txt", b"x" * (3 * MEGABYTE))})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The file is too large: the limit is 2 MB."]
    assert saved() == before


def test_the_upload_handler_keeps_at_most_the_limit_in_memory_for_the_whole_request():
    handler = NoteUploadHandler(limit=1000)
    files = []
    for size in (600, 300, 5000, 50):  # the third goes past the limit; the fourth would too, after the first two
        handler.new_file("file", f"{size}.txt", "text/plain", None)
        for start in range(0, size, 64):
            assert handler.receive_data_chunk(b"x" * min(64, size - start), start) is None  # no other handler sees it
        files.append(handler.file_complete(size))
        assert handler.kept <= 1000
    assert [(upload.size, len(upload.read())) for upload in files] == [(600, 600), (300, 300), (5000, 0), (50, 50)]


def test_a_two_megabyte_note_file_fits_the_default_request_limits(client_for, users):
    """The file's bytes do not count towards DATA_UPLOAD_MAX_MEMORY_SIZE (only the other fields do): a note file of
    the import limit's size is read, no setting needs to change."""
    filler = os.urandom(MAX_BYTES - 40_000)  # an embedded file that does not compress
    note = rebuilt(add=[("word/media/filler.bin", filler)])
    assert MAX_BYTES - 50_000 < len(note) <= MAX_BYTES
    response = client_for(users["staff"]).post(reverse("note_import"), {"file": SimpleUploadedFile("note.docx", note)})
    assert response.status_code == 200 and not response.context["form"].errors
    assert Meeting.objects.get().title == "Better Way roundtable on funding, 12 September 2024"


# --- CSRF: every POST without a token is refused -----------------------------------------------------------------

# Mail clients POST the one-click unsubscribe (RFC 8058) with no token: the signed link in its address is the check.
CSRF_EXEMPT = {"notifications:unsubscribe"}


def url_patterns(patterns=None, namespace="", prefix=""):
    """(name with its namespace or None, the whole route, the URLPattern) of every URL of the site."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else None, route, pattern


def kwarg_names(pattern):
    route = pattern.pattern
    return list(route.converters) if isinstance(route, RoutePattern) else list(route.regex.groupindex)


@pytest.fixture
def site(users, cell):
    """Something real behind each address, so that a POST that got through would have something to change."""
    person = PersonFactory(slug="pat", is_public=True)
    meeting = MeetingFactory(cell=cell, tags=["place"], principles=[PrincipleFactory(slug="local")])
    meeting.speaker_roles.create(person=person, role="presenter")
    binned = MeetingFactory(cell=cell, status="draft")
    publishing.move_to_bin(binned, user=users["staff"])
    join = JoinRequest.objects.create(cell=cell, user=users["member"], message="Please")
    upcoming = UpcomingDateFactory(cell=cell)
    return {
        "meeting": meeting,
        "insight": InsightFactory(),
        "comment": CommentFactory(meeting=meeting, author=users["member"]),
        "person": person,
        "organisation": OrganisationFactory(slug="org"),
        "binned": binned,
        "join": join,
        "upcoming": upcoming,
    }


def sample(name, route, pattern, site):
    """An address of the pattern that resolves to it, with real objects behind it where the site has them."""
    meeting, insight = site["meeting"], site["insight"]
    first = route.split("/")[0]
    slugs = {
        "notes": meeting.slug,
        "insights": insight.slug,
        "cells": meeting.cell.slug,
        "principles": "local",
        "people": "pat",
        "organisations": "org",
        "topics": "place",
        "tags": "place",
        "follow": meeting.cell.slug,
        "unfollow": meeting.cell.slug,
    }
    known = {
        "slug": slugs.get(first, "x"),
        "tag_slug": "place",
        "kind": "meeting" if first == "bin" else "cell",
        "pk": {
            "comments": site["comment"].pk,
            "bin": site["binned"].pk,
            "cells": site["join"].pk,
        }.get(first, 1),
        "version_id": Version.objects.get_for_object(meeting if first == "notes" else insight).first().pk,
        "day": site["upcoming"].date,
        "year": 2020,
    }
    names = kwarg_names(pattern)
    for fallback in ("1", "x", "cells", "a-b"):
        kwargs = {key: known.get(key, fallback) for key in names}
        try:
            path = reverse(name, kwargs=kwargs) if name else unnamed(route, kwargs)
        except NoReverseMatch:
            continue
        if resolve(path).func is pattern.callback:
            return path
    raise AssertionError(f"no address made for {name} ({route})")


def unnamed(route, kwargs):
    """The address of an unnamed route (the admin has a few): its converters and groups filled in."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(kwargs[match[1]]), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: str(kwargs[match[1]]), path)
    return "/" + path.replace("^", "").replace("$", "")


def test_every_address_refuses_a_post_without_a_csrf_token_and_nothing_changes(users, site):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["staff"])
    client.get(reverse("home"))  # the CSRF cookie is set: only the token in the form is missing
    before = snapshot()
    answers = {}
    for name, route, pattern in url_patterns():
        path = sample(name, route, pattern, site)
        data = {"next": "/", "body": "A comment", "message": "Hello", "answer": "confirmed", "tags": "x"}
        answers[name or route, route] = client.post(path, data).status_code
    assert len(answers) > 150  # the site's pages, allauth's and the admin's
    let_through = {key: status for key, status in answers.items() if status != 403}
    assert {name for name, _route in let_through} == CSRF_EXEMPT, let_through
    assert snapshot() == before


def test_the_note_upload_checks_the_csrf_token_itself(users):
    """The upload page is exempt from the middleware's check only to make the same check after its upload handler
    is in place (betterway/import_views.py)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["staff"])
    page = client.get(reverse("note_import"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    note = b"Better Way roundtable on funding, 12 September 2024\n\nJane Doe opened the roundtable.\n"
    refused = client.post(reverse("note_import"), {"file": SimpleUploadedFile("n.txt", note)})
    assert refused.status_code == 403 and not Meeting.objects.exists()
    taken = client.post(
        reverse("note_import"), {"file": SimpleUploadedFile("n.txt", note), "csrfmiddlewaretoken": token}
    )
    assert taken.status_code == 200 and Meeting.objects.count() == 1


# --- next= goes only to this site --------------------------------------------------------------------------------

ELSEWHERE = ["https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example"]


def stays_here(response):
    location = response["Location"]
    return (
        response.status_code == 302
        and "evil.example" not in location
        and url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"})
    )


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_logging_in_with_next_elsewhere_stays_on_the_site(client, db, elsewhere):
    user = verified_user(username="pat@example.org")
    user.set_password("a long enough password")
    user.save()
    response = client.post(
        reverse("account_login"), {"login": "pat@example.org", "password": "a long enough password", "next": elsewhere}
    )
    assert stays_here(response)
    assert "_auth_user_id" in client.session  # logged in: the redirect was the one after logging in


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_logging_out_with_next_elsewhere_stays_on_the_site(client_for, users, elsewhere):
    client = client_for(users["member"])
    response = client.post(reverse("account_logout"), {"next": elsewhere})
    assert stays_here(response)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
@pytest.mark.parametrize("action", ["notifications:follow", "notifications:unfollow"])
def test_following_with_next_elsewhere_comes_back_to_what_was_followed(client_for, users, cell, action, elsewhere):
    response = client_for(users["member"]).post(reverse(action, args=["cell", cell.slug]), {"next": elsewhere})
    assert stays_here(response) and response["Location"] == cell.get_absolute_url()


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
@pytest.mark.parametrize("action", ["discussion:comment_hide", "discussion:comment_restore", "discussion:comment_keep"])
def test_moderating_with_next_elsewhere_comes_back_to_the_comment(client_for, users, cell, action, elsewhere):
    comment = CommentFactory(meeting=MeetingFactory(cell=cell), author=users["member"])
    response = client_for(users["staff"]).post(reverse(action, args=[comment.pk]), {"next": elsewhere})
    assert stays_here(response) and response["Location"] == comment.get_absolute_url()


def test_moderating_over_https_does_not_go_back_over_http(client_for, users, cell):
    comment = CommentFactory(meeting=MeetingFactory(cell=cell), author=users["member"])
    client = client_for(users["staff"])
    response = client.post(
        reverse("discussion:comment_hide", args=[comment.pk]),
        {"next": "http://testserver/comments/moderation/"},
        secure=True,
    )
    assert response["Location"] == comment.get_absolute_url()
    response = client.post(
        reverse("discussion:comment_restore", args=[comment.pk]), {"next": "/comments/moderation/"}, secure=True
    )
    assert response["Location"] == "/comments/moderation/"


# --- malformed input in forms: a clear error, the text kept, nothing saved -----------------------------------------


def meeting_form(cell):
    return meeting_data(cell, **{"speakers-0-new_name": "Jo Bloggs", "speakers-0-role": "presenter"})


MEETING_CASES = [
    # (field, typed, what the error says)
    ("when", "2026-02-30", "Enter a date like 5 June 2019"),
    ("when", "30 February 2026", "Enter a date like 5 June 2019"),
    ("when", "99999999999999999999", "Enter a date like 5 June 2019"),  # was a 500 (OverflowError)
    ("when", "2147483648", "Enter a date like 5 June 2019"),  # was a 500 on PostgreSQL's run too
    ("when", "5 June 2019" + " and more" * 10, "at most 40 characters"),
    ("title", "A title\x00with a NUL", "Null characters are not allowed"),  # Django's, for one line
    ("title", "Long " * 20_000, "at most 250 characters"),
    ("number", "four", "Enter a whole number"),
    ("number", "99999999999999999999", "less than or equal to"),
    ("number", "-1", "greater than or equal to"),
    ("next_dates", "30 February 2031, 3.00–4.30pm", "is not a date with a day, month and year"),
    ("next_dates", "9 September 2031, 25pm", "25pm is not a time"),
    ("summary", "Key\x00points", "Line 1: the text contains a NUL character"),
    ("speakers-0-person", "not-an-id", "Select a valid choice"),
    ("speakers-0-role", "emperor", "Select a valid choice"),
    ("cell", "1; DROP TABLE cells_cell", "Select a valid choice"),
    ("principles", "abc", "“abc” is not a valid value"),
    ("takes_up", "99999999999999999999", "Select a valid choice"),
]


@pytest.mark.parametrize(
    ("field", "typed", "message"), MEETING_CASES, ids=[f"{f}={t[:20]!r}" for f, t, _ in MEETING_CASES]
)
def test_the_meeting_form_answers_malformed_input_with_an_error_and_saves_nothing(
    client_for, users, cell, field, typed, message
):
    client = client_for(users["convenor"])
    before = snapshot()
    response = client.post(reverse("cells:meeting_create"), {**meeting_form(cell), field: typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert snapshot() == before
    if "\x00" not in typed and field not in ("cell", "principles", "takes_up", "speakers-0-person", "speakers-0-role"):
        assert typed.strip()[:1000] in html.replace("&#x27;", "'")  # what was typed comes back to be corrected


@pytest.mark.parametrize(
    ("field", "typed"),
    [("speakers-TOTAL_FORMS", "lots"), ("speakers-TOTAL_FORMS", "99999999999999999999"), ("speakers-0-order", "first")],
)
def test_the_meeting_form_survives_tampered_hidden_fields(client_for, users, cell, field, typed):
    """A row count or a row's place that is not a number is a form error (Django's "ManagementForm data is missing
    or has been tampered with"), or is ignored; never a server error, never half a save."""
    client = client_for(users["convenor"])
    before = snapshot()
    response = client.post(reverse("cells:meeting_create"), {**meeting_form(cell), field: typed})
    if response.status_code == 302:  # saved whole: the row's place was ignored
        assert Meeting.objects.get().speaker_roles.get().person.name == "Jo Bloggs"
    else:
        assert response.status_code == 200 and "There is a problem" in response.content.decode()
        assert snapshot() == before
    if typed.isdigit():  # a row count claiming too many rows is refused once a meeting's most are built
        assert "Please submit at most 100 forms." in response.content.decode()  # a new meeting: no rows of its own
        assert response.content.decode().count('name="speakers-') < 1000  # 100 rows of six fields, not 2,000


def test_an_edit_with_a_tampered_version_is_refused_and_saves_nothing(client_for, users, cell):
    meeting = MeetingFactory(cell=cell, status="draft", created_by=users["convenor"])
    client = client_for(users["convenor"])
    before = snapshot()
    data = {**meeting_data(cell, title="A new title", number=str(meeting.number)), "edit_version": "latest"}
    data.update({"speakers-TOTAL_FORMS": "0", "questions-TOTAL_FORMS": "0"})
    response = client.post(reverse("cells:meeting_edit", args=[meeting.slug]), data)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert "A new title" in response.content.decode()
    assert snapshot() == before


INSIGHT_CASES = [
    ("published", "2018-02-30", "Write the date as a year, a month or a day"),
    ("published", "2147483648", "Write the date as a year, a month or a day"),  # was a 500 (OverflowError)
    ("published", "99999999999999999999", "at most 10 characters"),
    ("slug", "not a slug!", "Enter a valid “slug”"),
    ("title", "T\x00itle", "Null characters are not allowed"),
    ("original_url", "javascript:alert(1)", "Enter a valid URL"),
    ("authors", "abc", "“abc” is not a valid value"),
    ("kind", "novel", "Select a valid choice"),
]


@pytest.mark.parametrize(
    ("field", "typed", "message"), INSIGHT_CASES, ids=[f"{f}={t[:20]!r}" for f, t, _ in INSIGHT_CASES]
)
def test_the_insight_form_answers_malformed_input_with_an_error_and_saves_nothing(
    client_for, users, field, typed, message
):
    client = client_for(users["staff"])
    before = snapshot()
    response = client.post(reverse("insights:insight_create"), insight_data(**{field: typed}))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert snapshot() == before
    if field in ("published", "slug", "original_url"):
        assert typed in html


MEMBER_CASES = [
    # (the page, the form as sent, what the error says, the text that must come back)
    ("comment", {"body": "Hello\x00there", "parent": ""}, "NUL character", None),
    ("comment", {"body": "A reply", "parent": "99999999999999999999"}, "no longer shown", "A reply"),
    ("comment", {"body": "A reply", "parent": "1 OR 1=1"}, "no longer shown", "A reply"),
    ("edit", {"body": "Changed", "edit_version": "new"}, "Enter a whole number", "Changed"),
    ("flag", {"reason": "x" * 1001}, "Keep the reason to 1,000 characters (it has 1001)", "x" * 1001),
    ("flag", {"reason": "Abuse\x00"}, "NUL character", None),
    (
        "profile",
        {"name": "Bob " * 100, "organisation": "", "new_organisation": "", "role": "", "bio": ""},
        "at most",
        "Bob Bob",
    ),
    (
        "profile",
        {"name": "Bob", "organisation": "abc", "new_organisation": "", "role": "", "bio": ""},
        "Select a valid choice",
        None,
    ),
    (
        "preferences",
        {"following": "sometimes", "replies": "immediately", "convenor_comments": "immediately", "bulletin": "weekly"},
        "Select a valid choice",
        None,
    ),
    ("join", {"message": "Let me in\x00"}, "Null characters are not allowed", None),
]


@pytest.mark.parametrize(
    ("page", "data", "message", "kept"), MEMBER_CASES, ids=[f"{p}-{i}" for i, (p, *_) in enumerate(MEMBER_CASES)]
)
def test_members_forms_answer_malformed_input_with_an_error_and_save_nothing(
    client_for, users, cell, page, data, message, kept
):
    meeting = MeetingFactory(cell=cell)
    other = verified_user(username="other.member@example.org")
    comment = CommentFactory(meeting=meeting, author=users["member"])
    theirs = CommentFactory(meeting=meeting, author=other)
    url = {
        "comment": reverse("discussion:meeting_comment", args=[meeting.slug]),
        "edit": reverse("discussion:comment_edit", args=[comment.pk]),
        "flag": reverse("discussion:comment_flag", args=[theirs.pk]),
        "profile": reverse("people:profile"),
        "preferences": reverse("notifications:preferences"),
        "join": reverse("cells:join", args=["another-cell"]),
    }[page]
    client = client_for(users["member"])
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert message in html
    if kept:
        assert kept in html
    assert snapshot() == before


def test_invalid_utf8_in_a_form_is_read_as_replacement_characters_not_an_error(client_for, users, cell):
    """A browser never sends it; a script may. Django reads it with replacement characters: the form shows them, and
    a required field made only of them is still filled (nothing crashes, nothing is half saved)."""
    client = client_for(users["member"])
    meeting = MeetingFactory(cell=cell)
    before = snapshot()
    response = client.post(
        reverse("discussion:meeting_comment", args=[meeting.slug]),
        b"body=%FF%FE%00&parent=",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and "NUL character" in response.content.decode()
    assert snapshot() == before


def test_a_form_without_its_token_gets_the_sites_own_page_saying_what_to_do(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["member"])
    response = client.post(reverse("people:profile"), {"name": "Typed"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "The form had expired" in text and "Nothing was saved" in text
    assert "CSRF verification failed" not in text
