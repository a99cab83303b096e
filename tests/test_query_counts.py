"""Each public page makes the same number of SQL queries whatever the size of the archive."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from discussion.models import Flag
from insights.models import Insight

from .factories import (
    CellFactory,
    CommentFactory,
    InsightFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    PrincipleFactory,
    QuestionFactory,
    SpeakerFactory,
    UpcomingDateFactory,
    UserFactory,
    verified_user,
)


@pytest.fixture
def archive(db):
    """The things every page is about; grow(n) adds n more rows of everything around them."""
    organisation = OrganisationFactory(slug="org")
    person = PersonFactory(slug="person", organisation=organisation)
    principle = PrincipleFactory(slug="principle")
    cell = CellFactory(slug="cell")
    meeting = MeetingFactory(cell=cell, slug="meeting", number=30000, tags=["place"], principles=[principle])
    insight = InsightFactory(
        slug="insight", authors=[person], principles=[principle], tags=["place"], source_meetings=[meeting]
    )

    def grow(n):
        for _ in range(n):
            other_person = PersonFactory(organisation=organisation)
            other_cell = CellFactory()
            new = MeetingFactory(
                cell=cell, tags=["place", "covid-19"], principles=[principle], summary="Findme in the summary."
            )
            MeetingFactory(cell=other_cell, status="draft")
            MeetingFactory(cell=None, number=None, kind="roundtable")
            SpeakerFactory(meeting=new, person=person)
            SpeakerFactory(meeting=meeting, person=other_person)
            question = QuestionFactory(raised_at=meeting)
            question.taken_up_in.add(new)
            QuestionFactory(raised_at=new)
            UpcomingDateFactory(cell=cell)
            InsightFactory(
                authors=[person, other_person],
                principles=[principle],
                tags=["place"],
                source_meetings=[meeting, new],
                cell=cell,
                body="Findme in the body.",
                published_on=new.date,  # a topic's page lists notes and insights mixed, newest first
            )
            InsightFactory(status="draft")
            insight.source_meetings.add(new)
            for target in (meeting, insight):  # comments: shown, replied to, removed with a reply, hidden, flagged
                on = {"meeting": target, "insight": None} if target == meeting else {"meeting": None, "insight": target}
                comment = CommentFactory(**on, author=other_person.user or verified_user())
                CommentFactory(**on, parent=comment)
                removed = CommentFactory(**on, removed_at=timezone.now())
                CommentFactory(**on, parent=removed)
                CommentFactory(**on, hidden_at=timezone.now())
                Flag.objects.create(comment=comment, flagged_by=verified_user(), reason="Rude.")

    return {
        "grow": grow,
        "cell": cell,
        "meeting": meeting,
        "insight": insight,
        "person": person,
        "principle": principle,
        "organisation": organisation,
    }


PAGES = [
    ("home", lambda a: reverse("home")),
    ("about", lambda a: reverse("about")),
    ("principles", lambda a: reverse("insights:principle_list")),
    ("principle", lambda a: a["principle"].get_absolute_url()),
    ("insights", lambda a: reverse("insights:insight_list")),
    ("insight", lambda a: a["insight"].get_absolute_url()),
    ("cells", lambda a: reverse("cells:cell_list")),
    ("cell", lambda a: a["cell"].get_absolute_url()),
    ("notes", lambda a: reverse("cells:meeting_list")),
    ("note", lambda a: a["meeting"].get_absolute_url()),
    ("people", lambda a: reverse("people:person_list")),
    ("person", lambda a: a["person"].get_absolute_url()),
    ("organisation", lambda a: a["organisation"].get_absolute_url()),
    ("topics", lambda a: reverse("tag_list")),
    ("topic", lambda a: reverse("tag", args=["place"])),
    ("search", lambda a: reverse("search") + "?q=findme"),
    ("archive", lambda a: reverse("archive")),
    ("archive-year", lambda a: reverse("archive_year", args=[newest_insight_year()])),  # its notes and insights
    ("questions", lambda a: reverse("questions")),
]

# a note or an insight page also shows "More like this" (insights/related.py): the meetings, the insights and
# their authors, three queries more than the 16 any other page keeps to
CAPS = {"note": 20, "insight": 20}


def newest_insight_year():
    """The year of the newest published insight: grow() adds a note of the same day, so the year has both."""
    return Insight.objects.filter(status="published").latest("published_on").published_on.year


def count_queries(client, url):
    client.get(url)  # warm caches that live for the process (content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_page_queries_do_not_grow_with_the_archive(client, archive):
    """Every page, to a visitor and to a member, at 1, 5 and 50 rows of everything (1 as well, so that a list
    capped at a few items still shows growth). The archive is grown once for all the pages: building it is what
    takes the time."""
    member = UserFactory()
    counts, rows = {}, 0
    for size in (1, 5, 50):
        archive["grow"](size - rows)
        rows = size
        for reader in ("visitor", "member"):
            client.logout()
            if reader == "member":
                client.force_login(member)
            for name, url in PAGES:
                counts.setdefault((name, reader), {})[size] = count_queries(client, url(archive))
    growing = [
        f"{name} ({reader}): {by_size}" for (name, reader), by_size in counts.items() if len(set(by_size.values())) != 1
    ]
    assert not growing, "queries by rows of everything:\n" + "\n".join(growing)
    over = [
        f"{name} ({reader}): {by_size[50]} queries, at most {CAPS.get(name, 16)}"
        for (name, reader), by_size in counts.items()
        if by_size[50] > CAPS.get(name, 16)
    ]
    assert not over, "\n".join(over)
    assert len(counts) == 2 * len(PAGES)


def test_a_members_page_asks_once_which_cells_they_are_in(client, archive):
    """Every list, rule and permission on a page needs the reader's cells (core/visibility.py): the page asks for
    them once (cells.models.cells_of), not once per list inside each query."""
    from .factories import MembershipFactory

    archive["grow"](2)
    member = verified_user()
    MembershipFactory(cell=archive["cell"], person=PersonFactory(user=member), role="convenor")
    MembershipFactory(cell=CellFactory(), person=member.person)
    client.force_login(member)
    mine = re.compile(
        rf'FROM "cells_membership"( U\d+)? INNER JOIN "people_person"[^()]*\([^()]*\) WHERE (U\d+|"people_person")\."user_id" = {member.pk}\b'
    )
    asked = {}
    for name, url in PAGES:
        client.get(url(archive))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(archive)).status_code == 200
        # which cells this reader is in: their memberships, through their person, by their account's id
        asked[name] = sum(len(mine.findall(query["sql"])) for query in queries)
    assert {name: n for name, n in asked.items() if n > 1} == {}, asked
    assert asked["note"] == asked["principle"] == 1
