from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core import caching
from core.markdown import render_section
from core.pagination import paginate
from core.permissions import readable_or_invite
from core.visibility import may_read_notes

from ..models import Cell, Meeting, Membership, Question, Speaker
from ..permissions import can_author_meeting

# The page's heading over a meeting's notes in detail, and the ways writers head them in the note itself: a note's
# first heading in these words is left out (core.markdown.render_section), not shown twice.
NOTES_HEADINGS = ("The notes in detail", "Notes in detail", "In more detail", "More detail", "In detail")
CONTENTS_FROM = 3  # notes with this many sections get a contents list


def cell_list(request):
    """The cells, then the network events (which belong to no cell), each list a page at a time."""
    cells = Cell.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.visible_to(request.user).leading().select_related("person"),
            to_attr="leads",
        )
    )
    network_events = Meeting.objects.visible_to(request.user).filter(cell__isnull=True).for_listing().newest_first()
    context = {
        "cells": paginate(request, cells, keep_count=True),
        "network_events": paginate(request, network_events, name="events", keep_count=True),
    }
    return render(request, "cells/cell_list.html", context)


def cell_detail(request, slug):
    """A cell: its leads and aims, its series of meetings, the questions it has not taken up yet and its
    insights, each list a page at a time (the series by ?page=, the others by their own parameter)."""
    cell = get_object_or_404(Cell, slug=slug)
    meetings = Meeting.objects.visible_to(request.user).filter(cell=cell).chronological()
    visible = Meeting.objects.visible_to(request.user)
    open_questions = (
        Question.objects.visible_to(request.user)
        .filter(raised_at__cell=cell)
        .exclude(taken_up_in__in=visible)
        .select_related("raised_at")
        .order_by("raised_at__date", "raised_at__number", "order", "pk")
    )
    insights = cell.insights.visible_to(request.user).for_listing().newest_first()  # insights.Insight.cell
    context = {
        "cell": cell,
        "leads": cell.memberships.leading().select_related("person__organisation").few_visible_to(request.user),
        "meetings": paginate(request, meetings, keep_count=True),
        "open_questions": paginate(request, open_questions, name="questions", keep_count=True),
        "upcoming_dates": cell.upcoming_dates.filter(date__gte=timezone.localdate()),
        "insights": paginate(request, insights, name="insights", keep_count=True),
    }
    return render(request, "cells/cell_detail.html", context)


def meeting_list(request):
    """The notes, newest first, each with an excerpt; a meeting with no note is in its cell's series instead.
    The filters name only the kinds of meeting that have notes, with how many."""
    notes = Meeting.objects.visible_to(request.user).with_note()
    counts = dict(caching.kept_answer(notes.order_by().values_list("kind").annotate(count=Count("pk")), list))
    kinds = [(value, label, counts[value]) for value, label in Meeting.Kind.choices if counts.get(value)]
    kind = request.GET.get("kind")
    meetings = notes.for_reading(request.user).newest_first()
    if kind in counts:
        meetings = meetings.filter(kind=kind)
    else:
        kind = None  # an unknown kind, or one with no notes: all notes rather than an empty list
    context = {
        "page": paginate(request, meetings, count=counts[kind] if kind else sum(counts.values())),
        "kinds": kinds,
        "kind": kind,
        "kind_label": Meeting.Kind(kind).label if kind else "",
        "total": sum(counts.values()),
    }
    return render(request, "cells/meeting_list.html", context)


def meeting_detail(request, slug):
    meeting = readable_or_invite(
        request, Meeting.objects.select_related("cell").with_notes_access(request.user), slug=slug
    )
    context = meeting_page_context(meeting, request.user)
    context["can_edit"] = can_author_meeting(request.user, meeting)
    if context["can_edit"] and not meeting.is_published:
        context["reviews"] = meeting.reviews.select_related("person")
    return render(request, "cells/meeting_detail.html", context)


def meeting_page_context(meeting, user):
    """What the meeting page shows `user`: also the preview of a draft. Whether they may read its detailed notes
    comes with the meeting where it was read through MeetingQuerySet.with_notes_access (the page), else is asked."""
    visible = Meeting.objects.visible_to(user)
    later = visible.select_related("cell").order_by("date")
    readable_questions = Question.objects.visible_to(user)
    questions = readable_questions.filter(raised_at=meeting).prefetch_related(
        Prefetch("taken_up_in", queryset=later, to_attr="visible_taken_up_in")
    )
    takes_up = (
        readable_questions.filter(taken_up_in=meeting)
        .select_related("raised_at__cell")
        .order_by("raised_at__date", "order")
    )
    siblings = visible.filter(cell=meeting.cell) if meeting.cell_id else visible.none()
    notes_readable = getattr(meeting, "reader_reads_notes", None)
    if notes_readable is None:
        notes_readable = may_read_notes(user, meeting)
    notes = render_section(meeting.notes if notes_readable else "", leave_out=NOTES_HEADINGS)
    return {
        "meeting": meeting,
        "notes_readable": notes_readable,
        "notes": notes,
        "contents": notes.top_headings if len(notes.top_headings) >= CONTENTS_FROM else (),
        "speakers": Speaker.objects.filter(meeting=meeting).select_related("person__organisation"),
        "principles": meeting.principles.all(),
        "tags": meeting.tags.all(),
        "questions": questions,
        "takes_up": takes_up,
        "insights": meeting.insights.visible_to(user).for_listing().newest_first(),  # insights.Insight.source_meetings
        "previous": _neighbour(siblings, meeting, before=True),
        "next": _neighbour(siblings, meeting, before=False),
    }


def _neighbour(siblings, meeting, *, before):
    """The cell's meeting just before or after this one, by number, else by date."""
    if meeting.number is not None:
        if before:
            return siblings.filter(number__lt=meeting.number).order_by("-number").first()
        return siblings.filter(number__gt=meeting.number).order_by("number").first()
    if meeting.date is None:
        return None
    if before:
        return siblings.filter(date__lt=meeting.date).order_by("-date").first()
    return siblings.filter(date__gt=meeting.date).order_by("date").first()
