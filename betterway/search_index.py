"""Keeping the search index (betterway/models.py) current, and rebuilding it.

Every save of something search shows (a meeting and its speakers, questions, principles and topics; an insight
and its authors; a principle, person, organisation, cell, topic or comment) marks what it changes. Inside
core.versions.saving (a revision: publish, unpublish, the bin, every edit, every comment) the marked entries are
written once, when the block has saved everything (django-reversion's post_revision_commit), in the same
transaction as the content: the index never runs ahead of the content nor behind it, not even for a moment after
the commit, and a change that is rolled back takes its index rows with it. A save outside a revision (a person's
profile, a principle in the admin) is indexed at once. Each entry is rebuilt from the rows as they are then, never
from the saved instance.

`rebuild()` (`python manage.py rebuild_search_index`) writes the whole index again in batches; make_scale_data
calls it, since it writes rows in bulk without signals.

On PostgreSQL every entry written adds the words of its `terms` to the vocabulary (SearchWord) that "did you
mean" looks in; the rebuild starts it afresh.
"""

import re
import threading

import reversion
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Prefetch
from django.db.models.signals import m2m_changed, post_delete, post_save
from reversion.signals import post_revision_commit
from taggit.models import Tag, TaggedItem

from cells.models import Cell, Meeting, Question, Speaker
from core.markdown import plain_text
from core.visibility import Status, Visibility
from discussion.models import Comment
from insights.models import Insight, Principle, Topic
from people.models import Organisation, Person

from .models import SearchEntry, SearchFacet, SearchWord

BATCH = 500
CODES = {"meeting": 1, "insight": 2, "principle": 3, "person": 4, "comment": 5}
# Highlights in snippets are marked with these (betterway/search.py), so no stored text may hold them.
MARKS = ("\ue000", "\ue001")

VECTOR = (
    SearchVector("text_a", weight="A", config="english")
    + SearchVector("text_b", weight="B", config="english")
    + SearchVector("labels", weight="B", config="english")
    + SearchVector("text_c", weight="C", config="english")
)


def thing(kind, pk):
    """The number that names one thing in the index (both layers of a meeting share it)."""
    return pk * 8 + CODES[kind]


def uses_vectors():
    return connection.vendor == "postgresql"


# a word as search reads one (a query on SQLite, "did you mean"): "co-production" and "people’s" are one
WORDS = re.compile(r"\w(?:[\w’'-]*\w)?")


