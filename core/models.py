"""The content lifecycle every meeting and insight shares: draft → published, who may read it,
the bin, and the counter that refuses stale edits.

A Publishable is written only through `core.versions.saving(...)` (or the functions of
core/publishing.py, which use it): `save()` outside it raises `UnversionedWrite`, so no
form, admin page, importer or loader can change content without keeping a version.
Nothing is deleted: `move_to_bin` (core/publishing.py) instead.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models

from . import versions
from .visibility import Status, Visibility, VisibleQuerySet


class UnversionedWrite(Exception):
    """Content saved or deleted outside core.versions.saving(): the change would keep no version."""


class Versioned(models.Model):
    """Written only inside core.versions.saving: every change is a version, a stale form is refused."""

    edit_version = models.PositiveIntegerField(default=1, help_text="Goes up with every save; stale forms are refused.")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not versions.is_saving(self):
            raise UnversionedWrite(
                f"{type(self).__name__} “{self}” was saved outside core.versions.saving(): no version would be kept."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise UnversionedWrite(f"{type(self).__name__} is never deleted: it is moved to the bin or marked removed.")


class Publishable(Versioned):
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    visibility = models.CharField(max_length=10, choices=Visibility, default=Visibility.PUBLIC)
    tagged_items = GenericRelation("taggit.TaggedItem")  # followed by versions, so tags are kept too
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Set when moved to the bin.")
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = VisibleQuerySet.as_manager()

    # The fields a version comparison shows, as (name, label); each model names its own.
    compared_fields = [("title", "Title"), ("visibility", "Who may read it"), ("status", "Status")]

    class Meta:
        abstract = True

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def in_bin(self):
        return self.deleted_at is not None

    @classmethod
    def version_parts(cls, version):
        """{name: text} of what belongs to a version besides its own fields (speakers, questions, tags);
        the names are listed in `compared_parts`."""
        return {"tags": versions.tags_of(version)}

    compared_parts = [("tags", "Topics")]
