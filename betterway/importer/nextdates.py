"""Next meeting dates as convenors write them, with how sure the importer is of each.

'Thursday 15th July, 3.00pm-4.30pm', 'Weds 9 Sept 3-4.30pm', '15 July at 3pm', 'July 15th 2021':
a day and month, perhaps a weekday and a year, perhaps times (read by cells/times.py, the one reader of
times). A date without a year is the next such date after the meeting's own date; a weekday that
disagrees with the date found lowers the confidence and says so.
"""

import datetime
import re
from bisect import bisect_left
from dataclasses import dataclass

from cells.times import TimeError, find_times
from core.textdates import month_number

from .confidence import HIGH, LOW, MEDIUM

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = (
    r"(?:(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tues?|weds?|thu(?:rs?)?|fri|sat|sun)\b\.?,?\s+(?:the\s+)?)?"
)
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d{2})\b)?"
DAY_FIRST = re.compile(
    rf"\b{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>[A-Za-z]{{3,9}})\b\.?{_YEAR}",
    re.IGNORECASE,
)
MONTH_FIRST = re.compile(
    rf"\b{_WEEKDAY}(?P<month>[A-Za-z]{{3,9}})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?![.:]\d){_YEAR}",
    re.IGNORECASE,
)


@dataclass
class NextDate:
    """One next meeting date as the note writes it; `date` is None when it cannot be placed in a year."""

    text: str
    date: datetime.date | None
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    confidence: str = HIGH
    reason: str = ""


def _weekday_index(word):
    word = (word or "").lower()
    return next((index for index, name in enumerate(WEEKDAYS) if word and name.startswith(word[:3])), None)


def _matches(text):
    """Day-and-month matches in `text`, in order, a month-first one only where no day-first one is."""
    day_first = []
    for match in DAY_FIRST.finditer(text):  # in order, and none overlaps another
        month, warning = month_number(match["month"])
        if month is not None:
            day_first.append((match, month, warning))
    starts = [match.start() for match, *_ in day_first]
    found = list(day_first)
    for match in MONTH_FIRST.finditer(text):
        month, warning = month_number(match["month"])
        if month is None:
            continue
        before = bisect_left(starts, match.end())  # the day-first matches that start before this one ends
        if before and day_first[before - 1][0].end() > match.start():  # the last of them ends last: it overlaps
            continue
        found.append((match, month, warning))
    return sorted(found, key=lambda item: item[0].start())


def mentions_a_day(text):
    """Whether `text` names a day of a month ('Thursday 15th July'), with or without a year."""
    return bool(_matches(text))


def weekday_agrees(text, day):
    """(True/False, weekday as written) when `text` gives a weekday just before `day`'s date; (None, '') if none."""
    for match, month, _warning in _matches(text):
        if match["weekday"] and int(match["day"]) == day.day and month == day.month:
            return _weekday_index(match["weekday"]) == day.weekday(), match["weekday"]
    return None, ""


def find_next_dates(text, *, meeting_date=None, meeting_precision=None):
    """(NextDate list, warnings) for every day-and-month in `text`."""
    dates, warnings = [], []
    matches = _matches(text)
    for index, (match, month, misspelt) in enumerate(matches):
        until = matches[index + 1][0].start() if index + 1 < len(matches) else len(text)
        written = " ".join(text[match.start() : until].split()).strip(" ,;:.")
        found = _placed(match, month, meeting_date, meeting_precision)
        if found is None:
            if meeting_date is None and not match["year"]:
                warnings.append(
                    "A next meeting date is given without a year, and the note has no date to take it from."
                )
                dates.append(
                    NextDate(
                        written, None, confidence=LOW, reason="no year, and the note gives no date to take it from"
                    )
                )
            continue
        day, confidence, reasons = found
        if misspelt:
            confidence, reasons = LOW, [*reasons, f"month {misspelt}"]
        next_date = NextDate(written, day, confidence=confidence)
        try:
            times = find_times(text[match.end() : until])
        except TimeError as error:
            warnings.append(f"The time of the next meeting on {day:%-d %B %Y} cannot be read ({error}).")
            next_date.confidence = LOW
            reasons.append(f"the time cannot be read ({error})")
        else:
            if times:
                next_date.start_time, next_date.end_time = times.start, times.end
            else:
                reasons.append("no time given")
        next_date.reason = "; ".join(reasons)
        dates.append(next_date)
    return dates, warnings


def _placed(match, month, meeting_date, meeting_precision):
    """(date, confidence, reasons) of one match; None when it has no year and none can be inferred."""
    day_number = int(match["day"])
    if match["year"]:
        year, reasons, confidence = int(match["year"]), ["year as written"], HIGH
    elif meeting_date is not None:
        year = meeting_date.year
        exact = meeting_precision == "day"
        confidence = HIGH if exact else MEDIUM
        reasons = [
            f"year {{year}} inferred from the meeting's date ({meeting_date:%-d %B %Y})"
            if exact
            else f"year {{year}} inferred from the meeting's approximate date ({meeting_date:%B %Y})"
        ]
    else:
        return None
    try:
        day = datetime.date(year, month, day_number)
    except ValueError:
        return None
    if not match["year"]:
        if day <= meeting_date:  # the next such date after the meeting
            try:
                day = day.replace(year=year + 1)
            except ValueError:  # 29 February
                return None
        reasons[0] = reasons[0].format(year=day.year)
        if not match["weekday"] and confidence == HIGH:
            confidence = MEDIUM
            reasons.append("no weekday to confirm it")
    elif meeting_date is not None and day <= meeting_date:
        confidence = LOW
        reasons.append(f"it is not after the meeting ({meeting_date:%-d %B %Y})")
    if match["weekday"]:
        written = match["weekday"]
        if _weekday_index(written) == day.weekday():
            reasons.append(f"weekday {written.title()} agrees with {day:%-d %B %Y}")
        else:
            confidence = LOW
            reasons.append(f"weekday {written.title()} disagrees: {day:%-d %B %Y} is a {day:%A}")
    return day, confidence, reasons
