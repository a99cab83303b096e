from django.contrib import admin
from django.urls import include, path

from . import bin, import_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("search/", views.search, name="search"),
    path("tags/", views.tag_list, name="tag_list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("bin/", bin.bin_list, name="bin"),
    path("bin/<str:kind>/<int:pk>/restore/", bin.restore, name="bin_restore"),
    path("notes/import/", import_views.import_note_file, name="note_import"),
    path("", include("insights.urls")),
    path("", include("cells.urls")),
    path("", include("people.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "betterway.views.bad_request"
handler404 = "betterway.views.page_not_found"
handler500 = "betterway.views.server_error"
