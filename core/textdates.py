"""Dates as meeting notes write them: '5 June 2019', '26 NOVEMBER 2018', 'February and March 2018',
'Thursday 15th July' — found in text, with how exact they are."""

import datetime
import difflib
import functools
import re
from dataclasses import dataclass

from core.dates import DatePrecision

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_WORD = r"[A-Za-z]{3,9}"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"


@dataclass
class FoundDate:
    date: datetime.date
    precision: str
    text: str
    warning: str = ""


@functools.lru_cache(maxsize=4096)  # a note full of dates asks about the same few words again and again
def month_number(word):
    """1–12 for a month name or its abbreviation; a close misspelling ('Match') counts, with a warning."""
    word = word.lower().rstrip(".")
    for number, name in enumerate(MONTHS, start=1):
        if word in (name, name[:3]) or (word == "sept" and number == 9):
            return number, ""
    close = difflib.get_close_matches(word, MONTHS, n=1, cutoff=0.8)
    if close and close[0][0] == word[0] and len(word) >= 4:
        return MONTHS.index(close[0]) + 1, f"read ‘{word}’ as {close[0].title()}"
    return None, ""


def _day_month_year(text):
    pattern = rf"{_DAY}\s+(?P<month>{_WORD}),?\s+{_YEAR}"
    for match in re.finditer(pattern, text):
        month, warning = month_number(match["month"])
        if month:
            try:
                day = datetime.date(int(match["year"]), month, int(match["day"]))
            except ValueError:
                continue
            return FoundDate(day, DatePrecision.DAY, match.group(0), warning)
    return None


def _month_year(text):
    pattern = rf"\b(?P<month>{_WORD})(?:\s+(?:and|to|-|–)\s+{_WORD})?,?\s+{_YEAR}"
    for match in re.finditer(pattern, text):
        month, warning = month_number(match["month"])
        if month:
            return FoundDate(datetime.date(int(match["year"]), month, 1), DatePrecision.MONTH, match.group(0), warning)
    return None


def find_date(text):
    """The first date in `text`, as exact as it is written; None if it gives none."""
    found = _day_month_year(text) or _month_year(text)
    if found:
        return found
    year = re.search(rf"\b{_YEAR}\b", text)
    if year:
        return FoundDate(datetime.date(int(year["year"]), 1, 1), DatePrecision.YEAR, year.group(0))
    return None


def find_days(text, *, after=None):
    """Every day-and-month in `text` ('9th September', 'Thursday 15th July 2021').

    A day written without a year takes the year of `after` (the meeting's own date), or the
    year after when that would fall before it. Without `after`, a day with no year is skipped.
    """
    days = []
    pattern = rf"{_DAY}\s+(?P<month>{_WORD})(?:,?\s+{_YEAR})?"
    for match in re.finditer(pattern, text):
        month, _ = month_number(match["month"])
        if not month:
            continue
        if match["year"]:
            year = int(match["year"])
        elif after is not None:
            year = after.year
        else:
            continue
        try:
            day = datetime.date(year, month, int(match["day"]))
        except ValueError:
            continue
        if not match["year"] and after is not None and day < after:
            day = day.replace(year=year + 1)
        days.append(day)
    return days
