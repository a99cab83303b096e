"""The site in a real browser: the system Chromium driven by Playwright, with axe for accessibility.

Skips where no Chromium is installed (a newcomer's machine); CI installs it and
sets BROWSER_TESTS=required, so there these tests always run.
Screenshots go to test-artifacts/ for a person to look at: every page type at phone and
desktop widths, light and dark, in test-artifacts/screenshots/<page>-<width>-<scheme>.png.
"""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from betterway.content import load_content

from . import chromium
from .chromium import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
WIDTHS = (375, 1280)
SCHEMES = ("light", "dark")

if not CHROMIUM:
    if os.environ.get("BROWSER_TESTS") == "required":
        raise RuntimeError("BROWSER_TESTS=required but no Chromium is installed (apt-get install chromium)")
    pytest.skip("No Chromium installed: apt-get install chromium to run the browser tests", allow_module_level=True)

# Playwright's sync API runs an event loop in this thread; the ORM calls made by
# the test itself (loading content) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from cells.models import Cell, Meeting, Membership  # noqa: E402
from core import publishing, versions  # noqa: E402
from discussion.models import Flag  # noqa: E402
from insights.models import Insight, Principle  # noqa: E402
from people.models import Person  # noqa: E402

from .factories import CommentFactory, MeetingFactory, MembershipFactory, PersonFactory, verified_user  # noqa: E402

pytestmark = pytest.mark.browser

NOTE = "collaborative-leadership-in-place-cell-3"
CELL = "collaborative-leadership-in-place"
PRINCIPLE = "collaboration-is-better-than-competition"
INSIGHT = "leading-thought-by-following-your-heart-not-your-head"
PERSON = "cate-newnes-smith"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db):
    load_content()
    return live_server.url


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def submit(button_name):
    """A step that sends the page's form with the named submit button (a failed save: the form with its errors)."""
    return lambda page: page.locator(f'main button[type="submit"][name="{button_name}"]').first.click()


def log_in_with_a_wrong_password(page):
    page.get_by_label("Email").fill("member@example.org")
    page.get_by_label("Password").fill("not the password")
    page.locator("main form button[type=submit]").first.click()


def the_pages(users):
    """Every page type: (name for its screenshot, who looks, address, what they do there first or None)."""
    meeting = Meeting.objects.get(slug=NOTE)
    person = Person.objects.get(slug=PERSON)
    topic = meeting.tags.order_by("name").first()
    anonymous = [
        ("home", "/", None),
        ("notes", reverse("cells:meeting_list"), None),
        ("note", meeting.get_absolute_url(), None),
        ("cell", Cell.objects.get(slug=CELL).get_absolute_url(), None),
        ("cells", reverse("cells:cell_list"), None),
        ("principles", reverse("insights:principle_list"), None),
        ("principle", Principle.objects.get(slug=PRINCIPLE).get_absolute_url(), None),
        ("insights", reverse("insights:insight_list"), None),
        ("insight", Insight.objects.get(slug=INSIGHT).get_absolute_url(), None),
        ("people", reverse("people:person_list"), None),
        ("person", person.get_absolute_url(), None),
        ("organisation", person.organisation.get_absolute_url(), None),
        ("topics", reverse("tag_list"), None),
        ("topic", reverse("tag", args=[topic.slug]), None),
        ("search", reverse("search") + "?q=relationships", None),
        ("search-no-results", reverse("search") + "?q=xylophonically", None),
        ("archive", reverse("archive"), None),
        ("archive-year", reverse("archive_year", args=[meeting.date.year]), None),
        ("questions", reverse("questions"), None),
        ("about", reverse("about"), None),
        ("404", "/no-such-page/", None),
        ("members-only", reverse("cells:meeting", args=["a-note-for-members"]), None),
        ("login", reverse("account_login"), None),
        ("signup", reverse("account_signup"), None),
        ("login-errors", reverse("account_login"), log_in_with_a_wrong_password),
    ]
    return [(name, None, path, then) for name, path, then in anonymous] + [
        ("profile", users["member"], reverse("people:profile"), None),
        ("two-factor", users["staff"], reverse("mfa_index"), None),
        ("notification-preferences", users["member"], reverse("notifications:preferences"), None),
        ("note-form", users["convenor"], reverse("cells:meeting_create"), None),
        ("note-form-errors", users["convenor"], reverse("cells:meeting_create"), submit("save")),
        ("insight-form-errors", users["staff"], reverse("insights:insight_create"), submit("save")),
        ("note-publish", users["convenor"], reverse("cells:meeting_publish", args=["a-draft-note"]), None),
        ("history", users["staff"], reverse("cells:meeting_history", args=[meeting.slug]), None),
        ("bin", users["staff"], reverse("bin"), None),
        ("moderation", users["staff"], reverse("discussion:moderation"), None),
    ]


