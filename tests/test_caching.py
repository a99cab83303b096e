"""Visitors' pages come from the cache until what they show changes (core/caching.py): never a member's page,
never someone else's cookie or CSRF token, and 304 to a browser that has the page already."""

import re

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import caching, versions
from core.publishing import move_to_bin, publish, restore_from_bin
from discussion.tagging import add_topics
from discussion.writing import post_comment

from .factories import CellFactory, InsightFactory, MeetingFactory, PersonFactory, PrincipleFactory, verified_user


@pytest.fixture(autouse=True)
def page_cache(settings):
    """The page cache on (the test settings turn it off for every other test), empty at each test's start."""
    settings.PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cell(db):
    return CellFactory(name="Trust in Place", slug="trust")


@pytest.fixture
def meeting(cell):
    return MeetingFactory(cell=cell, slug="first", subject="Where trust starts", number=1)


def get(client, url, **headers):
    """The response and how many SQL queries answering it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def text(response):
    return response.content.decode()


def without_csrf_token(page):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def edit(obj, **fields):
    with versions.saving(obj, user=None, comment="Edited in a test"):
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()


def test_a_visitors_second_visit_is_served_from_the_cache_without_a_query(client, meeting):
    url = reverse("cells:meeting_list")
    first, made = get(client, url)
    second, cached = get(Client(), url)
    assert made > 0
    assert cached == 0
    assert second.content == first.content
    assert "Where trust starts" in text(second)


def test_a_visitors_head_request_is_answered_from_the_cache(client, meeting):
    get(client, reverse("home"))
    response, queries = get(client, reverse("home"))
    head = client.head(reverse("home"))
    assert queries == 0
    assert head.status_code == 200
    assert head["ETag"] == response["ETag"]


def test_publishing_shows_on_the_pages_a_visitor_was_served_from_the_cache(client, cell):
    draft = MeetingFactory(cell=cell, subject="A draft not yet out", status="draft")
    url = reverse("cells:meeting_list")
    assert "A draft not yet out" not in text(client.get(url))
    publish(draft, user=None)
    assert "A draft not yet out" in text(client.get(url))


def test_an_edit_shows_at_once(client, meeting):
    url = meeting.get_absolute_url()
    assert "Where trust starts" in text(client.get(url))
    edit(meeting, subject="Where trust grows")
    page = text(client.get(url))
    assert "Where trust grows" in page
    assert "Where trust starts" not in page


def test_a_comment_shows_at_once(client, meeting):
    url = meeting.get_absolute_url()
    assert "Trust is earned slowly" not in text(client.get(url))
    post_comment(meeting, author=verified_user(), body="Trust is earned slowly.")
    assert "Trust is earned slowly" in text(client.get(url))


def test_a_topic_added_by_a_member_shows_at_once(client, meeting):
    url = meeting.get_absolute_url()
    assert "Neighbourliness" not in text(client.get(url))
    add_topics(meeting, ["Neighbourliness"], user=verified_user())
    assert "Neighbourliness" in text(client.get(url))
    assert "Neighbourliness" in text(client.get(reverse("tag_list")))


def test_moving_to_the_bin_and_restoring_show_at_once(client, meeting):
    url = reverse("cells:meeting_list")
    assert "Where trust starts" in text(client.get(url))
    move_to_bin(meeting, user=None)
    assert "Where trust starts" not in text(client.get(url))
    assert client.get(meeting.get_absolute_url()).status_code == 404
    restore_from_bin(meeting, user=None)
    assert "Where trust starts" in text(client.get(url))


def test_edits_of_people_principles_and_cells_show_at_once(client, cell, meeting):
    person = PersonFactory(name="Ada Okafor", slug="ada", is_public=True)
    principle = PrincipleFactory(title="Trust before targets", slug="trust-first")
    pages = [person.get_absolute_url(), principle.get_absolute_url(), cell.get_absolute_url(), reverse("home")]
    for url in pages:
        client.get(url)
    person.name = "Ada Okafor-Reid"
    person.save()
    principle.title = "Trust before all targets"
    principle.save()
    cell.name = "Trust in Places"
    cell.save()
    assert "Ada Okafor-Reid" in text(client.get(pages[0]))
    assert "Trust before all targets" in text(client.get(pages[1]))
    assert "Trust in Places" in text(client.get(pages[2]))


def test_a_page_built_before_a_change_commits_is_not_given_after_the_commit(client, transactional_db):
    """A page made between the change and its commit (from the old rows) is kept under a generation that the
    commit leaves behind."""
    meeting = MeetingFactory(subject="Where trust starts")
    url = meeting.get_absolute_url()
    with transaction.atomic():
        edit(meeting, subject="Where trust grows")
        during = caching.generation()  # what a page made now is kept under
    assert caching.generation() != during
    assert "Where trust grows" in text(client.get(url))


def test_a_member_is_never_given_a_cached_page(client, cell, meeting):
    MeetingFactory(cell=cell, subject="For members only", visibility="members")
    url = reverse("cells:meeting_list")
    get(Client(), url)
    get(Client(), url)  # the visitors' page is kept
    client.force_login(verified_user())
    response, queries = get(client, url)
    assert queries > 0
    assert "For members only" in text(response)
    assert "Log out" in text(response)


def test_a_visitor_is_never_given_a_members_page(client, cell, meeting):
    MeetingFactory(cell=cell, subject="For members only", visibility="members")
    url = reverse("cells:meeting_list")
    client.force_login(verified_user())
    assert "For members only" in text(client.get(url))
    visitor = text(Client().get(url))
    assert "For members only" not in visitor
    assert "Log out" not in visitor


def test_a_visitor_with_a_message_waiting_sees_it_not_the_cached_page(client, meeting):
    get(Client(), reverse("home"))  # the visitors' home page is kept
    client.force_login(verified_user())
    response = client.post(reverse("account_logout"), follow=True)
    assert "You have logged out" in text(response)


def test_a_matching_if_none_match_is_answered_304_until_the_page_changes(client, meeting):
    url = meeting.get_absolute_url()
    etag = client.get(url)["ETag"]
    assert client.get(url)["ETag"] == etag  # from the cache, the same
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    edit(meeting, subject="Where trust grows")
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Where trust grows" in text(changed)


SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
)


def test_a_page_from_the_cache_carries_the_same_security_headers(client, meeting):
    """The page cache sits above the security middleware: a kept page is given with the headers it was made with."""
    url = meeting.get_absolute_url()
    made = client.get(url)
    kept, queries = get(Client(), url)
    assert queries == 0
    for header in SECURITY_HEADERS:
        assert kept[header] == made[header], header


def test_plain_http_is_still_redirected_to_https_where_a_page_is_kept(client, meeting, settings):
    settings.SECURE_SSL_REDIRECT = True
    url = meeting.get_absolute_url()
    assert client.get(url, secure=True).status_code == 200  # kept under its https:// address
    plain = client.get(url)
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver" + url


def test_a_static_file_never_asks_the_page_cache(client, meeting, monkeypatch):
    asked = []
    monkeypatch.setattr(caching, "kept", lambda key: asked.append(key) or (None, 0))
    client.get("/static/css/site.css")
    client.get(reverse("home"))
    assert len(asked) == 1


def test_a_page_kept_for_visitors_sets_no_cookie_and_holds_no_csrf_token(meeting):
    for url in (
        reverse("home"),
        meeting.get_absolute_url(),
        reverse("cells:cell_list"),
        reverse("search") + "?q=trust",
    ):
        Client().get(url)
        response, queries = get(Client(), url)
        assert queries == 0, url
        assert not response.cookies, url
        assert "csrfmiddlewaretoken" not in text(response), url


def test_a_page_with_a_form_for_visitors_is_never_kept(db):
    """The log-in and sign-up forms carry a CSRF token: each visitor gets their own, with its cookie."""
    for url in (reverse("account_login"), reverse("account_signup")):
        tokens = set()
        for _ in range(2):
            response = Client().get(url)
            assert "csrftoken" in response.cookies, url
            tokens.add(response.cookies["csrftoken"].value)
        assert len(tokens) == 2, url


def test_a_new_cache_never_brings_back_an_earlier_generation(client, meeting):
    url = meeting.get_absolute_url()
    client.get(url)
    before = caching.generation()
    cache.clear()  # a Redis restarted or flushed
    assert caching.generation() > before


def test_insight_pages_are_kept_and_change_when_edited(client, db):
    insight = InsightFactory(title="Trust as infrastructure", slug="trust-infra")
    url = insight.get_absolute_url()
    client.get(url)
    assert get(client, url)[1] == 0
    edit(insight, title="Trust is infrastructure")
    assert "Trust is infrastructure" in text(client.get(url))


def test_a_members_topic_page_points_to_its_feed_only_while_visitors_may_see_the_topic(cell):
    """Whether visitors see a topic (so whether its feed is offered to a member on its page) is kept for the content
    generation: a topic whose only public use becomes members-only loses its feed link at once."""
    note = MeetingFactory(cell=cell, subject="Open ground", tags=["Commons"])
    member = Client()
    member.force_login(verified_user())
    url, feed = reverse("tag", args=["commons"]), reverse("feed_tag", args=["commons"])
    assert feed in text(member.get(url))
    assert feed in text(member.get(url))  # the kept answer
    edit(note, visibility="members")
    page = text(member.get(url))
    assert "Open ground" in page and feed not in page


def test_a_members_topic_suggestions_are_kept_until_the_content_changes(cell, meeting):
    """The topics a member may choose from under a note (discussion/tagging.py) come from the cache on the next
    page, and change with the content: a topic used only on a note moved to the bin leaves them at once."""
    member = Client()
    member.force_login(verified_user())
    url = meeting.get_absolute_url()
    other = MeetingFactory(cell=cell, subject="Elsewhere", tags=["Allotments"], visibility="members")
    first, first_queries = get(member, url)
    assert "Allotments" in first.context["suggestions"]
    again, again_queries = get(member, url)
    assert again.context["suggestions"] == first.context["suggestions"] and again_queries < first_queries
    move_to_bin(other, user=verified_user(is_staff=True))
    assert "Allotments" not in get(member, url)[0].context["suggestions"]


def test_kept_answers_are_each_readers_own_and_change_with_the_content(cell):
    """A topic used only on a cell-only note: its page and counts are kept for one reader (core.caching.kept_answer)
    but never answer for a reader whose rule differs, and a change to the content is seen at once."""
    from cells.models import Membership

    from .factories import MembershipFactory

    insider, outsider = verified_user(), verified_user()
    MembershipFactory(cell=cell, person=PersonFactory(user=insider), role=Membership.Role.MEMBER)
    secret = MeetingFactory(cell=cell, visibility="cell", notes_visibility="cell", tags=["inner workings"])
    url = reverse("tag", args=["inner-workings"])
    inside, outside = Client(), Client()
    inside.force_login(insider)
    outside.force_login(outsider)
    cold, asked = get(inside, url)
    kept, asked_again = get(inside, url)
    assert cold.status_code == kept.status_code == 200
    assert asked_again < asked  # the same questions, nothing changed: answered from the cache
    assert outside.get(url).status_code == 404  # the insider's kept answer is not the outsider's
    edit(secret, visibility="members")  # now for every member: seen at once
    assert outside.get(url).status_code == 200


def test_more_like_this_is_kept_for_each_reader_and_changes_with_the_content(cell, meeting):
    """The "More like this" list is kept per reader for the content generation: a cell-only note like this one
    shows to the cell's member, never to another member from the list kept for the first."""
    from cells.models import Membership

    from .factories import MembershipFactory

    insider, outsider = verified_user(), verified_user()
    MembershipFactory(cell=cell, person=PersonFactory(user=insider), role=Membership.Role.MEMBER)
    meeting.tags.add("shared ground")
    MeetingFactory(cell=cell, visibility="cell", title="Zebrasecret alike", tags=["shared ground"])
    inside, outside = Client(), Client()
    inside.force_login(insider)
    outside.force_login(outsider)
    url = meeting.get_absolute_url()
    assert "Zebrasecret alike" in text(inside.get(url))
    assert "Zebrasecret alike" in text(inside.get(url))  # kept
    assert "Zebrasecret alike" not in text(outside.get(url))
    MeetingFactory(cell=cell, title="Zebraopen alike", tags=["shared ground"])  # a new generation
    assert "Zebraopen alike" in text(outside.get(url))


