"""The site in a real browser: the system Chromium driven by Playwright, with axe for accessibility.

Skips where no Chromium is installed (a newcomer's machine); CI installs it and
sets BROWSER_TESTS=required, so there these tests always run.
Screenshots go to test-artifacts/ for a person to look at.
"""

import os
import shutil
from pathlib import Path

import pytest

from betterway.content import load_content

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PAGES = [
    "/",
    "/principles/",
    "/principles/collaboration-is-better-than-competition/",
    "/insights/",
    "/insights/leading-thought-by-following-your-heart-not-your-head/",
    "/cells/",
    "/cells/collaborative-leadership-in-place/",
    "/notes/",
    "/notes/collaborative-leadership-in-place-cell-3/",
    "/people/",
    "/people/cate-newnes-smith/",
    "/tags/",
    "/search/?q=relationships",
    "/about/",
    "/no-such-page/",
]

if not CHROMIUM:
    if os.environ.get("BROWSER_TESTS") == "required":
        raise RuntimeError("BROWSER_TESTS=required but no Chromium is installed (apt-get install chromium)")
    pytest.skip("No Chromium installed: apt-get install chromium to run the browser tests", allow_module_level=True)

# Playwright's sync API runs an event loop in this thread; the ORM calls made by
# the test itself (loading content) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db):
    load_content()
    return live_server.url


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def test_every_page_passes_axe_on_desktop_and_phone(browser, site):
    axe = Axe()
    problems = []
    for width in (1280, 320):
        page = browser.new_page(viewport={"width": width, "height": 800})
        for path in PAGES:
            page.goto(site + path)
            results = axe.run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]})
            if results.violations_count:
                problems.append(f"{path} at {width}px:\n{results.generate_report()}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{path} at {width}px scrolls sideways by {overflow}px")
            shot(page, f"{path.strip('/').replace('/', '_').replace('?', '_') or 'home'}-{width}")
        page.close()
    assert not problems, "\n\n".join(problems)


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
