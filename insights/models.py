import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItem

from cells.models import CellContentQuerySet, Meeting
from core import versions
from core.dates import DatePrecision, display_date
from core.models import Publishable
from core.visibility import Visibility


class Principle(models.Model):
    """One of the network's propositions: 'X is better than Y'."""

    class Area(models.TextChoices):
        SHARING_POWER = "sharing_power", "Sharing power"
        CHANGING_PRACTICES = "changing_practices", "Changing practices"
        CHANGING_ORGANISATIONS = "changing_organisations", "Changing organisations"
        COLLABORATIVE_LEADERSHIP = "collaborative_leadership", "Collaborative leadership"

    title = models.CharField(max_length=200, help_text="e.g. Collaboration is better than competition")
    slug = models.SlugField(max_length=80, unique=True)
    statement = models.CharField(max_length=300, help_text="One line saying what the principle means.")
    body = models.TextField(blank=True, help_text="Markdown.")
    area = models.CharField(
        max_length=30, choices=Area, blank=True, help_text="Where the 2019 Call to Action groups it."
    )
    order = models.PositiveSmallIntegerField(default=0)
    meetings = models.ManyToManyField(
        "cells.Meeting",
        blank=True,
        related_name="principles",
        help_text="Meetings that serve this principle.",
        db_table="cells_meeting_principles",  # the table Meeting.principles had before this side declared it
    )

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("insights:principle", args=[self.slug])


class InsightQuerySet(CellContentQuerySet):
    def involving(self, user):
        """Insights `user` created or is an author of."""
        mine = Insight.authors.through.objects.filter(person__user=user).values("insight_id")
        return Q(created_by=user) | Q(pk__in=mine)

    def for_listing(self):
        """What a list of insights shows: authors with their organisations, nothing per row."""
        return self.prefetch_related(models.Prefetch("authors", queryset=_authors_with_organisation()))

    def newest_first(self):
        return self.order_by(models.F("published_on").desc(nulls_last=True), "title")


def _authors_with_organisation():
    from people.models import Person

    return Person.objects.select_related("organisation")


