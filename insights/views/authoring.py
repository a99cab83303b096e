"""Staff writing insights: drafts, preview, publish, bin."""

from django.http import Http404


def create_insight(request):
    raise Http404("Not built yet")


def edit_insight(request, slug):
    raise Http404("Not built yet")


def preview_insight(request, slug):
    raise Http404("Not built yet")


def publish_insight(request, slug):
    raise Http404("Not built yet")


def unpublish_insight(request, slug):
    raise Http404("Not built yet")


def delete_insight(request, slug):
    raise Http404("Not built yet")
