"""What a reader finds on a person's page, the people list, the principles, an insight and the topics:
readable sentences, nothing repeated, no heading with nothing under it, and only what the reader may see."""

import datetime
import re

import pytest
from django.urls import reverse

from .factories import (
    CellFactory,
    InsightFactory,
    MeetingFactory,
    MembershipFactory,
    PersonFactory,
    PrincipleFactory,
    QuestionFactory,
    SpeakerFactory,
    verified_user,
)


def page(client, url):
    """The text of the page's main content, as a reader reads it: no tags, spaces collapsed."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split()).replace(" ,", ",").replace(" ’", "’").replace("‘ ", "‘")


def main_html(client, url):
    html = client.get(url).content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def clip(db):
    return CellFactory(name="Collaborative Leadership in Place", slug="clip")


@pytest.fixture
def cate(db, clip):
    """Main speaker at meeting 1, convenor and facilitator at meeting 2, writer of an essay with Mark."""
    cate = PersonFactory(name="Cate Newnes-Smith", slug="cate", role="CEO", organisation__name="Surrey Youth Focus")
    first = MeetingFactory(
        cell=clip, number=1, slug="clip-1", date=datetime.date(2021, 7, 15), subject="Why it matters"
    )
    second = MeetingFactory(
        cell=clip, number=2, slug="clip-2", date=datetime.date(2021, 9, 1), date_precision="month", title="Note 2"
    )
    SpeakerFactory(meeting=first, person=cate, role="main_speaker")
    SpeakerFactory(meeting=second, person=cate, role="convenor", order=0)
    SpeakerFactory(meeting=second, person=cate, role="facilitator", order=1)
    mark = PersonFactory(name="Mark Simms", slug="mark")
    InsightFactory(
        title="Toward shared leadership",
        slug="toward",
        authors=[cate, mark],
        published_on=datetime.date(2020, 1, 1),
        published_on_precision="year",
    )
    return cate


# --- a person's page ------------------------------------------------------------------------------------------


def test_a_persons_page_says_what_they_did_at_each_meeting_in_a_sentence_linking_to_the_note(client, cate):
    text = page(client, cate.get_absolute_url())
    assert "Main speaker, Collaborative Leadership in Place, meeting 1: Why it matters — 15 July 2021" in text
    assert "Convenor and facilitator, Collaborative Leadership in Place, meeting 2: Note 2 — September 2021" in text
    assert text.index("meeting 2") < text.index("meeting 1")  # the latest first
    assert 'href="/notes/clip-1/">Collaborative Leadership in Place, meeting 1: Why it matters</a>' in main_html(
        client, cate.get_absolute_url()
    )


def test_a_persons_page_says_what_they_wrote_with_whom_and_when(client, cate):
    text = page(client, cate.get_absolute_url())
    assert "Wrote ‘Toward shared leadership’ with Mark Simms, 2020" in text
    assert "By Cate Newnes-Smith" not in text  # their own name is not repeated under each piece


def test_one_who_introduced_a_meeting_is_said_to_have_introduced_it(client, cate, clip):
    SpeakerFactory(meeting=MeetingFactory(cell=clip, number=5, date=None), person=cate, role="introducer")
    assert "Introduced Collaborative Leadership in Place, meeting 5: Meeting note" in page(
        client, cate.get_absolute_url()
    )


def test_a_persons_page_names_a_network_event_by_its_title(client, cate):
    dinner = MeetingFactory(cell=None, number=None, kind="dinner", title="What would a better place look like?")
    SpeakerFactory(meeting=dinner, person=cate, role="presenter")
    assert "Presenter, Dinner discussion: What would a better place look like?" in page(client, cate.get_absolute_url())


def test_a_persons_page_shows_their_job_organisation_biography_and_cells(client, cate, clip):
    cate.bio = "Cate *leads* a charity."
    cate.save()
    MembershipFactory(cell=clip, person=cate, role="thought_leader")
    text = page(client, cate.get_absolute_url())
    assert "CEO, Surrey Youth Focus" in text and "Cate leads a charity." in text
    assert "Thought leader, Collaborative Leadership in Place" in text


def test_a_visitor_does_not_see_a_role_at_a_members_only_meeting_and_a_member_does(client, cate, clip):
    hidden = MeetingFactory(cell=clip, number=3, slug="clip-3", visibility="members", date=datetime.date(2022, 1, 5))
    SpeakerFactory(meeting=hidden, person=cate, role="presenter")
    assert "meeting 3" not in page(client, cate.get_absolute_url())
    assert "clip-3" not in main_html(client, cate.get_absolute_url())
    client.force_login(verified_user())
    text = page(client, cate.get_absolute_url())
    assert "Presenter, Collaborative Leadership in Place, meeting 3: Meeting note" in text
    assert re.search(r"meeting 3: Meeting note \d+ — 5 January 2022", text)


def test_a_draft_insight_is_not_among_a_persons_writing_for_a_visitor(client, cate):
    InsightFactory(title="Unfinished thoughts", authors=[cate], status="draft")
    assert "Unfinished thoughts" not in page(client, cate.get_absolute_url())


def test_a_person_with_nothing_recorded_has_no_empty_sections(client, db):
    quiet = PersonFactory(name="Quiet Person", slug="quiet", is_public=True, bio="")
    text = page(client, quiet.get_absolute_url())
    assert "Quiet Person" in text
    for heading in ("At meetings", "Writing", "Cells", "No meetings", "Nothing written"):
        assert heading not in text


# --- the people list -----------------------------------------------------------------------------------------


def test_the_people_list_gives_each_persons_organisation_and_a_line_of_what_they_did(client, cate, clip):
    MembershipFactory(cell=clip, person=cate, role="convenor")
    text = page(client, reverse("people:person_list"))
    assert (
        "Cate Newnes-Smith CEO, Surrey Youth Focus "
        "Convenor, Collaborative Leadership in Place · spoke at 2 meetings · wrote 1 piece"
    ) in text
    assert "Mark Simms" in text and "Wrote 1 piece" in text


def test_the_people_list_counts_only_what_the_reader_may_see(client, cate, clip):
    hidden = MeetingFactory(cell=clip, number=3, visibility="members")
    SpeakerFactory(meeting=hidden, person=cate)
    InsightFactory(authors=[cate], status="draft")
    text = page(client, reverse("people:person_list"))
    assert "Spoke at 2 meetings · wrote 1 piece" in text
    client.force_login(verified_user())
    assert "Spoke at 3 meetings · wrote 1 piece" in page(client, reverse("people:person_list"))


def test_an_organisation_page_lists_its_people(client, cate):
    text = page(client, cate.organisation.get_absolute_url())
    assert "Cate Newnes-Smith CEO" in text and "No one yet" not in text


# --- principles ------------------------------------------------------------------------------------------------


@pytest.fixture
def collaboration(db):
    return PrincipleFactory(
        title="Collaboration is better than competition",
        slug="collaboration",
        statement="Collaboration is the best way to address complex social issues.",
        body="Collaboration is the best way to address complex social issues. Tendering is harming society.",
    )


def test_a_principle_page_states_the_principle_once(client, collaboration):
    text = page(client, collaboration.get_absolute_url())
    assert text.count("Collaboration is the best way to address complex social issues.") == 1
    assert "Tendering is harming society." in text


def test_a_principle_page_gathers_its_insights_notes_and_open_questions(client, collaboration, clip):
    InsightFactory(title="Complexity demands collaboration", principles=[collaboration])
    InsightFactory(title="A draft on collaboration", principles=[collaboration], status="draft")
    first = MeetingFactory(cell=clip, number=1, title="Leadership in place", principles=[collaboration])
    later = MeetingFactory(cell=clip, number=2, title="Leadership again", date=first.date + datetime.timedelta(7))
    QuestionFactory(raised_at=first, text="How do we share power with residents?")
    QuestionFactory(raised_at=first, text="What happens when leaders move on?").taken_up_in.add(later)
    members_notes = MeetingFactory(cell=clip, number=3, notes_visibility="members", principles=[collaboration])
    QuestionFactory(raised_at=members_notes, text="Who funds the connectors?")
    MeetingFactory(
        cell=clip, number=4, title="A members-only meeting", visibility="members", principles=[collaboration]
    )

    text = page(client, collaboration.get_absolute_url())
    assert "Insights (1) Essay" in text and "Complexity demands collaboration" in text
    assert "A draft on collaboration" not in text
    assert "Meeting notes" in text and "Leadership in place" in text
    assert "A members-only meeting" not in text
    assert "Open questions" in text
    assert (
        "How do we share power with residents? Raised at Collaborative Leadership in Place, meeting 1: Leadership in place"
        in text
    )
    assert "What happens when leaders move on?" not in text  # a later meeting took it up
    assert "Who funds the connectors?" not in text  # the notes it is part of are for members

    client.force_login(verified_user())
    text = page(client, collaboration.get_absolute_url())
    assert "Who funds the connectors?" in text and "A members-only meeting" in text


def test_a_question_taken_up_only_by_a_meeting_the_reader_cannot_see_is_still_open_to_them(client, collaboration):
    first = MeetingFactory(principles=[collaboration])
    draft = MeetingFactory(status="draft")
    QuestionFactory(raised_at=first, text="Is local better than national?").taken_up_in.add(draft)
    assert "Is local better than national?" in page(client, collaboration.get_absolute_url())


def test_a_principle_with_nothing_under_it_has_no_empty_sections(client, collaboration):
    text = page(client, collaboration.get_absolute_url())
    for heading in ("Insights", "Meeting notes", "Open questions"):
        assert heading not in text
    assert "Nothing has been written under this principle yet." in text


def test_the_principles_list_says_how_much_each_principle_gathers_for_the_reader(client, collaboration):
    InsightFactory(principles=[collaboration])
    InsightFactory(principles=[collaboration], visibility="members")
    MeetingFactory(principles=[collaboration])
    text = page(client, reverse("insights:principle_list"))
    assert "Collaboration is the best way to address complex social issues. 1 insight · 1 meeting note" in text
    client.force_login(verified_user())
    assert "2 insights · 1 meeting note" in page(client, reverse("insights:principle_list"))


# --- an insight --------------------------------------------------------------------------------------------------


def test_an_insights_editorial_note_is_kept_for_a_collapsed_about_this_record_at_its_foot(client, collaboration):
    insight = InsightFactory(
        title="Toward shared leadership",
        body="What we heard.",
        principles=[collaboration],
        editorial_note="Dated from the minutes of 2017.",
    )
    html = main_html(client, insight.get_absolute_url())
    assert "Editorial note" not in html
    about = re.search(
        r"<details class=\"about-record\">\s*<summary>About this record</summary>(.*?)</details>", html, re.S
    )
    assert about and "Dated from the minutes of 2017." in about.group(1)
    assert html.index("What we heard.") < html.index("<footer") < about.start() < html.index("</article>")


def test_an_insight_is_an_article_with_a_header_body_and_footer_for_reading_and_printing(client, collaboration):
    insight = InsightFactory(title="Toward shared leadership", body="What we heard.", principles=[collaboration])
    html = main_html(client, insight.get_absolute_url())
    header, body, footer = html.index("<header"), html.index("What we heard."), html.index("<footer")
    assert html.index("<article") < header < html.index("</header>") < body < footer < html.index("</article>")
    assert "About this record" not in html  # nothing to say about a record without an editorial note


# --- topics ------------------------------------------------------------------------------------------------------


def test_topics_are_served_at_topics_and_say_topic(client, db):
    MeetingFactory(title="Leadership in place", tags=["place"])
    assert "Topics Browse meeting notes and insights by topic." in page(client, "/topics/")
    assert 'href="/topics/place/"' in main_html(client, "/topics/")
    assert "Topic Place" in page(client, "/topics/place/")
    assert "<title>Topic: place · A Better Way</title>" in client.get("/topics/place/").content.decode()


@pytest.mark.parametrize(
    ("old", "new"),
    [("/tags/", "/topics/"), ("/tags/place/", "/topics/place/"), ("/tags/place/?page=2", "/topics/place/?page=2")]
    + [("/tags/place/feed.atom", "/topics/place/feed.atom")],
)
def test_the_old_tags_addresses_move_permanently_to_topics(client, db, old, new):
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new


def test_a_topics_links_on_a_note_lead_to_topics(client, db):
    meeting = MeetingFactory(tags=["place"])
    assert 'href="/topics/place/"' in main_html(client, meeting.get_absolute_url())
