"""Finding more to read: "More like this" on a note and an insight, the archive by year, and the network's
questions (insights/related.py, betterway/archive.py, betterway/questions.py)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import InsightFactory, MeetingFactory, PrincipleFactory, QuestionFactory


def html_of(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def section(html, heading_id):
    """The text of the <section> a heading labels ('' when the page has none)."""
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    return found.group(0) if found else ""


def linked(html):
    """The addresses of notes and insights linked, in order."""
    return re.findall(r'href="(/(?:notes|insights)/[^/"]+/)"', html)


# --- More like this ------------------------------------------------------------------------------------------


@pytest.fixture
def related(db, cell):
    """A note and what is near it: by principle and topics, by topics alone, by nothing; and, sharing everything,
    a note and an insight in each state a reader may not see."""
    power, place = PrincipleFactory(slug="power"), PrincipleFactory(slug="place")
    both = dict(principles=[power], tags=["systems", "leadership"])
    note = MeetingFactory(cell=cell, slug="the-note", subject="Leadership in places", **both)
    return {
        "note": note,
        "near": MeetingFactory(slug="shares-principle-and-topics", **both),
        "topic": MeetingFactory(slug="shares-a-topic", tags=["systems"]),
        "principle": InsightFactory(slug="shares-the-principle", principles=[power]),
        "elsewhere": MeetingFactory(slug="shares-nothing", principles=[place], tags=["housing"]),
        "members": MeetingFactory(slug="members-note", visibility="members", **both),
        "cell": MeetingFactory(cell=cell, slug="cell-note", visibility="cell", **both),
        "draft": MeetingFactory(slug="draft-note", status="draft", **both),
        "binned": MeetingFactory(slug="binned-note", deleted_at=timezone.now(), **both),
        "members_insight": InsightFactory(slug="members-insight", visibility="members", **both),
        "draft_insight": InsightFactory(slug="draft-insight", status="draft", **both),
    }


def more_like_this(client, obj):
    return linked(section(html_of(client, obj.get_absolute_url()), "more-heading"))


def test_a_note_shows_more_like_it_ranked_by_shared_principles_and_topics(client, related):
    shown = more_like_this(client, related["note"])
    assert shown == ["/notes/shares-principle-and-topics/", "/notes/shares-a-topic/", "/insights/shares-the-principle/"]


def test_more_like_this_shows_a_visitor_nothing_they_may_not_read(client, related):
    shown = more_like_this(client, related["note"])
    for hidden in ("members-note", "cell-note", "draft-note", "binned-note", "members-insight", "draft-insight"):
        assert not any(hidden in url for url in shown)


def test_more_like_this_shows_members_and_cell_members_what_they_may_read(client_for, related, users):
    member = more_like_this(client_for(users["member"]), related["note"])
    assert "/notes/members-note/" in member and "/insights/members-insight/" in member
    assert "/notes/cell-note/" not in member and "/notes/draft-note/" not in member
    assert "/notes/cell-note/" in more_like_this(client_for(users["cell_member"]), related["note"])


def test_more_like_this_shows_five_at_most(client, related):
    for n in range(6):
        MeetingFactory(slug=f"another-{n}", principles=related["near"].principles.all(), tags=["systems"])
    assert len(more_like_this(client, related["note"])) == 5


def test_among_equals_the_one_whose_words_are_alike_comes_first(client, related):
    MeetingFactory(slug="alike", subject="Leadership in places", tags=["systems"], date=datetime.date(2000, 1, 1))
    shown = more_like_this(client, related["note"])
    assert shown.index("/notes/alike/") < shown.index("/notes/shares-a-topic/")  # though the older of the two


def test_an_insight_shows_notes_and_insights_like_it(client, related):
    essay = InsightFactory(slug="essay", principles=related["near"].principles.all(), tags=["leadership"])
    shown = more_like_this(client, essay)
    assert set(shown[:2]) == {"/notes/the-note/", "/notes/shares-principle-and-topics/"}
    assert "/insights/shares-the-principle/" in shown and "/insights/essay/" not in shown


def test_a_note_that_shares_nothing_has_no_more_like_this_section(client, related):
    lonely = MeetingFactory(slug="lonely", tags=["a topic of its own"])
    html = html_of(client, lonely.get_absolute_url())
    assert "More like this" not in html


# --- the archive by year -------------------------------------------------------------------------------------


@pytest.fixture
def archive(db, cell):
    day = datetime.date
    return {
        "2019": MeetingFactory(slug="note-2019", date=day(2019, 5, 1)),
        "2021a": MeetingFactory(slug="note-2021-may", date=day(2021, 5, 1)),
        "2021b": MeetingFactory(slug="note-2021-june", date=day(2021, 6, 1)),
        "essay": InsightFactory(slug="essay-2021", published_on=day(2021, 5, 20)),
        "members": MeetingFactory(slug="members-2020", date=day(2020, 3, 1), visibility="members"),
        "cell": InsightFactory(slug="cell-2018", cell=cell, visibility="cell", published_on=day(2018, 2, 1)),
        "draft": MeetingFactory(slug="draft-2017", date=day(2017, 1, 1), status="draft"),
        "binned": MeetingFactory(slug="binned-2016", date=day(2016, 1, 1), deleted_at=timezone.now()),
        "no_note": MeetingFactory(slug="no-note-2015", date=day(2015, 1, 1), summary="", notes=""),
    }


def years_listed(html):
    return re.findall(r'<a href="/archive/(\d{4})/">\d{4}</a> <span class="meta">([^<]*)</span>', html)


def test_the_archive_lists_the_years_a_visitor_may_read_with_counts(client, archive):
    assert years_listed(html_of(client, reverse("archive"))) == [
        ("2021", "2 meeting notes and 1 insight"),
        ("2019", "1 meeting note"),
    ]


def test_the_archive_counts_what_members_and_cell_members_may_read(client_for, archive, users):
    member = dict(years_listed(html_of(client_for(users["member"]), reverse("archive"))))
    assert member["2020"] == "1 meeting note" and "2018" not in member and "2017" not in member
    cell_member = dict(years_listed(html_of(client_for(users["cell_member"]), reverse("archive"))))
    assert cell_member["2018"] == "1 insight"


def test_a_year_lists_its_notes_and_insights_newest_first(client, archive):
    html = html_of(client, reverse("archive_year", args=[2021]))
    assert "<h1>2021</h1>" in html and "2 meeting notes and 1 insight from 2021, newest first." in html
    assert linked(section(html, "items-heading")) == [
        "/notes/note-2021-june/",
        "/insights/essay-2021/",
        "/notes/note-2021-may/",
    ]
    assert 'href="/archive/2019/"' in html  # the year before with something to read


def test_a_year_with_nothing_the_reader_may_read_is_not_found(client_for, archive, users):
    client = client_for(users["anonymous"])
    for year in (2020, 2018, 2017, 2016, 2015, 1999, 0, 99999):
        html_of(client, f"/archive/{year}/", status=404)
    html_of(client_for(users["member"]), "/archive/2020/")


def test_a_year_is_listed_twenty_at_a_time(client, db):
    for n in range(25):
        MeetingFactory(slug=f"n{n}", date=datetime.date(2022, 1, 1) + datetime.timedelta(days=n))
    first = linked(section(html_of(client, "/archive/2022/"), "items-heading"))
    second = linked(section(html_of(client, "/archive/2022/?page=2"), "items-heading"))
    assert len(first) == 20 and first[0] == "/notes/n24/"
    assert second == [f"/notes/n{n}/" for n in range(4, -1, -1)]


def test_the_footer_leads_to_the_archive_and_the_questions(client, db):
    html = html_of(client, reverse("home"))
    assert f'href="{reverse("archive")}"' in html and f'href="{reverse("questions")}"' in html


# --- the network's questions ---------------------------------------------------------------------------------


@pytest.fixture
def questions(db, cell):
    day = datetime.date
    first = MeetingFactory(cell=cell, number=1, slug="first", subject="Power", date=day(2021, 1, 1))
    second = MeetingFactory(cell=cell, number=2, slug="second", subject="Place", date=day(2021, 2, 1))
    hidden = MeetingFactory(cell=cell, number=3, slug="hidden", visibility="cell", date=day(2021, 3, 1))
    answered = QuestionFactory(raised_at=first, text="Who holds power here?")
    answered.taken_up_in.add(second)
    QuestionFactory(raised_at=second, text="What makes a place?")
    QuestionFactory(raised_at=first, text="Taken up in the cell only?").taken_up_in.add(hidden)
    QuestionFactory(raised_at=hidden, text="A question of the cell?")
    notes_for_members = MeetingFactory(slug="members-notes", notes_visibility="members", date=day(2021, 4, 1))
    QuestionFactory(raised_at=notes_for_members, text="A question for members?")
    QuestionFactory(raised_at=MeetingFactory(slug="a-draft", status="draft"), text="A question of a draft?")
    return {"first": first, "second": second, "hidden": hidden}


def test_the_questions_page_shows_open_questions_where_they_were_raised(client, questions):
    html = html_of(client, reverse("questions"))
    open_ones = section(html, "open-heading")
    assert "What makes a place?" in open_ones and 'href="/notes/second/"' in open_ones
    assert "Who holds power here?" not in open_ones


def test_an_answered_question_names_the_meeting_that_took_it_up(client, questions):
    answered = section(html_of(client, reverse("questions")), "answered-heading")
    assert "Who holds power here?" in answered
    assert re.search(r"Taken up at <a href=\"/notes/second/\">", answered)


def test_a_question_taken_up_only_where_the_reader_may_not_look_is_still_open_to_them(client_for, questions, users):
    visitor = html_of(client_for(users["anonymous"]), reverse("questions"))
    assert "Taken up in the cell only?" in section(visitor, "open-heading")
    assert "/notes/hidden/" not in visitor and "A question of the cell?" not in visitor
    cell_member = html_of(client_for(users["cell_member"]), reverse("questions"))
    assert "Taken up in the cell only?" in section(cell_member, "answered-heading")
    assert "A question of the cell?" in section(cell_member, "open-heading")


def test_questions_of_notes_the_reader_may_not_read_are_not_shown(client_for, questions, users):
    visitor = html_of(client_for(users["anonymous"]), reverse("questions"))
    assert "A question for members?" not in visitor and "A question of a draft?" not in visitor
    assert "A question for members?" in html_of(client_for(users["member"]), reverse("questions"))


def test_the_questions_page_says_so_when_there_are_none(client, db):
    html = html_of(client, reverse("questions"))
    assert "No meeting has raised a question for later meetings yet." in html
    assert "open-heading" not in html and "answered-heading" not in html


def test_open_questions_are_listed_twenty_at_a_time(client, db):
    meeting = MeetingFactory(slug="many")
    for n in range(25):
        QuestionFactory(raised_at=meeting, text=f"Question number {n:02d}?", order=n)
    first = section(html_of(client, reverse("questions")), "open-heading")
    second = section(html_of(client, reverse("questions") + "?open=2"), "open-heading")
    assert first.count("Question number") == 20 and "Question number 00?" in first
    assert second.count("Question number") == 5 and "Question number 24?" in second
    assert 'href="?open=2#open"' in first
