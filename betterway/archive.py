"""The archive by year: /archive/ lists the years with how many notes and insights the reader may see in each;
/archive/<year>/ lists that year's notes and insights, newest first (a meeting by its date, an insight by the
date it was published), a page at a time. Undated content has no year, so it is not in the archive by year.

The queries do not grow with the archive: the counts by year (one for notes, one for insights), the page of the
year's rows (its count and its rows: a union of the two lists) and the notes and insights on it.
"""

import datetime

from django.db.models import Count, F, Value
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.shortcuts import render

from cells.models import Meeting
from core.pagination import paginate
from insights.models import Insight


def notes(user):
    """The notes the archive lists: as the notes list, meetings the archive holds a note of."""
    return Meeting.objects.visible_to(user).with_note()


def insights(user):
    return Insight.objects.visible_to(user)


def _by_year(rows, date_field):
    counted = rows.filter(**{f"{date_field}__isnull": False}).annotate(year=ExtractYear(date_field))
    return dict(counted.order_by().values_list("year").annotate(n=Count("pk")))


def years(user):
    """[{"year", "notes", "insights"}], newest year first, of the years with something `user` may see."""
    note_counts = _by_year(notes(user), "date")
    insight_counts = _by_year(insights(user), "published_on")
    return [
        {"year": year, "notes": note_counts.get(year, 0), "insights": insight_counts.get(year, 0)}
        for year in sorted(note_counts.keys() | insight_counts.keys(), reverse=True)
    ]


def archive_index(request):
    return render(request, "archive/archive_index.html", {"years": years(request.user)})


def year_rows(user, year):
    """The year's notes and insights as (kind, pk, date) rows, newest first: one list across both."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    meeting_rows = (
        notes(user)
        .filter(date__range=(start, end))
        .annotate(content=Value("meeting"), when=F("date"), order=F("number"))
        .values_list("content", "pk", "when", "order")
        .order_by()
    )
    insight_rows = (
        insights(user)
        .filter(published_on__range=(start, end))
        .annotate(content=Value("insight"), when=F("published_on"), order=Value(0))
        .values_list("content", "pk", "when", "order")
        .order_by()
    )
    return meeting_rows.union(insight_rows, all=True).order_by("-when", "-order", "content", "-pk")


def archive_year(request, year):
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise Http404("No such year.")
    listed = years(request.user)
    this = next((row for row in listed if row["year"] == year), None)
    if this is None:
        raise Http404("Nothing from that year.")
    page = paginate(request, year_rows(request.user, year), keep_count=True)
    wanted = {"meeting": [], "insight": []}
    for kind, pk, _when, _order in page.object_list:
        wanted[kind].append(pk)
    found = {
        "meeting": Meeting.objects.filter(pk__in=wanted["meeting"]).for_reading(request.user).in_bulk()
        if wanted["meeting"]
        else {},
        "insight": Insight.objects.filter(pk__in=wanted["insight"]).for_listing().in_bulk()
        if wanted["insight"]
        else {},
    }
    page.object_list = [
        {"kind": kind, "item": found[kind][pk]} for kind, pk, _when, _order in page.object_list if pk in found[kind]
    ]
    index = listed.index(this)
    context = {
        "year": this,
        "page": page,
        "later": listed[index - 1]["year"] if index > 0 else None,
        "earlier": listed[index + 1]["year"] if index + 1 < len(listed) else None,
    }
    return render(request, "archive/archive_year.html", context)
