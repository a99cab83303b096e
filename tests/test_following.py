"""Following cells, principles, topics and people (issue 8), and choosing one's emails.

Members follow what they may see, from a button near the page heading (a POST form, no JavaScript); the
settings page lists what they follow and their choice per kind of email, with errors beside the fields."""

import os
import shutil

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from notifications.models import Follow, Preference

from .factories import (
    CellFactory,
    FollowFactory,
    MeetingFactory,
    PersonFactory,
    PrincipleFactory,
    UserFactory,
    verified_user,
)


def follow_url(kind, slug):
    return reverse("notifications:follow", args=[kind, slug])


def unfollow_url(kind, slug):
    return reverse("notifications:unfollow", args=[kind, slug])


@pytest.fixture
def member(db):
    return verified_user(username="member@example.org")


# --- following --------------------------------------------------------------------------------------------------


def test_a_member_follows_a_cell_from_its_page_and_stops(client, member):
    cell = CellFactory(name="Collaborative Leadership in Place", slug="clip")
    client.force_login(member)
    page = client.get(cell.get_absolute_url()).content.decode()
    assert f'action="{follow_url("cell", "clip")}"' in page
    assert "Follow this cell" in page

    response = client.post(follow_url("cell", "clip"), {"next": cell.get_absolute_url()}, follow=True)
    assert response.redirect_chain[-1][0] == cell.get_absolute_url()
    assert "You follow the cell Collaborative Leadership in Place." in response.content.decode()
    assert Follow.objects.filter(user=member, cell=cell).count() == 1
    assert "Stop following this cell" in response.content.decode()

    client.post(follow_url("cell", "clip"))  # twice: still one
    assert Follow.objects.filter(user=member, cell=cell).count() == 1

    response = client.post(unfollow_url("cell", "clip"), follow=True)
    assert "You no longer follow the cell" in response.content.decode()
    assert not Follow.objects.filter(user=member).exists()


@pytest.mark.parametrize("kind", ["principle", "topic", "person"])
def test_principles_topics_and_people_are_followed_too(client, member, kind):
    MeetingFactory(tags=["place"], principles=[PrincipleFactory(slug="local")])
    PersonFactory(slug="pat", is_public=True)
    slug = {"principle": "local", "topic": "place", "person": "pat"}[kind]
    client.force_login(member)
    assert client.post(follow_url(kind, slug)).status_code == 302
    assert Follow.objects.get(user=member).target.slug == slug


@pytest.mark.parametrize(
    ("page", "button"),
    [
        (lambda: PrincipleFactory(slug="p").get_absolute_url(), "Follow this principle"),
        (lambda: reverse("tag", args=[MeetingFactory(tags=["place"]).tags.get().slug]), "Follow this topic"),
        (lambda: PersonFactory(is_public=True).get_absolute_url(), "Follow this person"),
    ],
)
def test_each_followable_page_has_the_button(client, member, page, button):
    client.force_login(member)
    assert button in client.get(page()).content.decode()


def test_a_visitor_is_offered_to_log_in_and_an_unconfirmed_account_nothing(client, db):
    cell = CellFactory(slug="clip")
    page = client.get(cell.get_absolute_url()).content.decode()
    assert "Log in to follow this cell" in page
    assert follow_url("cell", "clip") not in page
    client.force_login(UserFactory())
    page = client.get(cell.get_absolute_url()).content.decode()
    assert "follow this cell" not in page.lower()


