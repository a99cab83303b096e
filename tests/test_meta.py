"""What the site tells crawlers and sharers: the <head> of every kind of page (canonical address, a
sensible description, Open Graph and Twitter card tags, feeds, favicon), /sitemap.xml (public pages
only), /robots.txt and /favicon.ico."""

import datetime
import xml.etree.ElementTree as ET

import lxml.html
import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from betterway.templatetags.sharing import DESCRIPTION_LENGTH, PAGE_DESCRIPTIONS, SITE_DESCRIPTION
from cells.models import Cell

from .factories import (
    CellFactory,
    InsightFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    PrincipleFactory,
    SpeakerFactory,
    verified_user,
)
from .test_pages import site as pages  # noqa: F401 - a fixture: pages of every kind, as test_pages builds them


def head(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    page = lxml.html.fromstring(response.content)

    def meta(attribute, name):
        found = page.xpath(f"//head/meta[@{attribute}='{name}']/@content")
        assert len(found) <= 1, f"{url}: {name} given {len(found)} times"
        return found[0] if found else None

    return {
        "title": page.findtext(".//head/title"),
        "description": meta("name", "description"),
        "canonical": (page.xpath("//head/link[@rel='canonical']/@href") or [None])[0],
        "og:url": meta("property", "og:url"),
        "og:title": meta("property", "og:title"),
        "og:description": meta("property", "og:description"),
        "og:type": meta("property", "og:type"),
        "og:site_name": meta("property", "og:site_name"),
        "twitter:card": meta("name", "twitter:card"),
        "twitter:title": meta("name", "twitter:title"),
        "feeds": page.xpath("//head/link[@rel='alternate'][@type='application/atom+xml']/@href"),
        "icons": page.xpath("//head/link[@rel='icon' or @rel='apple-touch-icon']/@href"),
    }


# --- every kind of page -------------------------------------------------------------------------------------

PAGES = [  # (address, og:type, its description: exactly, or None to check only that there is a sensible one)
    ("/", "website", SITE_DESCRIPTION),
    ("/about/", "website", SITE_DESCRIPTION),
    ("/principles/", "website", PAGE_DESCRIPTIONS["insights:principle_list"]),
    ("/principles/collaboration/", "website", "Collaboration is the best way to address complex social issues."),
    ("/insights/", "website", PAGE_DESCRIPTIONS["insights:insight_list"]),
    ("/insights/connectors/", "article", "Ideas from Cate"),
    ("/insights/blog/", "article", "A standfirst."),
    ("/cells/", "website", PAGE_DESCRIPTIONS["cells:cell_list"]),
    ("/cells/clip/", "website", "To abandon silos."),
    ("/notes/", "website", PAGE_DESCRIPTIONS["cells:meeting_list"]),
    ("/notes/cell-1/", "article", "Relationships first"),
    ("/notes/dinner/", "article", "Key points of the meeting."),
    ("/people/", "website", PAGE_DESCRIPTIONS["people:person_list"]),
    ("/people/cate/", "website", "Cate Newnes-Smith, CEO, Surrey Youth Focus"),
    ("/organisations/syf/", "website", "People from Surrey Youth Focus in A Better Way's notes and insights."),
    ("/topics/", "website", PAGE_DESCRIPTIONS["tag_list"]),
    ("/topics/systems-leadership/", "website", "Meeting notes and insights on “systems leadership” from A Better Way."),
    ("/search/?q=relationships", "website", PAGE_DESCRIPTIONS["search"]),
    ("/accounts/login/", "website", SITE_DESCRIPTION),
]


@pytest.mark.parametrize(("url", "og_type", "description"), PAGES, ids=[url for url, _, _ in PAGES])
@pytest.mark.usefixtures("pages")
def test_every_page_describes_itself_for_search_and_sharing(client, url, og_type, description):
    tags = head(client, url)
    assert tags["description"] == description
    assert 0 < len(tags["description"]) <= DESCRIPTION_LENGTH
    assert tags["og:description"] == tags["description"]
    assert tags["canonical"] == tags["og:url"] == f"http://testserver{url}"
    assert tags["og:title"] and tags["twitter:title"] == tags["og:title"]
    assert tags["title"] == f"{tags['og:title']} · A Better Way" or url == "/"
    assert tags["og:type"] == og_type and tags["og:site_name"] == "A Better Way"
    assert tags["twitter:card"] == "summary"
    assert {"/notes/feed.atom", "/insights/feed.atom"} <= set(tags["feeds"])
    assert tags["icons"] == ["/static/favicon.svg", "/static/favicon.ico", "/static/apple-touch-icon.png"]


@pytest.mark.usefixtures("pages")
def test_the_home_page_is_shared_as_the_network(client):
    assert head(client, "/")["og:title"] == "A Better Way"


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("?utm_source=newsletter&page=2&fbclid=abc", "?page=2"),
        ("?page=1", ""),
        ("?kind=dinner&utm_campaign=x", "?kind=dinner"),
        ("?kind=dinner&page=2", "?page=2&kind=dinner"),
    ],
)
@pytest.mark.usefixtures("pages")
def test_the_canonical_address_keeps_the_page_and_drops_tracking(client, query, canonical):
    assert head(client, f"/notes/{query}")["canonical"] == f"http://testserver/notes/{canonical}"


