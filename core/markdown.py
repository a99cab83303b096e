"""The one Markdown renderer: user text in, safe HTML out.

Text is parsed as CommonMark (with tables and strikethrough); raw HTML in the
text is shown as text, not passed through, and the result is cleaned again by
nh3 with an allow-list, so that nothing a user types can run as script.

Two profiles of the same renderer:

- "page" (the default): notes, insights, biographies: headings (a "# " heading sits under the page's
  <h1> as <h2>), lists, quotes, links, tables, code.
- "comment": members' comments, a safe subset: paragraphs, line breaks, lists, quotes, emphasis,
  strikethrough, code and links (marked rel="ugc"); no headings, no images, no tables, no rules. What
  the subset leaves out shows as the text that was typed ("# Title" stays "# Title").
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
_comment_parser = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable(["strikethrough"])
    .disable(["heading", "lheading", "image", "hr"])
)
COMMENT_TAGS = ALLOWED_TAGS - {"h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"}
COMMENT_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}

# profile: (parser, allowed tags, allowed attributes, rel of links)
PROFILES = {
    "page": (_parser, ALLOWED_TAGS, ALLOWED_ATTRIBUTES, "nofollow noopener"),
    "comment": (_comment_parser, COMMENT_TAGS, COMMENT_ATTRIBUTES, "nofollow noopener ugc"),
}


def _shift_headings(markup):
    # A note's own headings sit under the page's <h1>: "# Aims" becomes <h2>.
    return markup.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


@lru_cache(maxsize=1024)
def _render(text, profile="page"):
    parser, tags, attributes, rel = PROFILES[profile]
    return nh3.clean(
        _shift_headings(parser.render(text)),
        tags=tags,
        attributes=attributes,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=rel,
    )


def render_markdown(text, profile="page"):
    """Render Markdown `text` to sanitised HTML, marked safe for templates (`profile`: "page" or "comment")."""
    if not text:
        return mark_safe("")
    return mark_safe(_render(str(text), profile))  # noqa: S308 - cleaned by nh3 above


def plain_text(text, profile="page"):
    """The words of Markdown `text` without markup, for snippets and descriptions."""
    if not text:
        return ""
    return " ".join(html.unescape(nh3.clean(_render(str(text), profile), tags=set())).split())
