"""Topic (tag) names: the one normalisation every name passes through where it comes in.

- `normalise(name)`: trimmed, runs of spaces (and line breaks, tabs, no-break spaces) collapsed to one
  space, no markup (HTML tags and angle brackets, control characters, double quotes, a leading "#"),
  at most MAX_LENGTH characters. The case is kept as typed: "Systems leadership" shows as written. A name
  with no letter or digit ("'", "{{", "!!!") is no name: its address (slug) would be empty.
- `key(name)`: what two names are compared by (normalised and case-folded), so that "Systems leadership"
  and "systems  leadership " are one topic. The database compares with taggit's case-insensitive lookup
  (TAGGIT_CASE_INSENSITIVE), on names that are already normalised.
- `parse(text)`: a tags field's text → its names, normalised, one of each (settings.TAGGIT_TAGS_FROM_STRING,
  so taggit's TagField in the meeting and insight forms and the admin use it). Names are separated by
  commas; text without a comma is one name ("systems leadership" is one topic, not two); a name in double
  quotes may hold a comma. taggit's own edit string (names with a space or comma in double quotes, joined
  by ", ") reads back to the same names.
- `too_long(text)`: the names of `text` that would be cut to MAX_LENGTH, for a form that says so.

Where names come in: the meeting and insight forms and the admin (TagField, through settings), members
adding topics on a page (discussion/forms.py), the topic admin (discussion/admin.py: renaming and merging).
The content files (fixtures/content) hold names that are normalised already.
"""

import re
import unicodedata

from taggit.utils import _parse_tags

MAX_LENGTH = 50

_MARKUP = re.compile(r"<[^>]*>")
_UNWANTED = str.maketrans({"<": " ", ">": " ", '"': " "})


def _tidy(name):
    text = unicodedata.normalize("NFC", str(name or ""))
    text = _MARKUP.sub(" ", text).translate(_UNWANTED)
    text = "".join(" " if unicodedata.category(char).startswith("C") else char for char in text)
    return " ".join(text.split()).lstrip("#").strip()


def normalise(name):
    """`name` as the site stores it (see the module's docstring); "" when nothing is left."""
    name = _tidy(name)[:MAX_LENGTH].rstrip()
    return name if any(char.isalnum() for char in name) else ""


def key(name):
    """What names are matched by: "Systems  Leadership " and "systems leadership" have the same key."""
    return normalise(name).casefold()


def _split(text):
    if not text or not text.strip():
        return []
    if "," not in text:
        return [text]  # one name, spaces and all
    return _parse_tags(text)


def parse(text):
    """The names a tags field's `text` holds: normalised, one of each (by key), sorted."""
    names = {}
    for name in _split(text):
        clean = normalise(name)
        if clean:
            names.setdefault(key(clean), clean)
    return sorted(names.values())


def too_long(text):
    """The names in `text` longer than MAX_LENGTH once tidied (before they are cut)."""
    return [tidy for tidy in map(_tidy, _split(text)) if len(tidy) > MAX_LENGTH]
