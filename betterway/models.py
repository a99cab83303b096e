"""The search index (betterway/search_index.py keeps it, betterway/search.py reads it).

It lives in the top layer, which may know every app: one SearchEntry per thing a reader can find (a meeting,
an insight, a principle, a person, a comment) and, for a meeting, one per LAYER: the first layer (title, subject,
key points, speakers, topics) and the whole note (the same, with the notes in detail and the questions it carries
forward). A reader finds a meeting through the whole note when they may read its notes
(`Meeting.objects.notes_visible_to`), else through the first layer: a word that is only in the notes is never
found, counted or quoted for anyone else.

Who may find an entry is never decided by what is copied here: search joins each entry to its own model's
visible_to(user) (betterway/search.py). What is copied is text to match and quote, and what a result shows
(its heading, address, date), kept current by search_index on every save.

On PostgreSQL `vector` holds the weighted words (A: titles and names; B: key points, standfirst, statement,
role, and the `labels`: speakers, authors, topics; C: notes, body, biography, comments) under a GIN index, and
search reads its newest matches and the matches in titles on two more (migration 0002), and which people's entries
match on a GIN index of theirs alone (0004). SearchWord holds the words of every entry's `terms` (titles, names,
topics), trigram-indexed, where "did you mean" looks for words close to a misspelt one; a GIN index of each entry's
words of `terms` finds the entries that hold one (migration 0003). On SQLite `vector` stays empty, there is no
vocabulary, and search reads the text.

Topics (Topic) live in insights/models.py.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting note, first layer"
        MEETING_NOTES = "meeting_notes", "Meeting note with its notes in detail"
        INSIGHT = "insight", "Insight"
        PRINCIPLE = "principle", "Principle"
        PERSON = "person", "Person"
        COMMENT = "comment", "Comment"

    class Type(models.TextChoices):
        """What a reader filters by (both layers of a meeting are notes)."""

        NOTES = "notes", "Notes"
        INSIGHTS = "insights", "Insights"
        PRINCIPLES = "principles", "Principles"
        PEOPLE = "people", "People"
        COMMENTS = "comments", "Comments"

    kind = models.CharField(max_length=16, choices=Kind)
    type = models.CharField(max_length=12, choices=Type)
    # the thing itself, by kind (search joins it to its model's visible_to); a comment's entry also names the
    # meeting or insight it is on
    meeting = models.ForeignKey("cells.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    insight = models.ForeignKey("insights.Insight", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    principle = models.ForeignKey(
        "insights.Principle", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey("discussion.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # the thing (both layers of a meeting share it): what its SearchFacet rows hang on
    thing = models.BigIntegerField()

    # what a result shows
    kicker = models.CharField(max_length=300, blank=True)  # "London cell 2 · Meeting 1", "Essay", "Person"
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    byline = models.CharField(max_length=500, blank=True)  # "By Ann and Ben", a person's role, "On …"
    badge = models.CharField(max_length=40, blank=True)  # "Draft", "Members only" (shown, never a filter)
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=5, blank=True)

    # single-valued facets (the many-valued ones are SearchFacet rows)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    cell = models.ForeignKey("cells.Cell", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    # what is matched and quoted: plain text, by weight
    text_a = models.TextField(blank=True)
    text_b = models.TextField(blank=True)
    text_c = models.TextField(blank=True)
    labels = models.TextField(blank=True)  # speakers, authors and topics: matched (weight B), never quoted
    terms = models.TextField(blank=True)  # titles, names and topics: the words "did you mean" suggests
    vector = SearchVectorField(null=True, blank=True)  # PostgreSQL only

    class Meta:
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["thing", "kind"], name="one_search_entry_per_layer"),
            models.CheckConstraint(
                condition=Q(kind__in=["meeting", "meeting_notes"], meeting__isnull=False)
                | Q(kind="insight", insight__isnull=False)
                | Q(kind="principle", principle__isnull=False)
                | Q(kind="person", person__isnull=False)
                | Q(kind="comment", comment__isnull=False),
                name="search_entry_names_its_thing",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class SearchFacet(models.Model):
    """A principle, person or topic a thing is filed under (its meetings' principles, speakers and topics; an
    insight's principles, authors and topics; a principle or person itself), for filters and their counts."""

    class Name(models.TextChoices):
        PRINCIPLE = "principle", "Principle"
        PERSON = "person", "Person"
        TOPIC = "topic", "Topic"

    thing = models.BigIntegerField()
    name = models.CharField(max_length=10, choices=Name)
    value = models.BigIntegerField()  # the principle's, person's or topic's id
    label = models.CharField(max_length=300)

    class Meta:
        indexes = [
            models.Index(fields=["thing"], name="search_facet_thing_idx"),
            models.Index(fields=["name", "value"], name="search_facet_value_idx"),
        ]

    def __str__(self):
        return f"{self.name} {self.label}"


class SearchWord(models.Model):
    """A word of the titles, names and topics in the index (SearchEntry.terms), lower case: the vocabulary where
    "did you mean" finds the words close to a misspelt one (PostgreSQL, trigram-indexed). It says nothing of who
    may see the word: search offers a close word only when an entry the reader may find holds it. Words are added
    as entries are written and the rebuild starts the vocabulary afresh, so a word no entry holds any more may
    stay until then (it is never offered: no entry holds it)."""

    word = models.CharField(max_length=100, primary_key=True)

    def __str__(self):
        return self.word
