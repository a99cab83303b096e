"""Dates that are only as exact as the source: a day, a month or just a year."""

import datetime

from django.db import models
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
    except ValueError:
        pass
    raise DateError(f"Not a date: {value!r} (write YYYY-MM-DD, YYYY-MM or YYYY)")
