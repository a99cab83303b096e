"""History pages of meetings and insights: versions, what changed between two, restore."""

from django.http import Http404


def meeting_history(request, slug):
    raise Http404("Not built yet")


def restore_meeting(request, slug, version_id):
    raise Http404("Not built yet")


def insight_history(request, slug):
    raise Http404("Not built yet")


def restore_insight(request, slug, version_id):
    raise Http404("Not built yet")
