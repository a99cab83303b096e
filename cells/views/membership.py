"""A cell's members: asking to join, and convenors accepting or declining."""

from django.http import Http404


def request_to_join(request, slug):
    raise Http404("Not built yet")


def members(request, slug):
    raise Http404("Not built yet")


def decide_request(request, slug, pk):
    raise Http404("Not built yet")
