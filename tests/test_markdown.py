"""User text is Markdown, rendered by one function and sanitised with an allow-list."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from core.markdown import excerpt, plain_text, render_markdown, render_section


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


NOTES = "In the room: twelve.\n\n## In more detail..\n\nIntro.\n\n### 1. Aims\n\nA.\n\n### Discussion\n\nB.\n\n### Discussion\n\nC."


def test_a_section_nests_its_headings_under_the_pages_own_and_gives_them_ids():
    section = render_section(NOTES, top_level=3, leave_out=("The notes in detail", "In more detail"))
    assert '<h3 id="section-1-aims">1. Aims</h3>' in section.html
    assert '<h3 id="section-discussion">Discussion</h3>' in section.html
    assert '<h3 id="section-discussion-2">Discussion</h3>' in section.html  # ids stay unique
    assert [(h.text, h.id) for h in section.top_headings] == [
        ("1. Aims", "section-1-aims"),
        ("Discussion", "section-discussion"),
        ("Discussion", "section-discussion-2"),
    ]


def test_a_heading_that_repeats_the_pages_own_is_left_out_and_its_text_kept():
    html = render_section(NOTES, leave_out=("The notes in detail", "In more detail")).html
    assert "In more detail" not in html
    assert "<p>In the room: twelve.</p>\n<p>Intro.</p>" in html
    kept = render_section(NOTES).html  # nothing to leave out: the heading stays, as the highest one
    assert '<h3 id="section-in-more-detail">In more detail..</h3>' in kept and '<h4 id="section-1-aims">' in kept


def test_a_section_is_cleaned_like_any_text():
    html = render_section("## <script>x</script> Title\n\n[a](javascript:alert(1))").html
    assert "&lt;script&gt;x&lt;/script&gt; Title</h3>" in html
    for tag, attrs in parse(html):
        assert tag in {"h3", "p"} and all(name == "id" for name, _ in attrs)


def test_an_excerpt_is_cut_at_a_word_boundary():
    text = "Relationships first " * 20
    cut = excerpt(text, length=50)
    assert cut == "Relationships first Relationships first…"
    assert len(cut) <= 51 and not cut[:-1].endswith(" ")


def test_an_excerpt_ends_at_a_sentence_when_one_ends_far_enough_in():
    text = "Leadership is about enabling others, at every level of a place. When individuals change, work goes on."
    assert excerpt(text, length=80) == "Leadership is about enabling others, at every level of a place."


def test_an_excerpt_skips_headings_and_an_opening_title_or_date_line():
    text = "Better Way Roundtable, 5 June 2019\n\n## Introduction\n\nCaroline introduced the roundtable."
    assert excerpt(text) == "Caroline introduced the roundtable."
    assert excerpt("- one point.\n- another point.") == "one point. another point."
    assert excerpt("") == ""
