"""Every list pages at its size (core/pagination.py): page 2 shows the rest, a page past the end shows the last
page, a page that is not a number the first; on a page with several lists each pages on its own."""

import datetime
import re

import pytest
from django.urls import reverse

from betterway import topics, views
from people.views import public as people_views

from .factories import (
    CellFactory,
    InsightFactory,
    MeetingFactory,
    PersonFactory,
    PrincipleFactory,
    QuestionFactory,
    SpeakerFactory,
)

NAMES = ["Alder", "Birch", "Cedar"]  # oldest first: newest-first lists show Cedar, Birch, then Alder


@pytest.fixture(autouse=True)
def two_to_a_page(settings, monkeypatch):
    settings.PAGE_SIZE = 2
    monkeypatch.setattr(people_views, "PEOPLE_PER_PAGE", 2)
    monkeypatch.setattr(topics, "TOPICS_PER_PAGE", 2)


def day(n):
    return datetime.date(2021, 1, 1) + datetime.timedelta(days=n)


def shown(client, url):
    """Which of NAMES the page shows, in the order it shows them."""
    page = client.get(url).content.decode()
    return sorted((name for name in NAMES if name in page), key=page.index)


def pages_of(client, url, name="page", newest_first=True):
    """What pages 1 and 2, a page past the end and a page that is not a number show."""
    joiner = "&" if "?" in url else "?"
    return {number: shown(client, f"{url}{joiner}{name}={number}") for number in ("1", "2", "99", "two")}


def assert_pages(found, order):
    first, rest = order[:2], order[2:]
    assert found == {"1": first, "2": rest, "99": rest, "two": first}


def test_the_notes_list_pages(client, db):
    for n, name in enumerate(NAMES):
        MeetingFactory(subject=name, date=day(n))
    assert_pages(pages_of(client, reverse("cells:meeting_list")), NAMES[::-1])


def test_the_notes_list_of_one_kind_pages_by_its_own_length(client, db):
    """The list's length is the count of its kind the filters show, not of every note."""
    for n, name in enumerate(NAMES):
        MeetingFactory(cell=None, number=None, kind="roundtable", subject=name, date=day(n))
        MeetingFactory(cell=None, number=None, kind="dinner", subject=f"Dinner {n}", date=day(n))
    assert_pages(pages_of(client, reverse("cells:meeting_list") + "?kind=roundtable"), NAMES[::-1])


def test_the_insights_list_pages(client, db):
    for n, name in enumerate(NAMES):
        InsightFactory(title=name, published_on=day(n))
    assert_pages(pages_of(client, reverse("insights:insight_list")), NAMES[::-1])


def test_the_cells_list_and_its_network_events_page_apart(client, db):
    for n, name in enumerate(NAMES):
        CellFactory(name=f"{name} cell", order=n)
    assert_pages(pages_of(client, reverse("cells:cell_list")), NAMES)


def test_the_network_events_page_on_their_own(client, db):
    for n, name in enumerate(NAMES):
        MeetingFactory(cell=None, number=None, kind="roundtable", subject=name, date=day(n))
    found = pages_of(client, reverse("cells:cell_list"), name="events")
    assert_pages(found, NAMES[::-1])


def test_a_cells_series_pages_in_order(client, db):
    cell = CellFactory(slug="series")
    for n, name in enumerate(NAMES):
        MeetingFactory(cell=cell, subject=name, date=day(n), number=n + 1)
    assert_pages(pages_of(client, cell.get_absolute_url()), NAMES)


def test_a_cells_open_questions_and_insights_page_on_their_own(client, db):
    cell = CellFactory(slug="series")
    for n, name in enumerate(NAMES):
        QuestionFactory(raised_at=MeetingFactory(cell=cell, subject=f"Meeting {n}", date=day(n)), text=f"{name}?")
    assert_pages(pages_of(client, cell.get_absolute_url(), name="questions"), NAMES)
    other = CellFactory(slug="writing")
    for n, name in enumerate(NAMES):
        InsightFactory(cell=other, title=name, published_on=day(n))
    assert_pages(pages_of(client, other.get_absolute_url(), name="insights"), NAMES[::-1])


@pytest.mark.parametrize("listed", ["insights", "notes", "questions"])
def test_a_principles_lists_page_on_their_own(client, db, listed):
    principle = PrincipleFactory(slug="trust")
    for n, name in enumerate(NAMES):
        if listed == "insights":
            InsightFactory(title=name, published_on=day(n), principles=[principle])
        elif listed == "notes":
            MeetingFactory(subject=name, date=day(n), principles=[principle])
        else:
            meeting = MeetingFactory(subject=f"Meeting {n}", date=day(n), principles=[principle])
            QuestionFactory(raised_at=meeting, text=f"{name}?")
    assert_pages(pages_of(client, principle.get_absolute_url(), name=listed), NAMES[::-1])


def test_a_persons_meetings_and_writing_page_on_their_own(client, db):
    person = PersonFactory(slug="ada")
    for n, name in enumerate(NAMES):
        SpeakerFactory(person=person, meeting=MeetingFactory(subject=name, date=day(n)))
    assert_pages(pages_of(client, person.get_absolute_url(), name="meetings"), NAMES[::-1])
    writer = PersonFactory(slug="writer")
    for n, name in enumerate(NAMES):
        InsightFactory(title=name, published_on=day(n), authors=[writer])
    assert_pages(pages_of(client, writer.get_absolute_url(), name="writing"), NAMES[::-1])


