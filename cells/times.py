"""Times of day as convenors write them: '3.00–4.30pm', '10am-12.30pm', '11 to 1pm', '15:00–16:30',
'2pm', '12 noon' — read into a start and an end (datetime.time), and written back the same way.

Reading follows how a person reads a note: 'pm' after the end of a range counts for its start too
('3.00–4.30pm' is 15:00–16:30) unless that would start it after it ends ('11–1pm' is 11:00–13:00),
and a time with no am or pm at all is in the afternoon when its hour is 1 to 6 ('3.00–4.30'),
as it is as written otherwise ('10.00–12.00', '15:00'). A single hour with neither minutes nor
am/pm ('3') is not a time. A time that cannot be (25.00, 13pm, ending before it starts) is a TimeError.
"""

import datetime
import re
from dataclasses import dataclass


class TimeError(ValueError):
    """A time that is written as one but cannot be read (25.00, 13pm, ending before it starts)."""


def _one(p):
    """One time of day; `p` prefixes the group names so that a range can hold two."""
    return (
        rf"(?:(?P<{p}noon>(?:12(?:[.:]00)?\s*)?(?:noon|midday))"
        rf"|(?<![\d.:£$€])(?P<{p}hour>\d{{1,2}})(?:[.:](?P<{p}minute>\d{{2}}))?(?!\d)"
        rf"(?:\s*(?P<{p}meridiem>[ap])\.?\s?m\b\.?)?)"
    )


_RANGE = re.compile(
    rf"(?:\b(?:at|from)\s+)?{_one('s_')}\s*(?:-|–|—|\bto\b|\buntil\b|\btill\b)\s*{_one('e_')}", re.IGNORECASE
)
_SINGLE = re.compile(rf"(?:\b(?:at|from)\s+)?{_one('s_')}", re.IGNORECASE)
# Text that a person meant as a time even though it cannot be read as one: a form says so rather than
# keeping it as a note.
LOOKS_LIKE_A_TIME = re.compile(
    r"\d\s*(?:[ap]\.?\s?m\b|o'?clock|hrs?\b|h\b)|\b\d{1,2}[.:]\d{2}\b|\b\d{1,2}\s*(?:-|–|—|to)\s*\d{1,2}\b"
    r"|\b(?:noon|midday|half past|quarter (?:past|to))\b",
    re.IGNORECASE,
)


@dataclass
class FoundTimes:
    start: datetime.time
    end: datetime.time | None
    text: str  # the words read as the times
    span: tuple  # where they are in the text searched


def _parts(match, p):
    """(hour, minute, meridiem 'a'/'p'/None, written with minutes) of one side of a match; None if absent."""
    if match[f"{p}noon"]:
        return 12, 0, "p", True
    if match[f"{p}hour"] is None:
        return None
    minute = match[f"{p}minute"]
    meridiem = match[f"{p}meridiem"]
    return int(match[f"{p}hour"]), int(minute or 0), meridiem.lower() if meridiem else None, minute is not None


def _clock(hour, minute, meridiem, written):
    """A datetime.time from one side of a match (meridiem already decided, or None for as written)."""
    if minute > 59:
        raise TimeError(f"{written} is not a time: an hour has 60 minutes.")
    if meridiem:
        if not 1 <= hour <= 12:
            raise TimeError(f"{written} is not a time: with am or pm the hour is 1 to 12.")
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    elif hour > 23:
        raise TimeError(f"{written} is not a time: the hour is 0 to 23.")
    return datetime.time(hour, minute)


def _afternoon(hour):
    """With no am or pm anywhere, 1 to 6 o'clock means the afternoon (nobody meets at 3 in the morning)."""
    return "p" if 1 <= hour <= 6 else None


def _range(match):
    start, end = _parts(match, "s_"), _parts(match, "e_")
    written = match.group(0).strip()
    (sh, sm, smer, _), (eh, em, emer, _) = start, end
    if smer is None and emer is None:
        if sh <= 12 and eh <= 12:
            smer = _afternoon(sh)
            emer = _afternoon(eh) if smer is None else "p"
            if smer is None and emer is None and eh < sh:  # '11.30–1.30': into the afternoon
                emer = "p"
    elif smer is None and sh <= 12:  # '3.00–4.30pm' is pm throughout; '11–1pm' starts in the morning
        smer = emer
        if _clock(sh, sm, smer, written) >= _clock(eh, em, emer, written) and 7 <= sh <= 11 and emer == "p":
            smer = "a"
    elif emer is None and eh <= 12:  # '3pm–4.30'
        emer = smer
        if _clock(sh, sm, smer, written) >= _clock(eh, em, emer, written) and smer == "a":
            emer = "p"
    begins, ends = _clock(sh, sm, smer, written), _clock(eh, em, emer, written)
    if ends <= begins:
        raise TimeError(f"{written}: the meeting would end before it starts.")
    return begins, ends


def find_times(text):
    """The first time or range of times in `text` as FoundTimes; None if it gives none.
    TimeError when what is written as a time cannot be one."""
    for match in _RANGE.finditer(text):
        start, end = _parts(match, "s_"), _parts(match, "e_")
        # a range of bare numbers ('pages 2-3') is a time only if one side has minutes or am/pm
        if start[2] or end[2] or start[3] or end[3] or match["s_noon"] or match["e_noon"]:
            begins, ends = _range(match)
            return FoundTimes(begins, ends, match.group(0).strip(), match.span())
    for match in _SINGLE.finditer(text):
        hour, minute, meridiem, with_minutes = _parts(match, "s_")
        if not (meridiem or with_minutes):
            continue  # a bare number is not a time
        if meridiem is None and hour <= 12:
            meridiem = _afternoon(hour)
        return FoundTimes(
            _clock(hour, minute, meridiem, match.group(0).strip()), None, match.group(0).strip(), match.span()
        )
    return None


def parse_times(text):
    """(start, end) of text that is only a time or a range of times ('3.00–4.30pm'); (None, None) for
    no text. TimeError if the text is anything else."""
    text = (text or "").strip()
    if not text:
        return None, None
    found = find_times(text)
    if found is None or text[: found.span[0]].strip() or text[found.span[1] :].strip():
        raise TimeError(f"“{text}” is not a time like 3.00–4.30pm.")
    return found.start, found.end


def _written(value, *, meridiem=True):
    hour = value.hour % 12 or 12
    suffix = ("am" if value.hour < 12 else "pm") if meridiem else ""
    return f"{hour}.{value.minute:02d}{suffix}"


def format_times(start, end=None):
    """'3.00–4.30pm', '10.30am–12.30pm', '2.00pm'; '' with no start. Read back by find_times as written."""
    if start is None:
        return ""
    if end is None:
        return _written(start)
    same_half = (start.hour < 12) == (end.hour < 12)
    return f"{_written(start, meridiem=not same_half)}–{_written(end)}"


_SEPARATORS = " \t,;:–—-"


def tidy_rest(text):
    """What is left of a line once its date or times are taken out: 'online', not ', , online'."""
    parts = [part.strip(_SEPARATORS) for part in re.split(r"\s*[,;]\s*", text)]
    return ", ".join(part for part in parts if part)


def split_times(text):
    """(FoundTimes or None, the rest of `text`): '3.00–4.30pm, online' → (15:00–16:30, 'online').
    TimeError when what is written as a time cannot be one."""
    found = find_times(text)
    if found is None:
        return None, tidy_rest(text)
    return found, tidy_rest(f"{text[: found.span[0]]}, {text[found.span[1] :]}")
