"""Formatting for templates: Markdown, honest dates, search snippets."""

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core import dates
from core.markdown import plain_text, render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def plaintext(text):
    return plain_text(text)


@register.simple_tag
def fuzzy_date(value, precision):
    """<time> as exact as the source: '5 June 2019', 'June 2019' or '2019'."""
    if value is None:
        return mark_safe('<span class="date-unknown">Date not recorded</span>')
    return format_html(
        '<time datetime="{}">{}</time>',
        dates.machine_date(value, precision),
        dates.display_date(value, precision),
    )


@register.filter
def snippet(text, query, width=220):
    """About `width` characters of `text`'s words around the first word of `query` it contains."""
    words = plain_text(text)
    pattern = "|".join(re.escape(word) for word in str(query).split())
    match = re.search(pattern, words, re.IGNORECASE) if pattern else None
    start = max(0, match.start() - width // 3) if match else 0
    piece = words[start : start + width]
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(words) else ""
    return prefix + piece + suffix
