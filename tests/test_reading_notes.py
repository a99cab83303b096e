"""Reading meeting notes: the notes list and home scan at a glance, a note reads well and shows its place
in its cell's series, and editorial notes stay out of the reader's way."""

import datetime

import lxml.html
import pytest
from django.urls import reverse

from .factories import (
    CellFactory,
    InsightFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PrincipleFactory,
    SpeakerFactory,
    verified_user,
)

LONG_SUMMARY = (
    "Collaborative leadership is fundamental to place-based working, and relationship building sits at the heart "
    "of it, for its own sake and in advance of a specific need, across sectors and organisations alike"
)
LONG_NOTES = (
    "Note of the meeting, 1 June 2021\n\n## In more detail\n\nSteve introduced the cell.\n\n"
    "### 1. Aims of the cell\n\nTo learn.\n\n### 2. Opening presentations\n\nCate spoke.\n\n"
    "### 3. Discussion\n\nWe talked.\n\n### 4. Next meetings\n\n- Thursday 15th July"
)


@pytest.fixture
def series(db):
    """A cell of four meetings: 1 and 2 public with notes, 3 members-only, 4 known only from a summary; and a
    network dinner."""
    cell = CellFactory(name="Collaborative Leadership in Place", slug="clip")
    syf = OrganisationFactory(name="Surrey Youth Focus")
    cate = PersonFactory(name="Cate Newnes-Smith", organisation=syf)
    first = MeetingFactory(
        cell=cell,
        number=1,
        slug="clip-1",
        title="Note from Collaborative Leadership in Place Cell 1",
        subject="Why collaborative leadership matters in places",
        date=datetime.date(2021, 1, 1),
        date_precision="year",
        summary=LONG_SUMMARY,
        notes=LONG_NOTES,
        editorial_note="The year is inferred from the weekdays of the next meetings.",
        tags=["systems leadership"],
    )
    SpeakerFactory(meeting=first, person=cate, role="presenter")
    second = MeetingFactory(
        cell=cell,
        number=2,
        slug="clip-2",
        title="Note from Collaborative Leadership in Place Cell 2",
        subject="What happens when key individuals move on?",
        date=datetime.date(2021, 7, 1),
        date_precision="month",
        summary="Great leadership is about enabling others.",
        notes="Short notes.",
    )
    third = MeetingFactory(
        cell=cell,
        number=3,
        slug="clip-3",
        title="Note from Collaborative Leadership in Place Cell 3",
        subject="Collaboration in practice",
        date=datetime.date(2021, 9, 1),
        visibility="members",
    )
    fourth = MeetingFactory(
        cell=cell,
        number=4,
        slug="clip-4",
        title="Collaborative Leadership in Place: a fourth meeting",
        subject="Is local better than national?",
        date=datetime.date(2021, 11, 1),
        summary="",
        notes="",
    )
    moving_on = first.questions.create(text="How do we establish a system that continues when people move on?")
    moving_on.taken_up_in.add(second)
    practice = second.questions.create(text="What does collaboration look like in practice?")
    practice.taken_up_in.add(third)
    dinner = MeetingFactory(
        cell=None,
        number=None,
        kind="dinner",
        slug="dinner",
        title="Note from a network discussion: What would a Better Way place look like?",
        subject="What would a Better Way place look like?",
        date=datetime.date(2018, 11, 26),
        summary="A Better Way place would work for everyone.",
    )
    return locals()


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.content)


def text(element):
    return " ".join(element.text_content().split())


def cards(doc):
    """The notes of a list as a reader scans them: (heading, meta line, excerpt)."""
    return [
        (
            text(card.xpath(".//*[contains(@class, 'card-title')]")[0]),
            text(card.xpath(".//p[contains(@class, 'meta')]")[0]),
            text(card.xpath(".//p[contains(@class, 'card-text')]")[0]),
        )
        for card in doc.xpath("//li[contains(@class, 'note-card')]")
    ]


# The notes list


