"""Nothing a user types runs as script (issue 11, "Abuse and bad input"): a corpus of well-known cross-site
scripting payloads (tests/xss_payloads.txt, one a line) goes through every field a user can write, and the
pages that show them are opened in headless Chromium.

- Every payload calls a function we watch: `__xssHit(n)` (a binding exposed to every frame), or `alert`,
  `confirm`, `prompt` (a dialog). A call, or a dialog, fails the page.
- Every page is also read as markup, with the Content-Security-Policy bypassed (the markup itself must be
  safe, whatever the headers): no element has an `on*` attribute, a URL attribute (href, src, action,
  formaction, xlink:href, …) with a `javascript:`, `vbscript:` or non-image `data:` address, no script of
  anyone but the site, no frame, object, embed or base element, no SVG or MathML element, and no template
  tag in the text was run by the server. Inside <template> elements and same-origin frames too.
- Each page must show the payloads (a count of them in the page's markup), so that a page which lost
  them cannot pass.

The content is made once for the module, through the site's own forms where that is cheap (meeting, insight,
profile, comment, flag, topic, join and review forms, the importer's upload page) and through
core.versions.saving (the factories) for the rest; many payloads share one object (a note's body holds all of
them, a comment a few thousand characters of them), and fields with a short limit take them in pieces over
several objects. Pages that answer a POST (a form with its errors, the page after a save with its message)
are shown in the browser at their own address. Feeds are parsed with feedparser (sanitising off) and their
entries' HTML opened in the browser; the emails' HTML is opened there too. Topic names are tidied where they
come in (core/tags.py), so one topic page is opened for each mix of punctuation in their names, and ten topic
feeds (their entries are the notes' and insights' own, read in the other feeds).

`test_each_payload_runs_where_nothing_protects_it` proves the traps: every payload put unprotected into a
page (raw HTML, an unescaped attribute, a script's string, a naive Markdown renderer, a Django template)
is caught, so that "nothing was caught" on the site means something.
"""

import base64
import datetime
import html
import os
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from markdown_it import MarkdownIt

from . import chromium  # noqa: E402
from .test_browser import CHROMIUM  # noqa: F401 - skips this module too where no Chromium

from playwright.sync_api import sync_playwright  # noqa: E402  isort: skip

from cells.models import Meeting, Membership, SpeakerReview  # noqa: E402  isort: skip
from core import tags, versions  # noqa: E402  isort: skip
from discussion.models import Comment  # noqa: E402  isort: skip
from insights.models import Insight, Topic  # noqa: E402  isort: skip
from notifications.models import Follow  # noqa: E402  isort: skip
from people.models import Organisation, Person  # noqa: E402  isort: skip
from taggit.models import Tag  # noqa: E402  isort: skip

from .factories import (  # noqa: E402  isort: skip
    CellFactory,
    InsightFactory,
    MeetingFactory,
    MembershipFactory,
    PersonFactory,
    PrincipleFactory,
    UpcomingDateFactory,
    verified_user,
)

pytestmark = pytest.mark.browser

PAYLOADS = [line for line in Path(__file__).with_name("xss_payloads.txt").read_text("utf-8").splitlines() if line]
MARK = "xssHit"  # in the text of most payloads: counted to make sure a page shows them
SSTI_MARKER = "XSS-SSTI-MARKER"  # what the template-tag payloads would print if the server ran them
CALLS = re.compile(r"xssHit|alert|confirm|prompt|msgbox", re.IGNORECASE)
ALL = "the whole corpus"

# --- the checks, run in the page ------------------------------------------------------------------------------

CHECK_PAGE = r"""() => {
    const problems = [];
    const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster",
        "background", "codebase", "cite", "lowsrc", "dynsrc", "ping", "manifest", "icon", "srcset", "archive",
        "longdesc", "usemap", "profile", "classid", "values", "to", "from", "by"]);
    const SVG_THAT_ACTS = new Set(["script", "a", "animate", "animatemotion", "animatetransform", "set", "discard",
        "foreignobject", "image", "feimage", "handler", "listener", "style", "iframe"]);
    const compact = (value) => value.replace(/[\u0000-\u0020\u007f-\u00a0]+/g, "").toLowerCase();
    const dangerous = (value) => {
        const url = compact(value);
        return /^(javascript|vbscript|livescript|mocha):/.test(url)
            || (url.startsWith("data:") && !/^data:image\/(png|gif|jpe?g|webp);/.test(url));
    };
    const shown = (el) => el.outerHTML.slice(0, 160);
    const sameOrigin = location.origin + "/";
    const check = (root, where) => {
        for (const el of root.querySelectorAll("*")) {
            const tag = el.localName;
            for (const attribute of Array.from(el.attributes)) {
                const name = attribute.name.toLowerCase();
                if (name.startsWith("on")) {
                    problems.push(`${where}: an event-handler attribute ${name}: ${shown(el)}`);
                } else if ((URL_ATTRIBUTES.has(name) || name.endsWith(":href")) && dangerous(attribute.value)) {
                    problems.push(`${where}: a script address in ${name}: ${shown(el)}`);
                } else if (name === "style" && /javascript:|expression\s*\(|behavior\s*:|binding\s*:/i.test(attribute.value)) {
                    problems.push(`${where}: script in a style attribute: ${shown(el)}`);
                } else if (name === "srcdoc" && !(el.hasAttribute("sandbox") && !/allow-scripts/i.test(el.getAttribute("sandbox")))) {
                    problems.push(`${where}: a frame's srcdoc may run script: ${shown(el)}`);
                } else if (name === "attributename" && /^(on|href|xlink:href)/i.test(attribute.value)) {
                    problems.push(`${where}: an animation sets ${attribute.value}: ${shown(el)}`);
                }
            }
            if (el.namespaceURI === "http://www.w3.org/1998/Math/MathML") {
                problems.push(`${where}: a MathML element: ${shown(el)}`);
            } else if (el.namespaceURI === "http://www.w3.org/2000/svg") {
                // the admin's icons are <svg><symbol><path>, used by <use href="#icon-sun">: what acts is flagged
                const local = /^#/.test(el.getAttribute("xlink:href") || el.getAttribute("href") || "#");
                if (SVG_THAT_ACTS.has(tag) || (tag === "use" && !local)) {
                    problems.push(`${where}: an SVG <${tag}>: ${shown(el)}`);
                }
            } else if (["object", "embed", "applet", "frame", "frameset", "base", "isindex", "keygen"].includes(tag)) {
                problems.push(`${where}: a <${tag}> element: ${shown(el)}`);
            } else if (tag === "iframe" && !(el.hasAttribute("sandbox") && !/allow-scripts/i.test(el.getAttribute("sandbox")))) {
                problems.push(`${where}: a frame that may run script: ${shown(el)}`);
            } else if (tag === "meta" && /refresh/i.test(el.getAttribute("http-equiv") || "")) {
                problems.push(`${where}: a refresh: ${shown(el)}`);
            } else if (tag === "script") {
                const src = el.getAttribute("src");
                if (src !== null && !new URL(src, location.href).href.startsWith(sameOrigin)) {
                    problems.push(`${where}: a script from elsewhere: ${shown(el)}`);
                } else if (src === null && /__xssHit|alert|confirm|prompt|msgbox/i.test(el.textContent)) {
                    problems.push(`${where}: an inline script with a payload: ${shown(el)}`);
                }
            } else if (tag === "style" && /javascript:|expression\s*\(|@import|behavior\s*:|binding\s*:/i.test(el.textContent)) {
                problems.push(`${where}: a style sheet with a payload: ${shown(el)}`);
            } else if (tag === "template") {
                check(el.content, `${where} <template>`);
            }
            if (tag === "iframe") {
                try {
                    if (el.contentDocument) check(el.contentDocument, `${where} <iframe>`);
                } catch (error) { /* another origin: its address is checked above */ }
            }
        }
    };
    check(document, "page");
    const text = document.documentElement.textContent || "";
    if (text.includes("XSS-SSTI-MARKER")) problems.push("page: a template tag in the text was run by the server");
    const markup = document.documentElement.outerHTML;
    return {problems, marks: markup.split("xssHit").length - 1};
}"""


