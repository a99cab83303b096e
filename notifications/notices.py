"""The email about one event: a new note or insight in what the recipient follows, a reply to their comment,
a comment on a meeting of a cell they convene. Each shows only what its recipient may read: the first layer
of a note (title, date, key points), never its detailed notes; a commenter's name only where the recipient
may see that person."""

from cells.models import Meeting
from core.markdown import plain_text, render_markdown
from people.names import name_for

from . import emails, following
from .links import absolute
from .models import Event, Kind


def publication_context(recipient, obj):
    is_meeting = isinstance(obj, Meeting)
    summary = obj.summary if is_meeting else obj.standfirst
    return {
        "noun": "meeting note" if is_meeting else "insight",
        "title": obj.heading,
        "url": absolute(obj.get_absolute_url()),
        "kind": obj.get_kind_display(),
        "cell": obj.cell.name if obj.cell_id else "",
        "date": obj.display_date,
        "summary_html": render_markdown(summary),
        "summary_text": plain_text(summary),
        "reasons": following.reasons(recipient, obj),
    }


def comment_context(recipient, comment):
    target = comment.target
    return {
        "author": name_for(recipient, comment.author),  # the pages' rule (people/names.py)
        "title": target.heading,
        "noun": "meeting note" if comment.meeting_id else "insight",
        "cell": comment.meeting.cell.name if comment.meeting_id and comment.meeting.cell_id else "",
        "url": absolute(comment.get_absolute_url()),
        "body_html": render_markdown(comment.body, "comment"),
        "body_text": comment.body,  # Markdown reads as plain text
        "parent_text": plain_text(comment.parent.body, "comment")[:200] if comment.parent_id else "",
    }


def message(delivery):
    event, recipient = delivery.event, delivery.recipient
    content = event.content
    if event.type == Event.Type.PUBLISHED:
        context = publication_context(recipient, content)
        subject = f"New {context['noun']}: {content.heading}"
        template = "publication"
    elif delivery.kind == Kind.REPLIES:
        context = comment_context(recipient, content)
        subject = f"{context['author']} replied to your comment on {context['title']}"
        template = "reply"
    else:
        context = comment_context(recipient, content)
        subject = f"New comment on {context['title']}"
        template = "cell_comment"
    return emails.build(recipient, delivery.kind, subject, template, context, message_key=message_key(delivery))


def message_key(delivery):
    return f"betterway.delivery.{delivery.pk}"
