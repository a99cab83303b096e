"""Upcoming meetings with proper times: how convenors' times are read (the form, the importer, the
content files, the migration of the old free text), and the iCalendar files, parsed with `icalendar`."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from betterway.content import ContentError, load_content
from betterway.importer.parsing import parse_note
from betterway.importer.saving import import_note
from cells.forms import parse_next_date_line
from cells.models import UpcomingDate
from cells.times import TimeError, format_times, parse_times

from .factories import CellFactory, UpcomingDateFactory
from .test_meeting_authoring import edit_data, meeting_data

LONDON = zoneinfo.ZoneInfo("Europe/London")
T = datetime.time


def next_year(month, day):
    return datetime.date(timezone.localdate().year + 1, month, day)


# --- reading times ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("3.00–4.30pm", T(15), T(16, 30)),
        ("3.00-4.30pm", T(15), T(16, 30)),
        ("3–4.30pm", T(15), T(16, 30)),
        ("10am-12.30pm", T(10), T(12, 30)),
        ("10.30am to 12.30pm", T(10, 30), T(12, 30)),
        ("11–1pm", T(11), T(13)),  # pm is the end's: the meeting starts in the morning
        ("9-11am", T(9), T(11)),
        ("8–10pm", T(20), T(22)),
        ("12-1pm", T(12), T(13)),
        ("12 noon – 2pm", T(12), T(14)),
        ("15:00–16:30", T(15), T(16, 30)),
        ("3.00–4.30", T(15), T(16, 30)),  # no am or pm: 1 to 6 o'clock is the afternoon
        ("10.00–12.00", T(10), T(12)),
        ("6.30–8.30", T(18, 30), T(20, 30)),
        ("2pm", T(14), None),
        ("at 6.30pm", T(18, 30), None),
        ("", None, None),
    ],
)
def test_times_are_read_as_a_person_reads_them(text, start, end):
    assert parse_times(text) == (start, end)


@pytest.mark.parametrize("text", ["4.30–3pm", "25.00", "13pm", "3.75pm", "3", "half past three", "3pm, online", "soon"])
def test_what_is_not_a_time_is_refused(text):
    with pytest.raises(TimeError):
        parse_times(text)


@pytest.mark.parametrize(
    ("start", "end", "written"),
    [
        (T(15), T(16, 30), "3.00–4.30pm"),
        (T(10, 30), T(12, 30), "10.30am–12.30pm"),
        (T(12), T(13), "12.00–1.00pm"),
        (T(9), T(11), "9.00–11.00am"),
        (T(18, 30), None, "6.30pm"),
        (None, None, ""),
    ],
)
def test_times_are_written_the_networks_way_and_read_back_the_same(start, end, written):
    assert format_times(start, end) == written
    assert parse_times(written) == (start, end)


# --- the meeting form's next dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("9 September 2031, 3.00–4.30pm", (datetime.date(2031, 9, 9), T(15), T(16, 30), "")),
        ("Tuesday 9 September 2031, 10am-12.30pm, online", (datetime.date(2031, 9, 9), T(10), T(12, 30), "online")),
        ("9th September 2031", (datetime.date(2031, 9, 9), None, None, "")),
        ("9 September 2031, Toynbee Hall", (datetime.date(2031, 9, 9), None, None, "Toynbee Hall")),
    ],
)
def test_a_next_date_line_gives_the_day_its_times_and_a_note(line, expected):
    read = parse_next_date_line(line)
    assert (read["date"], read["start_time"], read["end_time"], read["note"]) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("9 September 2031, 4.30–3pm", "end before it starts"),
        ("9 September 2031, 25.00–26.00", "the hour is 0 to 23"),
        ("9 September 2031, half past three", "the time cannot be read"),
        ("9 September 2031, 3 o'clock", "the time cannot be read"),
        ("September 2031, 3pm", "not a date with a day, month and year"),
    ],
)
def test_a_next_date_line_with_an_unreadable_time_is_an_error_naming_the_line(line, message):
    with pytest.raises(ValidationError) as error:
        parse_next_date_line(line)
    assert f"“{line}”" in error.value.messages[0] and message in error.value.messages[0]


@pytest.fixture
def convenor_client(client, users):
    client.force_login(users["convenor"])
    return client


def test_the_form_saves_times_and_shows_an_unreadable_time_next_to_the_field(convenor_client, cell):
    response = convenor_client.post(
        reverse("cells:meeting_create"),
        meeting_data(cell, next_dates="9 September 2031, 3.00–4.30pm\n10 October 2031, half past two"),
    )
    assert response.status_code == 200 and not UpcomingDate.objects.exists()
    assert "“10 October 2031, half past two”: the time cannot be read" in response.content.decode()

    response = convenor_client.post(
        reverse("cells:meeting_create"),
        meeting_data(cell, next_dates="9 September 2031, 3.00–4.30pm\r\n10 October 2031, online"),
    )
    assert response.status_code == 302
    assert [(u.date.day, u.start_time, u.end_time, u.note) for u in cell.upcoming_dates.all()] == [
        (9, T(15), T(16, 30), ""),
        (10, None, None, "online"),
    ]


def test_the_edit_form_shows_the_dates_as_typed_and_leaves_unchanged_lines_alone(convenor_client, cell):
    convenor_client.post(reverse("cells:meeting_create"), meeting_data(cell))
    meeting = cell.meetings.get()
    UpcomingDateFactory(cell=cell, date=datetime.date(2031, 9, 9), time="3.00–4.30pm, online")
    kept = UpcomingDateFactory(cell=cell, date=datetime.date(2031, 10, 1), note="Time: half past two")
    form = convenor_client.get(reverse("cells:meeting_edit", args=[meeting.slug])).context["form"]
    shown = form.initial["next_dates"]
    assert shown == "9 September 2031, 3.00–4.30pm, online\n1 October 2031, Time: half past two"
    response = convenor_client.post(
        reverse("cells:meeting_edit", args=[meeting.slug]),
        edit_data(meeting, next_dates=shown.replace("\n", "\r\n") + "\r\n2 November 2031, 6pm"),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert UpcomingDate.objects.get(pk=kept.pk).note == "Time: half past two"
    assert cell.upcoming_dates.get(date=datetime.date(2031, 11, 2)).start_time == T(18)


# --- the importer and the content files ---------------------------------------------------------------------


def test_the_importer_reads_the_times_of_the_next_meetings(db, cell):
    year = timezone.localdate().year + 1
    note = parse_note(
        f"Collaborative Leadership in Place Cell 7\n\nNotes of the meeting held on 2 March {year - 1}\n\n"
        f"Participants agreed that trust matters.\n\nNext meetings\n\n"
        f"Thursday 10th April {year}, 2.00–3.30pm\n15 May {year}\n16 June {year}, 25.00\n",
        known_cells=[cell.name],
    )
    assert note.next_meeting_times == {datetime.date(year, 4, 10): (T(14), T(15, 30))}
    assert any("16 June" in warning for warning in note.warnings)
    import_note(note)
    assert [(u.date, u.start_time, u.end_time) for u in cell.upcoming_dates.all()] == [
        (datetime.date(year, 4, 10), T(14), T(15, 30)),
        (datetime.date(year, 5, 15), None, None),
        (datetime.date(year, 6, 16), None, None),
    ]


def _content(tmp_path, upcoming):
    (tmp_path / "cells.yaml").write_text(
        f"- slug: clip\n  name: Collaborative Leadership in Place\n  upcoming_dates:\n{upcoming}", encoding="utf-8"
    )
    return tmp_path


def test_content_files_give_times_as_convenors_write_them(db, tmp_path):
    load_content(
        _content(tmp_path, '  - {date: 2031-09-09, time: "3.00–4.30pm", place: Leeds}\n  - {date: 2031-10-01}\n')
    )
    assert [(u.start_time, u.end_time, u.place) for u in UpcomingDate.objects.all()] == [
        (T(15), T(16, 30), "Leeds"),
        (None, None, ""),
    ]


@pytest.mark.parametrize(("time", "message"), [("15:00", "in quotes"), ('"half past"', "not a time")])
def test_a_content_file_with_an_unreadable_time_is_refused_naming_it(db, tmp_path, time, message):
    with pytest.raises(ContentError) as error:
        load_content(_content(tmp_path, f"  - {{date: 2031-09-09, time: {time}}}\n"))
    assert "cells.yaml, clip, upcoming date 2031-09-09" in str(error.value) and message in str(error.value)


# --- the migration of the old free-text times -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_free_text_times_into_times_and_keeps_what_it_cannot_read():
    before, after = ("cells", "0005_upcoming_date_times"), ("cells", "0006_upcoming_date_times_from_text")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        old = executor.loader.project_state([before]).apps
        cell = old.get_model("cells", "Cell").objects.create(name="Old cell", slug="old-cell")
        rows = {
            text: old.get_model("cells", "UpcomingDate").objects.create(
                cell=cell, date=datetime.date(2031, 1, day), time=text, note=note
            )
            for day, (text, note) in enumerate(
                [("3.00–4.30pm", ""), ("10am-12.30pm, online", "Bring lunch"), ("half past three", ""), ("", "")],
                start=1,
            )
        }
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        new = executor.loader.project_state([after]).apps.get_model("cells", "UpcomingDate")
        read = {text: new.objects.get(pk=row.pk) for text, row in rows.items()}
        assert [(r.start_time, r.end_time, r.note) for r in read.values()] == [
            (T(15), T(16, 30), ""),
            (T(10), T(12, 30), "Bring lunch; online"),
            (None, None, "Time: half past three"),
            (None, None, ""),
        ]
        executor = MigrationExecutor(connection)
        executor.migrate([before])  # and back: the times written out again
        back = executor.loader.project_state([before]).apps.get_model("cells", "UpcomingDate")
        assert back.objects.get(pk=rows["3.00–4.30pm"].pk).time == "3.00–4.30pm"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


# --- the calendars ----------------------------------------------------------------------------------------


@pytest.fixture
def dates(db):
    active = CellFactory(name="Collaborative Leadership in Place", slug="clip")
    closed = CellFactory(name="Founding London cell", slug="london", is_active=False)
    return {
        "summer": UpcomingDateFactory(cell=active, date=next_year(7, 15), time="3.00–4.30pm", place="Leeds"),
        "winter": UpcomingDateFactory(cell=active, date=next_year(1, 15), time="10am"),
        "unset": UpcomingDateFactory(cell=active, date=next_year(3, 3), note="Online"),
        "past": UpcomingDateFactory(cell=active, date=timezone.localdate() - datetime.timedelta(days=1)),
        "closed": UpcomingDateFactory(cell=closed, date=next_year(5, 5), time="2pm"),
        "active": active,
        "closed_cell": closed,
    }


def calendar_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, {event.decoded("dtstart"): event for event in calendar.walk("VEVENT")}


def test_the_calendar_lists_the_upcoming_dates_of_active_cells_in_london_time(client, dates):
    calendar, events = calendar_of(client, reverse("calendar"))
    assert settings.TIME_ZONE == "Europe/London"
    assert str(calendar["prodid"]).startswith("-//A Better Way//") and str(calendar["version"]) == "2.0"
    summer = datetime.datetime.combine(next_year(7, 15), T(15), tzinfo=LONDON)
    winter = datetime.datetime.combine(next_year(1, 15), T(10), tzinfo=LONDON)
    assert set(events) == {summer, winter, next_year(3, 3)}  # not the past date, not the closed cell's

    event = events[summer]
    assert event["dtstart"].params["TZID"] == "Europe/London" and event["dtend"].params["TZID"] == "Europe/London"
    assert event.decoded("dtend") == datetime.datetime.combine(next_year(7, 15), T(16, 30), tzinfo=LONDON)
    assert event.decoded("dtstart").astimezone(datetime.UTC).hour == 14  # summer time
    assert events[winter].decoded("dtstart").astimezone(datetime.UTC).hour == 10  # Greenwich time
    assert "dtend" not in events[winter]  # a start time alone: the end is not invented
    assert str(event["summary"]) == "Collaborative Leadership in Place (A Better Way)"
    assert str(event["location"]) == "Leeds"
    assert str(event["url"]) == "http://testserver/cells/clip/"
    assert "http://testserver/cells/clip/" in str(event["description"])
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]

    all_day = events[next_year(3, 3)]
    assert all_day["dtstart"].params["VALUE"] == "DATE"
    assert all_day.decoded("dtend") == next_year(3, 4)
    assert str(all_day["description"]).startswith("Online")


def test_each_event_keeps_its_uid_from_one_download_to_the_next(client, dates):
    _, first = calendar_of(client, reverse("calendar"))
    dates["summer"].place = "Manchester"
    dates["summer"].save()
    _, again = calendar_of(client, reverse("calendar"))
    uids = {str(event["uid"]) for event in first.values()}
    assert uids == {str(event["uid"]) for event in again.values()} and len(uids) == 3
    assert str(first[min(first, key=str)]["uid"]).endswith("@betterway")


def test_a_cells_calendar_and_one_dates_add_to_calendar(client, dates):
    _, events = calendar_of(client, reverse("cell_calendar", args=["clip"]))
    assert len(events) == 3
    _, events = calendar_of(client, reverse("cell_calendar", args=["london"]))
    assert events == {}  # a closed cell has no upcoming meetings
    _, events = calendar_of(client, reverse("upcoming_date_calendar", args=["clip", next_year(7, 15)]))
    assert [str(event["location"]) for event in events.values()] == ["Leeds"]
    for url in [
        reverse("cell_calendar", args=["no-such-cell"]),
        reverse("upcoming_date_calendar", args=["clip", next_year(7, 16)]),
        reverse("upcoming_date_calendar", args=["clip", dates["past"].date]),
        reverse("upcoming_date_calendar", args=["london", next_year(5, 5)]),
        "/cells/clip/2031-02-30.ics",
    ]:
        assert client.get(url).status_code == 404, url


def test_the_calendar_takes_the_same_queries_however_many_dates(client, dates):
    def count():
        with CaptureQueriesContext(connection) as queries:
            calendar_of(client, reverse("calendar"))
            calendar_of(client, reverse("cell_calendar", args=["clip"]))
        return len(queries)

    few = count()
    for day in range(20):
        UpcomingDateFactory(cell=CellFactory(), date=next_year(8, 1) + datetime.timedelta(days=day), time="2pm")
    assert count() == few <= 3


def test_pages_offer_to_add_each_date_to_a_calendar(client, dates):
    html = client.get(reverse("cells:cell", args=["clip"])).content.decode()
    day = next_year(7, 15)
    assert f'<time datetime="{day:%Y-%m-%d}T15:00">' in html and "3pm to 4:30pm</time>, Leeds" in html
    assert f'href="/cells/clip/{day:%Y-%m-%d}.ics"' in html
    assert 'href="/cells/clip/calendar.ics"' in html and 'href="/cells/clip/feed.atom"' in html
    html = client.get(reverse("cells:cell", args=["london"])).content.decode()
    assert ".ics" not in html  # a closed cell offers no calendar
    html = client.get(reverse("home")).content.decode()
    assert f'href="/cells/clip/{day:%Y-%m-%d}.ics"' in html and 'href="/calendar.ics"' in html