def people_and_things_to_see():
    """A member, a convenor of the demo cell and a member of staff, with a history to read, something in the
    bin and a flagged comment to moderate."""
    member = verified_user(username="member@example.org")
    convenor = verified_user(username="convenor@example.org")
    staff = verified_user(username="staff@example.org", is_staff=True)
    cell = Cell.objects.get(slug=CELL)
    MembershipFactory(
        cell=cell, person=PersonFactory(user=convenor, name="Dana Convenor"), role=Membership.Role.CONVENOR
    )
    meeting = Meeting.objects.get(slug=NOTE)
    with versions.saving(meeting, user=staff, comment="Named the thought leader in the summary"):
        meeting.summary += "\n\nCate Newnes-Smith was the cell's thought leader."
        meeting.save()
    publishing.move_to_bin(MeetingFactory(cell=cell, number=99, title="A meeting entered twice"), user=staff)
    MeetingFactory(cell=cell, number=98, slug="a-note-for-members", visibility="members")  # invites visitors to log in
    MeetingFactory(cell=cell, number=97, slug="a-draft-note", status="draft")  # for the publish page
    comment = CommentFactory(meeting=meeting, author=member, body="Buy cheap watches here.")
    Flag.objects.create(comment=comment, flagged_by=convenor, reason="It is advertising.")
    return {"member": member, "convenor": convenor, "staff": staff}


def session_cookie(site, user):
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": site,
    }


def csp_refusals(message):
    """A console message that says the Content-Security-Policy blocked something, as a list of one (or none)."""
    return [message.text] if "Content Security Policy" in message.text else []


def axe_problems(results):
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
    ]


def test_every_page_type_passes_axe_at_phone_and_desktop_widths_in_light_and_dark(browser, site):
    """Each page type at 375 and 1280px, light and dark: no axe violation of any impact, no sideways scrolling,
    and a screenshot to look at. One browser and one context per width and colour scheme keep it quick."""
    users = people_and_things_to_see()
    pages = the_pages(users)
    cookies = {user.pk: session_cookie(site, user) for user in users.values()}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    problems = []
    started = time.monotonic()
    for width in WIDTHS:
        for scheme in SCHEMES:
            context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
            page = context.new_page()
            refused = []  # what the Content-Security-Policy blocked: the page's own scripts and styles must all pass
            page.on("console", lambda message, refused=refused: refused.extend(csp_refusals(message)))
            signed_in_as = None
            for name, user, path, then in pages:
                if user != signed_in_as:
                    context.clear_cookies()
                    if user:
                        context.add_cookies([cookies[user.pk]])
                    signed_in_as = user
                page.goto(site + path)
                if then:
                    then(page)
                    page.wait_for_load_state()
                where = f"{name} ({path}) at {width}px, {scheme}"
                problems += [f"{where}: {problem}" for problem in axe_problems(axe.run(page))]
                problems += [f"{where}: {text}" for text in refused]
                refused.clear()
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 0:
                    problems.append(f"{where}: scrolls sideways by {overflow}px")
                page.screenshot(path=SCREENSHOTS / f"{name}-{width}-{scheme}.png", full_page=True)
            context.close()
    print(
        f"{len(pages)} page types × {len(WIDTHS)} widths × {len(SCHEMES)} schemes in {time.monotonic() - started:.0f}s"
    )
    assert not problems, "\n".join(problems)


