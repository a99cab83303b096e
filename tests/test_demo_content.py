"""The demo content in fixtures/content/ loads, and every page it links to works."""

import re
from urllib.parse import urljoin, urlparse

import lxml.html
import pytest
from django.core.management import call_command

from betterway.content import load_content
from cells.models import Meeting
from core import versions
from insights.models import Insight, Principle


@pytest.fixture
def demo(db):
    load_content()


def test_loading_twice_changes_nothing(demo):
    counts = load_content()
    assert all(created == 0 for _, created in counts.values()), counts


def test_each_note_is_loaded_as_one_version_that_holds_its_questions(demo):
    """Restoring a loaded note's version brings it back as loaded, with the questions it carried forward (they
    were once a second version, and restoring the first would have dropped them)."""
    with_questions = Meeting.objects.filter(questions__isnull=False).distinct()
    assert with_questions.count() >= 3
    for meeting in Meeting.objects.all():
        (only,) = versions.history(meeting)
        kept = [version for version in only.revision.version_set.all() if version.content_type.model == "question"]
        assert len(kept) == meeting.questions.count(), meeting.slug


def test_the_clip_cell_has_its_three_meetings_in_order(demo, client):
    numbers = list(
        Meeting.objects.filter(cell__slug="collaborative-leadership-in-place")
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert numbers == [1, 2, 3]
    html = client.get("/cells/collaborative-leadership-in-place/").content.decode()
    assert (
        html.index("Meeting 1 ·")
        < html.index("Why collaborative leadership matters in places")
        < html.index("Meeting 2 ·")
        < html.index("What happens when key individuals move on?")
        < html.index("Meeting 3 ·")
    )


def test_every_meeting_says_what_it_was_about_in_its_own_words(demo):
    for meeting in Meeting.objects.all():
        assert meeting.subject, f"{meeting.slug} has no subject"
        assert not meeting.subject.startswith("Note"), meeting.subject  # a reader's title, not "Note from…"
        assert len(meeting.subject) <= 80, meeting.subject


def test_the_notes_list_leads_with_what_each_meeting_was_about(demo, client):
    text = " ".join(lxml.html.fromstring(client.get("/notes/").content).text_content().split())
    assert "Note from" not in text  # the notes' own titles are kept on their pages, under "About this record"
    assert "Collaborative Leadership in Place · Meeting 2: What happens when key individuals move on?" in text
    assert "Is local better than national?" not in text  # the London cells' place meetings left no note


def test_the_five_signed_essays_of_the_collaboration_chapter_are_there(demo):
    principle = Principle.objects.get(slug="collaboration-is-better-than-competition")
    authors = set(
        Insight.objects.filter(principles=principle, kind__in=["essay", "story"]).values_list(
            "authors__name", flat=True
        )
    )
    assert authors == {"Kathy Evans", "Cate Newnes-Smith", "Toby Lowe", "Audrey Thompson", "Tom Levitt"}


def test_inferred_dates_are_not_shown_as_exact(demo):
    for meeting in Meeting.objects.all():
        if meeting.date_precision != "day":
            assert meeting.editorial_note, f"{meeting} has an approximate date and no note of why"


def test_every_page_reachable_from_home_answers_200(demo, client):
    seen, queue = set(), ["/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        for href in re.findall(r'href="([^"#]*)', response.content.decode()):
            target = urlparse(urljoin(url, href.replace("&amp;", "&")))
            if not target.netloc and not target.path.startswith(("/static/", "/admin/")):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    assert len(seen) > 40, sorted(seen)


def test_the_load_content_command_reports_what_it_loaded(db, capsys):
    call_command("load_content")
    assert re.search(r"meetings: (\d+) loaded, \1 new", capsys.readouterr().out)