def _remember_words(terms):
    """Add the words of these `terms` texts to the vocabulary (PostgreSQL: no other backend suggests)."""
    words = {word for text in terms for word in WORDS.findall(text.lower()) if len(word) <= 100}
    SearchWord.objects.bulk_create([SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True)


# --- what an entry says -----------------------------------------------------------------------------------


def _clean(text):
    for mark in MARKS:
        text = text.replace(mark, "")
    return text


def _plain(markdown, profile="page"):
    return _clean(plain_text(markdown, profile))


def _join(*parts):
    return _clean("\n".join(part for part in parts if part))


def _names(people):
    names = [person.name for person in people]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def _badge(obj):
    if obj.status == Status.DRAFT:
        return "Draft"
    return {Visibility.MEMBERS: "Members only", Visibility.CELL: "Cell members only"}.get(obj.visibility, "")


def _facets(key, name, rows, label):
    return [SearchFacet(thing=key, name=name, value=row.pk, label=label(row)[:300]) for row in rows]


def _meeting_entries(pks):
    meetings = (
        Meeting.objects.filter(pk__in=pks)
        .select_related("cell")
        .prefetch_related(
            Prefetch("speaker_roles", queryset=Speaker.objects.select_related("person")),
            "tags",
            "principles",
            Prefetch("questions", queryset=Question.objects.order_by("order", "pk")),
        )
    )
    for meeting in meetings:
        key = thing("meeting", meeting.pk)
        people = list({speaker.person_id: speaker.person for speaker in meeting.speaker_roles.all()}.values())
        topics = sorted(meeting.tags.all(), key=lambda tag: tag.name.lower())
        heading = meeting.heading
        shown = {
            "type": SearchEntry.Type.NOTES,
            "meeting": meeting,
            "thing": key,
            "kicker": meeting.series_label[:300],
            "title": heading[:300],
            "url": meeting.get_absolute_url(),
            "byline": _names(people)[:500],
            "badge": _badge(meeting),
            "date": meeting.date,
            "date_precision": meeting.date_precision,
            "year": meeting.date.year if meeting.date else None,
            "cell_id": meeting.cell_id,
            "text_a": _join(heading, meeting.title if meeting.title != heading else ""),
            "text_b": _plain(meeting.summary),
            "labels": _join(*(person.name for person in people), *(t.name for t in topics)),
            "terms": _join(heading, meeting.title, *(t.name for t in topics)),
        }
        notes = _join(_plain(meeting.notes), *(question.text for question in meeting.questions.all()))
        entries = [
            SearchEntry(kind=SearchEntry.Kind.MEETING, **shown),
            SearchEntry(kind=SearchEntry.Kind.MEETING_NOTES, text_c=notes, **shown),
        ]
        facets = (
            _facets(key, "principle", meeting.principles.all(), lambda p: p.title)
            + _facets(key, "person", people, lambda p: p.name)
            + _facets(key, "topic", topics, lambda t: t.name)
        )
        yield entries, facets


def _insight_entries(pks):
    insights = (
        Insight.objects.filter(pk__in=pks).select_related("cell").prefetch_related("authors", "tags", "principles")
    )
    for insight in insights:
        key = thing("insight", insight.pk)
        authors = sorted(insight.authors.all(), key=lambda person: person.name)
        topics = sorted(insight.tags.all(), key=lambda tag: tag.name.lower())
        entry = SearchEntry(
            kind=SearchEntry.Kind.INSIGHT,
            type=SearchEntry.Type.INSIGHTS,
            insight=insight,
            thing=key,
            kicker=insight.get_kind_display(),
            title=insight.title[:300],
            url=insight.get_absolute_url(),
            byline=f"By {_names(authors)}"[:500] if authors else "",
            badge=_badge(insight),
            date=insight.published_on,
            date_precision=insight.published_on_precision,
            year=insight.published_on.year if insight.published_on else None,
            cell_id=insight.cell_id,
            text_a=_clean(insight.title),
            text_b=_plain(insight.standfirst),
            labels=_join(*(p.name for p in authors), *(t.name for t in topics)),
            text_c=_plain(insight.body),
            terms=_join(insight.title, *(t.name for t in topics)),
        )
        facets = (
            _facets(key, "principle", insight.principles.all(), lambda p: p.title)
            + _facets(key, "person", authors, lambda p: p.name)
            + _facets(key, "topic", topics, lambda t: t.name)
        )
        yield [entry], facets


def _principle_entries(pks):
    for principle in Principle.objects.filter(pk__in=pks):
        key = thing("principle", principle.pk)
        entry = SearchEntry(
            kind=SearchEntry.Kind.PRINCIPLE,
            type=SearchEntry.Type.PRINCIPLES,
            principle=principle,
            thing=key,
            kicker="Principle",
            title=principle.title[:300],
            url=principle.get_absolute_url(),
            byline=principle.get_area_display() if principle.area else "",
            text_a=_clean(principle.title),
            text_b=_clean(principle.statement),
            text_c=_plain(principle.body),
            terms=_clean(principle.title),
        )
        yield [entry], _facets(key, "principle", [principle], lambda p: p.title)


def _person_entries(pks):
    for person in Person.objects.filter(pk__in=pks).select_related("organisation"):
        key = thing("person", person.pk)
        entry = SearchEntry(
            kind=SearchEntry.Kind.PERSON,
            type=SearchEntry.Type.PEOPLE,
            person=person,
            thing=key,
            kicker="Person",
            title=person.name[:300],
            url=person.get_absolute_url(),
            byline=person.affiliation[:500],
            text_a=_clean(person.name),
            text_b=_join(person.role, person.organisation.name if person.organisation else ""),
            text_c=_plain(person.bio),
            terms=_clean(person.name),
        )
        yield [entry], _facets(key, "person", [person], lambda p: p.name)


def _comment_entries(pks):
    """A comment shown on its page: a removed one shows its text to nobody, and a hidden one is for moderators,
    who find it in moderation, not in search. The entry names what the comment is on (its meeting or insight),
    so that search asks only whether the reader may read that (discussion.models.commentable)."""
    for comment in Comment.objects.filter(pk__in=pks).shown().select_related("meeting", "insight"):
        target = comment.target
        entry = SearchEntry(
            kind=SearchEntry.Kind.COMMENT,
            type=SearchEntry.Type.COMMENTS,
            comment=comment,
            meeting_id=comment.meeting_id,
            insight_id=comment.insight_id,
            thing=thing("comment", comment.pk),
            kicker="Reply" if comment.parent_id else "Comment",
            title=f"On “{target.heading}”"[:300],
            url=comment.get_absolute_url(),
            date=comment.created_at.date(),
            date_precision="day",
            year=comment.created_at.year,
            cell_id=target.cell_id,
            text_c=_plain(comment.body, "comment"),
        )
        yield [entry], []


BUILDERS = {
    "meeting": _meeting_entries,
    "insight": _insight_entries,
    "principle": _principle_entries,
    "person": _person_entries,
    "comment": _comment_entries,
}


def reindex(kind, pks):
    """Write the entries of these `kind` rows again, from the rows as they are now (a row that is gone
    loses its entries)."""
    pks = sorted(set(pks))
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        keys = [thing(kind, pk) for pk in batch]
        with transaction.atomic(savepoint=False):
            SearchEntry.objects.filter(thing__in=keys).delete()
            if kind != "comment":  # comments are filed under nothing
                SearchFacet.objects.filter(thing__in=keys).delete()
            entries, facets = [], []
            for made, filed in BUILDERS[kind](batch):
                entries += made
                facets += filed
            SearchEntry.objects.bulk_create(entries)
            SearchFacet.objects.bulk_create(facets)
            if uses_vectors() and entries:
                SearchEntry.objects.filter(thing__in=keys).update(vector=VECTOR)
                _remember_words(entry.terms for entry in entries)


def rebuild(stream=None):
    """The whole index again, in batches, in one transaction (searches read the old one until it is done).
    Returns {kind: count}."""
    sources = {
        "meeting": Meeting.objects.all(),
        "insight": Insight.objects.all(),
        "principle": Principle.objects.all(),
        "person": Person.objects.all(),
        "comment": Comment.objects.all(),
    }
    counts = {}
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        SearchFacet.objects.all().delete()
        SearchWord.objects.all().delete()
        for kind, rows in sources.items():
            pks = list(rows.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH):
                reindex(kind, pks[start : start + BATCH])
                if start == 0:
                    _analyze()
                if stream:
                    stream.write(f"\r{kind}: {min(start + BATCH, len(pks)):,} of {len(pks):,}")
                    stream.flush()
            if stream:
                stream.write(f"\r{kind}: {len(pks):,} of {len(pks):,}\n")
            counts[kind] = len(pks)
    return counts


def _analyze():
    """PostgreSQL's statistics of the index as it is being rebuilt. Without them (a table emptied and written again
    in one transaction has none), each batch's `thing IN (500 ids)` is planned as if it matched most of the
    table, which is read whole for every batch: at 100,000 meetings the comments' batches slowed to 75 a second.
    One look per kind of row tells it the ids are all but unique, so each batch is found through the index."""
    if uses_vectors():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}, {SearchFacet._meta.db_table}")


