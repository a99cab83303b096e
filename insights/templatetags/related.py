""" "More like this" under a note or an insight:

    {% load related %} … {% more_like_this meeting principles tags %}   (on an insight's page: insight)

shows up to five meetings and insights like it that the reader may see (insights/related.py), for a
published note or insight only: nothing on a preview or a draft. `principles` and `tags` are the page's own
(already fetched for its "Principles and topics"), so that they cost no query here.
"""

from django import template

from ..related import more_like_this as find

register = template.Library()


@register.inclusion_tag("includes/more_like_this.html", takes_context=True)
def more_like_this(context, item, principles=None, tags=None):
    if context.get("preview") or not item.pk or not item.is_published or item.in_bin:
        return {"rows": []}
    return {"rows": find(item, context["request"].user, principles=principles, tags=tags)}
