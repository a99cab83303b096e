"""Every email this app sends: HTML and plain text from templates/notifications/email/, a plain subject, a
one-click unsubscribe (RFC 8058) and a Message-ID that stays the same when a send is retried."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from .links import absolute, site_host
from .models import Kind
from .tokens import unsubscribe_url

SUBJECT_PREFIX = "[A Better Way] "
SEND_TIMEOUT = 30  # seconds: an SMTP server that hangs fails the send (and it is retried) instead of the worker


def plain_subject(text):
    """One line of plain text (a title may hold line breaks or Markdown-looking characters; they stay text)."""
    return SUBJECT_PREFIX + " ".join(str(text).split())[:180]


def build(recipient, kind, subject, template, context, *, message_key):
    """The email `template` (.txt and .html) to `recipient`, about `kind` (what its unsubscribe link stops)."""
    unsubscribe = unsubscribe_url(recipient, kind)
    context = {
        **context,
        "recipient": recipient,
        "kind_label": Kind(kind).label,
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute(reverse("notifications:preferences")),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=plain_subject(subject),
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": f"<{message_key}@{site_host()}>",
            "Auto-Submitted": "auto-generated",
        },
        connection=get_connection(timeout=SEND_TIMEOUT),
    )
    message.attach_alternative(render_to_string(f"notifications/email/{template}.html", context), "text/html")
    return message
