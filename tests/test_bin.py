"""The bin: a deleted note or insight disappears from the site, and staff can restore it."""

import pytest
from django.urls import reverse
from reversion.models import Version

from core import publishing

from .factories import InsightFactory, MeetingFactory, PersonFactory, PrincipleFactory, SpeakerFactory


@pytest.fixture
def content(cell):
    principle = PrincipleFactory(slug="collaboration")
    speaker = PersonFactory(slug="speaker")
    meeting = MeetingFactory(
        cell=cell,
        title="Zebracrossing meeting",
        slug="zebra-meeting",
        tags=["place"],
        summary="Zebracrossing summary.",
        principles=[principle],
    )
    SpeakerFactory(meeting=meeting, person=speaker)
    insight = InsightFactory(
        title="Zebracrossing insight",
        slug="zebra-insight",
        cell=cell,
        tags=["place"],
        body="Zebracrossing body.",
        principles=[principle],
        authors=[speaker],
        source_meetings=[meeting],
    )
    return {"meeting": meeting, "insight": insight, "principle": principle, "speaker": speaker}


def public_pages(content, cell):
    return [
        reverse("home"),
        reverse("cells:meeting_list"),
        reverse("insights:insight_list"),
        cell.get_absolute_url(),
        content["principle"].get_absolute_url(),
        content["speaker"].get_absolute_url(),
        reverse("tag", args=["place"]),
        reverse("search") + "?q=zebracrossing",
    ]


def test_deleting_an_insight_moves_it_to_the_bin_after_a_confirmation(client_for, users, content):
    client = client_for(users["staff"])
    insight = content["insight"]
    url = reverse("insights:insight_delete", args=[insight.slug])
    assert "Move to the bin" in client.get(url).content.decode()

    response = client.post(url, follow=True)

    insight.refresh_from_db()
    assert insight.deleted_at is not None and insight.deleted_by == users["staff"]
    assert "to the bin; staff can restore it" in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "member", "staff"])
def test_what_is_in_the_bin_shows_on_no_page_and_in_no_search(client_for, users, cell, content, role):
    client = client_for(users[role])
    tags = {row["tag__slug"] for row in client.get(reverse("tag_list")).context["page"].object_list}
    assert "place" in tags
    for url in public_pages(content, cell):
        assert "Zebracrossing" in client.get(url).content.decode(), url
    for obj in (content["meeting"], content["insight"]):
        publishing.move_to_bin(obj, user=users["staff"])
    for obj in (content["meeting"], content["insight"]):
        assert client.get(obj.get_absolute_url()).status_code == 404
    for url in public_pages(content, cell):
        html = client.get(url).content.decode()
        assert "Zebracrossing" not in html, url
    tags = {row["tag__slug"]: row["uses"] for row in client.get(reverse("tag_list")).context["page"].object_list}
    assert "place" not in tags


def test_the_bin_lists_what_was_deleted_with_who_and_when(client_for, users, content):
    publishing.move_to_bin(content["meeting"], user=users["convenor"])
    publishing.move_to_bin(content["insight"], user=users["staff"])
    response = client_for(users["staff"]).get(reverse("bin"))
    html = response.content.decode()
    assert "Zebracrossing meeting" in html and "Zebracrossing insight" in html
    assert "by convenor@example.org" in html and "by staff@example.org" in html
    assert html.count("<time datetime=") == 2


def test_the_bin_is_empty_when_nothing_was_deleted(client_for, users, content):
    html = client_for(users["staff"]).get(reverse("bin")).content.decode()
    assert "No meeting notes are in the bin" in html and "No insights are in the bin" in html


@pytest.mark.parametrize("kind", ["meeting", "insight"])
def test_staff_restore_from_the_bin_brings_it_back_everywhere(client_for, users, cell, content, kind):
    obj = content[kind]
    publishing.move_to_bin(obj, user=users["staff"])
    client = client_for(users["staff"])

    response = client.post(reverse("bin_restore", args=[kind, obj.pk]), follow=True)

    assert response.redirect_chain[-1][0] == obj.get_absolute_url()
    assert "Restored “Zebracrossing" in response.content.decode()
    obj.refresh_from_db()
    assert obj.deleted_at is None
    assert Version.objects.get_for_object(obj).first().revision.get_comment() == "Restored from the bin"
    assert obj.title in client_for(users["anonymous"]).get(reverse("search") + "?q=zebracrossing").content.decode()


def test_restoring_what_is_not_in_the_bin_is_not_found(client_for, users, content):
    client = client_for(users["staff"])
    assert client.post(reverse("bin_restore", args=["meeting", content["meeting"].pk])).status_code == 404
    assert client.post(reverse("bin_restore", args=["person", content["meeting"].pk])).status_code == 404


@pytest.mark.parametrize("role", ["member", "cell_member", "convenor", "other_convenor"])
def test_only_staff_may_open_the_bin_or_restore_from_it(client_for, users, content, role):
    publishing.move_to_bin(content["meeting"], user=users["staff"])
    client = client_for(users[role])
    assert client.get(reverse("bin")).status_code == 403
    assert client.post(reverse("bin_restore", args=["meeting", content["meeting"].pk])).status_code == 403
    content["meeting"].refresh_from_db()
    assert content["meeting"].deleted_at is not None


def test_anonymous_visitors_are_asked_to_log_in_for_the_bin(client, content):
    for response in (
        client.get(reverse("bin")),
        client.post(reverse("bin_restore", args=["meeting", content["meeting"].pk])),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_restoring_from_the_bin_needs_a_post(client_for, users, content):
    publishing.move_to_bin(content["meeting"], user=users["staff"])
    response = client_for(users["staff"]).get(reverse("bin_restore", args=["meeting", content["meeting"].pk]))
    assert response.status_code == 405
