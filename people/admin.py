from django.contrib import admin

from .models import Organisation, Person


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "organisation", "user"]
    list_select_related = ["organisation", "user"]
    search_fields = ["name", "role", "organisation__name"]
    list_filter = ["organisation"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]
