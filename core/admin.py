"""The Django admin for content with a lifecycle (meetings, insights): writes like the site.

- Every save goes through core.versions.saving, with the object's inlines, topics and other
  many-to-many choices, as one version; an admin form made before someone else's save is
  refused with its text kept (edit_version travels in a hidden field).
- Nothing is deleted: "Move to the bin" instead (staff restore it from /bin/).
- The lifecycle fields are read-only; publishing and the bin are actions that record who and when.
- Text comes in as on the site (core/text.py): a textarea's text is kept as typed with LF line endings,
  in every admin form and inline (FIELD_OVERRIDES); a NUL character is refused by the form
  fields, naming the line in a textarea; a form saved unchanged leaves the tags as they were.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect

from . import publishing, versions
from .text import TextareaField, tags_sent

LIFECYCLE_FIELDS = [
    "status",
    "edit_version",
    "created_by",
    "created_at",
    "updated_at",
    "published_at",
    "published_by",
    "deleted_at",
    "deleted_by",
]
STALE_MESSAGE = (
    "Someone else saved this while you were editing it, so nothing was saved. Your text is still in "
    "the form: open the page again in another tab to see their version, then save again."
)


# Every ModelAdmin and inline of ours uses these: text as typed (core/text.py), addresses typed without a
# scheme read as https (Django 6's default).
FIELD_OVERRIDES = {models.TextField: {"form_class": TextareaField}, models.URLField: {"assume_scheme": "https"}}


class PublishableAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.edit_version

    def clean_tags(self):
        return tags_sent(self)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            stored = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("edit_version", flat=True)
                .first()
            )
            if cleaned.get("expected_version") != stored:
                raise ValidationError(STALE_MESSAGE)
        return cleaned


@admin.action(description="Publish the selected items")
def publish(modeladmin, request, queryset):
    for obj in queryset.filter(deleted_at__isnull=True).exclude(status="published"):
        publishing.publish(obj, user=request.user)


@admin.action(description="Unpublish the selected items (back to draft)")
def unpublish(modeladmin, request, queryset):
    for obj in queryset.filter(status="published"):
        publishing.unpublish(obj, user=request.user)


@admin.action(description="Move the selected items to the bin")
def move_to_bin(modeladmin, request, queryset):
    for obj in queryset.filter(deleted_at__isnull=True):
        publishing.move_to_bin(obj, user=request.user)


@admin.action(description="Restore the selected items from the bin")
def restore_from_bin(modeladmin, request, queryset):
    for obj in queryset.filter(deleted_at__isnull=False):
        publishing.restore_from_bin(obj, user=request.user)


class PublishableAdmin(admin.ModelAdmin):
    form = PublishableAdminForm
    readonly_fields = LIFECYCLE_FIELDS
    actions = [publish, unpublish, move_to_bin, restore_from_bin]
    formfield_overrides = FIELD_OVERRIDES

    def has_delete_permission(self, request, obj=None):
        return False  # "Move to the bin" instead

    def save_model(self, request, obj, form, change):
        """Saved in save_related, with what belongs to it, as one version."""

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        expected = form.cleaned_data.get("expected_version") if change else None
        comment = "Edited in the admin" if change else "Created in the admin"
        with versions.saving(obj, user=request.user, comment=comment, expected_version=expected):
            if not change:
                obj.created_by = request.user
            obj.save()
            super().save_related(request, form, formsets, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except versions.StaleEdit:  # someone saved between the form's check and the save
            messages.error(request, STALE_MESSAGE)
            return HttpResponseRedirect(request.get_full_path())
