"""User text is Markdown, rendered by one function and sanitised with an allow-list."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from core.markdown import plain_text, render_markdown


def test_headings_lists_quotes_links_and_emphasis_survive():
    html = render_markdown(
        "## Aims\n\n- one\n- two\n\n1. first\n\n> A pull quote\n\n"
        "[Children England](https://www.childrenengland.org.uk) and *emphasis* and **strong**"
    )
    assert "<h2>Aims</h2>" in html
    assert "<ul>\n<li>one</li>" in html
    assert "<ol>\n<li>first</li>" in html
    assert "<blockquote>\n<p>A pull quote</p>\n</blockquote>" in html
    assert '<a href="https://www.childrenengland.org.uk" rel="nofollow noopener">Children England</a>' in html
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html


def test_a_top_level_heading_becomes_h2_under_the_page_title():
    assert "<h2>Title</h2>" in render_markdown("# Title")


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_nothing_a_user_types_runs_as_script(attack):
    elements = parse(render_markdown(attack))
    for tag, attrs in elements:
        assert tag not in {"script", "img", "iframe", "svg"}
        for name, value in attrs:
            assert not name.startswith("on")
            assert not (value or "").strip().lower().startswith(("javascript:", "data:"))


def parse(html):
    """The (tag, attributes) of every element in `html`."""
    elements = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            elements.append((tag, attrs))

    Collector().feed(str(html))
    return elements


def test_raw_html_is_shown_as_text_not_dropped():
    assert "&lt;iframe" in render_markdown("<iframe src=x></iframe>")


def test_the_template_filter_uses_the_same_renderer():
    out = Template("{% load site %}{{ text|markdown }}").render(Context({"text": "*hi* <script>x</script>"}))
    assert out == str(render_markdown("*hi* <script>x</script>"))


def test_plain_text_keeps_words_and_drops_markup():
    assert plain_text("## Aims\n\nRelationships & **trust**") == "Aims Relationships & trust"


def test_empty_text_renders_nothing():
    assert render_markdown("") == "" and render_markdown(None) == ""