@reversion.register(follow=["tagged_items"])
class Insight(Publishable):
    """An essay, story, summary of meetings, or an outside blog post the network points to."""

    class Kind(models.TextChoices):
        ESSAY = "essay", "Essay"
        STORY = "story", "Story"
        SUMMARY = "summary", "Summary"
        BLOG = "blog", "Blog post"

    kind = models.CharField(max_length=10, choices=Kind, default=Kind.ESSAY)
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=80, unique=True)
    standfirst = models.TextField(blank=True, help_text="The short introduction under the title. Markdown.")
    body = models.TextField(blank=True, help_text="Markdown.")
    authors = models.ManyToManyField("people.Person", blank=True, related_name="insights")
    principles = models.ManyToManyField(Principle, blank=True, related_name="insights")
    source_meetings = models.ManyToManyField(
        "cells.Meeting", blank=True, related_name="insights", help_text="For summaries: the meetings it draws on."
    )
    cell = models.ForeignKey(
        "cells.Cell",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="insights",
        help_text="The cell it comes from, if any (needed to keep it to the cell's members).",
    )
    tags = TaggableManager(blank=True)
    collection = models.CharField(max_length=200, blank=True, help_text="e.g. Insights for A Better Way (2018)")
    published_on = models.DateField(null=True, blank=True)
    published_on_precision = models.CharField(max_length=5, choices=DatePrecision, default=DatePrecision.DAY)
    original_url = models.URLField(blank=True, help_text="For an outside piece: where it was first published.")
    publisher = models.CharField(max_length=200, blank=True, help_text="For an outside piece: e.g. NCVO")
    editorial_note = models.TextField(blank=True, help_text="Markdown.")
    objects = InsightQuerySet.as_manager()

    class Meta:
        ordering = [models.F("published_on").desc(nulls_last=True), "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility=Visibility.CELL) | Q(cell__isnull=False),
                name="insight_cell_only_needs_cell",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "visibility", "published_on"], name="insight_listing_idx"),
            # as cells.Meeting's: the visibility rule as a subquery (and, on PostgreSQL, insight_newest_idx: migration
            # 0005)
            models.Index(
                fields=["status", "visibility", "cell", "created_by", "id"],
                name="insight_visible_idx",
                condition=Q(deleted_at__isnull=True),
            ),
        ]

    compared_fields = [
        ("kind", "Kind"),
        ("title", "Title"),
        ("standfirst", "Standfirst"),
        ("body", "Body"),
        ("collection", "Collection"),
        ("published_on", "Date published"),
        ("original_url", "Original address"),
        ("publisher", "Publisher"),
        ("editorial_note", "Editorial note"),
        ("cell", "Cell"),
        ("visibility", "Who may read it"),
        ("status", "Status"),
    ]
    compared_parts = [("authors", "Authors"), ("principles", "Principles"), ("tags", "Topics")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("insights:insight", args=[self.slug])

    @classmethod
    def version_parts(cls, version):
        """The authors, principles and topics of this version, as text."""
        fields = version.field_dict
        people = Insight._meta.get_field("authors").related_model.objects.filter(pk__in=fields.get("authors", []))
        return {
            "authors": ", ".join(sorted(person.name for person in people)),
            "principles": ", ".join(
                sorted(Principle.objects.filter(pk__in=fields.get("principles", [])).values_list("title", flat=True))
            ),
            "tags": versions.tags_of(version),
        }

    def clean(self):
        if self.visibility == Visibility.CELL and not self.cell_id:
            raise ValidationError({"visibility": "Choose the cell whose members may read it."})

    @property
    def display_date(self):
        return display_date(self.published_on, self.published_on_precision)

    @property
    def heading(self):
        """What readers see as its name (as Meeting.heading; an insight's is its title)."""
        return self.title

    @property
    def is_outside_piece(self):
        return bool(self.original_url or self.publisher)


# --- Topics ------------------------------------------------------------------------------------------------
# A tag is shared by meetings and insights, so its visibility rule lives here, in the lowest app that
# knows both: a topic shows when a meeting or insight the reader may see uses it.

TAGGED_MODELS = [Meeting, Insight]


def visible_tagged_items(user, *, tags=None):
    """Tag uses on the meetings and insights that `user` may see. `tags` (a queryset of topics, or their ids) asks
    about their uses alone, looking only at the content they are used on: a topic's page at 100,000 meetings no
    longer lists every meeting the reader may see (24 ms of hashing before its first row) to show its twenty."""
    types = ContentType.objects.get_for_models(*TAGGED_MODELS)
    rule = Q(pk__in=[])
    for model in TAGGED_MODELS:
        content = model.objects.visible_to(user)
        if tags is not None:
            content = content.filter(tags__in=tags)
        rule |= Q(content_type=types[model], object_id__in=content.values("pk"))
    uses = TaggedItem.objects.filter(rule)
    return uses if tags is None else uses.filter(tag__in=tags)


def _use_seen(user):
    """The condition on one tag use that `user` may see what it is on: its own meeting or insight asked the rule by
    its primary key (visible_tagged_items asks the other way round, listing the content first: the shape for
    reading many uses at once)."""
    types = ContentType.objects.get_for_models(*TAGGED_MODELS)
    rule = Q(pk__in=[])
    for model in TAGGED_MODELS:
        content = model.objects.visible_to(user).filter(pk=OuterRef("object_id"))
        rule |= Q(content_type=types[model]) & Q(Exists(content))
    return rule


class TopicQuerySet(models.QuerySet):
    def visible_to(self, user, *, among=None):
        """The topics used on what `user` may see: each topic asked whether one of its uses is on something they
        may see, stopping at the first (at 100,000 meetings the names a member may choose from took 143 ms listing
        every use first, 14 ms so). `among` (a queryset of topics) asks about those alone, looking only at their
        uses (as PersonQuerySet.visible_to does)."""
        if among is None:
            return self.filter(Exists(TaggedItem.objects.filter(tag_id=OuterRef("pk")).filter(_use_seen(user))))
        uses = visible_tagged_items(user, tags=among.values("pk"))
        return (self & among).filter(pk__in=uses.values("tag_id"))


class Topic(Tag):
    """A tag, with the visibility rule every topic page and count goes through."""

    objects = TopicQuerySet.as_manager()

    class Meta:
        proxy = True
