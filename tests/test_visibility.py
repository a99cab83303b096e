"""A draft, a members-only or a cell-only note or insight shows only to those who may see it:
on its own page, and in every list, count, search result and tag page."""

import datetime

import pytest
from django.urls import reverse

from cells.models import Meeting
from insights.models import Insight

from .factories import InsightFactory, MeetingFactory, PersonFactory, PrincipleFactory, SpeakerFactory, UserFactory

# who may see each kind of restricted content
SEES = {
    "draft": {"convenor", "staff"},
    "members": {"member", "cell_member", "convenor", "other_convenor", "staff"},
    "cell": {"cell_member", "convenor", "staff"},
}
ROLES = ["anonymous", "member", "cell_member", "convenor", "other_convenor", "staff"]


@pytest.fixture
def content(cell):
    principle = PrincipleFactory(slug="collaboration")
    speaker = PersonFactory(slug="speaker", name="Dawn Speaker")
    items = {}
    for name, status, visibility in [
        ("public", "published", "public"),
        ("draft", "draft", "public"),
        ("members", "published", "members"),
        ("cell", "published", "cell"),
    ]:
        meeting = MeetingFactory(
            cell=cell,
            title=f"Zebracrossing {name} meeting",
            slug=f"{name}-meeting",
            summary=f"Zebracrossing summary of the {name} meeting.",
            status=status,
            visibility=visibility,
            tags=["systems leadership"],
            principles=[principle],
        )
        SpeakerFactory(meeting=meeting, person=speaker)
        insight = InsightFactory(
            title=f"Zebracrossing {name} insight",
            slug=f"{name}-insight",
            cell=cell,
            body=f"Zebracrossing body of the {name} insight.",
            status=status,
            visibility=visibility,
            authors=[speaker],
            principles=[principle],
            tags=["systems leadership"],
            # the public one newest: the home page lists the four newest insights a reader may see
            published_on=datetime.date(2019 if name == "public" else 2018, 1, 1),
        )
        items[name] = (meeting, insight)
    public_meeting = items["public"][0]
    InsightFactory(
        title="Summary of meetings",
        slug="summary",
        published_on=datetime.date(2017, 1, 1),
        source_meetings=[m for m, _ in items.values()],
    )
    return {"items": items, "principle": principle, "speaker": speaker, "public_meeting": public_meeting}


def listing_pages(content, cell):
    """Every page that lists, counts or finds notes and insights: (url, lists meetings, lists insights)."""
    return [
        (reverse("home"), True, True),
        (reverse("cells:meeting_list"), True, False),
        (reverse("insights:insight_list"), False, True),
        (reverse("cells:cell_list"), False, False),
        (reverse("cells:cell", args=[cell.slug]), True, True),
        (reverse("insights:principle", args=[content["principle"].slug]), True, True),
        (reverse("people:person", args=[content["speaker"].slug]), True, True),
        (reverse("tag", args=["systems-leadership"]), True, True),
        (reverse("search") + "?q=zebracrossing", True, True),
        (reverse("insights:insight", args=["summary"]), True, False),
        # its "More like this": the notes and insights that share its principle and topic
        (reverse("insights:insight", args=["public-insight"]), True, True),
    ]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("restriction", ["draft", "members", "cell"])
def test_restricted_content_shows_only_to_those_who_may_see_it(client_for, users, cell, content, role, restriction):
    client = client_for(users[role])
    meeting, insight = content["items"][restriction]
    may_see = role in SEES[restriction]

    for obj in (meeting, insight):
        response = client.get(obj.get_absolute_url())
        # a visitor is invited to log in to published content for members (core/permissions.py)
        invited = role == "anonymous" and restriction != "draft"
        assert response.status_code == (200 if may_see else 403 if invited else 404), obj

    for url, lists_meetings, lists_insights in listing_pages(content, cell):
        if restriction == "draft" and url == reverse("insights:insight", args=["public-insight"]):
            lists_meetings = lists_insights = False  # "More like this" suggests only what is published
        html = client.get(url).content.decode()
        for title, listed in ((meeting.title, lists_meetings), (insight.title, lists_insights)):
            assert (title in html) == (may_see and listed), f"{title!r} on {url} as {role}"


@pytest.mark.parametrize("role", ROLES)
def test_public_content_shows_to_everyone(client_for, users, cell, content, role):
    client = client_for(users[role])
    meeting, insight = content["items"]["public"]
    for url, lists_meetings, lists_insights in listing_pages(content, cell):
        html = client.get(url).content.decode()
        assert (meeting.title in html) == lists_meetings, url
        if url != insight.get_absolute_url():
            assert (insight.title in html) == lists_insights, url


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 2), ("member", 4), ("cell_member", 6), ("convenor", 8), ("other_convenor", 4), ("staff", 8)],
)
def test_topic_counts_count_only_what_the_reader_may_see(client_for, users, content, role, expected):
    response = client_for(users[role]).get(reverse("tag_list"))
    tags = {row["tag__slug"]: row["uses"] for row in response.context["page"].object_list}
    assert tags["systems-leadership"] == expected


