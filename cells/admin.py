from django.contrib import admin

from .models import Cell, Meeting, Membership, Question, Speaker, UpcomingDate


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["person"]


class UpcomingDateInline(admin.TabularInline):
    model = UpcomingDate
    extra = 1


@admin.register(Cell)
class CellAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "order"]
    list_editable = ["is_active", "order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [MembershipInline, UpcomingDateInline]


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 1
    autocomplete_fields = ["person"]


class QuestionInline(admin.StackedInline):
    model = Question
    fk_name = "raised_at"
    extra = 1
    filter_horizontal = ["taken_up_in"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "cell", "number", "kind", "date", "date_precision", "status", "visibility"]
    list_filter = ["status", "visibility", "kind", "cell"]
    list_select_related = ["cell"]
    search_fields = ["title", "summary", "notes"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["principles"]
    date_hierarchy = "date"
    readonly_fields = ["created_by", "created_at", "updated_at", "published_at"]
    inlines = [SpeakerInline, QuestionInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "raised_at"]
    list_select_related = ["raised_at"]
    search_fields = ["text"]
    filter_horizontal = ["taken_up_in"]