@dataclass
class Visit:
    """A page to open: `surface` (what kind of page), `fields` (what it shows of what users wrote), who looks,
    its address, and how many payload marks it must show at least. `html` is a POST's answer to show there."""

    surface: str
    fields: str
    url: str
    user: object = None
    expect: int = 1
    html: str | None = None
    then: object = None  # what to do on the page before it is checked (fill a form, press a button)


@dataclass
class Result:
    visit: Visit
    problems: list
    marks: int = 0
    seconds: float = 0.0


class Trap:
    """Everything that would tell us script ran: calls of the exposed __xssHit, and dialogs."""

    def __init__(self):
        self.hits = []

    def binding(self, source, *args):
        self.hits.append(f"__xssHit({', '.join(map(str, args))}) ran in {source['frame'].url[:120]}")

    def dialog(self, dialog):
        if dialog.type != "beforeunload":
            self.hits.append(f"a {dialog.type} dialog opened: {dialog.message[:80]!r}")
        dialog.dismiss()

    def take(self):
        hits, self.hits = self.hits, []
        return hits


def new_page(browser, trap, **options):
    context = browser.new_context(bypass_csp=True, **options)
    context.set_default_timeout(20_000)
    context.expose_binding("__xssHit", trap.binding)
    page = context.new_page()
    page.on("dialog", trap.dialog)
    page.on("popup", lambda popup: trap.hits.append(f"a window opened: {popup.url}"))
    return context, page


def inspect(page, trap, settle=10):
    """(problems, marks) of the page as it is now, after letting timers and focus events run."""
    page.wait_for_timeout(settle)
    found = page.evaluate(CHECK_PAGE)
    return trap.take() + found["problems"], found["marks"]


# --- the corpus, in pieces ------------------------------------------------------------------------------------


def pieces(limit, sep=" ", payloads=PAYLOADS, fit=len):
    """The payloads packed into texts of at most `limit` characters (by `fit`), each payload in one of them (a
    payload longer than the limit alone, cut to it: what such a field can take)."""
    out, current = [], ""
    for payload in payloads:
        payload = payload[:limit] if fit is len else payload
        joined = f"{current}{sep}{payload}" if current else payload
        if current and fit(joined) > limit:
            out.append(current)
            current = payload
        else:
            current = joined
    return [*out, current] if current else out


def paragraphs(prefix=""):
    return "\n\n".join(f"{prefix}{payload}" for payload in PAYLOADS)


def bullets(prefix=""):
    return "\n".join(f"- {prefix}{payload}" for payload in PAYLOADS)


def headed(prefix=""):
    """Each payload as a heading and as a paragraph under it: headings get ids and a contents list."""
    return "\n\n".join(f"## {prefix}{payload}\n\n{prefix}{payload}" for payload in PAYLOADS)


def cycle(items, index):
    return items[index % len(items)]


# --- making the content -------------------------------------------------------------------------------------


@dataclass
class World:
    site: str
    visits: list = field(default_factory=list)
    feeds: list = field(default_factory=list)  # (name, address)
    fed: dict = field(default_factory=dict)  # field: the payloads it was given
    users: dict = field(default_factory=dict)
    comments: list = field(default_factory=list)
    versioned: object = None  # the insight with a version for each piece of the corpus
    emails: list = field(default_factory=list)

    def feed(self, name, *texts, limit=None):
        """Record that field `name` was given `texts` (a field of `limit` characters gets long payloads cut)."""
        given = self.fed.setdefault(name, set())
        for text in texts:
            given.update(i for i, payload in enumerate(PAYLOADS) if payload[:limit] in text)

    def visit(self, surface, fields, url, user=None, expect=1, then=None):
        self.visits.append(Visit(surface, fields, url, user, expect, then=then))

    def show(self, surface, fields, response, expect=1):
        """A POST's answer (after its redirects), to show in the browser at its own address."""
        url = response.redirect_chain[-1][0] if getattr(response, "redirect_chain", None) else response.request_url
        self.visits.append(Visit(surface, fields, url, None, expect, html=response.content.decode()))


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def posted(client, url, data, *, status=302, follow=False, **extra):
    """POST the form and insist on the answer expected (a form's errors are shown when not)."""
    response = client.post(url, data, follow=follow, **extra)
    got = response.redirect_chain[0][1] if follow and response.redirect_chain else response.status_code
    if got != status:
        errors = re.findall(
            r'class="(?:error-message|errorlist|error-summary)[^"]*"[^>]*>(.*?)</', response.content.decode(), re.S
        )
        raise AssertionError(f"POST {url}: {got}, not {status}: {[html.unescape(e.strip())[:200] for e in errors][:8]}")
    url = response.redirect_chain[-1][0] if follow and response.redirect_chain else url
    response.request_url = url
    return response


def rows(prefix, forms):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(forms)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, values in enumerate(forms):
        data.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})
        data[f"{prefix}-{index}-order"] = str(index)
    return data