def test_search_snippets_never_come_from_restricted_text(client, content):
    html = client.get(reverse("search") + "?q=zebracrossing").content.decode()
    assert "summary of the public meeting" in html
    for name in ("draft", "members", "cell"):
        assert f"of the {name} meeting" not in html
        assert f"of the {name} insight" not in html


def test_the_author_of_a_draft_insight_can_read_it(client, db):
    user = UserFactory()
    draft = InsightFactory(status="draft", authors=[PersonFactory(user=user)])
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(user)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_the_creator_of_a_draft_meeting_can_read_it(client, db):
    user = UserFactory()
    draft = MeetingFactory(status="draft", created_by=user)
    client.force_login(user)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_questions_taken_up_by_a_draft_do_not_reveal_it(client, cell):
    earlier = MeetingFactory(cell=cell, number=1)
    later = MeetingFactory(cell=cell, number=2, status="draft", title="Secret later meeting")
    earlier.questions.create(text="What next?").taken_up_in.add(later)
    html = client.get(earlier.get_absolute_url()).content.decode()
    assert "What next?" in html
    assert "Secret later meeting" not in html
    assert "Secret later meeting" not in client.get(cell.get_absolute_url()).content.decode()


def test_visible_to_is_the_same_rule_for_meetings_and_insights(users, content):
    for role in ROLES:
        user = users[role]
        meetings = set(Meeting.objects.visible_to(user).values_list("slug", flat=True))
        insights = set(Insight.objects.visible_to(user).values_list("slug", flat=True))
        assert {slug.replace("-meeting", "") for slug in meetings} == {
            slug.replace("-insight", "") for slug in insights if slug != "summary"
        }, role


