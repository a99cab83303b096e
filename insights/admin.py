from django.contrib import admin

from .models import Insight, Principle


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "statement"]


@admin.register(Insight)
class InsightAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "published_on", "status", "visibility"]
    list_filter = ["status", "visibility", "kind", "principles"]
    search_fields = ["title", "standfirst", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["authors", "principles", "source_meetings"]
    readonly_fields = ["created_by", "created_at", "updated_at", "published_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
