from django.urls import path

from .views import authoring, public

app_name = "insights"
urlpatterns = [
    path("principles/", public.principle_list, name="principle_list"),
    path("principles/<slug:slug>/", public.principle_detail, name="principle"),
    path("insights/", public.insight_list, name="insight_list"),
    # staff writing insights (insights/views/authoring.py)
    path("insights/new/", authoring.create_insight, name="insight_create"),
    path("insights/<slug:slug>/", public.insight_detail, name="insight"),
    path("insights/<slug:slug>/edit/", authoring.edit_insight, name="insight_edit"),
    path("insights/<slug:slug>/preview/", authoring.preview_insight, name="insight_preview"),
    path("insights/<slug:slug>/publish/", authoring.publish_insight, name="insight_publish"),
    path("insights/<slug:slug>/unpublish/", authoring.unpublish_insight, name="insight_unpublish"),
    path("insights/<slug:slug>/delete/", authoring.delete_insight, name="insight_delete"),
    path("insights/<slug:slug>/history/", authoring.insight_history, name="insight_history"),
    path("insights/<slug:slug>/history/<int:version_id>/restore/", authoring.restore_insight, name="insight_restore"),
]
