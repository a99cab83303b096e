"""Upcoming meetings as iCalendar (.ics, the `icalendar` library): every active cell's, one cell's, or
one date's ("add to calendar").

Each event names the cell, its place and the address of the cell's page. A date whose time is set
starts and ends at those times in the site's time zone (settings.TIME_ZONE, Europe/London: each
time carries its TZID and the calendar its VTIMEZONE, so summer time is right); a date whose time is
not set yet is an all-day event. Each event's UID is made from the upcoming date's id, so a calendar
subscribed to the feed updates an event (a new time, a new place) instead of adding another.

Cells and their next dates are public: every cell page shows them to everyone.
"""

import datetime
import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from icalendar import Calendar, Event

from cells.models import Cell, UpcomingDate

PRODID = "-//A Better Way//Upcoming meetings//EN"
UID_DOMAIN = "betterway"  # a fixed right-hand side: the same event has the same UID on any host name
LIMIT = 200  # far more dates than the cells ever set at once; keeps the calendar bounded


class DayConverter:
    """A day in a URL as YYYY-MM-DD ('2031-09-09'); not a date (2031-02-30) does not match."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueError(value) from None

    def to_url(self, value):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)


def upcoming_dates():
    """The dates set for future meetings of active cells, soonest first."""
    return (
        UpcomingDate.objects.filter(date__gte=timezone.localdate(), cell__is_active=True)
        .select_related("cell")
        .order_by("date", "start_time", "cell__name")
    )


def event(upcoming, request):
    cell_url = request.build_absolute_uri(upcoming.cell.get_absolute_url())
    item = Event()
    item.add("uid", f"upcoming-date-{upcoming.pk}@{UID_DOMAIN}")
    item.add("dtstamp", timezone.now())
    item.add("summary", f"{upcoming.cell.name} (A Better Way)")
    if upcoming.start_time is None:  # the time is not set yet: the whole day
        item.add("dtstart", upcoming.date)
        item.add("dtend", upcoming.date + datetime.timedelta(days=1))
    else:
        item.add("dtstart", upcoming.starts_at)
        if upcoming.end_time is not None:
            item.add("dtend", upcoming.ends_at)
    if upcoming.place:
        item.add("location", upcoming.place)
    description = [upcoming.note, f"A meeting of the {upcoming.cell.name} cell of A Better Way.", cell_url]
    item.add("description", "\n\n".join(part for part in description if part))
    item.add("url", cell_url)
    return item


def calendar_response(request, dates, *, name, filename):
    dates = list(dates[:LIMIT])
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for upcoming in dates:
        calendar.add_component(event(upcoming, request))
    if dates:  # the time zone's rules over the span of the events, not since 1970
        calendar.add_missing_timezones(
            first_date=dates[0].date - datetime.timedelta(days=1),
            last_date=dates[-1].date + datetime.timedelta(days=2),
        )
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(text):
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text)


def upcoming_calendar(request):
    """Every active cell's next meetings."""
    return calendar_response(
        request, upcoming_dates(), name="A Better Way: upcoming meetings", filename="a-better-way-meetings.ics"
    )


def cell_calendar(request, slug):
    """One cell's next meetings (none once the cell has closed)."""
    cell = get_object_or_404(Cell, slug=slug)
    return calendar_response(
        request,
        upcoming_dates().filter(cell=cell),
        name=f"A Better Way: {cell.name}",
        filename=_filename(f"{cell.slug}-meetings.ics"),
    )


def upcoming_date_calendar(request, slug, day):
    """One next meeting, to add to a calendar."""
    dates = list(upcoming_dates().filter(cell__slug=slug, date=day))
    if not dates:
        raise Http404("No meeting of this cell is set for that day.")
    return calendar_response(
        request, dates, name=f"A Better Way: {dates[0].cell.name}", filename=_filename(f"{slug}-{day.isoformat()}.ics")
    )
