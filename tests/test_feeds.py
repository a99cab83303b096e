"""The Atom feeds, parsed with `feedparser`: what they hold (only what a visitor may read, whoever asks),
how each entry reads, and that they take a fixed number of queries whatever the size of the archive."""

import datetime

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from betterway.feeds import LIMIT
from core import publishing, versions

from .factories import (
    CellFactory,
    InsightFactory,
    MeetingFactory,
    PersonFactory,
    PrincipleFactory,
    SpeakerFactory,
    UserFactory,
    verified_user,
)

# state: (status, visibility, notes_visibility, in the bin)
STATES = {
    "public": ("published", "public", "public", False),
    "members": ("published", "members", "members", False),
    "cell": ("published", "cell", "cell", False),
    "draft": ("draft", "public", "public", False),
    "binned": ("published", "public", "public", True),
    "membersnotes": ("published", "public", "members", False),  # public key points, notes for members
}
PUBLIC = {"public", "membersnotes"}


def marker(state, field):
    return f"FEEDMARK{state}Q{field}".upper()


@pytest.fixture
def world(db):
    cell = CellFactory(name="Collaborative Leadership in Place", slug="clip")
    principle = PrincipleFactory(slug="collaboration")
    speaker = PersonFactory(name="Dawn Plimmer", slug="dawn")
    hidden = PersonFactory(name="Hidden Person", slug="hidden")  # speaks only where visitors may not read
    meetings, insights = {}, {}
    for day, (state, (status, visibility, notes_visibility, binned)) in enumerate(STATES.items()):
        meetings[state] = MeetingFactory(
            cell=cell,
            slug=f"m-{state}",
            title=f"{marker(state, 'title')} & “friends”",
            date=datetime.date(2020, 6 - day, 1),
            date_precision="month",
            summary=f"- A key point {marker(state, 'points')}" if state != "membersnotes" else "",
            notes=f"Notes {marker(state, 'notes')}.",
            status=status,
            visibility=visibility,
            notes_visibility=notes_visibility,
            deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) if binned else None,
            tags=[f"t-{state}-t", "shared"],
            principles=[principle],
        )
        SpeakerFactory(meeting=meetings[state], person=speaker)
        if state not in PUBLIC:
            SpeakerFactory(meeting=meetings[state], person=hidden)
        if state == "membersnotes":
            continue  # an insight has no notes layer
        insights[state] = InsightFactory(
            slug=f"i-{state}",
            title=f"{marker(state, 'ititle')} insight",
            standfirst=f"Standfirst *{marker(state, 'stand')}*.",
            body=f"Body {marker(state, 'body')}.",
            authors=[speaker],
            cell=cell,
            published_on=datetime.date(2019, 1, 10 + day),
            status=status,
            visibility=visibility,
            deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) if binned else None,
            tags=[f"t-{state}-t", "shared"],
            principles=[principle],
        )
    return {"cell": cell, "principle": principle, "speaker": speaker, "meetings": meetings, "insights": insights}


FEEDS = {
    "notes": lambda w: reverse("feed_notes"),
    "insights": lambda w: reverse("feed_insights"),
    "principle": lambda w: reverse("feed_principle", args=["collaboration"]),
    "cell": lambda w: reverse("feed_cell", args=["clip"]),
    "topic": lambda w: reverse("feed_tag", args=["shared"]),
    "person": lambda w: reverse("feed_person", args=["dawn"]),
}
HAS = {  # what each feed is of
    "notes": {"meetings"},
    "insights": {"insights"},
    "principle": {"meetings", "insights"},
    "cell": {"meetings", "insights"},
    "topic": {"meetings", "insights"},
    "person": {"meetings", "insights"},
}


def parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed, response.content.decode()


def expected_titles(world, name):
    titles = set()
    if "meetings" in HAS[name]:
        titles |= {world["meetings"][s].title for s in PUBLIC}
    if "insights" in HAS[name]:
        titles |= {world["insights"][s].title for s in PUBLIC if s in world["insights"]}
    return titles


def hidden_markers():
    hidden = {
        marker(s, f) for s in STATES if s not in PUBLIC for f in ("title", "points", "notes", "ititle", "stand", "body")
    }
    return hidden | {
        marker("membersnotes", "notes"),
        "HIDDEN PERSON",
        "T-MEMBERS-T",
        "T-CELL-T",
        "T-DRAFT-T",
        "T-BINNED-T",
    }


@pytest.mark.parametrize("role", ["anonymous", "member", "staff"])
@pytest.mark.parametrize("name", sorted(FEEDS))
def test_a_feed_holds_only_what_a_visitor_may_read_whoever_asks(client, world, name, role):
    if role != "anonymous":
        client.force_login(verified_user(is_staff=role == "staff"))
    feed, raw = parsed(client, FEEDS[name](world))
    assert {entry.title for entry in feed.entries} == expected_titles(world, name)
    for text in hidden_markers():
        assert text not in raw.upper(), f"{name} feed shows {text} to {role}"