def rebuild_if_empty(**kwargs):
    """After migrate: a database that has content but no index yet (it predates search) gets one; one whose index
    predates the vocabulary (SearchWord) gets that, from the entries' terms."""
    if kwargs.get("using", "default") != "default":
        return
    if SearchWord._meta.db_table not in connection.introspection.table_names():
        return
    if SearchEntry.objects.exists():
        if uses_vectors() and not SearchWord.objects.exists():
            _remember_words(SearchEntry.objects.values_list("terms", flat=True).iterator(chunk_size=2000))
        return
    if Meeting.objects.exists() or Insight.objects.exists() or Principle.objects.exists() or Person.objects.exists():
        rebuild()


# --- what a change touches ----------------------------------------------------------------------------------

_state = threading.local()


def _pending():
    if not hasattr(_state, "keys"):
        _state.keys = set()
    return _state.keys


def changed(kind, pk, *, new=False):
    """Mark the entries of one row (or what depends on a cell, organisation or topic) to be written again: at the
    end of the revision being saved, or at once outside one. A `new` person, meeting or insight has nothing that
    depends on it yet."""
    if pk is None:
        return
    _pending().add((kind, pk, new))
    if not reversion.is_active():
        flush()


def flush(**kwargs):
    """Write the marked entries, each once however many saves marked it (django-reversion's post_revision_commit
    calls this at the end of a revision)."""
    keys, _state.keys = _pending(), set()
    if not keys:
        return
    wanted = {kind: set() for kind in BUILDERS}
    also = {kind: set() for kind in ("cell", "organisation", "tag")}
    fresh = {(kind, pk) for kind, pk, new in keys if new} - {(kind, pk) for kind, pk, new in keys if not new}
    for kind, pk, _new in keys:
        (wanted if kind in wanted else also)[kind].add(pk)
    if also["organisation"]:
        wanted["person"] |= set(
            Person.objects.filter(organisation__in=also["organisation"]).values_list("pk", flat=True)
        )
    if also["cell"]:
        wanted["meeting"] |= set(Meeting.objects.filter(cell__in=also["cell"]).values_list("pk", flat=True))
        wanted["insight"] |= set(Insight.objects.filter(cell__in=also["cell"]).values_list("pk", flat=True))
    if also["tag"]:
        types = ContentType.objects.get_for_models(Meeting, Insight)
        for model, kind in ((Meeting, "meeting"), (Insight, "insight")):
            wanted[kind] |= set(
                TaggedItem.objects.filter(tag__in=also["tag"], content_type=types[model]).values_list(
                    "object_id", flat=True
                )
            )
    people = {pk for pk in wanted["person"] if ("person", pk) not in fresh}
    if people:  # their names are in what they said and wrote
        wanted["meeting"] |= set(Speaker.objects.filter(person__in=people).values_list("meeting_id", flat=True))
        wanted["insight"] |= set(
            Insight.authors.through.objects.filter(person__in=people).values_list("insight_id", flat=True)
        )
    for kind in ("meeting", "insight"):  # a comment shows what it is on
        targets = {pk for pk in wanted[kind] if (kind, pk) not in fresh}
        if targets:
            wanted["comment"] |= set(Comment.objects.filter(**{f"{kind}__in": targets}).values_list("pk", flat=True))
    for kind, pks in wanted.items():
        if pks:
            reindex(kind, pks)


