"""Convenors and staff writing up meetings: drafts, preview, publish, speaker reviews, import."""

from django.http import Http404


def create_meeting(request):
    raise Http404("Not built yet")


def import_note_file(request):
    raise Http404("Not built yet")


def my_notes(request):
    raise Http404("Not built yet")


def edit_meeting(request, slug):
    raise Http404("Not built yet")


def preview_meeting(request, slug):
    raise Http404("Not built yet")


def publish_meeting(request, slug):
    raise Http404("Not built yet")


def unpublish_meeting(request, slug):
    raise Http404("Not built yet")


def delete_meeting(request, slug):
    raise Http404("Not built yet")


def request_reviews(request, slug):
    raise Http404("Not built yet")


def review_meeting(request, slug):
    raise Http404("Not built yet")
