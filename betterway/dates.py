"""Dates that are only as exact as the source: a day, a month or just a year."""

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
