"""What a page says of itself in its <head>: the canonical address, the description, Open Graph and
Twitter card tags, and the feeds that go with it (templates/base.html, templates/includes/page_meta.html).

The description is the page's own `{% block description %}` (its key points, standfirst, aims or
statement, which the page shows), or else one made from what the page shows (a topic's name, a
meeting's kind and date), or else a sentence about that kind of page, or the network's own. It is
plain text, cut at a word boundary. Nothing in it is text the reader of the page cannot see there.
"""

import html
import re
from urllib.parse import urlencode

from django import template
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from core import caching
from core.markdown import plain_text
from insights.models import Topic
from people.models import Person

register = template.Library()

SITE = "A Better Way"
SITE_DESCRIPTION = (
    "A Better Way is a UK network of people from charities, community groups, public services, funders and "
    "business working to improve services and build strong communities."
)
DESCRIPTION_LENGTH = 200  # characters, cut at a word boundary
KEPT_PARAMETERS = ("page", "kind", "q")  # what makes a page another page; tracking parameters are dropped
ARTICLES = {"cells:meeting", "insights:insight"}  # og:type article; every other page is a website
ERROR_PAGES = {
    "400.html",
    "403.html",
    "404.html",
    "429.html",
    "500.html",
    "members_only.html",
}  # no canonical address: they are no page
PAGE_DESCRIPTIONS = {  # pages that are lists: what they list
    "insights:principle_list": "The principles of A Better Way — “X is better than Y” — and the insights under each.",
    "insights:insight_list": "Essays, stories, summaries of meetings and blog posts from the A Better Way network.",
    "cells:meeting_list": "Notes of the meetings of A Better Way's cells and of its roundtables, dinners and "
    "discussions: speakers, key points and the questions carried forward.",
    "cells:cell_list": "The cells of A Better Way — small working groups that meet several times on one theme — "
    "and its network events.",
    "people:person_list": "The people who have spoken at A Better Way's meetings or written for the network.",
    "tag_list": "The topics of A Better Way's meeting notes and insights.",
    "search": "Search A Better Way's meeting notes, insights, principles and people.",
}
SITE_FEEDS = [("feed_notes", f"{SITE}: meeting notes"), ("feed_insights", f"{SITE}: insights")]


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        context[self.name] = self.nodelist.render(context)
        return ""


@register.tag
def capture(parser, token):
    """{% capture as name %}…{% endcapture %}: what the inside renders, kept as `name` (HTML, escaped
    as the page would show it) rather than shown. Blocks inside it can be overridden as usual."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Use {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


def as_text(rendered):
    """Plain text of what a block rendered (escaped HTML): entities undone, tags dropped, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", str(rendered))).split())


def shorten(text, length=DESCRIPTION_LENGTH):
    """`text` cut at the last word boundary before `length` characters, with '…' when cut."""
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if not text[length - 1].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:–—-") + "…"


def _shown_description(context):
    """A description made from what the page shows, for pages whose own block gives none."""
    if meeting := context.get("meeting"):
        what = meeting.get_kind_display().lower()
        if meeting.cell_id:
            what += f" of the {meeting.cell.name} cell"
        when = f", {meeting.display_date}" if meeting.display_date else ""
        return f"Notes of a {what}{when}." if meeting.has_note else f"A {what}{when}: no note of it is in the archive."
    if insight := context.get("insight"):
        return plain_text(insight.body) or f"{insight.get_kind_display()} from {SITE}."
    if cell := context.get("cell"):
        return f"The {cell.name} cell of {SITE}: a small working group that meets several times on one theme."
    if organisation := context.get("organisation"):
        return (
            plain_text(organisation.description) or f"People from {organisation.name} in {SITE}'s notes and insights."
        )
    if tag := context.get("tag"):
        return f"Meeting notes and insights on “{tag.name}” from {SITE}."
    return ""


def _canonical(request):
    """The page's absolute address with only the query parameters that make it another page."""
    kept = {
        name: request.GET[name]
        for name in KEPT_PARAMETERS
        if request.GET.get(name) and not (name == "page" and request.GET[name] == "1")
    }
    return request.build_absolute_uri(request.path) + (f"?{urlencode(kept)}" if kept else "")


# The pages that have a feed of their own: view name → (the feed's URL name, what the page is about in its context)
PAGE_FEEDS = {
    "insights:principle": ("feed_principle", "principle"),
    "cells:cell": ("feed_cell", "cell"),
    "tag": ("feed_tag", "tag"),
    "people:person": ("feed_person", "person"),
}
PUBLIC_ONLY = {"tag": Topic, "people:person": Person}  # pages a member may see and a visitor not: no feed then


def _page_feed(context, view_name):
    """The feed of a principle, cell, topic or person page, when a visitor may read it (feeds are public)."""
    if view_name not in PAGE_FEEDS:
        return None
    feed, name = PAGE_FEEDS[view_name]
    about = context.get(name)
    if about is None:
        return None
    if view_name in PUBLIC_ONLY and context["request"].user.is_authenticated:  # for a visitor, the page shows it
        model = PUBLIC_ONLY[view_name]
        # every visitor's answer is the same: kept for the content generation under the row's own name
        key = f"seen-by-visitors:{model._meta.label}:{about.pk}"
        if not caching.kept_piece(key, lambda: _seen_by_visitors(model, about.pk)):
            return None
    return {"url": reverse(feed, args=[about.slug]), "title": f"{SITE}: {about}"}


def _seen_by_visitors(model, pk):
    return model.objects.visible_to(AnonymousUser(), among=model.objects.filter(pk=pk)).exists()


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context, title, description):
    """The <head> tags that describe the page: canonical, description, Open Graph, Twitter card, feeds."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    error_page = getattr(context.template, "name", None) in ERROR_PAGES
    title = as_text(title) or SITE
    text = (
        as_text(description)
        or " ".join(_shown_description(context).split())
        or PAGE_DESCRIPTIONS.get(view_name, "")
        or SITE_DESCRIPTION
    )
    page_feed = None if error_page else _page_feed(context, view_name)
    return {
        "title": SITE if view_name == "home" else title,
        "description": shorten(text),
        "canonical": _canonical(request) if request is not None and not error_page else "",
        "og_type": "article" if view_name in ARTICLES else "website",
        "site_name": SITE,
        "feeds": [{"url": reverse(name), "title": label} for name, label in SITE_FEEDS]
        + ([page_feed] if page_feed else []),
    }
