"""A meeting's or an insight's card in a list: `{% card meeting %}`, `{% card row.item show_excerpt=True level=2 %}`.

A card is made from its row alone, never from who reads it: the template gets the item and the options, not
the request or the user (what a reader may see decides *which* cards a list shows, through visible_to, not
what a card says). So a card is the same for every reader it is shown to and is kept for the content
generation (core.caching.kept_fragment) where visitors' pages are kept: a list of twenty notes renders their
excerpts once per change of content, not once per request. The one thing on a card that depends on the
reader is whether a meeting's excerpt may come from its detailed notes (`notes_readable`, set by
Meeting.objects.for_reading for each reader): it is part of the card's key.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core import caching

register = template.Library()

TEMPLATES = {"meeting": "includes/meeting_item.html", "insight": "includes/insight_item.html"}


@register.simple_tag
def card(item, **options):
    kind = item._meta.model_name
    notes_readable = getattr(item, "notes_readable", None)
    shown = ",".join(f"{name}={value}" for name, value in sorted(options.items()))
    key = f"card:{kind}:{item.pk}:{notes_readable}:{shown}"
    made = caching.kept_fragment(key, lambda: render_to_string(TEMPLATES[kind], {kind: item, **options}))
    return mark_safe(made)  # a template rendered with autoescaping (a str again when read back from the cache)
