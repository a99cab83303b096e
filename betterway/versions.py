"""Nothing is lost: every saved change of a meeting or insight is a version (django-reversion).

- `saving(obj, user=…, comment=…, expected_version=…)`: wrap a save in a new version; a form
  made from an older `edit_version` than the stored one is refused with `StaleEdit`.
- `history(obj)`, `changes(old, new)` and `restore(version, user)` for the history page.
"""

import difflib
from contextlib import contextmanager

import reversion
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import mark_safe
from reversion.models import Version


class StaleEdit(Exception):
    """Someone saved the object after this form was made."""

    def __init__(self, current):
        super().__init__("The object was changed by someone else meanwhile.")
        self.current = current


def _record_baseline(obj, user):
    """Content that predates versioning (loaded from fixtures) gets its first version now."""
    if obj.pk and not Version.objects.get_for_object(obj).exists():
        with reversion.create_revision():
            reversion.add_to_revision(obj)
            reversion.set_comment("Earliest kept version")
            _set_user(user)


def _set_user(user):
    if user is not None and user.is_authenticated:
        reversion.set_user(user)


@contextmanager
def saving(obj, *, user, comment, expected_version=None):
    """Everything saved inside the block (the object, its speakers, questions…) is one new version.

    With `expected_version`, refuse (StaleEdit) when the stored object has moved on since the
    form was made; otherwise the object's edit_version goes up by one.
    """
    with transaction.atomic():
        if obj.pk:
            current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            if expected_version is not None and current.edit_version != expected_version:
                raise StaleEdit(current)
            _record_baseline(current, user)
            obj.edit_version = current.edit_version + 1
        with reversion.create_revision():
            yield obj
            reversion.set_comment(comment)
            _set_user(user)


def history(obj):
    """Versions of `obj`, newest first, with who made them."""
    return Version.objects.get_for_object(obj).select_related("revision__user")


def version_label(version):
    user = version.revision.user
    who = user.get_full_name() or user.email or user.get_username() if user else "the system"
    return f"{version.revision.date_created:%d %b %Y %H:%M} by {who}"


def changes(old, new, fields):
    """[(label, html)] for each of `fields` ((name, label) pairs) that differs between two versions
    (or field dicts): deleted words in <del>, added words in <ins>."""
    old_fields = old.field_dict if isinstance(old, Version) else old
    new_fields = new.field_dict if isinstance(new, Version) else new
    result = []
    for name, label in fields:
        before, after = _text(old_fields.get(name)), _text(new_fields.get(name))
        if before != after:
            result.append((label, word_diff(before, after)))
    return result


def _text(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(str(item) for item in value)
    return str(value)


def word_diff(before, after):
    """HTML of `after` with the words removed since `before` in <del> and the new ones in <ins>."""
    a, b = before.split(" "), after.split(" ")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(out).replace("\n", "<br>"))  # noqa: S308 - every piece escaped above


# What restoring leaves as it is: whether the object is published, binned, and its edit counter.
KEPT_ON_RESTORE = ["status", "published_at", "published_by_id", "deleted_at", "deleted_by_id", "edit_version"]


def restore(version, *, user):
    """Bring back the text and details of an earlier version (with its speakers and questions) as a
    new version. Whether it is published stays as it is now."""
    obj = version.object
    with saving(obj, user=user, comment=f"Restored the version of {version_label(version)}"):
        kept = {name: getattr(obj, name) for name in KEPT_ON_RESTORE}
        version.revision.revert(delete=True)
        obj.refresh_from_db()
        for name, value in kept.items():
            setattr(obj, name, value)
        obj.save()
    return obj
