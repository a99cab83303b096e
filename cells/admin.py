from django.contrib import admin

from core.admin import FIELD_OVERRIDES, LIFECYCLE_FIELDS, PublishableAdmin

from .models import Cell, Meeting, Membership, Question, Speaker, UpcomingDate


class MembershipInline(admin.TabularInline):
    formfield_overrides = FIELD_OVERRIDES
    model = Membership
    extra = 1
    autocomplete_fields = ["person"]


class UpcomingDateInline(admin.TabularInline):
    formfield_overrides = FIELD_OVERRIDES
    model = UpcomingDate
    extra = 1


@admin.register(Cell)
class CellAdmin(admin.ModelAdmin):
    formfield_overrides = FIELD_OVERRIDES
    list_display = ["name", "is_active", "order"]
    list_editable = ["is_active", "order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [MembershipInline, UpcomingDateInline]


class SpeakerInline(admin.TabularInline):
    formfield_overrides = FIELD_OVERRIDES
    model = Speaker
    extra = 1
    autocomplete_fields = ["person"]


class QuestionInline(admin.StackedInline):
    formfield_overrides = FIELD_OVERRIDES
    model = Question
    fk_name = "raised_at"
    extra = 1
    filter_horizontal = ["taken_up_in"]


@admin.register(Meeting)
class MeetingAdmin(PublishableAdmin):
    """Saves, versions and the bin as on the site (core/admin.py). Questions are edited here, with
    their meeting, so that every change of them is part of the meeting's versions."""

    list_display = [
        "title",
        "subject",
        "cell",
        "number",
        "kind",
        "date",
        "date_precision",
        "status",
        "visibility",
        "deleted_at",
    ]
    list_filter = ["status", "visibility", "kind", "cell", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["cell"]
    search_fields = ["title", "subject", "summary", "notes"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "date"
    readonly_fields = LIFECYCLE_FIELDS
    inlines = [SpeakerInline, QuestionInline]
