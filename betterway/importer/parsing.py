"""Turn the text of a meeting note, as convenors write them, into the parts of a Meeting.

The network's notes share a shape: a title line, often a line with the date, a
summary of key points, the notes in detail with headings and bullet lists, the
questions for a later meeting and the next dates. This module finds those parts
in plain text (from a .txt, .md or .docx file); it touches no database.
"""

import re
from dataclasses import dataclass, field

from cells.models import Meeting, Speaker
from cells.times import TimeError, find_times
from core.textdates import find_date, find_days

START_MARK = "A Better Way A Better Way"
END_MARK = "Read More"

BULLET = re.compile(r"^\s*(?:[•●▪◦·*]|-(?!-)|–)\s+(?P<text>.+)$")
NUMBERED = re.compile(r"^\s*(?P<number>\d{1,2})[.)]\s+(?P<text>.+)$")
MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*$")
SUMMARY_HEADING = re.compile(r"^(summary( of (the )?key points)?|key points)\s*:?$", re.IGNORECASE)
DETAIL_HEADING = re.compile(r"^(in more detail|the notes in detail|notes in detail)\s*:?$", re.IGNORECASE)
QUESTIONS_LEAD = re.compile(
    r"(topics|questions|issues|themes)\b.{0,40}\b(further|next|later|future|explore)"
    r"|for discussion at (its|our|the) next meeting",
    re.IGNORECASE,
)
NEXT_HEADING = re.compile(r"^(next meetings?|dates? of (the )?next meetings?|future meetings)\s*:?$", re.IGNORECASE)
NEXT_SENTENCE = re.compile(r"next meetings?\b", re.IGNORECASE)

KIND_WORDS = [
    (Meeting.Kind.DINNER, re.compile(r"\bdinner\b", re.I)),
    (Meeting.Kind.ROUNDTABLE, re.compile(r"\bround\s?table\b", re.I)),
    (Meeting.Kind.GATHERING, re.compile(r"\b(gathering|annual meeting|conference)\b", re.I)),
    (Meeting.Kind.CELL_MEETING, re.compile(r"\bcell\b", re.I)),
    (Meeting.Kind.NETWORK_DISCUSSION, re.compile(r"\bdiscussion\b", re.I)),
]
CELL_WITH_NUMBER = re.compile(r"(?P<name>[A-Z][\w’' -]*?)\s+cell\s+(?P<number>\d{1,2})\b", re.IGNORECASE)
CELL_WITHOUT_NUMBER = re.compile(r"(?P<name>[A-Z][\w’' -]*?\bcell)\b", re.IGNORECASE)
TITLE_PREFIX = re.compile(r"^(notes?\s+(from|form|of)\s+(the\s+|a\s+)?|better way\s+)+", re.IGNORECASE)

