"""Topics (taggit's tags) as readers may see them.

A tag is shared by meetings and insights, so its visibility spans both apps and lives here,
on top of them: a topic shows when a meeting or insight the reader may see uses it.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from taggit.models import Tag, TaggedItem

from cells.models import Meeting
from insights.models import Insight

TAGGED_MODELS = [Meeting, Insight]


def visible_tagged_items(user):
    """Tag uses on the meetings and insights that `user` may see."""
    types = ContentType.objects.get_for_models(*TAGGED_MODELS)
    rule = Q(pk__in=[])
    for model in TAGGED_MODELS:
        rule |= Q(content_type=types[model], object_id__in=model.objects.visible_to(user).values("pk"))
    return TaggedItem.objects.filter(rule)


class TopicQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(pk__in=visible_tagged_items(user).values("tag_id"))


class Topic(Tag):
    """A tag, with the visibility rule every topic page and count goes through."""

    objects = TopicQuerySet.as_manager()

    class Meta:
        proxy = True
