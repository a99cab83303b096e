"""Forms members use to comment, flag and add topics. Text is kept as typed (core/text.py), and a form with
an error comes back with what was typed in it."""

from django import forms
from django.core.exceptions import ValidationError

from core import tags
from core.text import TextareaField

from .models import MAX_LENGTH

BODY_HELP = (
    "Markdown: *emphasis*, **strong**, [a link](https://example.org), lists starting “- ” and quotes "
    "starting “> ”. No headings or images."
)


def _body_field(label):
    return TextareaField(
        label=label,
        max_length=MAX_LENGTH,
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Write your comment before posting it.",
            "max_length": f"A comment can be up to {MAX_LENGTH:,} characters long: "
            "this one has %(show_value)s. Shorten it and post it again.",
        },
    )


class CommentForm(forms.Form):
    """A comment, or a reply to `parent` (a hidden field; the view checks it belongs to the same page)."""

    body = _body_field("Your comment")
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, reply=False, **kwargs):
        super().__init__(*args, **kwargs)
        if reply:
            self.fields["body"].label = "Your reply"


def reply_form(parent, data=None):
    """The form for a comment, or for a reply to `parent` (its field ids are the reply's own on the page)."""
    if parent is None:
        return CommentForm(data)
    return replying_to(parent.pk, data)


def replying_to(parent_id, data=None):
    """The form for a reply to the comment `parent_id`, with field ids of its own on the page."""
    return CommentForm(data, initial={"parent": parent_id}, auto_id=f"id_reply{parent_id}_%s", reply=True)


class EditCommentForm(forms.Form):
    body = _body_field("Your comment")
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class FlagForm(forms.Form):
    reason = TextareaField(
        label="Why should a moderator look at this comment?",
        max_length=1000,
        help_text="For example: it is abusive, it names someone who asked not to be named, it is advertising. "
        "Only the network's moderators see what you write here.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why a moderator should look at this comment.",
            "max_length": "Keep the reason to 1,000 characters (it has %(show_value)s).",
        },
    )


class AddTopicsForm(forms.Form):
    names = forms.CharField(
        label="Topic",
        max_length=400,
        strip=False,
        help_text="An existing topic or a new one; several separated by commas.",
        error_messages={"required": "Type the topic you want to add."},
    )

    def __init__(self, *args, suggesting=False, **kwargs):
        super().__init__(*args, **kwargs)
        if suggesting:  # the names offered on the page (discussion/discussion.html's datalist)
            self.fields["names"].widget.attrs["list"] = "topic-suggestions"

    def clean_names(self):
        text = self.cleaned_data["names"]
        long_names = tags.too_long(text)
        if long_names:
            raise ValidationError(
                f"A topic can be up to {tags.MAX_LENGTH} characters long: shorten “{long_names[0][:60]}…”."
            )
        names = tags.parse(text)
        if not names:
            raise ValidationError("Type the topic you want to add (in words, not only punctuation).")
        return names
