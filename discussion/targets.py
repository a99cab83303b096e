"""What comments and topics are on: a meeting or an insight, found by the page's address."""

from django.shortcuts import get_object_or_404

from cells.models import Meeting
from insights.models import Insight

MODELS = {"meeting": Meeting, "insight": Insight}


def target_for(user, kind, slug):
    """The meeting or insight `user` may see (else 404), with its cell."""
    return get_object_or_404(MODELS[kind].objects.visible_to(user).select_related("cell"), slug=slug)


def kind_of(target):
    return target._meta.model_name