# Roles a note gives a person, the most specific first. "appositive" roles count only as a description
# of the person ("Priya Shah, convenor of the cell,"); the others when the words are near the name.
ROLE_WORDS = [
    (Speaker.Role.MAIN_SPEAKER, "near", re.compile(r"main speaker|keynote", re.I)),
    (Speaker.Role.THOUGHT_LEADER, "near", re.compile(r"thought leader", re.I)),
    (Speaker.Role.CO_CONVENOR, "appositive", re.compile(r"co-?convenor", re.I)),
    (Speaker.Role.CONVENOR, "appositive", re.compile(r"convenor", re.I)),
    (Speaker.Role.FACILITATOR, "near", re.compile(r"facilitat\w*", re.I)),
    (
        Speaker.Role.INTRODUCER,
        "after",
        re.compile(r"introduc(ed|ing) (the|this|our) (meeting|roundtable|discussion|cell|dinner)", re.I),
    ),
]
SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
NAME = r"[A-Z][a-z]+(?:[-’'][A-Z]?[a-z]+)?(?:[ \xa0]+(?:[A-Z][a-z]+(?:[-’'][A-Z]?[a-z]+)*)){1,2}"
ORGANISATION = r"(?:the\s+)?[A-Z][\w&’'-]*(?:[ \xa0]+(?:of|for|and|&|the|[A-Z][\w&’'-]*))*"
SPEAKING = (
    r"said|says|explained|described|introduced|presented|spoke|opened|led|facilitated|chaired|welcomed"
    r"|set out|talked|reflected|argued|outlined|shared|gave|told|distinguished|identified|agreed|summarised"
    r"|pointed out|noted|suggested|asked|added|observed|emphasised|highlighted|stressed|warned|urged|proposed"
    r"|commented|began"
)
# A person counts as a speaker when the note has them act: "X said", "X, CEO of Y, explained",
# "introduced X from Y", "facilitated by X".
SPEAKER_PATTERNS = [
    re.compile(rf"(?P<name>{NAME})(?:,\s+(?P<described>[^,]{{3,100}}),|\s+from\s+{ORGANISATION})?\s+(?:{SPEAKING})\b"),
    re.compile(rf"(?:introduced|welcomed|invited)\s+(?P<name>{NAME})"),
    re.compile(rf"(?:facilitated|led|chaired|introduced|presented|presentations?)\s+(?:by|from)\s+(?P<name>{NAME})"),
]
# What the note says of a person, wherever it says it: "X from Y", "X is CEO of Y", "X, the CEO of Y,".
DESCRIPTIONS = [
    re.compile(rf"(?P<name>{NAME})\s+from\s+(?P<org>{ORGANISATION})"),
    re.compile(
        rf"(?P<name>{NAME})\s+is\s+(?:the\s+)?(?P<job>[A-Z][\w -]{{1,40}}?)\s+(?:of|at)\s+(?P<org>{ORGANISATION})"
    ),
    re.compile(
        rf"(?P<name>{NAME}),\s+(?:the\s+)?(?P<job>[A-Z]?[\w -]{{1,40}}?)\s+(?:of|at)\s+(?P<org>{ORGANISATION}),"
    ),
]
LEADING_WORDS = re.compile(
    r"^((As|But|And|When|If|Then|So|While|After|Before|Since|Through|Thanks|Reflecting|"
    r"Introducing|Opening|Here|Also)\s+)+"
)
NOT_NAMES = re.compile(
    r"^(A|An|The|This|That|These|Our|We|In|On|At|It|He|She|They|One|Better Way|Civil Exchange|Local|National"
    r"|Government|Council|Covid|January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)


@dataclass
class ParsedSpeaker:
    name: str
    role: str = Speaker.Role.PRESENTER
    organisation: str = ""
    job: str = ""


@dataclass
class ParsedNote:
    title: str
    kind: str = Meeting.Kind.NETWORK_DISCUSSION
    date: object = None
    date_precision: str | None = None
    cell: str | None = None
    number: int | None = None
    summary: str = ""
    notes: str = ""
    speakers: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    next_meetings: list = field(default_factory=list)
    next_meeting_times: dict = field(default_factory=dict)  # day → (start, end) where the note gives times
    warnings: list = field(default_factory=list)


class NoteError(Exception):
    """Text that is not a note the importer can read (no title, say)."""


def split_notes(text):
    """The notes in `text`: one, or several in the network's exported listings
    (each after a line 'A Better Way A Better Way', ending at a line 'Read More')."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if START_MARK not in text:
        return [text.strip()] if text.strip() else []
    notes = []
    for part in text.split(START_MARK)[1:]:
        lines = part.strip("\n").split("\n")
        while lines and lines[-1].strip() in ("", END_MARK):
            lines.pop()
        if "\n".join(lines).strip():
            notes.append("\n".join(lines).strip())
    return notes


def _blocks(text):
    """Lines of text with content, each tagged: ('heading', level, text), ('bullet', text),
    ('numbered', n, text) or ('para', text)."""
    blocks = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if match := MD_HEADING.match(line):
            blocks.append(("heading", len(match["hashes"]), match["text"].strip()))
        elif match := BULLET.match(line):
            blocks.append(("bullet", match["text"].strip()))
        elif match := NUMBERED.match(line):
            blocks.append(("numbered", int(match["number"]), match["text"].strip()))
        else:
            blocks.append(("para", line))
    return blocks


def _looks_like_heading(text):
    """A short line that is not a sentence: 'Lessons from the past', 'Aims of the cell'."""
    words = text.split()
    if not words or len(words) > 12 or len(text) > 90:
        return False
    if text[-1] in ".,;:!)\"”’'" or text[0].islower():
        return False
    if words[0] in {"He", "She", "They", "We", "It", "I", "You", "This", "There"}:
        return False
    if text.endswith("?"):
        return len(words) <= 8
    return True


def parse_note(text, *, known_cells=(), known_people=()):
    """The parts of one note. `known_cells` and `known_people` are names already on the site."""
    blocks = _blocks(text)
    if not blocks:
        raise NoteError("The note is empty.")
    first = blocks.pop(0)
    title = first[-1].strip().rstrip(":")
    if len(title) > 250 or len(title.split()) > 30 or title.endswith("."):
        raise NoteError(
            "The note has no recognisable title: its first line should be the title, "
            f"not a paragraph (it begins “{title[:60]}…”)."
        )
    note = ParsedNote(title=title)

    date_line = ""
    for index, block in enumerate(blocks[:2]):
        if block[0] in ("para", "heading") and len(block[-1]) <= 140 and find_date(block[-1]):
            date_line = block[-1]
            blocks[index] = ("dateline", date_line)  # kept in the notes as written, not as a heading
            break
    found = find_date(title) or (find_date(date_line) if date_line else None)
    if found:
        note.date, note.date_precision = found.date, found.precision
        if found.warning:
            note.warnings.append(f"Date: {found.warning} in “{found.text}”.")

    note.cell, note.number = _cell_and_number(title, known_cells)
    note.kind = _kind(f"{title} {date_line}", has_cell=bool(note.cell))
    note.summary, note.notes = _sections(blocks, note)
    note.speakers = _speakers(text, known_people)
    return note


def _kind(text, *, has_cell):
    for kind, pattern in KIND_WORDS:
        if pattern.search(text):
            if kind == Meeting.Kind.CELL_MEETING and not has_cell:
                continue
            return kind
    return Meeting.Kind.CELL_MEETING if has_cell else Meeting.Kind.NETWORK_DISCUSSION


def _cell_and_number(title, known_cells):
    """('Collaborative Leadership in Place', 3) from 'Collaborative Leadership in Place Cell 3';
    ('London cell 2', None) from 'Better Way London Cell 2' when the site has a cell of that name."""
    known = {name.lower(): name for name in known_cells}
    bare = TITLE_PREFIX.sub("", title).split(":")[0].strip()
    if match := CELL_WITH_NUMBER.search(bare):
        name = TITLE_PREFIX.sub("", match["name"]).strip()
        whole = f"{name} cell {match['number']}"
        if whole.lower() in known:
            return known[whole.lower()], None
        return known.get(name.lower(), name), int(match["number"])
    if match := CELL_WITHOUT_NUMBER.search(bare):
        name = match["name"].strip()
        for candidate in (name, re.sub(r"\s+cell$", "", name, flags=re.I)):
            if candidate.lower() in known:
                return known[candidate.lower()], None
    return None, None


def _sections(blocks, note):
    """Markdown of the summary and of the detailed notes; fills note.questions and next_meetings."""
    summary, notes = [], []
    target = notes
    in_summary = False
    seen_section = False
    collecting = None  # "questions" or "next" while the list after such a lead-in lasts
    for block in blocks:
        kind, text = block[0], block[-1]
        is_date_line = collecting == "next" and kind == "para" and find_days(text)
        is_heading = (
            kind == "heading"
            or (kind == "para" and not is_date_line and _looks_like_heading(text))
            or (kind == "numbered" and _looks_like_heading(text) and not text.endswith("?"))
        )
        if is_heading:
            collecting = None
            if SUMMARY_HEADING.match(text):
                in_summary, target = True, summary
                continue
            if in_summary:
                in_summary, target = False, notes
            level = block[1] if kind == "heading" else (2 if kind == "numbered" or not seen_section else 3)
            if DETAIL_HEADING.match(text) or kind == "numbered":
                level = 2
            seen_section = seen_section or level == 2
            label = f"{block[1]}. {text}" if kind == "numbered" else text
            target.append(("heading", f"{'#' * max(level, 2)} {label}"))
            if QUESTIONS_LEAD.search(text):
                collecting = "questions"
            elif NEXT_HEADING.match(text):
                collecting = "next"
            continue
        if kind in ("bullet", "numbered"):
            target.append(("item", f"- {text}" if kind == "bullet" else f"{block[1]}. {text}"))
            if collecting == "questions":
                note.questions.append(text)
            elif collecting == "next":
                note.next_meetings.extend(_next_days(text, note))
            continue
        target.append(("para", text))
        if kind == "dateline":
            continue
        if QUESTIONS_LEAD.search(text):
            collecting = "questions"
        elif collecting == "next":
            note.next_meetings.extend(_next_days(text, note))
        else:
            collecting = None
        if NEXT_SENTENCE.search(text):
            note.next_meetings.extend(_next_days(text, note))
    note.next_meetings = sorted(set(note.next_meetings))
    return _markdown(summary), _markdown(notes)


# A day and month as core.textdates.find_days reads them, to find the words after each (its times).
DAY_IN_TEXT = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}(?:,?\s+(?:19|20)\d{2})?")


def _next_days(text, note):
    days = find_days(text, after=note.date)
    _next_times(text, note)
    if not days and note.date is None and re.search(r"\d{1,2}(st|nd|rd|th)?\s+[A-Z][a-z]+", text):
        warning = "A next meeting date is given without a year, and the note has no date to take it from."
        if warning not in note.warnings:
            note.warnings.append(warning)
    return days


def _next_times(text, note):
    """The times written after each next meeting date ('9 September 2031, 3.00–4.30pm and …'), into
    note.next_meeting_times; a time that cannot be read is a warning, and that date has no time."""
    matches = list(DAY_IN_TEXT.finditer(text))
    for index, match in enumerate(matches):
        days = find_days(match.group(0), after=note.date)
        if len(days) != 1:
            continue
        following = text[match.end() : matches[index + 1].start() if index + 1 < len(matches) else len(text)]
        try:
            found = find_times(following)
        except TimeError as error:
            note.warnings.append(f"The time of the next meeting on {days[0]:%-d %B %Y} cannot be read ({error}).")
            continue
        if found:
            note.next_meeting_times[days[0]] = (found.start, found.end)


def _markdown(parts):
    out = []
    for index, (kind, text) in enumerate(parts):
        if index and not (kind == "item" and parts[index - 1][0] == "item"):
            out.append("")
        out.append(text)
    return "\n".join(out).strip()


def _speakers(text, known_people):
    """People who present, introduce, facilitate or lead, with a role and organisation where written."""
    found = {}
    known = sorted(known_people, key=len, reverse=True)
    for pattern in SPEAKER_PATTERNS:
        for match in pattern.finditer(text):
            name = _known_name(LEADING_WORDS.sub("", match["name"].strip()), known)
            if not NOT_NAMES.match(name) and len(name.split()) >= 2:
                found.setdefault(name, ParsedSpeaker(name=name))
    # "Cate said …" once the note has named Cate Newnes-Smith in full (or described "Rick Henderson is CEO of …")
    described = [match["name"] for pattern in DESCRIPTIONS for match in pattern.finditer(text)]
    for person in known + [LEADING_WORDS.sub("", name) for name in described]:
        first = person.split()[0]
        if person in text and person not in found and re.search(rf"\b{re.escape(first)}\s+(?:{SPEAKING})\b", text):
            found[person] = ParsedSpeaker(name=person)
    for pattern in DESCRIPTIONS:
        for match in pattern.finditer(text):
            speaker = found.get(_known_name(LEADING_WORDS.sub("", match["name"]), known))
            if speaker and not speaker.organisation:
                speaker.organisation = match["org"].strip().removeprefix("the ").strip(" .")
                speaker.job = (match.groupdict().get("job") or "").strip()
    for speaker in found.values():
        speaker.role = _role(text, speaker.name, others=found.keys()) or Speaker.Role.PRESENTER
    organisations = {speaker.organisation for speaker in found.values()}
    return [speaker for name, speaker in found.items() if name not in organisations]


def _known_name(name, known):
    for person in known:
        if name == person or name.startswith(person + " ") or person.startswith(name + " "):
            return person
    return name


def _role(text, name, *, others=()):
    """The role the note gives `name`, from the sentences that name them; None when it gives none."""
    sentences = [sentence for sentence in SENTENCE_END.split(text) if name in sentence]
    for role, how, pattern in ROLE_WORDS:
        for sentence in sentences:
            if how == "appositive":
                if re.search(rf"{re.escape(name)},\s+(?:the\s+)?{pattern.pattern}", sentence, re.I):
                    return role
            elif how == "after":
                if re.search(rf"{re.escape(name)}\W+(?:\w+\W+){{0,8}}?{pattern.pattern}", sentence, re.I) or re.search(
                    rf"\bintroduced\s+by\s+{re.escape(name)}", sentence
                ):
                    return role
            elif any(_nearest(sentence, match, others) == name for match in pattern.finditer(sentence)):
                return role
    return None


def _nearest(sentence, match, names):
    """Which of `names` stands closest to the words `match` found, within 70 characters."""
    best, distance = None, 71
    for name in names:
        for found in re.finditer(re.escape(name), sentence):
            gap = match.start() - found.end() if found.end() <= match.start() else found.start() - match.end()
            if 0 <= gap < distance:
                best, distance = name, gap
    return best
