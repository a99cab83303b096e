from django.urls import path

from .views import account, public

app_name = "people"
urlpatterns = [
    path("people/", public.person_list, name="person_list"),
    path("people/<slug:slug>/", public.person_detail, name="person"),
    path("organisations/<slug:slug>/", public.organisation_detail, name="organisation"),
    path("account/profile/", account.profile, name="profile"),
]
