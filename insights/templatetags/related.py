""" "More like this" under a note or an insight:

    {% load related %} … {% more_like_this meeting principles tags %}   (on an insight's page: insight)

shows up to five meetings and insights like it that the reader may see (insights/related.py), for a
published note or insight only: nothing on a preview or a draft. `principles` and `tags` are the page's own
(already fetched for its "Principles and topics"), so that they cost no query here. The list, as rendered for
its reader, is kept for the content generation where visitors' pages are kept (core/caching.py): finding it
is a third of a member's note page.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core import caching

from ..related import more_like_this as find

register = template.Library()


@register.simple_tag(takes_context=True)
def more_like_this(context, item, principles=None, tags=None):
    if context.get("preview") or not item.pk or not item.is_published or item.in_bin:
        return ""
    user = context["request"].user
    key = caching.reader_key("more-like-this", user, item._meta.label_lower, item.pk)
    html = caching.kept_piece(
        key,
        lambda: render_to_string(
            "includes/more_like_this.html", {"rows": find(item, user, principles=principles, tags=tags)}
        ),
    )
    return mark_safe(html)  # noqa: S308 - the template's own output, escaped as it rendered