def test_the_notes_list_leads_with_the_cell_or_kind_and_what_each_meeting_was_about(client, series):
    listed = cards(page(client, reverse("cells:meeting_list")))
    headings = [heading for heading, _, _ in listed]
    assert headings == [
        "Collaborative Leadership in Place · Meeting 2: What happens when key individuals move on?",
        "Collaborative Leadership in Place · Meeting 1: Why collaborative leadership matters in places",
        "Dinner discussion: What would a Better Way place look like?",
    ]
    for heading, meta, _ in listed:
        assert "Note from" not in heading
        assert heading.split(": ", 1)[1] not in meta and "Collaborative Leadership" not in meta  # no repeat


def test_every_note_in_the_list_has_a_short_excerpt_cut_at_a_word_boundary(client, series):
    excerpts = {heading: excerpt for heading, _, excerpt in cards(page(client, reverse("cells:meeting_list")))}
    long = excerpts["Collaborative Leadership in Place · Meeting 1: Why collaborative leadership matters in places"]
    assert long.endswith("…") and len(long) < len(LONG_SUMMARY)
    assert LONG_SUMMARY.startswith(long[:-1]) and not LONG_SUMMARY[len(long) - 1].isalpha()  # whole words, "…"
    assert excerpts["Dinner discussion: What would a Better Way place look like?"] == (
        "A Better Way place would work for everyone."
    )


def test_a_note_with_no_key_points_is_excerpted_from_its_notes_only_for_those_who_may_read_them(
    client, series, client_for
):
    MeetingFactory(
        cell=None,
        number=None,
        kind="roundtable",
        subject="Shared leadership",
        summary="",
        notes="Better Way Roundtable, 5 June 2019\n\n## Introduction\n\nCaroline introduced the roundtable.",
        notes_visibility="members",
    )
    visitor = {h: e for h, _, e in cards(page(client, reverse("cells:meeting_list")))}
    assert visitor["Roundtable: Shared leadership"] == "The notes of this meeting are for members."
    client_for(verified_user())
    member = {h: e for h, _, e in cards(page(client, reverse("cells:meeting_list")))}
    assert member["Roundtable: Shared leadership"] == "Caroline introduced the roundtable."  # no date line, no heading


def test_a_meeting_with_no_note_is_not_in_the_notes_list_but_in_its_cells_series(client, series):
    notes = text(page(client, reverse("cells:meeting_list")))
    assert "Is local better than national?" not in notes and "No note" not in notes
    cell = page(client, reverse("cells:cell", args=["clip"]))
    [item] = [li for li in cell.xpath("//ol[contains(@class, 'series')]/li") if "Meeting 4" in text(li)]
    assert "Is local better than national?" in text(item) and "No note of this meeting is in the archive." in text(item)


def test_the_filters_offer_only_kinds_that_have_notes_with_how_many(client, series, client_for):
    MeetingFactory(cell=None, number=None, kind="gathering", summary="", notes="")  # known, but no note
    MeetingFactory(cell=None, number=None, kind="roundtable", visibility="members")  # a note visitors cannot see
    doc = page(client, reverse("cells:meeting_list"))
    assert [text(a) for a in doc.xpath("//nav[contains(@class, 'filters')]//a")] == [
        "All (3)",
        "Cell meeting (2)",
        "Dinner discussion (1)",
    ]
    for href in doc.xpath("//nav[contains(@class, 'filters')]//a/@href"):
        assert cards(page(client, reverse("cells:meeting_list") + href.removeprefix(reverse("cells:meeting_list"))))
    # a kind with nothing to show lists every note rather than an empty page
    assert len(cards(page(client, reverse("cells:meeting_list") + "?kind=gathering"))) == 3
    client_for(verified_user())
    member = page(client, reverse("cells:meeting_list"))
    assert "Roundtable (1)" in [text(a) for a in member.xpath("//nav[contains(@class, 'filters')]//a")]


# Home


def test_home_leads_with_principles_then_the_latest_notes_with_subjects_and_excerpts_then_insights(client, series):
    PrincipleFactory(title="Collaboration is better than competition")
    InsightFactory(title="The role of connectors")
    doc = page(client, reverse("home"))
    sections = [text(h2) for h2 in doc.xpath("//main//h2")]
    assert sections.index("Our principles") < sections.index("Latest meeting notes") < sections.index("Latest insights")
    [notes] = doc.xpath("//section[@aria-labelledby='notes-heading']")
    assert [heading for heading, _, _ in cards(notes)][0] == (
        "Collaborative Leadership in Place · Meeting 2: What happens when key individuals move on?"
    )
    assert all(excerpt for _, _, excerpt in cards(notes))
    assert "Is local better than national?" not in text(doc)  # no note, so not among the latest notes


