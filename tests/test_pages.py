"""Every public page shows its content and links to what belongs with it."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import override_settings
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
    UpcomingDateFactory,
)


@pytest.fixture
def site(db):
    org = OrganisationFactory(name="Surrey Youth Focus", slug="syf")
    cate = PersonFactory(name="Cate Newnes-Smith", slug="cate", organisation=org, role="CEO", bio="Cate *leads*.")
    steve = PersonFactory(name="Steve Wyler", slug="steve", organisation=None, role="Co-convenor")
    principle = PrincipleFactory(
        title="Collaboration is better than competition",
        slug="collaboration",
        statement="Collaboration is the best way to address complex social issues.",
    )
    cell = CellFactory(name="Collaborative Leadership in Place", slug="clip", aims="To **abandon** silos.")
    MembershipFactory(cell=cell, person=steve, role="convenor")
    MembershipFactory(cell=cell, person=cate, role="thought_leader")
    first = MeetingFactory(
        cell=cell,
        number=1,
        title="Cell 1",
        slug="cell-1",
        date=datetime.date(2020, 6, 1),
        date_precision="month",
        summary="- Relationships first",
        notes="## Aims of the cell\n\nText.",
        principles=[principle],
        tags=["systems leadership"],
    )
    second = MeetingFactory(
        cell=cell, number=2, title="Cell 2", slug="cell-2", date=datetime.date(2020, 7, 1), date_precision="month"
    )
    SpeakerFactory(meeting=first, person=steve, role="co_convenor", order=0)
    SpeakerFactory(meeting=first, person=cate, role="presenter", order=1)
    SpeakerFactory(meeting=second, person=cate, role="thought_leader")
    first.questions.create(text="What happens when key individuals move on?").taken_up_in.add(second)
    second.questions.create(text="What does collaboration look like?")
    dinner = MeetingFactory(
        cell=None,
        number=None,
        kind="dinner",
        title="Dinner discussion",
        slug="dinner",
        date=datetime.date(2018, 11, 26),
        date_precision="day",
        place="London",
    )
    essay = InsightFactory(
        title="The role of connectors",
        slug="connectors",
        kind="essay",
        authors=[cate],
        principles=[principle],
        tags=["connectors"],
        standfirst="Ideas from Cate",
        body="> A pull quote\n\nBody text.",
        collection="Insights for A Better Way (2018)",
        published_on=datetime.date(2018, 1, 1),
        published_on_precision="year",
    )
    summary = InsightFactory(
        title="Toward shared leadership",
        slug="toward",
        kind="summary",
        principles=[principle],
        source_meetings=[first, second],
    )
    blog = InsightFactory(
        title="A guest blog",
        slug="blog",
        kind="blog",
        publisher="NCVO",
        original_url="https://blogs.ncvo.org.uk/example",
    )
    UpcomingDateFactory(cell=cell, date=datetime.date.today() + datetime.timedelta(days=10), time="3.00-4.30pm")
    return locals()


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def when(upcoming):
    """An upcoming date and its times as the site writes them (read from "3.00-4.30pm")."""
    return render_to_string("includes/upcoming_when.html", {"upcoming": upcoming}).strip()


def test_home_shows_principles_latest_insights_notes_and_upcoming_meetings(client, site):
    html = get(client, reverse("home"))
    for text in [
        "Collaboration is better than competition",
        "The role of connectors",
        "Cell 2",
        "Dinner discussion",
        when(site["cell"].upcoming_dates.get()),
        "Collaborative Leadership in Place",
    ]:
        assert text in html


def test_a_meeting_shows_its_cell_number_speakers_and_notes(client, site):
    html = get(client, reverse("cells:meeting", args=["cell-1"]))
    assert '<a href="/cells/clip/">Collaborative Leadership in Place</a> · Meeting 1' in html
    assert '<time datetime="2020-06">June 2020</time> <span class="hint">(month known, day not)</span>' in html
    assert 'href="/people/steve/">Steve Wyler</a> — co-convenor' in html
    assert 'href="/people/cate/">Cate Newnes-Smith</a>, Surrey Youth Focus — presenter' in html
    assert "<li>Relationships first</li>" in html
    # the note's own headings sit under the page's "The notes in detail"
    assert '<h2 id="notes-heading">The notes in detail</h2>' in html
    assert '<h3 id="section-aims-of-the-cell">Aims of the cell</h3>' in html
    assert "What happens when key individuals move on?" in html and 'Taken up at <a href="/notes/cell-2/">' in html
    assert 'rel="next" href="/notes/cell-2/"' in html
    assert (
        f'href="{reverse("tag", args=["systems-leadership"])}"' in html and 'href="/principles/collaboration/"' in html
    )
    assert 'href="/insights/toward/"' in html


def test_a_later_meeting_shows_which_earlier_question_it_takes_up(client, site):
    html = get(client, reverse("cells:meeting", args=["cell-2"]))
    assert "Taken up from earlier meetings" in html
    assert (
        'What happens when key individuals move on?</p><p class="meta">Raised at <a href="/notes/cell-1/">'
        "Collaborative Leadership in Place · Meeting 1 — Cell 1</a>" in html
    )
    assert 'rel="prev" href="/notes/cell-1/"' in html


def test_a_network_event_shows_its_kind_and_exact_date(client, site):
    html = get(client, reverse("cells:meeting", args=["dinner"]))
    assert "Dinner discussion" in html and '<time datetime="2018-11-26">26 November 2018</time>' in html
    assert "London" in html


def test_a_cell_shows_aims_leads_meetings_in_order_open_questions_and_next_dates(client, site):
    html = get(client, reverse("cells:cell", args=["clip"]))
    assert "<strong>abandon</strong>" in html
    assert "Steve Wyler</a>, convenor" in html and "Cate Newnes-Smith</a>, thought leader" in html
    assert html.index("Cell 1") < html.index("Cell 2")
    assert "What does collaboration look like?" in html  # not taken up yet
    assert "What happens when key individuals move on?" not in html  # taken up at cell 2
    assert when(site["cell"].upcoming_dates.get()) in html


def test_a_principle_shows_its_statement_insights_and_related_notes(client, site):
    html = get(client, reverse("insights:principle", args=["collaboration"]))
    assert "Collaboration is the best way to address complex social issues." in html
    assert "The role of connectors" in html and "Toward shared leadership" in html
    assert 'href="/notes/cell-1/"' in html


def test_an_insight_shows_authors_with_organisations_principles_and_more_on_the_principle(client, site):
    html = get(client, reverse("insights:insight", args=["connectors"]))
    assert 'href="/people/cate/">Cate Newnes-Smith</a> (Surrey Youth Focus)' in html
    assert "<blockquote>" in html and "Insights for A Better Way (2018)" in html
    assert '<time datetime="2018">2018</time>' in html
    assert f'href="{reverse("tag", args=["connectors"])}"' in html
    assert "More like this" in html and 'href="/insights/toward/"' in html


def test_a_summary_links_the_meetings_it_draws_on(client, site):
    html = get(client, reverse("insights:insight", args=["toward"]))
    assert 'href="/notes/cell-1/"' in html and 'href="/notes/cell-2/"' in html


def test_an_outside_piece_names_its_publisher_and_original(client, site):
    html = get(client, reverse("insights:insight", args=["blog"]))
    assert "First published by NCVO" in html and 'href="https://blogs.ncvo.org.uk/example"' in html


def test_a_person_shows_every_role_at_every_meeting_and_their_writing(client, site):
    html = get(client, reverse("people:person", args=["cate"]))
    assert "CEO" in html and "Surrey Youth Focus" in html and "<em>leads</em>" in html
    assert 'Presenter, <a href="/notes/cell-1/">' in html
    assert 'Thought leader, <a href="/notes/cell-2/">' in html
    assert "The role of connectors" in html
    assert "Thought leader, <a" in html  # her place in the cell


def test_lists_show_their_items(client, site):
    assert "Dinner discussion" in get(client, reverse("cells:cell_list"))
    assert "Cell 1" in get(client, reverse("cells:meeting_list"))
    assert "Dinner discussion" in get(client, reverse("cells:meeting_list") + "?kind=dinner")
    assert "Cell 1" not in get(client, reverse("cells:meeting_list") + "?kind=dinner")
    assert "A guest blog" in get(client, reverse("insights:insight_list") + "?kind=blog")
    assert "Cate Newnes-Smith" in get(client, reverse("people:person_list"))
    assert "Cate Newnes-Smith" in get(client, reverse("people:organisation", args=["syf"]))
    assert "systems leadership" in get(client, reverse("tag_list"))
    assert "Cell 1" in get(client, reverse("tag", args=["systems-leadership"]))
    assert "Collaboration is better than competition" in get(client, reverse("insights:principle_list"))
    assert "Civil Exchange" in get(client, reverse("about"))


def test_search_finds_notes_insights_and_people_by_their_words(client, site):
    html = get(client, reverse("search") + "?q=pull+quote")
    assert "The role of connectors" in html
    html = get(client, reverse("search") + "?q=newnes")
    assert 'href="/people/cate/"' in html
    html = get(client, reverse("search") + "?q=nothingmatchesthis")
    assert "Nothing matches" in html


def test_an_empty_search_shows_just_the_form(client, site):
    html = get(client, reverse("search"))
    assert 'name="q"' in html and "Results for" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/notes/no-such-note/",
        "/insights/no-such/",
        "/cells/no-such/",
        "/principles/no-such/",
        "/people/no-such/",
        "/organisations/no-such/",
        "/topics/no-such/",
        "/no-such-page/",
    ],
)
def test_unknown_addresses_give_the_sites_own_404(client, site, url):
    with override_settings(DEBUG=False):
        response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Skip to main content" in response.content.decode()


def test_a_page_past_the_end_of_a_list_shows_the_last_page(client, site):
    assert get(client, reverse("cells:meeting_list") + "?page=99")


def test_the_500_page_is_in_the_sites_style(client, db):
    from betterway.views import server_error

    response = server_error(client.get("/").wsgi_request)
    assert response.status_code == 500 and b"Sorry, there is a problem" in response.content


def test_a_meeting_known_only_from_a_summary_says_it_has_no_note(client, site):
    MeetingFactory(cell=site["cell"], number=3, slug="no-note", title="Cell 3 on place", summary="", notes="")
    html = get(client, reverse("cells:meeting", args=["no-note"]))
    assert "No note of this meeting is in the archive." in html
    cell = get(client, reverse("cells:cell", args=["clip"]))
    assert 'href="/notes/no-note/">Cell 3 on place</a>' in cell and "No note of this meeting is in the archive." in cell
