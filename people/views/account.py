"""A member's own profile: the Person the site shows for them."""

from django.http import Http404


def profile(request):
    raise Http404("Not built yet")
