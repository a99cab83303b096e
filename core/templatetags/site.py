"""Formatting for templates: Markdown, honest dates, search snippets, how long a list is.

Dates and times are written one way across the site (core/dates.py): templates use these filters and
tags, never an ad-hoc |date:"…" format for what a reader sees (a machine attribute such as
<time datetime="…"> may use |date:"c")."""

import re

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
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
def day(value, arg=""):
    """{{ value|day }} '15 July 2021'; {{ value|day:"weekday" }} 'Thursday 15 July 2021'."""
    return dates.display_day(value, weekday=arg == "weekday")


@register.filter
def clock(value):
    """{{ value|clock }} '3pm', '3:30pm', 'midday'."""
    return dates.display_time(value)


@register.filter
def day_and_time(value):
    """{{ value|day_and_time }} '15 July 2021 at 3:30pm' (a datetime, in the site's time zone)."""
    return dates.display_datetime(value)


@register.simple_tag
def times(start, end=None):
    """{% times start end %} '3pm to 4:30pm', '3pm'; '' when the time is not set."""
    return dates.display_times(start, end)


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


@register.filter
def how_many(page):
    """How many rows the list of `page` (core/pagination.py paginate) has: "1,234", or "more than 1,000" where it
    was counted only that far."""
    paginator = page.paginator
    if getattr(paginator, "more", False):
        return f"more than {intcomma(paginator.reach)}"
    return intcomma(paginator.count)
