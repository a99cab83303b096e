"""The topics' admin (taggit's, made to keep the site's rules).

- A topic's name goes through core.tags (trimmed, spaces collapsed, no markup, length-limited) and may not
  be another topic's name in other letter case (merge them instead).
- "Merge selected tags" (taggit's action and its page, admin:taggit_tag_merge_tags) retags each meeting and
  insight as a new version of it (discussion/tagging.py, merge_topics), so nothing changes content without
  a version; the name typed is matched to an existing topic without regard to case.
- Topics are never deleted: earlier versions of meetings and insights name them, and restoring one must
  find them. A topic nothing uses shows nowhere on the site.
- Which content uses a topic is shown, not edited here (a change of content's topics is a version of it:
  edit the meeting or insight).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from taggit.admin import TagAdmin
from taggit.forms import MergeTagsForm
from taggit.models import Tag

from core import tags

from .tagging import merge_topics


class TopicAdminForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        text = self.cleaned_data["name"]
        if tags.too_long(text):
            raise ValidationError(f"A topic's name can be up to {tags.MAX_LENGTH} characters long.")
        name = tags.normalise(text)
        if not name:
            raise ValidationError("Give the topic a name in words.")
        clash = Tag.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
        if clash:
            raise ValidationError(
                f"There is a topic “{clash.name}” already: to make them one, select both in the list "
                "and use “Merge selected tags”."
            )
        return name


class TopicMergeForm(MergeTagsForm):
    def clean_new_tag_name(self):
        text = self.cleaned_data["new_tag_name"]
        if tags.too_long(text):
            raise ValidationError(f"A topic's name can be up to {tags.MAX_LENGTH} characters long.")
        name = tags.normalise(text)
        if not name:
            raise ValidationError("Give the topic a name in words.")
        return name


admin.site.unregister(Tag)


@admin.register(Tag)
class TopicAdmin(TagAdmin):
    form = TopicAdminForm
    inlines = []
    readonly_fields = ["used_by"]

    @admin.display(description="Used by")
    def used_by(self, tag):
        if not tag.pk:
            return "—"
        items = tag.taggit_taggeditem_items.select_related("content_type").order_by("content_type", "object_id")
        return ", ".join(f"{item.content_type.name} {item.object_id}" for item in items) or "Nothing"

    def has_delete_permission(self, request, obj=None):
        return False

    def merge_tags_view(self, request):
        selected = Tag.objects.filter(pk__in=_ids(request.session.get("selected_tag_ids", "")))
        form = TopicMergeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            if not selected.exists():
                messages.error(request, "Select the topics to merge in the list first.")
                return redirect("admin:taggit_tag_changelist")
            with transaction.atomic():
                target, count = merge_topics(list(selected), form.cleaned_data["new_tag_name"], user=request.user)
            request.session.pop("selected_tag_ids", None)
            messages.success(request, f"Merged into “{target.name}”: {count} item(s) retagged, each as a new version.")
            return redirect("admin:taggit_tag_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "selected_tag_ids": [str(tag.pk) for tag in selected],
            "selected_tags": selected,
        }
        return render(request, "discussion/admin_merge_topics.html", context)


def _ids(text):
    return [int(part) for part in str(text).split(",") if part.strip().isdigit()]
