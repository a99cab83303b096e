from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from . import bin, calendars, feeds, import_views, sitemaps, views
from .archive import archive_index, archive_year
from .questions import question_list

register_converter(calendars.DayConverter, "isoday")

# The admin's own login form would let staff in with a password alone: its login is the site's (allauth), which
# asks for the second factor of anyone who has turned two-factor authentication on. Non-staff are refused (403).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("search/", views.search, name="search"),
    path("archive/", archive_index, name="archive"),
    path("archive/<int:year>/", archive_year, name="archive_year"),
    path("questions/", question_list, name="questions"),
    path("topics/", views.tag_list, name="tag_list"),
    path("topics/<slug:slug>/", views.tag_detail, name="tag"),
    # the topic pages were at /tags/ before the site said "Topics" everywhere: old links move for good
    path(
        "tags/", RedirectView.as_view(pattern_name="tag_list", permanent=True, query_string=True), name="old_tag_list"
    ),
    path(
        "tags/<slug:slug>/", RedirectView.as_view(pattern_name="tag", permanent=True, query_string=True), name="old_tag"
    ),
    path(
        "tags/<slug:slug>/feed.atom", RedirectView.as_view(pattern_name="feed_tag", permanent=True), name="old_feed_tag"
    ),
    path("bin/", bin.bin_list, name="bin"),
    path("bin/<str:kind>/<int:pk>/restore/", bin.restore, name="bin_restore"),
    path("notes/import/", import_views.import_note_file, name="note_import"),
    # feeds and calendars, sitemap, robots.txt, favicon (betterway/feeds.py, calendars.py, sitemaps.py)
    path("notes/feed.atom", feeds.LatestNotesFeed(), name="feed_notes"),
    path("insights/feed.atom", feeds.LatestInsightsFeed(), name="feed_insights"),
    path("principles/<slug:slug>/feed.atom", feeds.PrincipleFeed(), name="feed_principle"),
    path("cells/<slug:slug>/feed.atom", feeds.CellFeed(), name="feed_cell"),
    path("topics/<slug:slug>/feed.atom", feeds.TopicFeed(), name="feed_tag"),
    path("people/<slug:slug>/feed.atom", feeds.PersonFeed(), name="feed_person"),
    path("calendar.ics", calendars.upcoming_calendar, name="calendar"),
    path("cells/<slug:slug>/calendar.ics", calendars.cell_calendar, name="cell_calendar"),
    path("cells/<slug:slug>/<isoday:day>.ics", calendars.upcoming_date_calendar, name="upcoming_date_calendar"),
    path("sitemap.xml", sitemaps.sitemap_xml, name="sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    path("favicon.ico", sitemaps.favicon, name="favicon"),
    path("", include("insights.urls")),
    path("", include("cells.urls")),
    path("", include("people.urls")),
    path("", include("discussion.urls")),  # comments, moderation, topics members add
    path("", include("notifications.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "betterway.views.bad_request"
handler403 = "betterway.views.permission_denied"
handler404 = "betterway.views.page_not_found"
handler500 = "betterway.views.server_error"
