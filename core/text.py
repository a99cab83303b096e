"""Text from outside the site, and text that goes out to a form and comes back.

Where text from outside enters, and what it passes through here:

- site and admin forms: every text field is a Django CharField, which refuses a NUL character;
  a textarea's field is TextareaField below, which names the line;
- the importer and the note upload: betterway/importer/readers.py (refuse_nul, with the file's name);
- the content files: betterway/content.py (refuse_nul, with the file's name and the field).

A NUL (0x00) is refused everywhere with the same message, naming the file or field and the line:
PostgreSQL cannot store it in text (the save would fail with a DataError) while SQLite stores it, so
refusing it before the database is what makes the same input behave the same on both.

Line endings: a browser sends a textarea's text with CRLF line endings, so text is stored with LF
(TextareaField and the readers turn CRLF and CR into LF). "Byte for byte" for a form means: text with
LF line endings comes back exactly as it was.

A form shows some stored values as text that reads back to something close but not identical (a
month-precision date shown as "June 2019" reads back as the 1st of June; a tag whose name has a
double quote in it cannot be written in the tags field at all), and offers only some of the choices a
record may hold (a question the editor may not see, a meeting in the bin). shown_unchanged, tags_sent
and with_unoffered keep what a form sends back unchanged exactly as it was.
"""

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from taggit.utils import edit_string_for_tags, parse_tags

NUL = "\x00"


class OutsideTextError(ValueError):
    """Text the site will not store; the message says where and why, for the person who wrote it."""


def find_nul(text):
    """(line, column), counted from 1, of the first NUL character in `text`; None if it has none."""
    index = text.find(NUL)
    if index < 0:
        return None
    before = text[:index]
    line = before.count("\n") + 1
    return line, index - (before.rfind("\n") + 1) + 1


def nul_message(where):
    """The one message for a NUL character, after `where` it is (a file, a field, a line)."""
    return f"{where}: the text contains a NUL character (0x00), which cannot be stored. Remove it and try again."


def refuse_nul(text, where=""):
    """`text`, if it has no NUL character; else OutsideTextError naming `where` (a file, a field) and the line."""
    found = find_nul(text)
    if found:
        line = f"line {found[0]}"
        raise OutsideTextError(nul_message(f"{where}, {line}" if where else line.capitalize()))
    return text


def lf_line_endings(text):
    """`text` with CRLF and CR line endings as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def validate_no_nul(value):
    """A form validator: Django's ProhibitNullCharactersValidator, with the message that names the line."""
    try:
        refuse_nul(str(value))
    except OutsideTextError as error:
        raise ValidationError(str(error), code="null_characters_not_allowed") from None


class TextareaField(forms.CharField):
    """Text typed in a textarea, kept as it was typed: not stripped (Markdown's indentation and its two
    trailing spaces for a line break mean something), line endings as LF, a NUL refused naming its line.
    Only whitespace counts as empty for a required field."""

    widget = forms.Textarea

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)
        self.validators = [
            validate_no_nul if isinstance(v, validators.ProhibitNullCharactersValidator) else v for v in self.validators
        ]

    def to_python(self, value):
        value = super().to_python(value)
        return lf_line_endings(value) if isinstance(value, str) else value

    def validate(self, value):
        super().validate(value.strip() if isinstance(value, str) else value)

    def has_changed(self, initial, data):
        if not (initial or "").strip() and not (data or "").strip():
            return False  # an empty row of a formset sent back with a stray newline is still empty
        return super().has_changed(initial, data)


# --- what a form shows and gets back ------------------------------------------------------------------------


def shown_text(form, name):
    """The text the form's field `name` shows for its initial value, as the page renders it."""
    bound = form[name]
    shown = bound.field.widget.format_value(bound.field.prepare_value(bound.initial))
    return "" if shown is None else str(shown)


def shown_unchanged(form, name):
    """Whether the field `name` of a bound form came back with exactly the text it showed."""
    sent = form[name].data
    return lf_line_endings(sent or "") == lf_line_endings(shown_text(form, name))


class _Named:
    def __init__(self, name):
        self.name = name


def _tag_names(tags):
    return [getattr(tag, "name", tag) for tag in tags or []]


def tags_sent(form, name="tags"):
    """The tag names the tags field `name` came back with (cleaned, so after taggit's parse_tags).

    The field shows the names with taggit's edit_string_for_tags, which puts a name with a comma or a
    space in double quotes, so that parse_tags reads it back the same. A name with a double quote in it
    cannot be written that way (a tag renamed in the admin, or loaded from the content files): where the
    text the form showed for it comes back, that name is kept as it was and the rest is read as usual."""
    parsed = form.cleaned_data[name]
    sent = form[name].data or ""
    kept = []
    for tag_name in _tag_names(form[name].initial):
        shown = edit_string_for_tags([_Named(tag_name)])
        if parse_tags(shown) != [tag_name] and shown in sent:
            kept.append(tag_name)
            sent = sent.replace(shown, ",")
    if not kept:
        return parsed
    return sorted(set(parse_tags(sent)) | set(kept))


def with_unoffered(form, name):
    """The choices of the many-to-many field `name` (a queryset, as the field cleans to), with those the
    record holds that the form did not offer (hidden from this editor, in the bin) kept: a form does not
    remove what it could not show."""
    field = form.fields[name]
    chosen = form.cleaned_data[name]
    held = {getattr(item, "pk", item) for item in form[name].initial or []}
    unoffered = held - set(field.queryset.filter(pk__in=held).values_list("pk", flat=True)) if held else set()
    if not unoffered:
        return chosen
    return field.queryset.model._default_manager.filter(pk__in={item.pk for item in chosen} | unoffered)
