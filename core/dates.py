"""Dates that are only as exact as the source: a day, a month or just a year; and the one way the site
writes dates and times for readers, as GOV.UK does: '15 July 2021', 'July 2021', '2021', 'Thursday 15 July
2021', '3pm', '3:30pm', 'midday', '3pm to 4:30pm', '15 July 2021 at 3:30pm'. Templates use them through the
filters in core/templatetags/site.py."""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as format_date


class DatePrecision(models.TextChoices):
    DAY = "day", "Exact day"
    MONTH = "month", "Month only"
    YEAR = "year", "Year only"


FORMATS = {DatePrecision.DAY: "j F Y", DatePrecision.MONTH: "F Y", DatePrecision.YEAR: "Y"}
MACHINE_FORMATS = {DatePrecision.DAY: "Y-m-d", DatePrecision.MONTH: "Y-m", DatePrecision.YEAR: "Y"}


def display_date(value, precision):
    """'5 June 2019', 'June 2019' or '2019'; '' for no date."""
    if value is None:
        return ""
    return format_date(value, FORMATS.get(precision, FORMATS[DatePrecision.DAY]))


def display_day(value, *, weekday=False):
    """'15 July 2021' (or 'Thursday 15 July 2021') for a date or a datetime (in the site's time zone)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_date(value, "l j F Y" if weekday else "j F Y")


def display_time(value):
    """'3pm', '3:30pm', '10am', 'midday', 'midnight' for a time or a datetime (in the site's time zone);
    '' for no time."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).time()
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    if (value.hour, value.minute) == (0, 0):
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def display_times(start, end=None):
    """'3pm to 4:30pm', or '3pm' alone; '' when the time is not set."""
    if start is None:
        return ""
    if end is None:
        return display_time(start)
    return f"{display_time(start)} to {display_time(end)}"


def display_datetime(value):
    """'15 July 2021 at 3:30pm', in the site's time zone; '' for none."""
    if value is None or value == "":
        return ""
    return f"{display_day(value)} at {display_time(value)}"


def machine_date(value, precision):
    """The value for <time datetime="…">: as exact as the precision, no more."""
    if value is None:
        return ""
    return format_date(value, MACHINE_FORMATS.get(precision, MACHINE_FORMATS[DatePrecision.DAY]))


class DateError(ValueError):
    """Text that is not a date written as YYYY-MM-DD, YYYY-MM or YYYY."""


def parse_date(value):
    """'2019-06-05' → (date, day); '2019-06' → (1 June 2019, month); '2019' → (1 Jan 2019, year)."""
    if value in (None, ""):
        return None, DatePrecision.DAY
    if isinstance(value, datetime.date):
        return value, DatePrecision.DAY
    text = str(value)
    parts = text.split("-")
    try:
        if len(parts) == 3:
            return datetime.date.fromisoformat(text), DatePrecision.DAY
        if len(parts) == 2:
            return datetime.date(int(parts[0]), int(parts[1]), 1), DatePrecision.MONTH
        if len(parts) == 1:
            return datetime.date(int(parts[0]), 1, 1), DatePrecision.YEAR
    except (ValueError, OverflowError):  # OverflowError: a year of twenty digits, which datetime cannot hold
        pass
    raise DateError(f"Not a date: {value!r} (write YYYY-MM-DD, YYYY-MM or YYYY)")