def test_the_forms_with_errors_show_their_errors(browser, site):
    """The matrix above screenshots forms after a failed save: make sure they really are the error states."""
    users = people_and_things_to_see()
    context = browser.new_context()
    context.add_cookies([session_cookie(site, users["convenor"])])
    page = context.new_page()
    page.goto(site + reverse("cells:meeting_create"))
    submit("save")(page)
    assert page.locator(".error-summary").is_visible()
    context.clear_cookies()
    page.goto(site + reverse("account_login"))
    log_in_with_a_wrong_password(page)
    assert page.locator(".error-summary, .form-error, .error-message").first.is_visible()
    context.close()


BRIGHTNESS = "(el, pseudo) => { const [r, g, b] = getComputedStyle(el, pseudo).%s.match(/[0-9.]+/g).map(Number); return (r + g + b) / 3; }"


def brightness(page, selector, prop="backgroundColor"):
    return page.locator(selector).first.evaluate(BRIGHTNESS % prop)


def test_dark_mode_darkens_the_page_and_printing_gives_black_on_white_without_the_sites_controls(browser, site):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(site + reverse("cells:meeting", args=[NOTE]))
    assert brightness(page, "body") < 40 and brightness(page, "body", "color") > 200

    page.emulate_media(media="print")  # a reader in dark mode prints the note
    assert brightness(page, "body") == 255 and brightness(page, "body", "color") == 0
    assert "serif" in page.evaluate("getComputedStyle(document.querySelector('.prose')).fontFamily").lower()
    for control in (".site-header", ".site-footer", ".breadcrumbs", "#comments"):
        assert page.locator(control).count() and not page.locator(control).first.is_visible(), control
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("link", name="Collaborative Leadership in Place").first.is_visible()  # the note's cell
    assert page.get_by_role("link", name="Dawn Plimmer").is_visible()  # its speakers
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "note-print.png", full_page=True)
    page.pdf(path=ARTIFACTS / "note.pdf", format="A4")

    page.goto(
        site + reverse("insights:insight", args=["rebalancing-the-relationship-overcoming-barriers-to-collaboration"])
    )
    original = page.get_by_role("link", name="read the original")
    printed = original.evaluate("el => getComputedStyle(el, '::after').content")
    assert original.get_attribute("href") in printed
    context.close()


def test_the_main_secondary_and_destructive_buttons_look_different_in_light_and_dark(browser, site):
    users = people_and_things_to_see()
    for scheme in SCHEMES:
        context = browser.new_context(color_scheme=scheme)
        context.add_cookies([session_cookie(site, users["staff"])])
        page = context.new_page()
        page.goto(site + reverse("discussion:moderation"))
        looks = {
            kind: page.locator(f".moderation-item {selector}").first.evaluate(
                "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.color, s.borderColor].join(' '); }"
            )
            for kind, selector in (("secondary", ".button-secondary"), ("danger", ".button-danger"))
        }
        page.goto(site + reverse("insights:insight_create"))
        looks["main"] = page.locator('main button[name="save"]').evaluate(
            "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.color, s.borderColor].join(' '); }"
        )
        assert len(set(looks.values())) == 3, (scheme, looks)
        page.locator('main button[name="save"]').focus()
        assert page.locator('main button[name="save"]').evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
        context.close()


def test_a_reader_goes_from_a_principle_to_an_essay_to_its_author(browser, site):
    page = browser.new_page()
    page.goto(site + "/")
    page.get_by_role("link", name="Collaboration is better than competition").first.click()
    page.get_by_role("link", name="The role of connectors in creating collaboration").click()
    assert page.get_by_role("heading", level=1).inner_text() == "The role of connectors in creating collaboration"
    page.get_by_role("link", name="Audrey Thompson").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Audrey Thompson"
    assert page.get_by_role("link", name="The role of connectors in creating collaboration").is_visible()
    page.close()


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(browser, site):
    page = browser.new_page()
    page.goto(site + "/notes/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()


def test_search_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")
    page.get_by_label("Search the site").fill("Dawn Plimmer")
    page.get_by_label("Search the site").press("Enter")
    page.wait_for_url("**/search/?q=Dawn+Plimmer")
    assert page.get_by_role("link", name="Dawn Plimmer").first.is_visible()
    shot(page, "search-without-javascript")
    context.close()