def test_a_notes_card_is_kept_until_the_content_changes(cell, meeting):
    """A card in a list is made from its row alone and kept for the content generation (core/templatetags/cards.py):
    a change that does not go through the site (no new generation) is not seen; an edit is, at once."""
    from cells.models import Meeting

    reader = Client()
    reader.force_login(verified_user())
    url = reverse("cells:meeting_list")
    edit(meeting, summary="Trust starts with small promises kept.")
    assert "small promises kept" in text(reader.get(url))
    Meeting.objects.filter(pk=meeting.pk).update(summary="Quietly changed behind the site's back.")
    assert "small promises kept" in text(reader.get(url))  # the card kept for this generation
    edit(meeting, summary="Trust grows from shared work.")
    page = text(reader.get(url))
    assert "Trust grows from shared work." in page and "small promises kept" not in page


def test_a_card_kept_for_a_reader_of_the_notes_never_shows_their_excerpt_to_another(cell):
    """Whether a meeting's excerpt may come from its notes in detail is the reader's (notes_readable): part of
    the card's key, so a cell member's card is never given to a member outside the cell."""
    from cells.models import Membership

    from .factories import MembershipFactory

    insider, outsider = verified_user(), verified_user()
    MembershipFactory(cell=cell, person=PersonFactory(user=insider), role=Membership.Role.MEMBER)
    MeetingFactory(cell=cell, summary="", notes="Zebranotes only the cell reads.", notes_visibility="cell")
    inside, outside = Client(), Client()
    inside.force_login(insider)
    outside.force_login(outsider)
    url = reverse("cells:meeting_list")
    assert "Zebranotes only the cell reads." in text(inside.get(url))
    seen_outside = text(outside.get(url))
    assert "Zebranotes" not in seen_outside and "The notes of this meeting are for members of the cell." in seen_outside


