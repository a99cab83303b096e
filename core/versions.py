"""Nothing is lost: every saved change of a meeting or insight is a version (django-reversion).

- `saving(obj, user=…, comment=…, expected_version=…)`: the one way content is written. Everything
  saved inside the block (the object, its speakers, questions, tags…) is one new version, and the
  object's edit_version goes up by one. A form made from an older `edit_version` than the stored
  one is refused with `StaleEdit` and nothing is saved.
- `history(obj)`, `version_at(obj, edit_version)` and `restore(version, user=…)` for history pages.
"""

import contextvars
from contextlib import contextmanager

import reversion
from django.db import transaction
from reversion.models import Version
from taggit.models import Tag, TaggedItem

_open = contextvars.ContextVar("core_versions_open", default=frozenset())

if not reversion.is_registered(TaggedItem):
    reversion.register(TaggedItem)  # a content object's tag links are part of its versions


class StaleEdit(Exception):
    """Someone saved the object after this form was made."""

    def __init__(self, current):
        super().__init__("The object was changed by someone else meanwhile.")
        self.current = current


def is_saving(obj):
    """True inside `saving(obj)`: the only place a Publishable may be saved."""
    return id(obj) in _open.get()


@contextmanager
def saving(obj, *, user, comment, expected_version=None):
    """Save `obj` (and what belongs to it) inside the block as one new version.

    `expected_version` is the edit_version the form was made from: when the stored object has
    moved on since, raise StaleEdit before anything is written. Writers with no form (publishing,
    the bin, loaders) pass None.
    """
    with transaction.atomic():
        if obj.pk:
            current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            if expected_version is not None and current.edit_version != expected_version:
                raise StaleEdit(current)
            _record_baseline(current, user)
            obj.edit_version = current.edit_version + 1
        token = _open.set(_open.get() | {id(obj)})
        try:
            with reversion.create_revision():
                yield obj
                if obj.pk:
                    reversion.add_to_revision(obj)  # as it is at the end, many-to-many choices included
                reversion.set_comment(comment)
                _set_user(user)
        finally:
            _open.reset(token)


def _record_baseline(obj, user):
    """Content that predates versioning gets its first version now, before it changes."""
    if not Version.objects.get_for_object(obj).exists():
        with reversion.create_revision():
            reversion.add_to_revision(obj)
            reversion.set_comment("Earliest kept version")


def _set_user(user):
    if user is not None and user.is_authenticated:
        reversion.set_user(user)


def history(obj):
    """Versions of `obj`, newest first, with who made them."""
    return Version.objects.get_for_object(obj).select_related("revision__user")


def version_at(obj, edit_version):
    """The kept version of `obj` whose edit_version was `edit_version`, or None."""
    for version in history(obj):
        if version.field_dict.get("edit_version") == edit_version:
            return version
    return None


def who(user):
    if user is None:
        return "the system"
    return user.get_full_name() or user.email or user.get_username()


def version_label(version):
    return f"{version.revision.date_created:%d %b %Y %H:%M} by {who(version.revision.user)}"


def parts_in(version, model):
    """The versions of `model` rows saved with `version` (e.g. a meeting's speakers), as field dicts."""
    return [
        part.field_dict
        for part in version.revision.version_set.select_related("content_type")
        if part.content_type.model_class() is model
    ]


def tags_of(version):
    """The topics of a content object as they were in `version`, as text."""
    object_id = int(version.object_id)
    tag_ids = [
        fields["tag_id"]
        for fields in parts_in(version, TaggedItem)
        if fields["object_id"] == object_id and fields["content_type_id"] == version.content_type_id
    ]
    return ", ".join(sorted(Tag.objects.filter(pk__in=tag_ids).values_list("name", flat=True)))


# What restoring leaves as it is: whether the object is published, binned, and its edit counter.
KEPT_ON_RESTORE = ["status", "published_at", "published_by_id", "deleted_at", "deleted_by_id", "edit_version"]


def restore(version, *, user):
    """Bring back the text and details of an earlier version (with its speakers, questions and tags)
    as a new version. Whether it is published or in the bin stays as it is now."""
    obj = version.object
    with saving(obj, user=user, comment=f"Restored the version of {version_label(version)}"):
        kept = {name: getattr(obj, name) for name in KEPT_ON_RESTORE}
        version.revision.revert(delete=True)
        obj.refresh_from_db()
        for name, value in kept.items():
            setattr(obj, name, value)
        obj.save()
    return obj
