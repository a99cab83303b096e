"""A date is shown only as exactly as the notes give it, and every date and time on the site is written one
way, as GOV.UK writes them: '15 July 2021', 'July 2021', '2021', '3pm', '3:30pm', '3pm to 4:30pm'."""

import datetime
import pathlib
import re
import zoneinfo

from django.conf import settings
from django.template import Context, Template

from betterway.content import ContentError, parse_date


def render(value, precision):
    return Template("{% load site %}{% fuzzy_date value precision %}").render(
        Context({"value": value, "precision": precision})
    )


def test_an_exact_day_is_shown_in_full():
    assert render(datetime.date(2019, 6, 5), "day") == '<time datetime="2019-06-05">5 June 2019</time>'


def test_a_month_is_shown_without_a_day():
    assert render(datetime.date(2018, 2, 1), "month") == '<time datetime="2018-02">February 2018</time>'


def test_a_year_is_shown_alone():
    assert render(datetime.date(2020, 1, 1), "year") == '<time datetime="2020">2020</time>'


def test_no_date_says_so():
    assert "Date not recorded" in render(None, "day")


def test_content_dates_carry_their_precision():
    assert parse_date("2019-06-05") == (datetime.date(2019, 6, 5), "day")
    assert parse_date("2018-02") == (datetime.date(2018, 2, 1), "month")
    assert parse_date(2020) == (datetime.date(2020, 1, 1), "year")
    assert parse_date(None) == (None, "day")


def test_a_malformed_content_date_is_refused():
    try:
        parse_date("8 Match 2018")
    except ContentError as error:
        assert "8 Match 2018" in str(error)
    else:
        raise AssertionError("no error")


def written(template, **context):
    return Template("{% load site %}" + template).render(Context(context))


def test_a_day_is_written_day_month_year_without_a_leading_zero():
    assert written("{{ d|day }}", d=datetime.date(2021, 7, 5)) == "5 July 2021"
    assert written('{{ d|day:"weekday" }}', d=datetime.date(2021, 7, 15)) == "Thursday 15 July 2021"
    assert written("{{ d|day }}", d=None) == ""


def test_times_are_written_with_am_or_pm_and_minutes_only_when_there_are_some():
    t = datetime.time
    assert written("{{ t|clock }}", t=t(15)) == "3pm"
    assert written("{{ t|clock }}", t=t(15, 30)) == "3:30pm"
    assert written("{{ t|clock }}", t=t(9, 5)) == "9:05am"
    assert written("{{ t|clock }}", t=t(12)) == "midday"
    assert written("{{ t|clock }}", t=t(0)) == "midnight"
    assert written("{% times a b %}", a=t(15), b=t(16, 30)) == "3pm to 4:30pm"
    assert written("{% times a b %}", a=t(10, 30), b=None) == "10:30am"
    assert written("{% times a b %}", a=None, b=None) == ""


def test_a_moment_is_written_as_a_day_and_a_time_in_the_sites_time_zone():
    summer = datetime.datetime(2021, 7, 15, 14, 30, tzinfo=datetime.UTC)  # 3:30pm in London (BST)
    assert written("{{ when|day_and_time }}", when=summer) == "15 July 2021 at 3:30pm"
    late = datetime.datetime(2021, 12, 31, 23, 15, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert written("{{ when|day_and_time }}", when=late) == "31 December 2021 at 11:15pm"
    assert written("{{ when|day }}", when=datetime.datetime(2021, 7, 14, 23, 30, tzinfo=datetime.UTC)) == "15 July 2021"


def test_an_upcoming_meeting_shows_its_weekday_and_times_the_sites_way(db):
    from .factories import UpcomingDateFactory

    upcoming = UpcomingDateFactory(date=datetime.date(2031, 9, 9), time="3.00-4.30pm")
    html = written('{% include "includes/upcoming_when.html" %}', upcoming=upcoming)
    assert html == '<time datetime="2031-09-09T15:00">Tuesday 9 September 2031, 3pm to 4:30pm</time>'


def test_no_template_writes_a_date_for_readers_in_a_format_of_its_own():
    """Formats live in core/dates.py; a template may format a date for a machine (<time datetime="…">), not for
    a reader."""
    found = []
    for path in pathlib.Path(settings.BASE_DIR, "templates").rglob("*"):
        if path.is_file():
            text = re.sub(r'datetime="[^"]*"', "", path.read_text())
            found += [f"{path.name}: {match}" for match in re.findall(r"\|(?:date|time):\S+", text)]
    assert not found
