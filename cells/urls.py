from django.urls import path

from . import views

app_name = "cells"
urlpatterns = [
    path("cells/", views.cell_list, name="cell_list"),
    path("cells/<slug:slug>/", views.cell_detail, name="cell"),
    path("notes/", views.meeting_list, name="meeting_list"),
    path("notes/<slug:slug>/", views.meeting_detail, name="meeting"),
]
