"""Topics (taggit tags) as a reader may see them: the rule is insights.models.Topic's."""

from insights.models import Topic


def visible_topics(user):
    """The topics `user` may see (used on a meeting or insight they may read)."""
    return Topic.objects.visible_to(user)
