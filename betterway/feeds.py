"""Atom feeds (Django's syndication framework): the latest insights, the latest meeting notes, and the
notes and insights of one principle, cell, topic or person.

Feeds are public: every entry is what a visitor who is not logged in may read, whoever asks for the
feed (a feed reader sends no login, and a feed's address gets shared). Rows come only through
`visible_to(VISITOR)` (core/visibility.py); a meeting whose key points are public but whose notes are
kept for members shows its key points and never its notes (`notes_visible_to`). A topic or person a
visitor may not see has no feed (404).

Each entry: the title, the page's address (also its id), a plain-text summary (the key points or the
standfirst) that starts with the date as exact as the archive knows it ('June 2020', never a made-up
day), the authors of an insight, the topics, and when it was published: when the site published it,
else the date of the meeting or piece. Each feed holds the latest LIMIT entries of each kind, in a
fixed number of queries whatever the size of the archive.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import Exists, F, OuterRef
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator

from cells.models import Cell, Meeting, Speaker
from core.markdown import plain_text
from insights.models import Insight, Principle, Topic
from people.models import Person

VISITOR = AnonymousUser()  # feeds show what a visitor may read, to everyone
LIMIT = 30  # entries of each kind in a feed
SITE = "A Better Way"


@dataclass
class Entry:
    """One entry of a feed, from a meeting or an insight."""

    title: str
    url: str
    summary: str
    published: datetime.datetime
    updated: datetime.datetime
    authors: list = field(default_factory=list)
    topics: list = field(default_factory=list)


def _day_start(day):
    """Midnight at the start of `day` in the site's time zone (a feed's dates are times of day)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_default_timezone())


def _when(published_at, day, created_at):
    return published_at or (_day_start(day) if day else created_at)


def _summary(*parts):
    return " — ".join(part for part in parts if part)


# --- meetings and insights, as a visitor may read them -------------------------------------------------


def public_meetings():
    """The meetings a visitor may see, newest first, each knowing whether its notes are public too."""
    notes_public = Meeting.objects.notes_visible_to(VISITOR).filter(pk=OuterRef("pk"))
    return (
        Meeting.objects.visible_to(VISITOR)
        .select_related("cell")
        .prefetch_related("tags")
        .annotate(notes_public=Exists(notes_public))
        .order_by(F("published_at").desc(nulls_last=True), F("date").desc(nulls_last=True), "-pk")
    )


def public_insights():
    return (
        Insight.objects.visible_to(VISITOR)
        .for_listing()
        .prefetch_related("tags")
        .order_by(F("published_at").desc(nulls_last=True), F("published_on").desc(nulls_last=True), "-pk")
    )


def meeting_entry(meeting):
    if meeting.cell_id:
        what = f"{meeting.cell.name}, meeting {meeting.number}" if meeting.number else meeting.cell.name
    else:
        what = meeting.get_kind_display()
    points = plain_text(meeting.summary)
    if not points and meeting.notes_public:  # no key points: the start of the notes, when they are public
        points = Truncator(plain_text(meeting.notes)).words(60)
    if not meeting.has_note:
        points = "No note of this meeting is in the archive."
    return Entry(
        title=meeting.heading,
        url=meeting.get_absolute_url(),
        summary=_summary(" · ".join(filter(None, [what, meeting.display_date])), points),
        published=_when(meeting.published_at, meeting.date, meeting.created_at),
        updated=meeting.updated_at,
        topics=[tag.name for tag in meeting.tags.all()],
    )


def insight_entry(insight):
    what = [insight.get_kind_display(), insight.display_date]
    if insight.publisher:
        what.append(f"first published by {insight.publisher}")
    text = plain_text(insight.standfirst) or Truncator(plain_text(insight.body)).words(60)
    return Entry(
        title=insight.title,
        url=insight.get_absolute_url(),
        summary=_summary(" · ".join(filter(None, what)), text),
        published=_when(insight.published_at, insight.published_on, insight.created_at),
        updated=insight.updated_at,
        authors=[person.name for person in insight.authors.all()],
        topics=[tag.name for tag in insight.tags.all()],
    )


def latest(meetings=None, insights=None):
    """Entries of the latest LIMIT of each, newest first."""
    entries = []
    if meetings is not None:
        entries += [meeting_entry(meeting) for meeting in meetings[:LIMIT]]
    if insights is not None:
        entries += [insight_entry(insight) for insight in insights[:LIMIT]]
    return sorted(entries, key=lambda entry: entry.published, reverse=True)


# --- the feeds ----------------------------------------------------------------------------------------------


class EntriesFeed(Feed):
    """An Atom feed of Entry objects; each subclass says what the feed is about and its entries."""

    feed_type = Atom1Feed
    author_name = SITE

    def item_title(self, entry):
        return entry.title  # Atom titles are text: the generator escapes them once

    def item_link(self, entry):
        return entry.url

    def item_description(self, entry):
        return escape(entry.summary)  # Django writes it as <summary type="html">

    def item_pubdate(self, entry):
        return entry.published

    def item_updateddate(self, entry):
        return max(entry.updated, entry.published)

    def item_author_name(self, entry):
        return ", ".join(entry.authors) or None

    def item_categories(self, entry):
        return entry.topics


class LatestInsightsFeed(EntriesFeed):
    title = f"{SITE}: insights"
    subtitle = "Essays, stories, summaries of meetings and blog posts from the network."

    def link(self):
        return reverse("insights:insight_list")

    def items(self):
        return latest(insights=public_insights())


class LatestNotesFeed(EntriesFeed):
    title = f"{SITE}: meeting notes"
    subtitle = "Notes of the meetings of the network's cells and of its roundtables, dinners and discussions."

    def link(self):
        return reverse("cells:meeting_list")

    def items(self):
        return latest(meetings=public_meetings())


class PrincipleFeed(EntriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Principle, slug=slug)

    def title(self, principle):
        return f"{SITE}: {principle.title}"

    def subtitle(self, principle):
        return principle.statement

    def link(self, principle):
        return principle.get_absolute_url()

    def items(self, principle):
        return latest(public_meetings().filter(principles=principle), public_insights().filter(principles=principle))


class CellFeed(EntriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Cell, slug=slug)

    def title(self, cell):
        return f"{SITE}: {cell.name}"

    def subtitle(self, cell):
        return f"Notes of the meetings of the {cell.name} cell, and insights from it."

    def link(self, cell):
        return cell.get_absolute_url()

    def items(self, cell):
        return latest(public_meetings().filter(cell=cell), public_insights().filter(cell=cell))


class TopicFeed(EntriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic.objects.visible_to(VISITOR), slug=slug)

    def title(self, topic):
        return f"{SITE}: {topic.name}"

    def subtitle(self, topic):
        return f"Meeting notes and insights on “{topic.name}”."

    def link(self, topic):
        return reverse("tag", args=[topic.slug])

    def items(self, topic):
        return latest(public_meetings().filter(tags=topic), public_insights().filter(tags=topic))


class PersonFeed(EntriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Person.objects.visible_to(VISITOR), slug=slug)

    def title(self, person):
        return f"{SITE}: {person.name}"

    def subtitle(self, person):
        return f"Meetings where {person.name} spoke, and what they wrote."

    def link(self, person):
        return person.get_absolute_url()

    def items(self, person):
        spoke_at = Speaker.objects.filter(person=person).values("meeting_id")
        return latest(public_meetings().filter(pk__in=spoke_at), public_insights().filter(authors=person))
