from django.contrib import admin

from core.admin import FIELD_OVERRIDES

from .models import Organisation, Person

USER_HELP = (
    "The account that belongs to this person: type part of their email address to find it. "
    "Linking lets them edit this profile. An account can be linked to one person only: if they "
    "already made a profile of their own, remove its link first."
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    formfield_overrides = FIELD_OVERRIDES
    list_display = ["name", "website"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    formfield_overrides = FIELD_OVERRIDES
    list_display = ["name", "role", "organisation", "user", "is_public"]
    list_select_related = ["organisation", "user"]
    search_fields = ["name", "role", "organisation__name", "user__email"]
    list_filter = [("user", admin.EmptyFieldListFilter), "organisation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation", "user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["help_text"] = USER_HELP
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
