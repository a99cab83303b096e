"""More like this: the meetings and insights nearest to one note or insight, for the reader.

Ranked by how many principles and topics (tags) they share with it, then by the words their headings and
key points (an insight's title and standfirst) share with its own, then newest first. Only what the reader
may see (`visible_to`) and published (never a draft, even to its editors); a meeting only when the archive
holds a note of it.

Three queries, whatever the archive's size, each reading a bounded number of rows: for meetings and for
insights, one that takes the candidates from the link tables' own indexes (the CANDIDATES sharing the most
topics, and the CANDIDATES linked last to its principles), keeps those the reader may see (led by their ids),
scores them and reads the POOL best; and one for the authors of the insights shown. Insights may import
cells, so this lives here: it spans both.
"""

import math
import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from taggit.models import TaggedItem

from cells.models import Meeting
from core.visibility import Status

from .models import Insight, Principle, _authors_with_organisation

SHOWN = 5
POOL = 10  # ranked by shared principles and topics in the database, then by shared words here
CANDIDATES = 100  # per link table: what shares the most principles, what shares the most topics

# model: (the table linking it to principles, the column naming it there, the field that dates it)
LINKS = {
    Meeting: (Principle.meetings.through, "meeting_id", "date"),
    Insight: (Insight.principles.through, "insight_id", "published_on"),
}
KINDS = {Meeting: "meeting", Insight: "insight"}

TEXT = 600  # the opening of the key points (or standfirst) compared: what a reader takes in first
WORD = re.compile(r"[a-z]{4,}")
COMMON = frozenset(
    "about after also been being between both could does doing from have into just like made make many more most "
    "much must need only other over same should some such than that their them then there these they this those "
    "through very want well were what when where which while will with would your meeting meetings note notes "
    "cell cells network people better".split()
)


def words(*texts):
    """The telling words of some texts: lower case, four letters or more, common words left out."""
    return {word for text in texts for word in WORD.findall((text or "").lower())} - COMMON


def text_of(item):
    """What a reader sees of an item first: its heading and key points (a meeting), title and standfirst."""
    if isinstance(item, Meeting):
        return words(item.heading, item.summary[:TEXT])
    return words(item.title, item.standfirst[:TEXT])


def similarity(these, those):
    """How alike two sets of words are, 0 to 1 (the cosine of the sets)."""
    if not these or not those:
        return 0.0
    return len(these & those) / math.sqrt(len(these) * len(those))


def _count(rows, owner, ids, field):
    """A subquery: how many of `ids` the row of the outer query has in the link table `rows`; 0 for none."""
    linked = rows.filter(**{owner: OuterRef("pk"), f"{field}__in": ids}).order_by().values(owner)
    return Coalesce(Subquery(linked.annotate(n=Count("*")).values("n")[:1], output_field=IntegerField()), Value(0))


def _by_topic(model, tag_ids):
    """A subquery: the ids of the CANDIDATES items of `model` that share the most of the topics `tag_ids` (the
    newest first among equals). Led by the topics' own index: the type only orders the rows (a filter on it would
    lead the query through every use of a topic on that type), so any rows of another type come after."""
    this_type = ContentType.objects.get_for_model(model).pk
    return (
        TaggedItem.objects.filter(tag_id__in=tag_ids)
        .values("content_type_id", "object_id")
        .annotate(n=Count("*"), same=Case(When(content_type_id=this_type, then=1), default=0))
        .order_by("-same", "-n", "-object_id")
        .values("object_id")[:CANDIDATES]
    )


def _by_principle(model, principle_ids):
    """A subquery: the ids of the CANDIDATES items of `model` linked last to any of `principle_ids` (the newest,
    mostly), on the principle's index read backwards."""
    through, owner, _date_field = LINKS[model]
    return through.objects.filter(principle_id__in=principle_ids).order_by("-pk").values(owner)[:CANDIDATES]


def _pool(model, item, user, principle_ids, tag_ids):
    """The POOL items of `model` that share the most principles and topics with `item`, among the candidates, as
    the reader may see them, newest first among equals."""
    through, owner, date_field = LINKS[model]
    parts = [_by_topic(model, tag_ids)] if tag_ids else []
    parts += [_by_principle(model, principle_ids)] if principle_ids else []
    ids = [model.objects.filter(pk__in=part).order_by().values("pk") for part in parts]
    candidates = ids[0].union(*ids[1:], all=True) if len(ids) > 1 else ids[0]
    # the candidates (a few hundred ids) lead; the reader's rule is checked on those rows alone (measured at 100,000
    # meetings: 20 ms, against 70 ms as an EXISTS, which PostgreSQL joined to every meeting the reader may see)
    rows = model.objects.visible_to(user).filter(pk__in=candidates, status=Status.PUBLISHED)  # no drafts
    if isinstance(item, model):
        rows = rows.exclude(pk=item.pk)
    if model is Meeting:
        rows = rows.with_note()
    tags = TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(model))
    shared = _count(through.objects, owner, principle_ids, "principle_id") + _count(
        tags, "object_id", tag_ids, "tag_id"
    )
    # ranked on ids alone, then only the POOL best read in full (sorting whole notes would cost more than the rest)
    best = rows.annotate(shared=shared).order_by("-shared", F(date_field).desc(nulls_last=True), "-pk")[:POOL]
    found = model.objects.filter(pk__in=best.values("pk")).annotate(shared=shared)
    return list(found.select_related("cell") if model is Meeting else found)


def more_like_this(item, user, *, principles=None, tags=None):
    """Up to SHOWN meetings and insights like `item` (a Meeting or an Insight) that `user` may see, best first,
    each as {"kind": "meeting" or "insight", "item": …}. `principles` and `tags` are the item's own where the
    page has them already (no query for them then)."""
    principle_ids = [p.pk for p in (item.principles.all() if principles is None else principles)]
    tag_ids = [t.pk for t in (item.tags.all() if tags is None else tags) if getattr(t, "pk", None)]
    if not principle_ids and not tag_ids:
        return []
    found = [row for model in LINKS for row in _pool(model, item, user, principle_ids, tag_ids)]
    own = text_of(item)

    def rank(row):
        when = getattr(row, LINKS[type(row)][2])
        return (-row.shared, -similarity(own, text_of(row)), -(when.toordinal() if when else 0), -row.pk)

    best = sorted(found, key=rank)[:SHOWN]
    insights = [row for row in best if isinstance(row, Insight)]
    if insights:
        prefetch_related_objects(insights, Prefetch("authors", queryset=_authors_with_organisation()))
    return [{"kind": KINDS[type(row)], "item": row} for row in best]