def test_an_entry_has_its_title_link_summary_dates_and_topics(client, world):
    feed, _ = parsed(client, reverse("feed_notes"))
    assert feed.feed.title == "A Better Way: meeting notes"
    assert feed.feed.link == "http://testserver/notes/" and feed.feed.author == "A Better Way"
    entry = next(e for e in feed.entries if e.link.endswith("/notes/m-public/"))
    assert entry.title == world["meetings"]["public"].title  # "&" and quotes come through once, as typed
    assert entry.link == "http://testserver/notes/m-public/" and entry.id == entry.link
    # the date as exact as it is known: the month, not a made-up first of June
    assert entry.summary.startswith("Collaborative Leadership in Place, meeting") and "· June 2020 — " in entry.summary
    assert "1 June" not in entry.summary and marker("public", "points") in entry.summary
    assert entry.published.startswith("2020-06-01T00:00:00+01:00")  # not published on the site: the meeting's date
    assert {tag.term for tag in entry.tags} == {"t-public-t", "shared"}


def test_a_meeting_whose_notes_are_for_members_shows_its_kind_and_date_but_not_its_notes(client, world):
    feed, raw = parsed(client, reverse("feed_notes"))
    entry = next(e for e in feed.entries if e.link.endswith("/notes/m-membersnotes/"))
    assert (
        entry.summary
        == "Collaborative Leadership in Place, meeting "
        + str(world["meetings"]["membersnotes"].number)
        + " · January 2020"
    )
    assert marker("membersnotes", "notes") not in raw
    world["meetings"]["public"].summary = ""  # with public notes and no key points: the start of the notes
    with versions.saving(world["meetings"]["public"], user=None, comment="No key points"):
        world["meetings"]["public"].save()
    feed, _ = parsed(client, reverse("feed_notes"))
    entry = next(e for e in feed.entries if e.link.endswith("/notes/m-public/"))
    assert marker("public", "notes") in entry.summary


def test_an_insight_names_its_authors_and_gives_its_standfirst_as_plain_text(client, world):
    feed, _ = parsed(client, reverse("feed_insights"))
    [entry] = feed.entries
    assert entry.author == "Dawn Plimmer"
    assert entry.summary == f"Essay · 10 January 2019 — Standfirst {marker('public', 'stand')}."


def test_entries_published_on_the_site_come_first_with_that_date(client, world):
    late = MeetingFactory(
        cell=world["cell"], slug="late", title="Published later", status="draft", date=datetime.date(2018, 1, 1)
    )
    publishing.publish(late, user=UserFactory())
    feed, _ = parsed(client, reverse("feed_notes"))
    assert feed.entries[0].title == "Published later"
    late.refresh_from_db()
    assert feed.entries[0].published_parsed[:3] == late.published_at.utctimetuple()[:3]


@pytest.mark.parametrize(
    "url",
    [
        "/topics/t-members-t/feed.atom",  # a topic only members-only notes use
        "/topics/no-such/feed.atom",
        "/people/hidden/feed.atom",  # named only where visitors may not read
        "/people/no-such/feed.atom",
        "/principles/no-such/feed.atom",
        "/cells/no-such/feed.atom",
    ],
)
def test_a_topic_or_person_a_visitor_may_not_see_has_no_feed_even_for_staff(client, world, url):
    assert client.get(url).status_code == 404
    client.force_login(verified_user(is_staff=True))
    assert client.get(url).status_code == 404


def test_a_feed_holds_the_latest_entries_only(client, world):
    for number in range(LIMIT + 5):
        MeetingFactory(cell=world["cell"], date=datetime.date(2021, 1, 1) + datetime.timedelta(days=number))
    feed, _ = parsed(client, reverse("feed_notes"))
    assert len(feed.entries) == LIMIT
    assert feed.entries[0].link.endswith(f"/notes/{world['cell'].meetings.order_by('-date').first().slug}/")


def test_feeds_take_the_same_queries_however_large_the_archive(client, world):
    def counts():
        found = {}
        for name, url in FEEDS.items():
            with CaptureQueriesContext(connection) as queries:
                parsed(client, url(world))
            found[name] = len(queries)
        return found

    before = counts()
    for _ in range(10):
        meeting = MeetingFactory(cell=world["cell"], tags=["shared", "more"], principles=[world["principle"]])
        SpeakerFactory(meeting=meeting, person=world["speaker"])
        InsightFactory(
            authors=[world["speaker"], PersonFactory()],
            cell=world["cell"],
            tags=["shared"],
            principles=[world["principle"]],
        )
    assert counts() == before
    assert max(before.values()) <= 7, before


def test_pages_point_to_their_feeds(client, world):
    html = client.get("/").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="A Better Way: meeting notes" href="/notes/feed.atom">'
        in html
    )
    assert 'href="/insights/feed.atom"' in html
    for page, feed in [
        ("/principles/collaboration/", "/principles/collaboration/feed.atom"),
        ("/cells/clip/", "/cells/clip/feed.atom"),
        ("/topics/shared/", "/topics/shared/feed.atom"),
        ("/people/dawn/", "/people/dawn/feed.atom"),
    ]:
        assert 'type="application/atom+xml" title="A Better Way: ' in client.get(page).content.decode()
        assert f'href="{feed}"' in client.get(page).content.decode(), page


def test_a_page_a_member_may_see_but_a_visitor_may_not_points_to_no_feed(client, world):
    client.force_login(verified_user())
    html = client.get("/topics/t-members-t/").content.decode()
    assert "t-members-t" in html and "/topics/t-members-t/feed.atom" not in html
    html = client.get("/people/hidden/").content.decode()
    assert "Hidden Person" in html and "/people/hidden/feed.atom" not in html
