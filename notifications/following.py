"""Following cells, principles, topics and people, and who follows what a meeting or insight is about."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from taggit.models import Tag

from cells.models import Cell, Meeting, Speaker
from insights.models import Insight, Principle
from people.models import Person

from .models import Follow
from .topics import visible_topics


@dataclass(frozen=True)
class Target:
    """A kind of thing members follow: its word in URLs, its Follow field, and who may see which."""

    kind: str
    field: str
    model: type
    noun: str

    def visible_to(self, user):
        if self.model is Tag:
            return visible_topics(user)
        if self.model is Person:
            return Person.objects.visible_to(user)
        return self.model.objects.all()  # every cell and principle is public

    def url_of(self, obj):
        return reverse("tag", args=[obj.slug]) if self.model is Tag else obj.get_absolute_url()

    def name_of(self, obj):
        return obj.title if self.model is Principle else obj.name

    def describe(self, obj):
        """'the cell X', 'the principle “Y”', 'the topic Z', or a person's name."""
        if self.model is Person:
            return obj.name
        if self.model is Principle:
            return f"the principle “{obj.title}”"
        return f"the {self.noun} {obj.name}"


@dataclass(frozen=True)
class Followed:
    """One thing a member follows, as their settings page lists it."""

    name: str
    noun: str
    kind: str
    slug: str
    url: str


TARGETS = {
    "cell": Target("cell", "cell", Cell, "cell"),
    "principle": Target("principle", "principle", Principle, "principle"),
    "topic": Target("topic", "tag", Tag, "topic"),
    "person": Target("person", "person", Person, "person"),
}


def target_of(obj):
    for target in TARGETS.values():
        if isinstance(obj, target.model):
            return target
    raise TypeError(f"{type(obj).__name__} cannot be followed")


def is_following(user, obj):
    return Follow.objects.filter(user=user, **{target_of(obj).field: obj}).exists()


def follow(user, obj):
    """`user` follows `obj` (once, however often they ask)."""
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(user=user, **{target_of(obj).field: obj})
    except IntegrityError:
        pass  # the same request twice at once: one follow is kept


def unfollow(user, obj):
    Follow.objects.filter(user=user, **{target_of(obj).field: obj}).delete()


def following_list(user):
    """What `user` follows and may still see, for their settings page (one query)."""
    rows = []
    for follow in Follow.objects.visible_to(user).select_related("cell", "principle", "tag", "person"):
        obj = follow.target
        target = target_of(obj)
        rows.append(Followed(target.name_of(obj), target.noun, target.kind, obj.slug, target.url_of(obj)))
    return rows


def _people_of(obj):
    if isinstance(obj, Meeting):
        return Speaker.objects.filter(meeting=obj).values("person")
    return Insight.authors.through.objects.filter(insight=obj).values("person")


def matching(obj):
    """Follows a new meeting or insight concerns: of its cell, principles, topics, speakers or authors."""
    rule = (
        Q(principle__in=obj.principles.values("pk")) | Q(tag__in=obj.tags.values("pk")) | Q(person__in=_people_of(obj))
    )
    if obj.cell_id:
        rule |= Q(cell_id=obj.cell_id)
    return Follow.objects.filter(rule)


def reasons(user, obj):
    """Why `user` is told of `obj`: 'the cell X', 'the topic Y'… (empty when they no longer follow any)."""
    follows = matching(obj).filter(user=user).select_related("cell", "principle", "tag", "person")
    order = list(TARGETS)
    return [
        target.describe(follow.target)
        for target, follow in sorted(
            ((target_of(f.target), f) for f in follows), key=lambda pair: order.index(pair[0].kind)
        )
    ]
