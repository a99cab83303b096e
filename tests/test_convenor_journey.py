"""A convenor's journey in a real browser: log in, write up a meeting with two speakers, preview,
publish, see it as a visitor, edit it, look at its history and restore the first version.

Uses the system Chromium; skips where there is none (CI installs it and requires it).
"""

import pytest
from django.core.management import call_command
from django.test import override_settings

from betterway.content import load_content

from . import chromium  # noqa: E402
from .test_browser import ARTIFACTS, CHROMIUM  # noqa: F401 - skips this module too where no Chromium

from playwright.sync_api import expect, sync_playwright  # noqa: E402  isort: skip

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db):
    load_content()
    with override_settings(DEBUG=True):
        call_command("create_demo_accounts", stdout=open("/dev/null", "w"))
    return live_server.url


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser
        browser.close()


def log_in(page, site, email):
    page.goto(site + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("betterway-demo")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_convenor_writes_up_publishes_edits_and_restores_a_meeting(browser, site):
    page = browser.new_page()
    log_in(page, site, "convenor@example.org")

    page.get_by_role("link", name="Your notes").click()
    page.get_by_role("link", name="Write up a meeting").click()
    page.get_by_label("Title").fill("Collaborative Leadership in Place Cell 4")
    page.get_by_label("Cell", exact=True).select_option(label="Collaborative Leadership in Place")
    page.get_by_label("Number").fill("4")
    page.locator("#id_when").fill("14 October 2021")
    page.locator("#id_speakers-0-person").select_option(label="Cate Newnes-Smith")
    page.locator("#id_speakers-0-role").select_option("thought_leader")
    page.locator("#id_speakers-1-new_name").fill("Jo Bloggs")
    page.locator("#id_speakers-1-new_organisation").fill("Leith Community Trust")
    page.locator("#id_speakers-1-role").select_option("main_speaker")
    page.get_by_label("Summary of key points").fill("- Trust takes time.")
    page.get_by_role("textbox", name="The notes in detail").fill("Jo Bloggs described the trust's first year.")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Collaborative Leadership in Place Cell 4")
    note_url = page.url
    expect(page.get_by_text("Draft", exact=True).first).to_be_visible()

    expect(page.locator(".message")).to_contain_text("Saved as a draft. It is not public")
    page.get_by_role("link", name="Preview it").click()  # the link in the message
    expect(page.get_by_text("This is how the note will look to readers")).to_be_visible()
    expect(page.get_by_role("link", name="Jo Bloggs")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "journey-preview.png", full_page=True)
    page.get_by_role("link", name="Publish…").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".message")).to_contain_text("Published. Everyone can now read it.")

    visitor = browser.new_context().new_page()
    visitor.goto(note_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Collaborative Leadership in Place Cell 4")
    expect(visitor.get_by_text("Trust takes time.")).to_be_visible()

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Summary of key points").fill("- Trust takes years, not months.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Trust takes years, not months.")).to_be_visible()
    expect(page.locator(".message")).to_contain_text("Your changes are live: everyone can read them")

    page.get_by_role("link", name="History").click()
    page.screenshot(path=ARTIFACTS / "journey-history.png", full_page=True)
    page.get_by_text("Restore this version…").last.click()  # the first version, at the bottom
    page.get_by_role("button", name="Restore this version", exact=True).last.click()
    expect(page.locator(".message")).to_contain_text("Restored")
    page.goto(note_url)
    expect(page.get_by_text("Trust takes time.")).to_be_visible()

    visitor.reload()
    expect(visitor.get_by_text("Trust takes time.")).to_be_visible()
    expect(visitor.get_by_text("Trust takes years")).to_have_count(0)
