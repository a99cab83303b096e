"""What a topic's page lists: every meeting and insight under it that the reader may see, newest first
(a meeting by its date, an insight by the date it was published; undated last), a page at a time, with
how many of each there are. The queries do not grow with the archive: the counts by kind (kept for the content
generation: core.caching.kept_answer; their sum is the list's length), the page, and the meetings and the
insights on it (with their authors) when the page has some.

The rows come from visible_tagged_items (insights/models.py): uses on content the reader may see."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, DateField, F, OuterRef, Subquery, When
from django.db.models.functions import Lower

from cells.models import Meeting
from core import caching
from core.pagination import paginate
from insights.models import Insight, visible_tagged_items

TOPICS_PER_PAGE = 200  # the list of topics is a cloud of names: many to a page

# model: (kind, the field that dates it)
DATED = {Meeting: ("meeting", "date"), Insight: ("insight", "published_on")}


def tagged_under(tag, user):
    """The uses of `tag` on content `user` may see, newest first (annotated `when`)."""
    types = ContentType.objects.get_for_models(*DATED)
    when = Case(
        *(
            When(
                content_type=types[model],
                then=Subquery(model.objects.filter(pk=OuterRef("object_id")).values(date_field)[:1]),
            )
            for model, (_kind, date_field) in DATED.items()
        ),
        output_field=DateField(),
    )
    return (
        visible_tagged_items(user, tags=[tag.pk])
        .annotate(when=when)
        .order_by(F("when").desc(nulls_last=True), "-object_id", "-pk")
    )


def topic_page(request, tag):
    """(page of rows {"kind", "item"}, {kind: count}) for the topic page."""
    uses = tagged_under(tag, request.user)
    types = ContentType.objects.get_for_models(*DATED)
    kinds = {types[model].pk: kind for model, (kind, _date_field) in DATED.items()}
    counts = {kind: 0 for kind, _date_field in DATED.values()}
    for row in caching.kept_answer(uses.order_by().values("content_type").annotate(n=Count("pk")), list):
        counts[kinds[row["content_type"]]] = row["n"]
    page = paginate(request, uses, count=sum(counts.values()))  # every use is of one of the kinds counted
    wanted = {
        kind: [use.object_id for use in page.object_list if kinds[use.content_type_id] == kind] for kind in counts
    }
    found = {
        kind: model.objects.filter(pk__in=wanted[kind]).for_listing().in_bulk() if wanted[kind] else {}
        for model, (kind, _date_field) in DATED.items()
    }
    page.object_list = [
        {"kind": kinds[use.content_type_id], "item": found[kinds[use.content_type_id]][use.object_id]}
        for use in page.object_list
        if use.object_id in found[kinds[use.content_type_id]]
    ]
    return page, counts


def topics_page(request):
    """The page of the topics list: each topic used on content the reader may see, by name, with how often."""
    topics = (
        visible_tagged_items(request.user)
        .values("tag__name", "tag__slug")
        .annotate(uses=Count("pk"))
        .order_by(Lower("tag__name"), "tag__name")
    )
    page = paginate(request, topics, per_page=TOPICS_PER_PAGE, keep_count=True)
    page.object_list = caching.kept_answer(page.object_list, list)  # every use of every topic: costly
    return page
