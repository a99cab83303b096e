from django.urls import path

from .views import authoring, membership, public

app_name = "cells"
urlpatterns = [
    # reading
    path("cells/", public.cell_list, name="cell_list"),
    path("cells/<slug:slug>/", public.cell_detail, name="cell"),
    path("notes/", public.meeting_list, name="meeting_list"),
    # a cell's members and who may join (cells/views/membership.py)
    path("cells/<slug:slug>/join/", membership.request_to_join, name="join"),
    path("cells/<slug:slug>/members/", membership.members, name="members"),
    path("cells/<slug:slug>/members/requests/<int:pk>/", membership.decide_request, name="decide_request"),
    # writing up meetings (cells/views/authoring.py)
    path("notes/new/", authoring.create_meeting, name="meeting_create"),
    path("notes/yours/", authoring.my_notes, name="my_notes"),
    path("notes/<slug:slug>/", public.meeting_detail, name="meeting"),
    path("notes/<slug:slug>/edit/", authoring.edit_meeting, name="meeting_edit"),
    path("notes/<slug:slug>/preview/", authoring.preview_meeting, name="meeting_preview"),
    path("notes/<slug:slug>/publish/", authoring.publish_meeting, name="meeting_publish"),
    path("notes/<slug:slug>/unpublish/", authoring.unpublish_meeting, name="meeting_unpublish"),
    path("notes/<slug:slug>/delete/", authoring.delete_meeting, name="meeting_delete"),
    path("notes/<slug:slug>/reviews/request/", authoring.request_reviews, name="meeting_request_reviews"),
    path("notes/<slug:slug>/review/", authoring.review_meeting, name="meeting_review"),
    # versions (cells/history.py)
    path("notes/<slug:slug>/history/", authoring.meeting_history, name="meeting_history"),
    path("notes/<slug:slug>/history/<int:version_id>/restore/", authoring.restore_meeting, name="meeting_restore"),
]
