"""The plug-in point of comments and topics on the pages of meetings and insights:

    {% load discussion %} … {% discussion meeting notes_readable %}   (on an insight's page: {% discussion insight %})

shows the comments (with the form to post one) and the topics members add, as the reader may see and use
them; nothing for a draft, a preview or a note in the bin. `comment_markdown` renders a comment's text
with the comment profile of the one Markdown renderer (core/markdown.py).
"""

from django import template

from core.markdown import render_markdown

from ..page import panel

register = template.Library()


@register.inclusion_tag("discussion/discussion.html", takes_context=True)
def discussion(context, target, notes_readable=None):
    request = context["request"]
    if context.get("preview"):
        return {"shown": False}
    shown = panel(request, target, notes_readable=notes_readable)
    return {
        **shown,
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def comment_markdown(text):
    return render_markdown(text, "comment")