# --- the signals --------------------------------------------------------------------------------------------


def _on(kind, field="pk"):
    def receiver(sender, instance, raw=False, created=False, **kwargs):
        if not raw:
            changed(kind, getattr(instance, field), new=created and field == "pk")

    return receiver


def _tagged_item(sender, instance, raw=False, **kwargs):
    if raw:
        return
    model = ContentType.objects.get_for_id(instance.content_type_id).model_class()
    kind = {Meeting: "meeting", Insight: "insight"}.get(model)
    if kind:
        changed(kind, instance.object_id)


def _relation(owner_kind, other_kind):
    """m2m_changed of a relation whose rows are filed under `owner_kind` (a meeting's principles, an insight's
    authors): from the owner's side, the owner changed; from the other side, each owner in pk_set did."""
    owners = {"meeting": Meeting, "insight": Insight}[owner_kind]

    def receiver(sender, instance, action, reverse, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "pre_clear"):
            return
        if isinstance(instance, owners):
            changed(owner_kind, instance.pk)
        elif action == "pre_clear":
            field = sender._meta.get_field(owner_kind)
            for pk in sender.objects.filter(**{other_kind: instance}).values_list(field.attname, flat=True):
                changed(owner_kind, pk)
        else:
            for pk in pk_set or ():
                changed(owner_kind, pk)

    return receiver


def _tags_relation(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        kind = {Meeting: "meeting", Insight: "insight"}.get(type(instance))
        if kind:
            changed(kind, instance.pk)


def connect():
    """Called once from BetterwayConfig.ready()."""
    receivers = [
        (Meeting, _on("meeting")),
        (Speaker, _on("meeting", "meeting_id")),
        (Question, _on("meeting", "raised_at_id")),
        (Insight, _on("insight")),
        (Principle, _on("principle")),
        (Person, _on("person")),
        (Comment, _on("comment")),
        (TaggedItem, _tagged_item),
    ]
    for model, receiver in receivers:
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"search-save-{model._meta.label}")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"search-delete-{model._meta.label}")
    for model, kind in ((Organisation, "organisation"), (Cell, "cell"), (Tag, "tag"), (Topic, "tag")):
        post_save.connect(_on(kind), sender=model, weak=False, dispatch_uid=f"search-save-{model._meta.label}")
    relations = [
        (Meeting.principles.through, "meeting", "principle"),
        (Insight.principles.through, "insight", "principle"),
        (Insight.authors.through, "insight", "person"),
    ]
    for through, owner, other in relations:
        m2m_changed.connect(
            _relation(owner, other), sender=through, weak=False, dispatch_uid=f"search-m2m-{through._meta.label}"
        )
    m2m_changed.connect(_tags_relation, sender=TaggedItem, weak=False, dispatch_uid="search-m2m-tags")
    post_revision_commit.connect(flush, weak=False, dispatch_uid="search-revision")