def meeting_form(cell, **fields):
    data = {
        "title": "",
        "cell": str(cell.pk),
        "kind": "cell_meeting",
        "number": "",
        "when": "9 September 2021",
        "place": "",
        "summary": "",
        "notes": "",
        "editorial_note": "",
        "visibility": "public",
        "notes_visibility": "public",
        "tags": "",
        "next_dates": "",
        **rows("speakers", []),
        **rows("questions", []),
        "save": "1",
    }
    data.update(fields)
    return data


TITLE_PIECES = pieces(240)  # a note's title: 250 characters, "Edited " in front for its third version
SUBJECT_PIECES = pieces(120)
NAME_PIECES = pieces(200)  # names of people, organisations, cells; places
COMMENT_PIECES = pieces(3900, sep="\n\n")
QUESTION_PIECES = pieces(800, sep="\n")
REASON_PIECES = pieces(1000, sep="\n")
LONG_TOPICS = [payload for payload in PAYLOADS if tags.too_long(payload)]  # refused by the members' form
TOPIC_PIECES = pieces(
    400,
    sep=", ",
    payloads=[payload for payload in PAYLOADS if payload not in LONG_TOPICS],
    fit=lambda text: 10_000 if tags.too_long(text) else len(text),
)


def build(site):
    """Everything users write, written; the pages to open; the feeds to read. Emails land in mail.outbox."""
    world = World(site)
    cache.clear()  # the comment and topic limits count in the cache
    mail.outbox = []
    staff = verified_user(username="staff@example.org", is_staff=True, is_superuser=True)
    convenor = verified_user(username="convenor@example.org")
    member = verified_user(username="member@example.org")
    replier = verified_user(username="replier@example.org")
    world.users.update(staff=staff, convenor=convenor, member=member, replier=replier)
    as_staff, as_convenor, as_member, as_replier = map(client_for, (staff, convenor, member, replier))

    cell = CellFactory(name=NAME_PIECES[0], slug="xss-cell", aims=paragraphs())
    world.feed("cell name", NAME_PIECES[0])
    world.feed("cell aims", cell.aims)
    MembershipFactory(
        cell=cell, person=PersonFactory(user=convenor, name="Dana Convenor"), role=Membership.Role.CONVENOR
    )
    principle = PrincipleFactory(
        slug="xss-principle", title=NAME_PIECES[1], statement=SUBJECT_PIECES[0], body=paragraphs()
    )
    world.feed("principle", principle.body)
    for kind, slug in (("cell", cell.slug), ("principle", principle.slug)):
        posted(as_member, reverse("notifications:follow", args=[kind, slug]), {})

    # People writing their own profiles: name, organisation, role and biography, a piece each.
    profiles = []
    bios = pieces(1500, sep="\n\n")
    for index, name in enumerate(NAME_PIECES):
        user = verified_user(username=f"profile{index}@example.org")
        data = {
            "name": name,
            "new_organisation": cycle(NAME_PIECES, index + 1),
            "role": cycle(NAME_PIECES, index + 2),
            "bio": cycle(bios, index),
            "is_public": "on",
        }
        posted(client_for(user), reverse("people:profile"), data)
        world.feed("profile name", data["name"])
        world.feed("profile organisation", data["new_organisation"])
        world.feed("profile role", data["role"])
        world.feed("profile biography", data["bio"])
        profiles.append(user)
    world.users["profiles"] = profiles
    people = list(Person.objects.filter(user__in=profiles).order_by("pk"))

    # A cell's meeting note written by its convenor: a plain first version, every field of the form with the
    # corpus in the second, and each of them edited in the third (the history compares them word by word).
    create = posted(
        as_convenor,
        reverse("cells:meeting_create"),
        meeting_form(cell, title="A plain first version", number="1", summary="- Plain.", notes="Plain."),
    )
    note = Meeting.objects.get(cell=cell, number=1)
    assert create["Location"] == note.get_absolute_url()
    speakers = [
        {"new_name": name, "new_organisation": cycle(NAME_PIECES, index + 3), "role": "presenter"}
        for index, name in enumerate(NAME_PIECES)
    ]
    questions = [{"text": text} for text in QUESTION_PIECES]
    tag_text = ", ".join(PAYLOADS)

    def note_fields(prefix=""):
        return {
            "title": prefix + TITLE_PIECES[0],
            "number": "1",
            "place": NAME_PIECES[-1],
            "summary": bullets(prefix),
            "notes": headed(prefix),
            "editorial_note": paragraphs(prefix),
            "tags": tag_text,
        }

    second = note_fields()
    posted(
        as_convenor,
        reverse("cells:meeting_edit", args=[note.slug]),
        meeting_form(
            cell,
            **second,
            edit_version=str(note.edit_version),
            **rows("speakers", speakers),
            **rows("questions", questions),
        ),
    )
    note.refresh_from_db()
    saved = posted(
        as_convenor,
        reverse("cells:meeting_edit", args=[note.slug]),
        meeting_form(cell, **note_fields("Edited "), edit_version=str(note.edit_version)),
        follow=True,
        status=302,
    )
    world.show("page after a save (message)", "note title", saved)
    note.refresh_from_db()
    world.feed("note title", TITLE_PIECES[0])
    world.feed("note place", second["place"])
    world.feed("key points", second["summary"])
    world.feed("notes in detail", second["notes"])
    world.feed("editorial note", second["editorial_note"])
    world.feed("topics (note form)", tag_text)
    world.feed("speaker name", *(row["new_name"] for row in speakers))
    world.feed("speaker organisation", *(row["new_organisation"] for row in speakers))
    world.feed("question", *(row["text"] for row in questions))
    publish = posted(as_convenor, reverse("cells:meeting_publish", args=[note.slug]), {}, follow=True)
    world.show("page after a save (message)", "note title", publish)

    # The same form refused: the date and every next meeting date unreadable, each quoted in its error.
    refused = posted(
        as_convenor,
        reverse("cells:meeting_create"),
        meeting_form(
            cell,
            **second,
            when=cycle(pieces(40), 0),
            next_dates="\n".join(PAYLOADS),
            **rows("speakers", speakers[:3]),
            **rows("questions", questions[:3]),
        ),
        status=200,
    )
    world.show("form with errors", "note form (date, next dates)", refused, expect=100)
    world.feed("next meeting dates", "\n".join(PAYLOADS))

    # More notes of the cell, for the titles and subjects that take the corpus in pieces; upcoming dates.
    carriers = []
    for index in range(max(len(TITLE_PIECES), len(SUBJECT_PIECES))):
        carriers.append(
            MeetingFactory(
                cell=cell,
                number=index + 2,
                title=cycle(TITLE_PIECES, index),
                subject=cycle(SUBJECT_PIECES, index),
                place=cycle(NAME_PIECES, index),
                slug=f"xss-carrier-{index}",
                date=datetime.date(2021, 1, 1) + datetime.timedelta(days=index),
                summary=cycle(REASON_PIECES, index),
                principles=[principle],
            )
        )
    world.feed("note title", *TITLE_PIECES)
    world.feed("note subject", *SUBJECT_PIECES, limit=120)
    world.feed("note place", *NAME_PIECES)
    for index, payload in enumerate(PAYLOADS):
        UpcomingDateFactory(
            cell=cell, date=datetime.date.today() + datetime.timedelta(days=index + 1), note=payload[:250]
        )
    world.feed("upcoming date note", *PAYLOADS)

    # An insight written by staff through its form, edited twice (with a comment for the history each time).
    def insight_form(prefix="", **extra):
        return {
            "kind": "essay",
            "title": prefix + TITLE_PIECES[1],
            "slug": "xss-insight",
            "published": "2019",
            "collection": NAME_PIECES[2],
            "standfirst": paragraphs(prefix),
            "body": headed(prefix),
            "editorial_note": paragraphs(prefix),
            "authors": [str(person.pk) for person in people[:5]],
            "principles": [str(principle.pk)],
            "source_meetings": [str(note.pk)],
            "cell": str(cell.pk),
            "tags": tag_text,
            "original_url": "https://example.org/?q=%22%3E%3Cscript%3E__xssHit(0)%3C/script%3E",
            "publisher": NAME_PIECES[3],
            "visibility": "public",
            "comment": "",
            "save": "1",
            **extra,
        }

    refused = posted(
        as_staff,
        reverse("insights:insight_create"),
        insight_form(original_url="javascript:__xssHit(0)", slug=PAYLOADS[0][:80], published=PAYLOADS[1][:10]),
        status=200,
    )
    world.show("form with errors", "insight form (address, slug, date)", refused, expect=100)
    posted(as_staff, reverse("insights:insight_create"), insight_form())
    insight = Insight.objects.get(slug="xss-insight")
    for prefix in ("", "Edited "):
        insight.refresh_from_db()
        posted(
            as_staff,
            reverse("insights:insight_edit", args=[insight.slug]),
            insight_form(prefix, edit_version=str(insight.edit_version), comment=f"{prefix}version"),
        )
    published = posted(as_staff, reverse("insights:insight_publish", args=[insight.slug]), {}, follow=True)
    world.show("page after a save (message)", "insight title", published)
    # A short insight edited once for each piece of the corpus, said in "What did you change?" for its history.
    short = {"title": "Versions", "slug": "xss-versions", "standfirst": "Plain.", "body": "Plain.", "tags": ""}
    short.update(editorial_note="", collection="", publisher="", original_url="", authors=[], source_meetings=[])
    posted(as_staff, reverse("insights:insight_create"), insight_form(**short))
    versioned = Insight.objects.get(slug="xss-versions")
    version_comments = pieces(200)
    for index, text in enumerate(version_comments):
        versioned.refresh_from_db()
        posted(
            as_staff,
            reverse("insights:insight_edit", args=[versioned.slug]),
            insight_form(**short, edit_version=str(versioned.edit_version), comment=text, published=f"{2000 + index}"),
        )
    posted(as_staff, reverse("insights:insight_publish", args=[versioned.slug]), {})
    world.feed("insight title", TITLE_PIECES[1])
    world.feed("standfirst", paragraphs())
    world.feed("insight body", headed())
    world.feed("insight editorial note", paragraphs())
    world.feed("insight version comment", *version_comments)
    world.feed("topics (insight form)", tag_text)
    for index in range(len(TITLE_PIECES)):
        InsightFactory(
            title=cycle(TITLE_PIECES, index),
            slug=f"xss-insight-{index}",
            standfirst=cycle(REASON_PIECES, index),
            collection=cycle(NAME_PIECES, index),
            publisher=cycle(NAME_PIECES, index + 1),
            principles=[principle],
            authors=[cycle(people, index)],
            published_on=datetime.date(2019, 1, 1) + datetime.timedelta(days=index),
        )
    world.feed("insight title", *TITLE_PIECES)
    world.feed("insight collection and publisher", *NAME_PIECES)

    # Comments and replies by members through the comment form; flags with their reasons; one too long.
    for target, kind in ((note, "meeting"), (insight, "insight")):
        url = reverse(f"discussion:{kind}_comment", args=[target.slug])
        for text in COMMENT_PIECES:
            posted(as_member, url, {"body": text})
        first = Comment.objects.filter(**{kind: target}, parent=None).order_by("pk").first()
        for text in COMMENT_PIECES:
            posted(as_replier, url, {"body": text, "parent": str(first.pk)})
        long_one = posted(as_member, url, {"body": "\n\n".join(PAYLOADS)}, status=200)
        world.show("form with errors", "comment (too long, kept)", long_one, expect=100)
    world.feed("comment", *COMMENT_PIECES)
    comments = list(Comment.objects.order_by("pk"))
    for comment, reason in zip(comments, REASON_PIECES, strict=False):
        posted(
            as_replier if comment.author == member else as_member,
            reverse("discussion:comment_flag", args=[comment.pk]),
            {"reason": reason},
        )
    world.feed("flag reason", *REASON_PIECES)
    world.comments = comments

    # Topics members add on a note and an insight (short ones: each topic added is a version of what it is on):
    # each piece a post; a name too long is refused, quoted.
    adders = [verified_user(username=f"tagger{index}@example.org") for index in range(len(TOPIC_PIECES) // 9 + 1)]
    for index, text in enumerate(TOPIC_PIECES):
        target = carriers[0] if index % 2 else versioned
        kind = "meeting" if target is carriers[0] else "insight"
        posted(
            client_for(adders[index // 9]), reverse(f"discussion:{kind}_topics", args=[target.slug]), {"names": text}
        )
    world.feed("topics (members)", *TOPIC_PIECES)
    for payload in LONG_TOPICS:
        refused = posted(
            as_member, reverse("discussion:meeting_topics", args=[carriers[0].slug]), {"names": payload}, status=200
        )
        world.show("form with errors", "topic (too long, quoted)", refused)
    world.feed("topics (members)", *LONG_TOPICS)  # refused, the name quoted: what was typed went through

    # People asking to join the cell, with a note to its convenors.
    for index, message in enumerate(pieces(1000, sep="\n")):
        posted(client_for(profiles[index]), reverse("cells:join", args=[cell.slug]), {"message": message})
        world.feed("join request message", message)

    # A draft naming two speakers with accounts, who answer the convenor's request for review.
    draft = MeetingFactory(
        cell=cell, number=900, slug="xss-draft", title="A draft to review", status="draft", created_by=convenor
    )
    for person in people[:2]:
        draft.speaker_roles.create(person=person, role="presenter")
    posted(as_convenor, reverse("cells:meeting_request_reviews", args=[draft.slug]), {})
    for index, text in enumerate(pieces(3900, sep="\n")):
        posted(
            client_for(profiles[index % 2]),
            reverse("cells:meeting_review", args=[draft.slug]),
            {"answer": "changes", "comment": text},
        )
        world.feed("speaker review comment", text)
    assert SpeakerReview.objects.filter(meeting=draft, status="changes").count() == 2

    # Following what the payloads named, so that emails and the bulletin carry them.
    for follow_kind, slug in [("person", person.slug) for person in people[:3]] + [
        ("topic", tag.slug) for tag in Tag.objects.order_by("pk")[:3]
    ]:
        posted(as_member, reverse("notifications:follow", args=[follow_kind, slug]), {})
    assert Follow.objects.filter(user=member).count() >= 5

    # Notes brought in from files through the upload page: a Markdown note, and a text file of several notes.
    upload = posted(as_staff, reverse("note_import"), {"file": note_file("note.md", markdown_note())}, status=200)
    world.show("import upload (result)", "imported Markdown file", upload, expect=1)
    upload = posted(as_staff, reverse("note_import"), {"file": note_file("notes.txt", text_notes())}, status=200)
    world.show("import upload (result)", "imported text file", upload, expect=len(TITLE_PIECES) // 2)
    refused = posted(as_convenor, reverse("note_import"), {"file": note_file("note.md", markdown_note())}, status=200)
    world.show("form with errors", "imported file (refused, title quoted)", refused)
    world.feed("import (.md)", markdown_note())
    world.feed("import (.txt)", text_notes())
    imported = list(Meeting.objects.filter(created_by=staff).order_by("pk"))
    assert len(imported) > len(TITLE_PIECES) // 2, "the importer made fewer notes than the files hold"

    call_command("send_bulletin", stdout=open(os.devnull, "w"))
    world.emails = list(mail.outbox)
    world.versioned = versioned
    plan_pages(
        world,
        note=note,
        insight=insight,
        cell=cell,
        principle=principle,
        carriers=carriers,
        people=people,
        draft=draft,
        imported=imported,
    )
    return world


def note_file(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def markdown_note():
    speakers = "\n".join(
        f"- {name} ({cycle(NAME_PIECES, i + 1)}) – main speaker" for i, name in enumerate(NAME_PIECES[:6])
    )
    return (
        f"# Imported: {TITLE_PIECES[2]}\n\n**Date:** 22 November 2023\n\n## Summary\n\n{bullets()}\n\n## Speakers\n\n{speakers}\n\n"
        f"## The discussion\n\n{headed()}\n\n**What we'll look at next**\n\n{bullets()}\n"
    )


def text_notes():
    notes = []
    for index, title in enumerate(TITLE_PIECES):
        notes.append(
            f"A Better Way A Better Way\nImported: {title}\n{datetime.date(2022, 3, 1) + datetime.timedelta(days=index):%-d %B %Y}\n\n"
            f"Our speaker was Ola Ade{index} (Head of Policy, {cycle(NAME_PIECES, index)}) who spoke.\n\n"
            f"{cycle(COMMENT_PIECES, index)}\n\nQuestions for next time\n\n{cycle(REASON_PIECES, index)}\n\nRead More\n"
        )
    return "\n".join(notes)


def plan_pages(world, *, note, insight, cell, principle, carriers, people, draft, imported):
    """The pages to open in the browser, and who opens them."""
    staff, convenor, member = (world.users[name] for name in ("staff", "convenor", "member"))
    visit = world.visit
    everything = "every field of the note"
    # The note and insight that hold the whole corpus, as each reader sees them.
    for who, user in (("a visitor", None), ("a member", member), ("its convenor", convenor)):
        visit("note page", f"{everything}, comments, topics ({who})", note.get_absolute_url(), user, expect=300)
        visit(
            "insight page",
            f"every field of the insight, comments, topics ({who})",
            insight.get_absolute_url(),
            user,
            expect=300,
        )
    visit("preview", everything, reverse("cells:meeting_preview", args=[note.slug]), convenor, expect=300)
    visit(
        "preview",
        "every field of the insight",
        reverse("insights:insight_preview", args=[insight.slug]),
        staff,
        expect=300,
    )
    visit("edit form", everything, reverse("cells:meeting_edit", args=[note.slug]), convenor, expect=300)
    visit(
        "edit form",
        "every field of the insight",
        reverse("insights:insight_edit", args=[insight.slug]),
        staff,
        expect=300,
    )
    visit("edit form", "note form: earlier questions to take up", reverse("cells:meeting_create"), convenor, expect=100)
    visit(
        "edit form",
        "insight form: authors and meetings to choose",
        reverse("insights:insight_create"),
        staff,
        expect=20,
    )
    first, second, third = note_versions(note)[:3]  # then "Published"
    history = reverse("cells:meeting_history", args=[note.slug])
    visit(
        "history and diff",
        "note, versions 2 to 3 (word by word)",
        f"{history}?old={second}&new={third}",
        convenor,
        expect=300,
    )
    visit(
        "history and diff", "note, versions 1 to 3 (added)", f"{history}?old={first}&new={third}", convenor, expect=300
    )
    visit("history and diff", "note, the latest versions", history, convenor, expect=1)
    first, _second, third = note_versions(insight)[:3]
    visit(
        "history and diff",
        "insight, versions 1 to 3 (word by word)",
        reverse("insights:insight_history", args=[insight.slug]) + f"?old={first}&new={third}",
        staff,
        expect=100,
    )
    visit(
        "history and diff",
        "insight, the comments of its versions",
        reverse("insights:insight_history", args=[world.versioned.slug]),
        staff,
        expect=100,
    )
    for index, carrier in enumerate(carriers):
        visit("note page", f"title and subject, piece {index + 1}", carrier.get_absolute_url(), expect=2)
    for index, item in enumerate(Insight.objects.filter(slug__startswith="xss-insight-").order_by("pk")):
        visit("insight page", f"title, collection, publisher, piece {index + 1}", item.get_absolute_url(), expect=2)
    # Lists: every title, subject, name and topic shows in one of them.
    for page in range(1, len(carriers) // 20 + 3):
        visit("lists", f"notes list page {page}", reverse("cells:meeting_list") + f"?page={page}")
        visit("lists", f"insights list page {page}", reverse("insights:insight_list") + f"?page={page}")
        visit("lists", f"archive 2021 page {page}", reverse("archive_year", args=[2021]) + f"?page={page}")
    visit("lists", "home (upcoming dates, latest)", "/", expect=5)
    visit("lists", "cell page: name, aims, upcoming dates, meetings", cell.get_absolute_url(), expect=100)
    visit("lists", "cells", reverse("cells:cell_list"))
    visit("lists", "principle page", principle.get_absolute_url(), expect=100)
    visit("lists", "principles", reverse("insights:principle_list"))
    visit("lists", "questions for later meetings", reverse("questions"), expect=20)
    visit("lists", "people", reverse("people:person_list"), expect=len(NAME_PIECES))
    visit("lists", "topics", reverse("tag_list"), expect=1)
    visit("lists", "archive", reverse("archive"), expect=0)
    for tag in one_of_each_kind(visible_topics()):
        visit("topic page", f"topic {tag.name[:30]!r}", reverse("tag", args=[tag.slug]), expect=int(MARK in tag.name))
    for index, person in enumerate(people):
        visit(
            "person page",
            f"profile {index + 1}: name, organisation, role, biography",
            person.get_absolute_url(),
            expect=3,
        )
        visit("profile form", f"profile {index + 1}", reverse("people:profile"), person.user, expect=3)
    for person in Person.objects.filter(user=None, speaker_roles__meeting=note).order_by("pk")[:3]:
        visit("person page", "speaker: name and organisation", person.get_absolute_url(), expect=2)
    for organisation in Organisation.objects.visible_to(AnonymousUser()).order_by("pk"):
        visit(
            "organisation page",
            f"organisation {organisation.name[:30]!r}",
            organisation.get_absolute_url(),
            expect=int(MARK in organisation.name),
        )
    # Members' and moderators' pages.
    visit("comments", "moderation: flagged comments and reasons", reverse("discussion:moderation"), staff, expect=100)
    for comment in world.comments[:2]:
        visit(
            "comments",
            "edit a comment",
            reverse("discussion:comment_edit", args=[comment.pk]),
            comment.author,
            expect=20,
        )
        visit(
            "comments",
            "delete a comment",
            reverse("discussion:comment_delete", args=[comment.pk]),
            comment.author,
            expect=20,
        )
        visit(
            "comments",
            "flag a comment",
            reverse("discussion:comment_flag", args=[comment.pk]),
            world.users["replier"],
            expect=20,
        )
    visit(
        "comments",
        "add a topic (member)",
        reverse("discussion:meeting_topics", args=[carriers[0].slug]),
        member,
        expect=0,
    )
    for who, user in (("a member", member), ("its convenor", convenor)):
        visit(
            "comments",
            f"topics members added, with who added them ({who})",
            carriers[0].get_absolute_url(),
            user,
            expect=20,
        )
    visit("comments", "topics members added to an insight", world.versioned.get_absolute_url(), member, expect=20)
    visit("comments", "join requests (convenor)", reverse("cells:members", args=[cell.slug]), convenor, expect=20)
    visit("comments", "speakers' reviews on the draft", draft.get_absolute_url(), convenor, expect=20)
    visit(
        "comments",
        "publishing a draft: reviews",
        reverse("cells:meeting_publish", args=[draft.slug]),
        convenor,
        expect=2,
    )
    visit("comments", "your notes (convenor)", reverse("cells:my_notes"), convenor, expect=2)
    visit("comments", "notification settings (follows)", reverse("notifications:preferences"), member, expect=2)
    visit(
        "emails",
        "bulletin preview (staff)",
        reverse("notifications:bulletin_preview") + f"?member={member.email}",
        staff,
        expect=5,
    )
    # Imported notes: the drafts, as their importer sees them.
    for meeting in imported[:3]:
        visit(
            "import", "imported note: preview", reverse("cells:meeting_preview", args=[meeting.slug]), staff, expect=2
        )
        visit("import", "imported note: edit form", reverse("cells:meeting_edit", args=[meeting.slug]), staff, expect=2)
    # Search: the corpus as the query, in pieces; words that find the payloads in notes, comments and names.
    for index, query in enumerate(pieces(600)):
        visit(
            "search",
            f"query piece {index + 1}",
            reverse("search") + "?" + urllib.parse.urlencode({"q": query}),
            expect=1,
        )
    for query in ("click", "xssHit", "script", "onerror", "javascript"):
        url = reverse("search") + "?" + urllib.parse.urlencode({"q": query})
        visit("search", f"results for {query!r}", url, member, expect=1)
        visit("search", f"results for {query!r} (visitor)", url, expect=1)
    visit(
        "search",
        "a 404 with the corpus in its address",
        "/no-such-page/" + urllib.parse.quote(PAYLOADS[0] + PAYLOADS[25]),
        expect=0,
    )
    visit(
        "search",
        "log in, next= a payload",
        reverse("account_login") + "?" + urllib.parse.urlencode({"next": "javascript:__xssHit(0)"}),
        expect=0,
    )
    # The admin, as staff.
    for model, obj in (
        ("cells/meeting", note),
        ("cells/meeting", carriers[0]),
        ("insights/insight", insight),
        ("cells/cell", cell),
        ("insights/principle", principle),
        ("people/person", people[0]),
        ("people/organisation", people[0].organisation),
        ("taggit/tag", Tag.objects.order_by("pk").first()),
    ):
        visit("admin", f"{model} change page", f"/admin/{model}/{obj.pk}/change/", staff, expect=1)
    for model in (
        "cells/meeting",
        "insights/insight",
        "people/person",
        "people/organisation",
        "taggit/tag",
        "cells/cell",
        "notifications/delivery",
    ):
        visit("admin", f"{model} list", f"/admin/{model}/", staff, expect=int(model != "notifications/delivery"))
        visit(
            "admin", f"{model} list, searched", f"/admin/{model}/?q=" + urllib.parse.quote(PAYLOADS[0]), staff, expect=1
        )
    visit("admin", "admin home", "/admin/", staff, expect=0)
    # Pages that run the site's own script on what was typed: the form's preview in place, a comment posted
    # without reloading, an edit refused because someone saved meanwhile (what they changed is shown).
    visit(
        "script on the page",
        "note form: preview in place",
        reverse("cells:meeting_edit", args=[note.slug]),
        convenor,
        expect=300,
        then=press_preview,
    )
    visit(
        "script on the page",
        "a comment posted in place",
        note.get_absolute_url(),
        member,
        expect=300,
        then=post_in_place,
    )
    visit(
        "script on the page",
        "a stale edit: what changed meanwhile",
        reverse("cells:meeting_edit", args=[note.slug]),
        convenor,
        expect=300,
        then=edit_meanwhile(note, convenor),
    )
    # Feeds: everything's, and one of each kind.
    world.feeds += [
        ("notes", reverse("feed_notes")),
        ("insights", reverse("feed_insights")),
        ("cell", reverse("feed_cell", args=[cell.slug])),
        ("principle", reverse("feed_principle", args=[principle.slug])),
        ("person", reverse("feed_person", args=[people[0].slug])),
    ] + [("topic", reverse("feed_tag", args=[topic.slug])) for topic in visible_topics()[:10]]


def one_of_each_kind(topics):
    """A topic for each set of punctuation their names hold. Names are tidied where they come in (no markup,
    no double quote: core/tags.py), and a topic's page shows its name in the same places whatever it is: one
    page for each mix of the characters that matter in HTML (quotes, ampersands, colons, brackets…) stands
    for all with that mix. Every name shows on the topics list, the note's and insight's pages and in search."""
    kinds = {}
    for topic in topics:
        kinds.setdefault(frozenset(char for char in topic.name if not char.isalnum() and not char.isspace()), topic)
    return list(kinds.values())


def visible_topics():
    return Topic.objects.visible_to(AnonymousUser()).order_by("pk")


def note_versions(obj):
    """The ids of the versions of a note or insight, oldest first."""
    return [version.pk for version in versions.history(obj)][::-1]


def press_preview(page):
    page.locator('main button[name="preview"]').first.click()
    page.locator("[data-preview-slot] *").first.wait_for()


def post_in_place(page):
    form = page.locator("form[data-comment-form]").last
    form.locator("textarea").fill(cycle(COMMENT_PIECES, 1) + "\n\nPosted in place.")
    with page.expect_response(lambda response: "/comments/" in response.url and response.request.method == "POST"):
        form.locator('button[type="submit"]').click()
    page.locator(".comment", has_text="Posted in place.").first.wait_for()


def edit_meanwhile(note, user):
    """Someone saves the note while the form is open in the browser; then the browser saves."""

    def then(page):
        note.refresh_from_db()
        posted(
            client_for(user),
            reverse("cells:meeting_edit", args=[note.slug]),
            meeting_form(
                note.cell,
                title="Saved meanwhile " + note.title[:200],
                number="1",
                summary=bullets("Meanwhile "),
                notes=note.notes,
                editorial_note=note.editorial_note,
                tags=", ".join(PAYLOADS),
                edit_version=str(note.edit_version),
            ),
        )
        page.locator('main button[name="save"]').first.click()
        page.locator(".messages, .error-summary").first.wait_for()

    return then


# --- the module's one site, browser and crawl ------------------------------------------------------------------


def session_cookie(site, user):
    client = client_for(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": site,
    }


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def crawl(browser, live_server, django_db_setup, django_db_blocker):
    """Write everything once, open every page once: {surface: [Result]}, plus the feeds and emails checked.
    The content is committed for the live server and flushed away after the crawl (so nothing here may run
    but on the test database: naming live_server is what tells pytest-django to set that database up)."""
    name = str(connection.settings_dict["NAME"])
    assert name.startswith("test_") or "mode=memory" in name, f"{name} is not a test database: nothing written"
    timings = {}
    with django_db_blocker.unblock():
        try:
            started = time.monotonic()
            world = build(live_server.url)
            timings["writing"] = time.monotonic() - started
            started = time.monotonic()
            results = open_pages(browser, world)
            timings["pages"] = time.monotonic() - started
            started = time.monotonic()
            results += read_feeds(browser, world)
            results += read_emails(browser, world)
            timings["feeds and emails"] = time.monotonic() - started
        finally:
            call_command("flush", interactive=False, verbosity=0)
            cache.clear()
    by_surface = {}
    for result in results:
        by_surface.setdefault(result.visit.surface, []).append(result)
    counts = ", ".join(
        f"{surface}: {len(found)} in {sum(result.seconds for result in found):.0f}s"
        for surface, found in by_surface.items()
    )
    print(
        f"\n{len(PAYLOADS)} payloads through {len(world.fed)} fields; {len(results)} pages and documents checked "
        f"({counts}); " + ", ".join(f"{what} {seconds:.0f}s" for what, seconds in timings.items())
    )
    return {"results": by_surface, "fed": world.fed}


def answer_with(body):
    """A route handler that answers with `body`: a POST's answer shown at its own address."""

    def answer(route):
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    return answer


def open_pages(browser, world):
    trap = Trap()
    context, page = new_page(browser, trap)
    cookies = {}
    results = []
    signed_in = object()
    for visit in world.visits:
        started = time.monotonic()
        url = visit.url if visit.url.startswith("http") else world.site + visit.url
        problems = []
        if visit.html is not None:
            page.route(lambda address, url=url: address == url, answer_with(visit.html))
            page.goto(url)
            page.unroute_all()
        else:
            if visit.user is not signed_in:
                context.clear_cookies()
                if visit.user is not None:
                    if visit.user.pk not in cookies:
                        cookies[visit.user.pk] = session_cookie(world.site, visit.user)
                    context.add_cookies([cookies[visit.user.pk]])
                signed_in = visit.user
            response = page.goto(url)
            expected = 404 if visit.url.startswith("/no-such-page/") else 200
            if response is None or response.status != expected:
                problems.append(f"answered {response.status if response else 'nothing'}, not {expected}")
            if visit.then:
                visit.then(page)
        found, marks = inspect(page, trap)
        problems += found
        if marks < visit.expect:
            problems.append(
                f"shows {marks} payload marks, fewer than the {visit.expect} expected: the payloads are not there"
            )
        visit.url = url
        results.append(Result(visit, problems, marks, time.monotonic() - started))
    context.close()
    return results


# --- feeds and emails --------------------------------------------------------------------------------------------


def entry_html(entry):
    """An entry's title, summary, content, authors and topics as a feed reader would show them: HTML-typed
    values as HTML, text as text."""
    parts = []
    for key in ("title", "summary"):
        detail = entry.get(f"{key}_detail")
        if detail:
            parts.append(detail.value if "html" in detail.type else html.escape(detail.value))
    for content in entry.get("content", []):
        parts.append(content.value if "html" in content.type else html.escape(content.value))
    parts += [html.escape(tag.term) for tag in entry.get("tags", [])]
    parts += [html.escape(entry.get("author", ""))]
    return "<article>" + "<br>".join(parts) + "</article>"


def read_feeds(browser, world):
    client = Client()
    trap = Trap()
    context, page = new_page(browser, trap)
    results = []
    for name, url in world.feeds:
        response = client.get(url)
        problems = [] if response.status_code == 200 else [f"answered {response.status_code}"]
        parsed = feedparser.parse(response.content, sanitize_html=False)
        problems += [f"does not parse: {parsed.bozo_exception}"] if parsed.bozo else []
        document = "".join(entry_html(entry) for entry in parsed.entries)
        problems += markup_problems(document)
        page.set_content(f"<!doctype html><html><body>{document}</body></html>")
        found, marks = inspect(page, trap)
        results.append(
            Result(
                Visit("feeds", f"{name} feed, {len(parsed.entries)} entries", url, expect=0), problems + found, marks
            )
        )
    context.close()
    if not any(result.marks for result in results):
        results[0].problems.append("no feed shows a payload: the feeds were not fed")
    return results


class _Markup(HTMLParser):
    """The elements and attributes of an HTML text, as a parser reads them (no browser)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            address = re.sub(r"[\x00-\x20]+", "", value or "").lower()
            if name.startswith("on") or (
                name in ("href", "src", "action", "formaction", "xlink:href", "data")
                and re.match(r"(javascript|vbscript|data):", address)
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in ("script", "iframe", "object", "embed", "svg", "math", "base", "style"):
            self.problems.append(f"a <{tag}> element")


def markup_problems(document):
    """Script or event handlers in an HTML text, read by a parser rather than a browser (a feed reader's or
    mail program's view)."""
    parser = _Markup()
    parser.feed(document)
    parser.close()
    return [f"markup that may run script: {problem}" for problem in parser.problems[:5]]


def read_emails(browser, world):
    trap = Trap()
    context, page = new_page(browser, trap)
    results = []
    for message in world.emails:
        bodies = [content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"]
        if not bodies and "List-Unsubscribe" not in message.extra_headers:
            continue  # a plain text email (a speaker asked to review a draft): no HTML to run
        problems = [] if bodies else ["no HTML part"]
        for body in bodies:
            problems += markup_problems(body)
            page.set_content(body)
            found, marks = inspect(page, trap)
            problems += found
        results.append(
            Result(
                Visit("emails", f"email {message.subject[:60]!r} to {message.to[0]}", "mail", expect=0), problems, marks
            )
        )
    context.close()
    kinds = {re.sub(r"\W.*", "", m.subject.removeprefix("[A Better Way] ")) for m in world.emails}
    if len(world.emails) < 4 or not any(result.marks for result in results):
        results.append(Result(Visit("emails", "the emails sent", "mail"), [f"too few emails to check: {kinds}"]))
    return results


# --- the tests -------------------------------------------------------------------------------------------------

SURFACES = [
    "note page",
    "insight page",
    "preview",
    "edit form",
    "form with errors",
    "page after a save (message)",
    "history and diff",
    "lists",
    "topic page",
    "person page",
    "organisation page",
    "profile form",
    "comments",
    "import upload (result)",
    "import",
    "search",
    "admin",
    "script on the page",
    "feeds",
    "emails",
]
FIELDS = [
    "note title",
    "note subject",
    "note place",
    "key points",
    "notes in detail",
    "editorial note",
    "topics (note form)",
    "speaker name",
    "speaker organisation",
    "question",
    "next meeting dates",
    "upcoming date note",
    "insight title",
    "standfirst",
    "insight body",
    "insight editorial note",
    "insight version comment",
    "topics (insight form)",
    "comment",
    "flag reason",
    "topics (members)",
    "profile name",
    "profile organisation",
    "profile role",
    "profile biography",
    "join request message",
    "speaker review comment",
    "import (.md)",
    "import (.txt)",
    "cell aims",
]


def test_the_corpus_is_large_and_each_payload_calls_what_we_watch():
    assert len(PAYLOADS) >= 100 and len(set(PAYLOADS)) == len(PAYLOADS)
    for payload in PAYLOADS:
        decoded = [payload, html.unescape(payload), urllib.parse.unquote(payload), payload.replace("'+'", "")]
        decoded += [base64.b64decode(b).decode() for b in re.findall(r"base64,([A-Za-z0-9+/=]+)", payload)]
        assert any(CALLS.search(text) or SSTI_MARKER.lower() in text for text in decoded), payload


@pytest.mark.parametrize("surface", SURFACES)
def test_no_payload_runs_or_leaves_script_in_the_markup(crawl, surface):
    results = crawl["results"].get(surface, [])
    assert results, f"no {surface} was opened"
    failures = [
        f"{result.visit.fields} ({result.visit.url}):\n    " + "\n    ".join(result.problems[:6])
        for result in results
        if result.problems
    ]
    assert not failures, f"{len(failures)} of {len(results)} {surface} pages:\n" + "\n".join(failures[:15])


@pytest.mark.parametrize("name", FIELDS)
def test_every_field_was_given_the_whole_corpus(crawl, name):
    given = crawl["fed"].get(name, set())
    missing = [PAYLOADS[i] for i in range(len(PAYLOADS)) if i not in given]
    assert not missing, f"{name} was not given {len(missing)} payloads, e.g. {missing[:3]}"


UNSAFE_MARKDOWN = MarkdownIt("commonmark", {"html": True})
UNSAFE_MARKDOWN.validateLink = lambda url: True


def unprotected(payload):
    """`payload` where nothing protects it, in HTML: as markup, in attributes, through a naive Markdown renderer
    and a Django template, and decoded once too many."""
    try:
        template = Template(payload).render(Context())
    except Exception:  # noqa: BLE001 - not a template: nothing to run
        template = ""
    return (
        f"<div>{payload}</div><div>{UNSAFE_MARKDOWN.render(payload)}</div>"
        f"<div>{html.unescape(payload)}</div><div>{urllib.parse.unquote(payload)}</div><div>{template}</div>"
        f'<input value="{payload}"><input value=\'{payload}\'><a href="{payload}">x</a>'
    )


def unprotected_in_script(payload):
    """`payload` in a script's strings, unescaped (and with quotes escaped but not backslashes)."""
    naive = payload.replace("'", "\\'")
    return f"<script>var a = '{payload}'; var b = \"{payload}\"; var c = `{payload}`; var d = '{naive}';</script>"


def test_each_payload_runs_where_nothing_protects_it(browser):
    """The traps work: each payload, unprotected, is caught (it runs, opens a dialog, or leaves markup that
    would run), so that nothing caught on the site's pages means the site protected it."""
    trap = Trap()
    context, page = new_page(browser, trap)
    missed = []
    for payload in PAYLOADS:
        page.set_content(f"<!doctype html><html><head></head><body>{unprotected(payload)}</body></html>")
        problems, _marks = inspect(page, trap, settle=30)
        if not problems:  # the script contexts, where only a call counts (the harness's script holds the payload)
            page.set_content(f"<!doctype html><html><head></head><body>{unprotected_in_script(payload)}</body></html>")
            page.wait_for_timeout(30)
            problems = trap.take()
        if not problems:
            missed.append(payload)
    context.close()
    assert not missed, f"{len(missed)} payloads would not be caught even unprotected: {missed}"
