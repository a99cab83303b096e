from django.contrib import admin

from core.admin import FIELD_OVERRIDES, LIFECYCLE_FIELDS, PublishableAdmin

from .models import Insight, Principle


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    formfield_overrides = FIELD_OVERRIDES
    list_display = ["title", "area", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "statement"]
    filter_horizontal = ["meetings"]


@admin.register(Insight)
class InsightAdmin(PublishableAdmin):
    """Saves, versions and the bin as on the site (core/admin.py)."""

    list_display = ["title", "kind", "published_on", "status", "visibility", "deleted_at"]
    list_filter = ["status", "visibility", "kind", "principles", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "standfirst", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["authors", "principles", "source_meetings"]
    readonly_fields = LIFECYCLE_FIELDS
