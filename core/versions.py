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
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_str
from reversion.models import Revision, Version
from reversion.revisions import _get_options
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


def created_in_bulk(model, objs, *, comment):
    """Create many NEW rows of a versioned model at once, each with its first kept version, as saving() would
    leave them (edit_version 1, one version). For synthetic archives (betterway/scale.py), where saving() row
    by row would take hours; content that people write always goes through saving()."""
    options = _get_options(model)
    content_type = ContentType.objects.get_for_model(model)
    with transaction.atomic():
        created = model._default_manager.bulk_create(objs)
        revision = Revision.objects.create(comment=comment, date_created=timezone.now())
        Version.objects.bulk_create(
            Version(
                revision=revision,
                content_type=content_type,
                object_id=force_str(obj.pk),
                db="default",
                format=options.format,
                serialized_data=serializers.serialize(options.format, (obj,), fields=options.fields),
                object_repr=force_str(obj),
            )
            for obj in created
        )
    return created


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


def restore(version, *, user, comment="Restored an earlier version"):
    """Bring back the text and details of an earlier version (with its speakers, questions and tags)
    as a new version. Whether it is published or in the bin stays as it is now. The version records who
    restored it; `comment` says which version (the history page numbers them)."""
    obj = version.object
    with saving(obj, user=user, comment=comment):
        kept = {name: getattr(obj, name) for name in KEPT_ON_RESTORE}
        version.revision.revert(delete=True)
        obj.refresh_from_db()
        for name, value in kept.items():
            setattr(obj, name, value)
        obj.save()
    return obj
