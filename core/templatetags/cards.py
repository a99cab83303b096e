"""The cards of meetings and insights in a list: `{% cards page show_excerpt=True empty="No notes yet." %}`.

A card is made from its row alone, never from who reads it: its template (includes/meeting_item.html,
includes/insight_item.html) gets the item and the options, not the request or the user — what a reader may
see decides *which* cards a list shows, through visible_to, not what a card says. So a card is the same for
every reader it is shown to and is kept for the content generation (core.caching.kept_pieces) where
visitors' pages are kept: a list of twenty notes renders their excerpts once per change of content, not once
per request, and reads them all in one round trip to the cache. The one thing on a card that depends on the
reader is whether a meeting's excerpt may come from its detailed notes (`notes_readable`, set for each reader
by Meeting.objects.for_reading): it is part of the card's key.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core import caching

register = template.Library()

TEMPLATES = {"meeting": "includes/meeting_item.html", "insight": "includes/insight_item.html"}


@register.simple_tag
def cards(entries, empty="", **options):
    """The `<li>` cards of `entries` — meetings and insights, or rows {"kind", "item"} holding one (the mixed
    lists of a topic, a year, "More like this") — with `options` for the card's template (show_excerpt, level);
    `empty` is the line shown when there are none."""
    items = [entry["item"] if isinstance(entry, dict) else entry for entry in entries]
    if not items:
        return format_html("<li>{}</li>", empty) if empty else ""
    shown = ",".join(f"{name}={value}" for name, value in sorted(options.items()))
    pieces = [
        (f"card:{_kind(item)}:{item.pk}:{getattr(item, 'notes_readable', None)}:{shown}", _maker(item, options))
        for item in items
    ]
    return mark_safe("".join(caching.kept_pieces(pieces)))  # templates rendered with autoescaping


def _kind(item):
    return item._meta.model_name


def _maker(item, options):
    return lambda: render_to_string(TEMPLATES[_kind(item)], {_kind(item): item, **options})
