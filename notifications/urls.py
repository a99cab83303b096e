from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("account/notifications/", views.preferences_page, name="preferences"),
    path("follow/<str:kind>/<slug:slug>/", views.follow, name="follow"),
    path("unfollow/<str:kind>/<slug:slug>/", views.unfollow, name="unfollow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("bulletin/preview/", views.bulletin_preview, name="bulletin_preview"),
]
