from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("principles/", views.principle_list, name="principle_list"),
    path("principles/<slug:slug>/", views.principle_detail, name="principle"),
    path("insights/", views.insight_list, name="insight_list"),
    path("insights/<slug:slug>/", views.insight_detail, name="insight"),
]
