"""The one Markdown renderer: user text in, safe HTML out.

Text is parsed as CommonMark (with tables and strikethrough); raw HTML in the
text is shown as text, not passed through, and the result is cleaned again by
nh3 with an allow-list, so that nothing a user types can run as script.
"""

import html
from functools import lru_cache

import nh3
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _shift_headings(markup):
    # A note's own headings sit under the page's <h1>: "# Aims" becomes <h2>.
    return markup.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


@lru_cache(maxsize=1024)
def _render(text):
    return nh3.clean(
        _shift_headings(_parser.render(text)),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener",
    )


def render_markdown(text):
    """Render Markdown `text` to sanitised HTML, marked safe for templates."""
    if not text:
        return mark_safe("")
    return mark_safe(_render(str(text)))  # noqa: S308 - cleaned by nh3 above


def plain_text(text):
    """The words of Markdown `text` without markup, for snippets and descriptions."""
    if not text:
        return ""
    return " ".join(html.unescape(nh3.clean(_render(str(text)), tags=set())).split())