def test_two_roles_at_one_meeting_stay_on_one_line_of_one_page(client, db):
    person = PersonFactory(slug="ada")
    for n, name in enumerate(NAMES):
        meeting = MeetingFactory(subject=name, date=day(n))
        SpeakerFactory(person=person, meeting=meeting, role="convenor")
        SpeakerFactory(person=person, meeting=meeting, role="facilitator")
    page = client.get(person.get_absolute_url()).content.decode()
    assert page.count("Convenor and facilitator") == 2
    assert "Page 1 of 2" in page


def test_the_people_list_pages(client, db):
    for name in NAMES:
        PersonFactory(name=name, is_public=True)
    assert_pages(pages_of(client, reverse("people:person_list")), NAMES)


def test_the_topics_list_and_a_topics_page_page(client, db):
    for n, name in enumerate(NAMES):
        MeetingFactory(subject=f"Meeting {name}", date=day(n), tags=[name, "Trees"])
    assert_pages(pages_of(client, reverse("tag_list")), NAMES)
    assert_pages(pages_of(client, reverse("tag", args=["trees"])), NAMES[::-1])


def test_a_next_page_link_keeps_the_other_lists_pages_and_returns_to_its_list(client, db):
    principle = PrincipleFactory(slug="trust")
    for n, name in enumerate(NAMES):
        InsightFactory(title=name, published_on=day(n), principles=[principle])
        MeetingFactory(subject=name, date=day(n), principles=[principle])
    page = client.get(principle.get_absolute_url() + "?insights=2").content.decode()
    assert 'href="?insights=2&amp;notes=2#notes"' in page
    assert 'href="/principles/trust/#insights"' in page  # back to the insights' first page: the page's own address


def test_the_home_page_names_a_few_cells_and_links_to_the_rest(client, db, monkeypatch):
    monkeypatch.setattr(views, "HOME_CELLS", 2)
    for name in NAMES:
        CellFactory(name=f"{name} cell")
    page = client.get(reverse("home")).content.decode()
    assert "Alder cell" in page and "Birch cell" in page and "Cedar cell" not in page
    assert f'and <a href="{reverse("cells:cell_list")}">more cells</a>' in page


# --- the length of a long list is kept for the content generation (core/pagination.py, keep_count) ------------


def test_a_lists_length_is_counted_once_until_the_content_changes_and_each_reader_gets_their_own(
    settings, client_for, users, cell
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE = True  # counts are kept where visitors' pages are (a shared cache)
    cache.clear()
    principle = PrincipleFactory(slug="shared")
    for n in range(3):
        MeetingFactory(cell=cell, principles=[principle], date=day(n))
    MeetingFactory(cell=cell, principles=[principle], date=day(9), visibility="cell", title="For the cell alone")
    url = reverse("insights:principle", args=["shared"])

    def heading(user):
        client = client_for(user)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        counts = [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
        return page.split('id="notes-heading">Meeting notes <span class="count">(')[1].split(")")[0], len(counts)

    assert heading(users["member"])[0] == "3"
    assert heading(users["member"]) == ("3", 0)  # asked again, nothing changed: no list counted again
    assert heading(users["cell_member"])[0] == "4"  # another reader's rule: counted for them
    MeetingFactory(cell=cell, principles=[principle], date=day(10))  # anything saved: a new generation
    assert heading(users["member"])[0] == "4"
    cache.clear()


def test_a_long_list_counts_only_as_far_as_it_needs_and_every_page_stays_reachable(client, db, monkeypatch):
    """Past COUNT_MOST rows a list says "more than" and "or more" instead of counting them all; Next still leads
    on, each page counting a page further, and a page that reaches the end shows the exact count again."""
    from core import pagination

    monkeypatch.setattr(pagination, "COUNT_MOST", 3)
    principle = PrincipleFactory(slug="long")
    for n in range(7):
        MeetingFactory(subject=f"Note {n}", date=day(n), principles=[principle])
    url = principle.get_absolute_url()

    def look(number):
        page = client.get(url, {"notes": number} if number > 1 else {}).content.decode()
        heading = page.split('id="notes-heading">Meeting notes <span class="count">(')[1].split(")")[0]
        notes = page[page.index('id="notes-heading"') : page.index("</section>", page.index('id="notes-heading"'))]
        return heading, re.search(r"Page \d+ of \d+(?: or more)?", notes).group(), re.findall(r"Note \d", notes)

    assert look(1) == ("more than 3", "Page 1 of 2 or more", ["Note 6", "Note 5"])
    assert look(2) == ("more than 4", "Page 2 of 3 or more", ["Note 4", "Note 3"])
    assert look(3) == ("more than 6", "Page 3 of 4 or more", ["Note 2", "Note 1"])
    assert look(4) == ("7", "Page 4 of 4", ["Note 0"])  # the end reached: counted in full
    monkeypatch.setattr(pagination, "COUNT_MOST", 1000)
    assert look(1) == ("7", "Page 1 of 4", ["Note 6", "Note 5"])