def test_asking_about_a_few_people_gives_the_same_answer_as_the_whole_rule(users, cell):
    """Person.objects.visible_to(user, among=…), which pages use to name a few people fast, keeps exactly those
    of them that the whole rule keeps: each alone, and all together; one_visible_to (a person's page) too."""
    people = {
        state: PersonFactory(slug=f"named-{state}", user=UserFactory())  # an account: comments are signed by it
        for state in ("public", "members", "cell", "draft", "binned", "insight-cell", "nobody")
    }
    for state in ("public", "members", "cell", "draft", "binned"):
        meeting = MeetingFactory(
            cell=cell,
            status="draft" if state == "draft" else "published",
            visibility=state if state in ("members", "cell") else "public",
        )
        if state == "binned":
            Meeting.objects.filter(pk=meeting.pk).update(deleted_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
        SpeakerFactory(meeting=meeting, person=people[state])
    InsightFactory(cell=cell, visibility="cell", authors=[people["insight-cell"]])
    people["profile"] = PersonFactory(slug="named-profile", is_public=True, user=UserFactory())
    people["own"] = PersonFactory(slug="named-own", user=users["member"])
    from people.models import Person
    from people.names import names_for

    from .factories import CellFactory, MembershipFactory

    accounts = {person.user_id: person.slug for person in people.values()}
    elsewhere = CellFactory()  # each of them leads another cell: its page names its leads
    for person in people.values():
        MembershipFactory(cell=elsewhere, person=person, role="thought_leader")

    seen = {}
    for role in ROLES:
        user = users[role]
        whole = set(Person.objects.visible_to(user).filter(slug__startswith="named-").values_list("slug", flat=True))
        seen[role] = whole
        for person in people.values():
            asked = Person.objects.filter(pk=person.pk)
            alone = set(Person.objects.visible_to(user, among=asked).values_list("slug", flat=True))
            assert alone == whole & {person.slug}, (role, person.slug)
            one = Person.objects.one_visible_to(user, slug=person.slug)  # a person's page: open profiles in one query
            assert (one is not None) == (person.slug in whole), (role, person.slug)
            named = names_for(user, [person.user])  # a commenter's name: open profiles in one query
            assert (person.user_id in named) == (person.slug in whole), (role, person.slug)
            is_open = Person.objects.filter(Person.objects.open_rule(user), pk=person.pk).exists()
            assert person.is_open_to(user) == is_open, (role, person.slug)  # the rule read off a row
        # a page's commenters, open and closed together: the second query asks about the closed ones alone
        named = names_for(user, [person.user for person in people.values()])
        assert {accounts[user_id] for user_id in named} == whole, role
        leads = elsewhere.memberships.leading().few_visible_to(user)  # a cell's page
        assert {place.person.slug for place in leads} == whole, role
        assert {place.person.slug for place in elsewhere.memberships.visible_to(user)} == whole, role
        together = Person.objects.visible_to(user, among=Person.objects.filter(slug__startswith="named-"))
        assert set(together.values_list("slug", flat=True)) == whole, role
    # the rule did tell people apart
    assert {"named-public", "named-profile", "named-own", "named-members"} <= seen["member"]
    assert not {"named-cell", "named-insight-cell", "named-draft", "named-binned", "named-nobody"} & seen["member"]
    assert {"named-cell", "named-insight-cell"} <= seen["cell_member"]
    assert seen["anonymous"] == {"named-public", "named-profile"}


def test_asking_about_a_few_topics_gives_the_same_answer_as_the_whole_rule(users, cell):
    """Topic.objects.visible_to(user, among=…) and the uses of a topic (visible_tagged_items(user, tags=…), which a
    topic's page lists) look only at the content those topics are on, and keep exactly what the whole rule keeps."""
    from insights.models import Topic, visible_tagged_items

    for state in ("public", "members", "cell", "draft", "binned"):
        meeting = MeetingFactory(
            cell=cell,
            status="draft" if state == "draft" else "published",
            visibility=state if state in ("members", "cell") else "public",
            tags=[f"on-{state}", "on-everything"],
        )
        if state == "binned":
            Meeting.objects.filter(pk=meeting.pk).update(deleted_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    InsightFactory(cell=cell, visibility="cell", tags=["on-insight-cell", "on-everything"])
    MeetingFactory(cell=cell, tags=["on-other-things"])  # a use of no topic asked about
    topics = Topic.objects.filter(slug__startswith="on-")
    seen = {}
    for role in ROLES:
        user = users[role]
        whole_uses = visible_tagged_items(user).filter(tag__in=topics)
        whole = set(Topic.objects.visible_to(user).filter(slug__startswith="on-").values_list("slug", flat=True))
        seen[role] = whole
        for topic in topics:
            asked = Topic.objects.filter(pk=topic.pk)
            assert set(Topic.objects.visible_to(user, among=asked).values_list("slug", flat=True)) == whole & {
                topic.slug
            }, (role, topic.slug)
            uses = set(visible_tagged_items(user, tags=[topic.pk]).values_list("pk", flat=True))
            assert uses == set(whole_uses.filter(tag=topic).values_list("pk", flat=True)), (role, topic.slug)
        together = Topic.objects.visible_to(user, among=topics)
        assert set(together.values_list("slug", flat=True)) == whole, role
    # the rule did tell topics apart
    assert {"on-public", "on-members", "on-everything", "on-other-things"} <= seen["member"]
    assert not {"on-cell", "on-insight-cell", "on-draft", "on-binned"} & seen["member"]
    assert {"on-cell", "on-insight-cell"} <= seen["cell_member"]
    assert seen["anonymous"] == {"on-public", "on-everything", "on-other-things"}


def test_joining_or_leaving_a_cell_shows_at_once_even_to_a_user_object_already_asked(cell):
    """The reader's cells are asked once per user object (cells.models.cells_of); a change of memberships or of
    whose account a person is must still show on the next question, not when the object is thrown away."""
    from cells.models import Membership

    from .factories import MembershipFactory, verified_user

    cell_only = MeetingFactory(cell=cell, visibility="cell", notes_visibility="cell")
    reader = verified_user()
    assert cell_only not in Meeting.objects.visible_to(reader)
    place = MembershipFactory(cell=cell, person=PersonFactory(user=reader))
    assert cell_only in Meeting.objects.visible_to(reader)
    assert cell_only not in Meeting.objects.filter(cell__in=Meeting.objects.reader_cells(reader, convening=True))
    place.role = Membership.Role.CONVENOR
    place.save()
    assert Meeting.objects.reader_cells(reader, convening=True) == [cell.pk]
    place.person.user = None  # the person is no longer this account's
    place.person.save()
    assert cell_only not in Meeting.objects.visible_to(reader)


def test_being_asked_to_review_a_draft_shows_it_at_once_and_publishing_hands_it_to_the_readers_rule(cell):
    """A named speaker asked to review a draft reads it (the drafts a reader reviews are asked with their cells,
    once per user object: cells.models.reader_facts); being asked, and the draft's publication, show on the next
    question to the same user object. Published, the readers' rule decides: a cell-only note stays its cell's."""
    from cells.models import SpeakerReview
    from core.versions import saving

    from .factories import verified_user

    draft = MeetingFactory(cell=cell, status="draft", visibility="cell", notes_visibility="cell")
    reader = verified_user()
    person = PersonFactory(user=reader)
    assert draft not in Meeting.objects.visible_to(reader)
    review = SpeakerReview.objects.create(meeting=draft, person=person)
    assert draft in Meeting.objects.visible_to(reader)
    assert draft in Meeting.objects.notes_visible_to(reader)
    draft.status = "published"
    with saving(draft, user=None, comment="Published"):
        draft.save()
    assert draft not in Meeting.objects.visible_to(reader)
    draft.status = "draft"
    with saving(draft, user=None, comment="Back to a draft"):
        draft.save()
    assert draft in Meeting.objects.visible_to(reader)
    review.delete()
    assert draft not in Meeting.objects.visible_to(reader)
