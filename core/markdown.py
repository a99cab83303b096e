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

`render_section` renders a long text that sits under a heading of the page (a meeting's notes under
"The notes in detail"): its headings nest under that heading, get stable ids for a contents list, and
a heading that only repeats the page's own ("In more detail") is left out. `excerpt` gives the
opening words of a text for lists.
"""

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
from django.utils.safestring import mark_safe
from django.utils.text import slugify
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


@dataclass(frozen=True)
class Heading:
    level: int  # of the HTML heading, 2–6
    text: str
    id: str


@dataclass(frozen=True)
class Section:
    html: str  # marked safe
    headings: tuple  # of Heading, in the order of the text

    @property
    def top_headings(self):
        """The headings of the highest level: what a contents list names."""
        if not self.headings:
            return ()
        top = min(heading.level for heading in self.headings)
        return tuple(heading for heading in self.headings if heading.level == top)


HEADING_IDS = {f"h{level}": {"id"} for level in range(2, 7)}
ID_PREFIX = "section-"  # ids of the page's own elements never start with it


def _words(text):
    """A heading's words, to compare: 'The notes in detail..' and 'Notes in detail' are the same."""
    words = re.sub(r"[^\w\s]", " ", text.casefold()).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def render_section(text, *, top_level=3, leave_out=()):
    """Render Markdown `text` that sits under a heading of the page, as a Section (html, headings).

    Its highest headings become <h{top_level}> and the others keep their place below them; each has
    a stable id made of its words ("section-3-discussion"; a repeated heading gets "-2"). The first
    heading, when its words are those of one of `leave_out` (the page's own heading for the text,
    "The notes in detail", and the ways writers put it, "In more detail.."), is left out: the text
    under it stays, under the page's heading."""
    if not text:
        return Section(mark_safe(""), ())
    markup, headings = _render_section(str(text), top_level, tuple(_words(item) for item in leave_out))
    return Section(mark_safe(markup), headings)  # noqa: S308 - cleaned by nh3 in _render_section


@lru_cache(maxsize=256)
def _render_section(text, top_level, leave_out):
    tokens = _parser.parse(text)
    first = next((i for i, token in enumerate(tokens) if token.type == "heading_open"), None)
    if first is not None and _words(tokens[first + 1].content) in leave_out:
        tokens = tokens[:first] + tokens[first + 3 :]  # heading_open, inline, heading_close
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    shift = top_level - min(levels) if levels else 0
    headings, used = [], set()
    for i, token in enumerate(tokens):
        if token.type not in ("heading_open", "heading_close"):
            continue
        token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
        if token.type == "heading_open":
            words = " ".join(html.unescape(nh3.clean(_parser.renderInline(tokens[i + 1].content), tags=set())).split())
            ident = base = ID_PREFIX + (slugify(words) or "heading")
            count = 1
            while ident in used:
                count += 1
                ident = f"{base}-{count}"
            used.add(ident)
            token.attrSet("id", ident)
            headings.append(Heading(int(token.tag[1]), words, ident))
    _, tags, attributes, rel = PROFILES["page"]
    markup = nh3.clean(
        _parser.renderer.render(tokens, _parser.options, {}),
        tags=tags,
        attributes={**attributes, **HEADING_IDS},
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=rel,
    )
    return markup, tuple(headings)


EXCERPT_LENGTH = 170  # characters: about two lines of a list at desktop width
_SENTENCE_END = re.compile(r"[.?!:;…][’”'\")\]]*$")


def excerpt(text, length=EXCERPT_LENGTH):
    """The opening words of Markdown `text` as plain text of at most `length` characters, cut at a word
    boundary (with "…"). Headings are skipped, and so are the short title or date lines a note may
    open with ("Better Way Roundtable, 5 June 2019"): a first line that ends no sentence."""
    if not text:
        return ""
    return _excerpt(str(text), length)


@lru_cache(maxsize=1024)
def _excerpt(text, length):
    """excerpt's work, kept for the same text (a page's description asks for it on every view)."""
    parts, opening = [], True
    tokens = _parser.parse(text)
    for i, token in enumerate(tokens):
        if token.type != "inline" or tokens[i - 1].type == "heading_open":
            continue
        words = plain_text(token.content)
        if opening and tokens[i - 1].level == 0 and len(words) < 100 and not _SENTENCE_END.search(words):
            continue  # a title or date line before the text begins
        opening = False
        parts.append(words)
        if sum(len(part) + 1 for part in parts) > length:
            break
    return _cut(" ".join(parts), length)


def _cut(words, length):
    """`words` cut to `length`: at the end of a sentence past half of it, else at a word boundary with "…"."""
    if len(words) <= length:
        return words
    head = words[: length + 1]
    sentences = [m.end() for m in re.finditer(r"[.?!][’”'\")]*(?= )", head) if m.end() >= length // 2]
    if sentences:
        return head[: sentences[-1]]
    cut = head.rsplit(" ", 1)[0] if " " in head else words[:length]
    return cut.rstrip(" ,;:–—-(‘“") + "…"