def test_a_list_whose_cards_are_kept_reads_only_its_rows_ids(cell):
    """A list not yet read is read light where its cards are kept (core/templatetags/cards.py): the second view
    of the notes and insights lists reads no note's text and no insight's authors, and shows the same cards."""
    for number in range(1, 4):
        MeetingFactory(cell=cell, number=number, summary=f"Zebrakey point {number}.", notes="Zebranotes in detail.")
    InsightFactory(title="Zebrainsight", authors=[PersonFactory(name="Ann Author", is_public=True)])
    reader = Client()
    reader.force_login(verified_user())
    for url in (reverse("cells:meeting_list"), reverse("insights:insight_list")):
        first = text(reader.get(url))
        with CaptureQueriesContext(connection) as queries:
            second = text(reader.get(url))
        assert "Zebrakey point 3." in first or "Ann Author" in first
        assert without_csrf_token(second) == without_csrf_token(first)
        columns = " ".join(re.findall(r"SELECT (.*?) FROM", " ".join(query["sql"] for query in queries)))
        assert '"cells_meeting"."notes"' not in columns and "insights_insight_authors" not in columns


def test_a_members_search_is_kept_for_them_until_the_content_or_their_cells_change(cell):
    """What a search found is kept per reader and question (betterway/search.py): asked again, it is answered
    without a query; another reader's kept search is never theirs; joining a cell or an edit shows at once."""
    from betterway.models import SearchEntry
    from cells.models import Membership

    from .factories import MembershipFactory

    insider, outsider = verified_user(), verified_user()
    MembershipFactory(cell=cell, person=PersonFactory(user=insider), role=Membership.Role.MEMBER)
    secret = MeetingFactory(cell=cell, visibility="cell", notes_visibility="cell", subject="Zebrasecret plans")
    inside, outside = Client(), Client()
    inside.force_login(insider)
    outside.force_login(outsider)
    url = reverse("search") + "?q=zebrasecret"
    cold, asked = get(inside, url)
    assert "Zebrasecret plans" in text(cold)
    SearchEntry.objects.filter(meeting=secret).update(title="Changed behind the site's back")
    kept, asked_again = get(inside, url)
    assert "Zebrasecret plans" in text(kept) and asked_again < asked  # kept: the search is not run again
    assert "Zebrasecret plans" not in text(outside.get(url))  # the insider's kept search is not the outsider's
    MembershipFactory(cell=cell, person=PersonFactory(user=outsider), role=Membership.Role.MEMBER)
    assert "Changed behind the site" in text(outside.get(url))  # joined the cell: a new generation, found at once
    edit(secret, subject="Zebrasecret plans, revised")
    assert "Zebrasecret plans, revised" in text(inside.get(url))


def test_each_page_of_a_kept_search_is_its_own(cell):
    """A kept search is kept per page asked for: the second page, asked twice, shows the rest of the results."""
    for number in range(1, 26):
        MeetingFactory(cell=cell, number=number, subject=f"Zebrapage meeting {number:02}")
    reader = Client()
    reader.force_login(verified_user())
    url = reverse("search") + "?q=zebrapage"

    def shown(page):
        return set(re.findall(r"Zebrapage meeting \d\d", text(reader.get(f"{url}&page={page}"))))

    first, second = shown(1), shown(2)
    assert len(first) == 20 and len(second) == 5 and not first & second
    assert shown(2) == second and shown(1) == first  # asked again: from the cache, the same pages