# A note's page


def test_a_note_is_headed_by_its_subject_with_its_cell_and_number_above_and_the_source_title_kept(client, series):
    doc = page(client, reverse("cells:meeting", args=["clip-1"]))
    [article] = doc.xpath("//article")
    assert text(article.xpath(".//h1")[0]) == "Why collaborative leadership matters in places"
    assert text(article.xpath(".//p[@class='kicker']")[0]) == "Collaborative Leadership in Place · Meeting 1"
    [about] = article.xpath(".//details[ancestor::footer[contains(@class, 'about-record')]]")
    assert "Original title: Note from Collaborative Leadership in Place Cell 1" in text(about)
    assert doc.xpath("//title/text()")[0].startswith("Why collaborative leadership matters in places — ")


def test_speakers_and_their_roles_are_at_the_top_of_the_note(client, series):
    doc = page(client, reverse("cells:meeting", args=["clip-1"]))
    [header] = doc.xpath("//article/header")
    assert "Cate Newnes-Smith, Surrey Youth Focus — presenter" in text(header)


def test_a_long_note_has_a_contents_list_of_its_sections_that_link_to_them(client, series):
    doc = page(client, reverse("cells:meeting", args=["clip-1"]))
    [contents] = doc.xpath("//nav[contains(@class, 'contents')]")
    links = {text(a): a.get("href") for a in contents.xpath(".//a")}
    assert list(links) == [
        "Summary of key points",
        "The notes in detail",
        "1. Aims of the cell",
        "2. Opening presentations",
        "3. Discussion",
        "4. Next meetings",
        "Questions for later meetings",
    ]
    for href in links.values():
        assert len(doc.xpath(f"//*[@id='{href[1:]}']")) == 1, href
    short = page(client, reverse("cells:meeting", args=["clip-2"]))
    assert not short.xpath("//nav[contains(@class, 'contents')]")


def test_the_notes_heading_is_not_doubled_by_the_notes_own(client, series):
    doc = page(client, reverse("cells:meeting", args=["clip-1"]))
    headings = [text(h) for h in doc.xpath("//article//h2 | //article//h3")]
    assert "The notes in detail" in headings and "In more detail" not in headings
    [notes] = doc.xpath("//section[@aria-labelledby='notes-heading']")
    assert "Steve introduced the cell." in text(notes)  # the text under the left-out heading stays
    assert [h.tag for h in notes.xpath(".//h2 | .//h3 | .//h4")] == ["h2", "h3", "h3", "h3", "h3"]


def test_questions_are_shown_as_questions_linking_to_the_meeting_that_took_them_up(client, series):
    doc = page(client, reverse("cells:meeting", args=["clip-1"]))
    [questions] = doc.xpath("//section[@aria-labelledby='questions-heading']")
    assert text(questions.xpath(".//h2")[0]) == "Questions for later meetings"
    [item] = questions.xpath(".//li")
    assert text(item).startswith("How do we establish a system that continues when people move on?")
    [link] = item.xpath(".//a")
    assert link.get("href") == "/notes/clip-2/"
    assert text(link) == "Collaborative Leadership in Place · Meeting 2 — What happens when key individuals move on?"
    [topics] = doc.xpath("//section[@aria-labelledby='themes-heading']//ul[@class='tags']//a")
    assert text(topics) == "systems leadership" and topics.get("href") == reverse("tag", args=["systems-leadership"])


def test_a_note_shows_what_it_took_up_and_its_neighbours_in_the_series(client, series):
    doc = page(client, reverse("cells:meeting", args=["clip-2"]))
    [took_up] = doc.xpath("//section[@aria-labelledby='takes-up-heading']")
    assert "How do we establish a system that continues when people move on?" in text(took_up)
    assert took_up.xpath(".//a/@href") == ["/notes/clip-1/"]
    [previous] = doc.xpath("//a[@rel='prev']")
    assert previous.get("href") == "/notes/clip-1/"
    assert text(previous) == "Previous meeting Meeting 1 — Why collaborative leadership matters in places"
    [series_link] = doc.xpath("//nav[contains(@class, 'series-nav')]//p/a")
    assert series_link.get("href") == "/cells/clip/#meetings-heading"