@pytest.mark.usefixtures("pages")
def test_a_page_that_is_not_found_has_no_canonical_address(client):
    tags = head(client, "/no-such-page/", status=404)
    assert tags["canonical"] is None and tags["og:url"] is None and tags["description"] == SITE_DESCRIPTION


@pytest.mark.usefixtures("pages")
def test_a_long_description_is_cut_at_a_word_boundary(client):
    words = " ".join(f"word{n}" for n in range(100))
    MeetingFactory(cell=Cell.objects.get(slug="clip"), slug="long", summary=words)
    description = head(client, "/notes/long/")["description"]
    assert len(description) <= DESCRIPTION_LENGTH and description.endswith("…")
    kept = description.removesuffix("…")
    assert words.startswith(kept) and words[len(kept)] == " "


@pytest.mark.usefixtures("pages")
def test_a_description_is_plain_text_whatever_the_title_and_points_hold(client):
    MeetingFactory(
        cell=Cell.objects.get(slug="clip"),
        slug="marks",
        title='Power & "place" <b>',
        summary="- **Trust** & <script>x</script>",
    )
    tags = head(client, "/notes/marks/")
    assert tags["og:title"].startswith('Power & "place" <b> — ')  # the reader's title, then the series
    assert tags["description"] == "Trust & <script>x</script>"  # as the page shows it: text, never markup
    assert "<script>" not in client.get("/notes/marks/").content.decode()


@pytest.mark.usefixtures("pages")
def test_a_note_without_key_points_is_described_by_its_kind_and_date_never_by_members_notes(client):
    MeetingFactory(
        cell=Cell.objects.get(slug="clip"),
        slug="quiet",
        summary="",
        notes="Members' notes SECRETNOTE.",
        notes_visibility="members",
        date=datetime.date(2020, 6, 1),
        date_precision="month",
    )
    for user in (None, verified_user()):
        if user:
            client.force_login(user)  # a member reads the notes; the description is the same for all
        tags = head(client, "/notes/quiet/")
        assert (
            tags["description"] == "Notes of a cell meeting of the Collaborative Leadership in Place cell, June 2020."
        )
        assert "SECRETNOTE" not in str(tags)


# --- the sitemap --------------------------------------------------------------------------------------------


@pytest.fixture
def archive(db):
    cell = CellFactory(slug="clip")
    principle = PrincipleFactory(slug="principle")
    named = PersonFactory(slug="named", organisation=OrganisationFactory(slug="named-org"))
    unnamed = PersonFactory(slug="unnamed", organisation=OrganisationFactory(slug="unnamed-org"))
    profile = PersonFactory(slug="profile", organisation=None, is_public=True)
    for state, fields in {
        "public": {},
        "members": {"visibility": "members"},
        "draft": {"status": "draft"},
        "binned": {"deleted_at": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)},
    }.items():
        meeting = MeetingFactory(cell=cell, slug=f"m-{state}", tags=[f"t-{state}"], **fields)
        SpeakerFactory(meeting=meeting, person=named if state == "public" else unnamed)
        InsightFactory(slug=f"i-{state}", tags=[f"it-{state}"], **fields)

    def grow(n):
        for _ in range(n):
            MeetingFactory(cell=cell, tags=["t-public"], principles=[principle])
            MeetingFactory(cell=cell, visibility="members", tags=["t-members"])
            InsightFactory(authors=[named])

    return {"grow": grow, "profile": profile}


def sitemap_addresses(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}


def test_the_sitemap_lists_the_public_pages_and_nothing_else(client, archive):
    site = "http://testserver"
    expected = {
        site + reverse(name)
        for name in [
            "home",
            "about",
            "insights:principle_list",
            "insights:insight_list",
            "cells:meeting_list",
            "cells:cell_list",
            "people:person_list",
            "tag_list",
        ]
    } | {
        f"{site}/principles/principle/",
        f"{site}/cells/clip/",
        f"{site}/notes/m-public/",
        f"{site}/insights/i-public/",
        f"{site}/people/named/",
        f"{site}/people/profile/",
        f"{site}/organisations/named-org/",
        f"{site}/topics/t-public/",
        f"{site}/topics/it-public/",
    }
    assert sitemap_addresses(client) == expected
    client.force_login(verified_user(is_staff=True))  # the same for everyone: it is for crawlers
    assert sitemap_addresses(client) == expected


def test_the_sitemap_takes_the_same_queries_however_large_the_archive(client, archive):
    counts = []
    for size in (1, 10):
        archive["grow"](size)
        with CaptureQueriesContext(connection) as queries:
            sitemap_addresses(client)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 14, counts


# --- robots.txt and the favicon ------------------------------------------------------------------------------


def test_robots_txt_opens_the_public_site_and_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines
    for private in ["/admin/", "/accounts/", "/account/", "/bin/", "/notes/new/", "/*/edit/", "/*/history/"]:
        assert f"Disallow: {private}" in lines
    assert "Disallow: /notes/" not in lines and "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_the_favicon_is_served_where_browsers_look_for_it(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an icon file
    with open(finders.find("apple-touch-icon.png"), "rb") as icon:
        assert icon.read(8) == b"\x89PNG\r\n\x1a\n"
    assert ET.parse(finders.find("favicon.svg")).getroot().tag == "{http://www.w3.org/2000/svg}svg"
