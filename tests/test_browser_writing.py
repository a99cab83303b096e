"""A convenor writes a note in a real browser without losing their place (issue 9): three speakers and two
questions, rows added, a preview, one failed save (a speaker with no role), the fix, the save. At phone and
desktop widths, with JavaScript (rows added and previews shown in place: static/js/meeting_form.js) and
without (the server answers with the page, the new row focused or the preview in view). After every step
nothing typed is lost and the section worked on is still on screen; the form with its errors passes axe.

Uses the system Chromium; skips where there is none (CI sets BROWSER_TESTS=required and installs it).
Screenshots go to test-artifacts/.
"""

import pytest
from django.core.management import call_command
from django.test import override_settings

from betterway.content import load_content

from . import chromium  # noqa: E402
from .test_browser import ARTIFACTS, CHROMIUM  # noqa: F401 - skips this module too where no Chromium

from axe_playwright_python.sync_playwright import Axe  # noqa: E402  isort: skip
from playwright.sync_api import expect, sync_playwright  # noqa: E402  isort: skip

from cells.models import Meeting  # noqa: E402  isort: skip

pytestmark = pytest.mark.browser

AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db):
    load_content()
    with override_settings(DEBUG=True):
        call_command("create_demo_accounts", stdout=open("/dev/null", "w"))
    return live_server.url


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def on_screen(page, selector):
    """Whether some of the element is inside the window (the convenor can see where they are)."""
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.bottom > 0 && box.top < window.innerHeight;
        }""",
        selector,
    )


def focused(page):
    return page.evaluate("document.activeElement.id || document.activeElement.className")


TYPED = {  # selector: what the convenor typed (checked after every step)
    "#id_title": "Collaborative Leadership in Place Cell 4",
    "#id_number": "4",
    "#id_when": "14 October 2021",
    "#id_speakers-1-new_name": "Jo Bloggs",
    "#id_speakers-1-new_organisation": "Leith Community Trust",
    "#id_summary": "- Trust takes time.",
}


def nothing_lost(page, typed):
    for selector, value in typed.items():
        assert page.locator(selector).input_value() == value, f"{selector} lost what was typed"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
@pytest.mark.parametrize("width", [375, 1280])
def test_a_convenor_writes_a_note_with_three_speakers_and_two_questions_without_losing_their_place(
    browser, site, width, javascript
):
    name = f"{width}-{'js' if javascript else 'nojs'}"
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill("convenor@example.org")
    page.get_by_label("Password").fill("betterway-demo")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto(site + "/notes/new/")
    typed = dict(TYPED)
    if javascript:
        results = Axe().run(page, options=AXE_RULES)
        assert results.violations_count == 0, results.generate_report()
    shot(page, f"writing-form-{name}")

    # the meeting, and two speakers in the two rows the form starts with
    page.get_by_label("Title").fill(typed["#id_title"])
    assert page.get_by_label("Cell", exact=True).input_value()  # the convenor's one cell is chosen already
    page.get_by_label("Meeting number").fill(typed["#id_number"])
    page.locator("#id_when").fill(typed["#id_when"])
    page.locator("#id_speakers-0-person").select_option(label="Cate Newnes-Smith")
    page.locator("#id_speakers-0-role").select_option("thought_leader")
    page.locator("#id_speakers-1-new_name").fill(typed["#id_speakers-1-new_name"])
    page.locator("#id_speakers-1-new_organisation").fill(typed["#id_speakers-1-new_organisation"])
    page.locator("#id_speakers-1-role").select_option("main_speaker")
    page.get_by_label("Summary of key points").fill(typed["#id_summary"])

    # a third speaker: the new row has the focus, the speakers are still on screen
    page.get_by_role("button", name="Add another speaker").click()
    expect(page.locator("#id_speakers-2-person")).to_be_focused()
    assert on_screen(page, "#id_speakers-2-person") and on_screen(page, "#speakers")
    nothing_lost(page, typed)
    page.locator("#id_speakers-2-new_name").fill("Kay Third")  # her role is forgotten: the save fails once
    typed["#id_speakers-2-new_name"] = "Kay Third"
    shot(page, f"writing-speaker-added-{name}")

    # the preview, below the button pressed
    page.get_by_role("button", name="Preview the note").click()
    preview = page.locator("#preview-text")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Jo Bloggs — main speaker")
    expect(preview).to_contain_text("Kay Third")
    expect(preview).to_contain_text("Trust takes time.")
    assert on_screen(page, "#preview-text")
    nothing_lost(page, typed)
    shot(page, f"writing-preview-{name}")

    # two questions (the form starts with two rows), and one more row added and left empty: it is ignored
    page.locator("#id_questions-0-text").fill("Who decides?")
    page.locator("#id_questions-1-text").fill("What would better look like?")
    typed.update({"#id_questions-0-text": "Who decides?", "#id_questions-1-text": "What would better look like?"})
    page.get_by_role("button", name="Add another question").click()
    expect(page.locator("#id_questions-2-text")).to_be_focused()
    assert on_screen(page, "#id_questions-2-text")
    nothing_lost(page, typed)

    # the save fails once: the error summary has the focus and names the row
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Speaker 3: choose a role")
    assert on_screen(page, ".error-summary")
    nothing_lost(page, typed)
    if javascript:  # axe runs as a script; without JavaScript the page is the same HTML, checked in the other run
        results = Axe().run(page, options=AXE_RULES)
        assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, f"writing-error-{name}")

    # the error's link goes to the field, which is fixed, and the note is saved
    summary.get_by_role("link", name="Speaker 3: choose a role").click()
    assert on_screen(page, "#id_speakers-2-role")
    if javascript:
        expect(page.locator("#id_speakers-2-role")).to_be_focused()
    page.locator("#id_speakers-2-role").select_option("presenter")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cell 4")
    expect(page.locator(".message")).to_contain_text("Saved as a draft. It is not public")
    shot(page, f"writing-saved-{name}")
    context.close()

    meeting = Meeting.objects.get(cell__slug="collaborative-leadership-in-place", number=4)
    assert [(s.person.name, s.role, s.order) for s in meeting.speaker_roles.all()] == [
        ("Cate Newnes-Smith", "thought_leader", 0),
        ("Jo Bloggs", "main_speaker", 1),
        ("Kay Third", "presenter", 2),
    ]
    assert [q.text for q in meeting.questions.all()] == ["Who decides?", "What would better look like?"]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_moving_a_speaker_up_keeps_the_place_and_the_focus(browser, site, javascript):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill("convenor@example.org")
    page.get_by_label("Password").fill("betterway-demo")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto(site + "/notes/new/")
    page.locator("#id_speakers-0-new_name").fill("Ann First")
    page.locator("#id_speakers-1-new_name").fill("Bob Second")
    page.locator("button[value='speakers-1-up']").click()
    rows = page.locator("[data-rows=speakers] [data-row]")
    expect(rows.nth(0).locator("input[name$=new_name]")).to_have_value("Bob Second")
    expect(rows.nth(0).locator(".row-heading")).to_have_text("Speaker 1")
    expect(rows.nth(1).locator("input[name$=new_name]")).to_have_value("Ann First")
    expect(page.locator("button[value='speakers-1-down']")).to_be_focused()  # up is gone: the row is first
    assert on_screen(page, "#speakers")
    context.close()