def test_a_visitor_is_sent_to_log_in_and_an_unconfirmed_account_is_refused(client, db):
    CellFactory(slug="clip")
    response = client.post(follow_url("cell", "clip"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory())
    assert client.post(follow_url("cell", "clip")).status_code == 403
    assert not Follow.objects.exists()


def test_following_is_a_post(client, member):
    CellFactory(slug="clip")
    client.force_login(member)
    assert client.get(follow_url("cell", "clip")).status_code == 405
    assert not Follow.objects.exists()


def test_nobody_follows_what_they_may_not_see(client, member):
    """A topic used only on a cell-only note, a person named only there, an unknown kind: 404, as for nothing."""
    meeting = MeetingFactory(visibility="cell", tags=["secrettopic"])
    hidden = PersonFactory(slug="hidden")
    meeting.speaker_roles.create(person=hidden, role="main_speaker")
    client.force_login(member)
    for url in [follow_url("topic", "secrettopic"), follow_url("person", "hidden"), follow_url("meeting", "x")]:
        assert client.post(url).status_code == 404, url
    assert not Follow.objects.exists()


def test_after_following_the_member_is_sent_back_only_to_this_site(client, member):
    cell = CellFactory(slug="clip")
    client.force_login(member)
    response = client.post(follow_url("cell", "clip"), {"next": "https://evil.example/"})
    assert response["Location"] == cell.get_absolute_url()


# --- the settings page: choices per kind, and what you follow --------------------------------------------------


def test_the_profile_links_to_the_settings(client, member):
    client.force_login(member)
    assert reverse("notifications:preferences") in client.get(reverse("people:profile")).content.decode()


def test_the_settings_show_the_defaults_and_save_choices(client, member):
    client.force_login(member)
    page = client.get(reverse("notifications:preferences")).content.decode()
    for kind in ["following", "replies", "cell_comments"]:
        assert f'name="{kind}" value="immediately" required id="id_{kind}_0" checked' in page
    assert 'name="bulletin" value="weekly" required id="id_bulletin_0" checked' in page

    response = client.post(
        reverse("notifications:preferences"),
        {"following": "weekly", "replies": "immediately", "cell_comments": "never", "bulletin": "weekly"},
        follow=True,
    )
    assert "Your choices are saved." in response.content.decode()
    stored = dict(Preference.objects.filter(user=member).values_list("kind", "frequency"))
    assert stored == {"following": "weekly", "replies": "immediately", "cell_comments": "never", "bulletin": "weekly"}


def test_nothing_can_come_in_a_bulletin_that_is_off(client, member):
    client.force_login(member)
    response = client.post(
        reverse("notifications:preferences"),
        {"following": "weekly", "replies": "immediately", "cell_comments": "never", "bulletin": "never"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert 'class="error-summary"' in page and 'href="#id_following"' in page  # the summary links to the field
    assert 'id="id_following_error"' in page  # and the error is next to it
    assert not Preference.objects.exists()


def test_a_missing_choice_is_said_beside_its_field(client, member):
    client.force_login(member)
    page = client.post(reverse("notifications:preferences"), {"following": "immediately"}).content.decode()
    assert 'id="id_replies_error"' in page and 'id="id_bulletin_error"' in page
    assert not Preference.objects.exists()


def test_the_settings_list_what_the_member_follows_and_may_still_see(client, member):
    cell = CellFactory(name="Place cell", slug="place")
    FollowFactory(user=member, cell=cell)
    once_public = PersonFactory(name="Once Public", slug="once", is_public=True)
    FollowFactory(user=member, person=once_public)
    FollowFactory(user=verified_user(), principle=PrincipleFactory(title="Someone else's"))
    once_public.is_public = False
    once_public.save()

    client.force_login(member)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Place cell" in page and f'action="{unfollow_url("cell", "place")}"' in page
    assert "Once Public" not in page  # no longer visible to them
    assert "Someone else" not in page


def test_the_settings_are_for_members(client, db):
    url = reverse("notifications:preferences")
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_the_settings_page_makes_the_same_queries_however_much_is_followed(client, member):
    client.force_login(member)
    url = reverse("notifications:preferences")
    counts = []
    for _ in range(3):
        FollowFactory(user=member, cell=CellFactory())
        FollowFactory(user=member, principle=PrincipleFactory())
        FollowFactory(user=member, person=PersonFactory(is_public=True))
        FollowFactory(user=member, tag=Tag.objects.get(name=MeetingFactory(tags=[f"t{len(counts)}"]).tags.get().name))
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


@pytest.mark.parametrize("name", ["cell", "principle", "tag", "person"])
def test_a_followed_page_makes_the_same_queries_for_a_follower(client, member, name):
    """The follow button adds one query for a member, whatever they follow."""
    cell, principle, person = CellFactory(), PrincipleFactory(), PersonFactory(is_public=True)
    tag = MeetingFactory(tags=["place"]).tags.get()
    url = {
        "cell": cell.get_absolute_url(),
        "principle": principle.get_absolute_url(),
        "tag": reverse("tag", args=[tag.slug]),
        "person": person.get_absolute_url(),
    }[name]
    client.force_login(member)
    counts = []
    for target in [None, {"cell": cell, "principle": principle, "tag": tag, "person": person}[name]]:
        if target is not None:
            FollowFactory(user=member, **{name: target})
            for _ in range(5):
                FollowFactory(user=member, cell=CellFactory())
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- in a real browser, without JavaScript: follow, be told, unsubscribe from the email (axe on each page) -------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser(monkeypatch):
    if not CHROMIUM:
        if os.environ.get("BROWSER_TESTS") == "required":
            raise RuntimeError("BROWSER_TESTS=required but no Chromium is installed")
        pytest.skip("No Chromium installed: apt-get install chromium to run the browser tests")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()
        # The test ran in Playwright's greenlet, whose context has its own database connection: close it here,
        # or PostgreSQL cannot drop the test database at the end of the run.
        connections.close_all()


def axe_problems(browser, url, cookies=(), then=None):
    """axe on `url`, after `then(page)` if given (in a context with JavaScript, which axe needs; the journey
    itself runs without)."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context()
    context.add_cookies(list(cookies))
    page = context.new_page()
    page.goto(url)
    if then:
        then(page)
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]})
    context.close()
    return [f"{url}:\n{results.generate_report()}"] if results.violations_count else []


@pytest.mark.browser
def test_a_member_follows_a_cell_is_told_of_its_next_note_and_unsubscribes_from_the_email(
    browser, live_server, transactional_db, client, settings
):
    from django.core import mail
    from playwright.sync_api import expect

    from core import publishing

    settings.SITE_URL = live_server.url
    cell = CellFactory(name="Collaborative Leadership in Place", slug="clip")
    member = verified_user(username="member@example.org")
    client.force_login(member)
    session = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies([session])
    page = context.new_page()
    page.set_default_timeout(10000)
    problems = axe_problems(browser, live_server.url + cell.get_absolute_url(), [session])

    page.goto(live_server.url + cell.get_absolute_url())
    page.get_by_role("button", name="Follow this cell").click()
    expect(
        page.get_by_text("You follow the cell Collaborative Leadership in Place.")
    ).to_be_visible()  # waits for the page the click loads
    expect(
        page.get_by_role("button", name="Stop following this cell")
    ).to_be_visible()  # waits for the page the click loads

    preferences = live_server.url + reverse("notifications:preferences")

    def choose_what_cannot_be(page):
        page.get_by_role("group", name="The weekly bulletin").get_by_label("Do not send it").check()
        page.get_by_role("group", name="Replies to your comments").get_by_label("In the weekly bulletin").check()
        page.get_by_role("button", name="Save your choices").click()

    problems += axe_problems(browser, preferences, [session])
    problems += axe_problems(browser, preferences, [session], then=choose_what_cannot_be)  # with its errors
    page.goto(preferences)
    choose_what_cannot_be(page)
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()  # waits for the page the click loads
    page.get_by_role("group", name="Replies to your comments").get_by_label("Immediately").check()
    page.get_by_role("button", name="Save your choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()  # waits for the page the click loads

    publishing.publish(MeetingFactory(cell=cell, status="draft", title="Cell meeting 4"), user=None)  # commits
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["member@example.org"]
    unsubscribe = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")

    context.clear_cookies()  # from the email, not logged in
    problems += axe_problems(browser, unsubscribe)
    page.goto(unsubscribe)
    page.get_by_role("button", name="Stop these emails").click()
    expect(
        page.get_by_role("heading", name="Done: these emails are stopped")
    ).to_be_visible()  # waits for the page the click loads
    publishing.publish(MeetingFactory(cell=cell, status="draft", title="Cell meeting 5"), user=None)
    assert len(mail.outbox) == 1
    context.close()
    assert not problems, "\n\n".join(problems)
