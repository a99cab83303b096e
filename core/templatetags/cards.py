"""The cards of meetings and insights in a list: `{% cards page show_excerpt=True empty="No notes yet." %}`.

A card is made from its row alone, never from who reads it: its template (includes/meeting_item.html,
includes/insight_item.html) gets the item and the options, not the request or the user — what a reader may
see decides *which* cards a list shows, through visible_to, not what a card says. So a card is the same for
every reader it is shown to and is kept for the content generation (core.caching.kept_pieces) where
visitors' pages are kept: a list of twenty notes renders their excerpts once per change of content, not once
per request, and reads them all in one round trip to the cache. The one thing on a card that depends on the
reader is whether a meeting's excerpt may come from its detailed notes (`notes_readable`, set for each reader
by Meeting.objects.for_reading): it is part of the card's key.

Where cards are kept, a list not yet read (a queryset, or a page of one) is read light: its rows' ids and
`notes_readable` alone, in its own order. The rest of a row (a note's text, an insight's authors) is read, in one
query through the model's `for_listing()`, only for the cards not kept: a list of twenty notes whose cards are
kept no longer reads twenty notes in full (3,400 characters each at 100,000 meetings) to show none of it.
"""

from django import template
from django.core.paginator import Page
from django.db.models import QuerySet
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
    items = _light(entries)
    if items is None:
        items = [entry["item"] if isinstance(entry, dict) else entry for entry in entries]
    if not items:
        return format_html("<li>{}</li>", empty) if empty else ""
    shown = ",".join(f"{name}={value}" for name, value in sorted(options.items()))
    keyed = [(f"card:{_kind(item)}:{item.pk}:{getattr(item, 'notes_readable', None)}:{shown}", item) for item in items]
    full = {}

    def read_in_full(missing):
        light = [item for key, item in keyed if key in missing and item.get_deferred_fields()]
        if light:
            rows = type(light[0]).objects.for_listing().in_bulk([item.pk for item in light])
            for item in light:
                if hasattr(item, "notes_readable"):
                    rows[item.pk].notes_readable = item.notes_readable
                full[item.pk] = rows[item.pk]

    pieces = [(key, _maker(item, options, full)) for key, item in keyed]
    return mark_safe("".join(caching.kept_pieces(pieces, prepare=read_in_full)))  # autoescaped templates


def _light(entries):
    """The rows of a list not yet read (a queryset, or a page of one), read light (see above) where cards are
    kept; else None."""
    rows = entries.object_list if isinstance(entries, Page) else entries
    if not (caching.enabled() and isinstance(rows, QuerySet) and rows._result_cache is None):
        return None
    light = list(rows.select_related(None).prefetch_related(None).only("pk"))
    if isinstance(entries, Page):
        entries.object_list = light
    return light


def _kind(item):
    return item._meta.model_name


def _maker(item, options, full):
    return lambda: render_to_string(TEMPLATES[_kind(item)], {_kind(item): full.get(item.pk, item), **options})
