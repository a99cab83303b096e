"""Topics members add to meetings and insights, their removal, and staff merging two topics.

A topic on a meeting or insight is part of it (taggit's TaggedItem, followed by its versions), so each
change is a write of that content inside core.versions.saving, with a comment naming the topic; who added
a topic from the page is also kept beside the link (MemberTag). Names come in through core.tags.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from taggit.models import Tag, TaggedItem

from core import caching, tags
from core.models import Versioned
from insights.models import Topic

from .models import MemberTag
from .targets import MODELS
from .writing import saving_on_top

TARGETS = list(MODELS.values())


def _quoted(names):
    return ", ".join(f"“{name}”" for name in names)


def tagged_items(target):
    """The topics of `target`, as their links (with who added each from the page), by name."""
    return (
        TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk)
        .select_related("tag", "member_tag__added_by")
        .order_by("tag__name")
    )


def suggested_names(user, limit=500):
    """The first `limit` names, A to Z, of the topics `user` may see (Topic.objects.visible_to: used by meetings and
    insights visible to them), to choose from when adding one. Kept in the cache for the content generation
    (core/caching.py): a member's every note page offers them (14 ms to find at 100,000 meetings)."""
    return caching.kept_piece(caching.reader_key("topic-names", user, limit), lambda: _suggested_names(user, limit))


def _suggested_names(user, limit):
    return list(Topic.objects.visible_to(user).order_by("name").values_list("name", flat=True)[:limit])


def add_topics(target, names, *, user):
    """Add the topics `names` (already normalised) to `target` as `user`; returns the names added (those it
    had already are left alone, matched without regard to case)."""
    have = {tags.key(name) for name in target.tags.names()}
    new = [name for name in names if tags.key(name) not in have]
    if not new:
        return []
    label = "topic" if len(new) == 1 else "topics"
    with saving_on_top(target, user=user, comment=f"Added the {label} {_quoted(new)}"):
        target.tags.add(*new)
        added = tagged_items(target).filter(_any_name(new))
        MemberTag.objects.bulk_create(
            [MemberTag(tagged_item=item, added_by=user) for item in added], ignore_conflicts=True
        )
    return new


def _any_name(names):
    """The links whose topic is one of `names`, matched as taggit matches them (without regard to case)."""
    rule = Q(pk__in=[])
    for name in names:
        rule |= Q(tag__name__iexact=name)
    return rule


def remove_topic(target, tagged_item, *, user):
    with saving_on_top(target, user=user, comment=f"Removed the topic “{tagged_item.tag.name}”"):
        target.tags.remove(tagged_item.tag)


def merge_topics(selected, name, *, user):
    """Staff merge the topics `selected` into the one called `name` (an existing topic, matched without
    regard to case, or a new one). Every meeting and insight that had one of them has the merged topic
    instead, saved as a new version of it ("Merged the topic …"), so its history shows the change and an
    earlier version can still be restored. The merged topics are kept, unused: earlier versions name them.
    Returns (the topic merged into, how many items were retagged)."""
    name = tags.normalise(name)
    target = Tag.objects.filter(name__iexact=name).order_by("pk").first() or Tag.objects.create(name=name)
    merged = [tag for tag in selected if tag.pk != target.pk]
    by_object = defaultdict(list)
    for item in TaggedItem.objects.filter(tag__in=merged).select_related("content_type", "tag"):
        by_object[(item.content_type, item.object_id)].append(item)
    for (content_type, object_id), items in by_object.items():
        obj = content_type.model_class()._default_manager.get(pk=object_id)
        comment = f"Merged the topic {_quoted(sorted({item.tag.name for item in items}))} into “{target.name}”"
        if isinstance(obj, Versioned):
            with saving_on_top(obj, user=user, comment=comment):
                _retag(items, target)
        else:
            _retag(items, target)
    return target, len(by_object)


def _retag(items, target):
    for item in items:
        has_target = TaggedItem.objects.filter(
            tag=target, content_type=item.content_type, object_id=item.object_id
        ).exists()
        if has_target:
            item.delete()  # it had both: the merged one goes (so does who added it)
        else:
            item.tag = target
            item.save()