def test_series_links_lead_only_to_meetings_the_reader_may_read(client, series, client_for):
    # a visitor: meeting 3 is for members, so meeting 2's next is meeting 4, and the question it took up is
    # shown at meeting 2 without a link to meeting 3
    doc = page(client, reverse("cells:meeting", args=["clip-2"]))
    assert doc.xpath("//a[@rel='next']/@href") == ["/notes/clip-4/"]
    assert "/notes/clip-3/" not in lxml.html.tostring(doc).decode()
    [question] = doc.xpath("//section[@aria-labelledby='questions-heading']//li")
    assert text(question) == "What does collaboration look like in practice?"
    cell = page(client, reverse("cells:cell", args=["clip"]))
    assert "Collaboration in practice" not in text(cell)
    # a member reads meeting 3, and is led to it
    client_for(verified_user())
    doc = page(client, reverse("cells:meeting", args=["clip-2"]))
    assert doc.xpath("//a[@rel='next']/@href") == ["/notes/clip-3/"]
    [question] = doc.xpath("//section[@aria-labelledby='questions-heading']//li")
    assert question.xpath(".//a/@href") == ["/notes/clip-3/"]
    doc = page(client, reverse("cells:meeting", args=["clip-3"]))
    assert doc.xpath("//section[@aria-labelledby='takes-up-heading']//a/@href") == ["/notes/clip-2/"]


def test_a_cell_page_shows_its_whole_series_in_order_with_subjects_dates_and_whether_a_note_exists(client, series):
    doc = page(client, reverse("cells:cell", args=["clip"]))
    items = [text(li) for li in doc.xpath("//ol[contains(@class, 'series')]/li")]
    assert items == [
        "Meeting 1 · 2021 Why collaborative leadership matters in places",
        "Meeting 2 · July 2021 What happens when key individuals move on?",
        "Meeting 4 · 1 November 2021 Is local better than national? No note of this meeting is in the archive.",
    ]


# Editorial notes


def test_readers_see_the_editorial_note_only_folded_away_at_the_foot_and_a_hint_by_an_approximate_date(client, series):
    doc = page(client, reverse("cells:meeting", args=["clip-1"]))
    [article] = doc.xpath("//article")
    [details] = article.xpath(".//details")
    assert details.get("open") is None and text(details.xpath("summary")[0]) == "About this record"
    assert "The year is inferred" in text(details)
    for part in article.xpath("./header | ./section | ./nav"):
        assert "The year is inferred" not in text(part)  # never in the reading flow
    assert details.getparent() is article.xpath("./*")[-1]  # the last thing of the note
    assert "2021 (year known, month and day not)" in text(article.xpath("./header")[0])
    second = page(client, reverse("cells:meeting", args=["clip-2"]))
    assert "July 2021 (month known, day not)" in text(second.xpath("//article/header")[0])


def test_an_editor_sees_the_record_notes_open(client, series, client_for):
    editor = verified_user()
    MembershipFactory(cell=series["cell"], person=PersonFactory(user=editor), role="convenor")
    client_for(editor)
    doc = page(client, reverse("cells:meeting", args=["clip-1"]))
    assert doc.xpath("//article//details")[0].get("open") is not None


def test_the_preview_keeps_its_banner_above_the_note_and_no_draft_notice_in_it(client, series, client_for):
    editor = verified_user()
    MembershipFactory(cell=series["cell"], person=PersonFactory(user=editor), role="convenor")
    MeetingFactory(cell=series["cell"], number=5, slug="draft", subject="A draft", status="draft")
    client_for(editor)
    doc = page(client, reverse("cells:meeting_preview", args=["draft"]))
    [banner] = doc.xpath("//*[contains(@class, 'preview-banner')]")
    assert not banner.xpath("ancestor::article") and banner.xpath("following-sibling::article")
    [article] = doc.xpath("//article")
    assert "draft" not in text(article).lower().replace("a draft", "")  # the subject is "A draft"
    assert article.xpath(".//details")[0].get("open") is None  # as readers will see it
