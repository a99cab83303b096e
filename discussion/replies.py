"""The reply form under each comment of a page, rendered once for the whole page.

Rendering a form through its templates costs ~0.7 ms (the field, its label, hint and widget): twenty comments on
a page were 14 ms of it. The reply forms of a page differ only in the comment they reply to (the hidden
`parent`, and the field ids made from it: discussion.forms.replying_to), so the form is rendered once for a
stand-in id and each comment gets a copy with its own id. The stand-in is a random word made per process, which
no text on the page (a name, an address) can hold.
"""

import secrets

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .forms import replying_to

STAND_IN = f"standin{secrets.token_hex(8)}"


def reply_boxes(request, entries, *, post_url, shown_as):
    """Give each of `entries` (discussion.threads.Entry, not placeholders) its reply form, as HTML."""
    if not entries:
        return
    context = {"form": replying_to(STAND_IN), "reply": True, "post_url": post_url, "shown_as": shown_as}
    html = render_to_string("discussion/includes/comment_form.html", context, request=request)
    for entry in entries:
        entry.reply_form = mark_safe(html.replace(STAND_IN, str(entry.pk)))  # the form's own escaped HTML
