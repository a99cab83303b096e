"""Turn the text of a meeting note, as convenors write them, into the parts of a Meeting.

The network's notes share a shape: a title line, often a line with the date, a
summary of key points, the notes in detail with headings and bullet lists, the
questions for a later meeting and the next dates. This module finds those parts
in plain text (from a .txt, .md or .docx file), and says how sure it is of each
(confidence.py); it touches no database.

Convenors write the same parts in many ways, and the importer reads, at least:
- headings marked as such (Markdown, Word styles, a bold line), numbered ("2. Opening
  presentations", "3) Discussion", "II. Discussion") or a short line on its own;
- questions and topics for later meetings under headings worded in many ways ("Questions for
  next time", "Issues to take forward", "What we'll look at next"), listed or one per paragraph;
- next dates with or without a year or weekday, with their times (nextdates.py);
- speakers in lists ("Speakers: Jane Smith (Camden Giving)") and in prose ("Jane Smith, from
  Camden Giving, in London, explained …", "Our speaker was Ola Ade (Head of Policy, Locality)
  who described …"), but not a person quoted in passing ("As Eugene Debs said …").
"""

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from cells.models import Meeting, Speaker
from core.textdates import find_date

from .confidence import HIGH, LOW, MEDIUM, Sure
from .nextdates import find_next_dates, mentions_a_day, weekday_agrees

# A note naming more speakers, or giving more next dates, is refused: no meeting has that many, each speaker is a
# person to save, and the work of matching grows with them.
MAX_SPEAKERS = 200
MAX_NEXT_DATES = 100
MAX_NOTES = 100  # in one file: the network's exported listings hold a dozen (saving.import_file refuses more)

START_MARK = "A Better Way A Better Way"
END_MARK = "Read More"

BULLET = re.compile(r"^\s*(?:[•●▪◦·*‣►▸○■➢o]|-(?!-)|–|—)\s+(?P<text>.+)$")
LETTERED = re.compile(r"^\s*\(?[a-h][.)]\s+(?P<text>.+)$")
NUMBERED = re.compile(r"^\s*(?P<number>\d{1,2})[.)]\s+(?P<text>.+)$")
ROMAN = re.compile(r"^\s*(?P<number>(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3}))[.)]\s+(?P<text>.+)$")
MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*$")
BOLD_LINE = re.compile(r"^(?P<mark>\*\*|__)(?P<text>[^*_].*?)(?P=mark)\s*:?$")
# The words of a heading without its numbering or closing colon: "2. Topics for …:" → "Topics for …"
HEADING_NUMBER = re.compile(
    r"^(?:(?:part|section|item)\s+)?\d{1,2}(?:\.\d{1,2})*[.):]?\s+|^(?:[IVX]{1,5}|[a-h])[.):]\s+|:\s*$",
    re.IGNORECASE,
)
SUMMARY_HEADING = re.compile(r"^(summary( of (the )?key points)?|key points)\s*:?$", re.IGNORECASE)
DETAIL_HEADING = re.compile(r"^(in more detail|the notes in detail|notes in detail)\s*:?$", re.IGNORECASE)
QUESTIONS_LEAD = re.compile(
    r"(topics|questions|issues|themes)\b.{0,40}\b(further|next|later|future|explore)"
    r"|for discussion at (its|our|the) next meeting",
    re.IGNORECASE,
)
# Headings (or a short line ending with a colon) over questions and topics for later meetings.
FOLLOW_UP_HEADING = re.compile(
    r"^(?:(?:some|key|open|further|possible|suggested|our|the)\s+)*"
    r"(?:questions?|topics?|issues?|themes?|ideas?|areas?|things|matters|items)\b.{0,50}?"
    r"\b(?:next|later|future|further|forward|explore\b|follow[- ]?up|come back|return|pick(?:ed)? up|revisit"
    r"|take up|agenda)"
    r"|^(?:open|outstanding|unanswered|remaining|parked)\s+(?:questions?|issues?|topics?)"
    r"|^what\s+(?:we(?:'|’)ll|we\s+will|we\s+want\s+to|to)\s+(?:look\s+at|discuss|explore|pick\s+up|come\s+back\s+to"
    r"|cover|think\s+about)\b"
    r"|^for\s+(?:next\s+time|the\s+next\s+meeting|future\s+meetings?|later\s+meetings?)"
    r"|^(?:agenda|ideas|suggestions)\s+for\s+(?:the\s+)?(?:next|future|later)\b"
    r"|^(?:carried|carry|taken|to\s+take)\s+forward\b",
    re.IGNORECASE,
)
NEXT_HEADING = re.compile(
    r"^(?:(?:the\s+|our\s+)?(?:next|future|upcoming|forthcoming)\s+(?:meetings?|sessions?|dates?|gatherings?)"
    r"|(?:dates?|times?)(?:\s+and\s+times?)?\s+(?:of|for)\s+(?:the\s+|our\s+)?(?:next|future|upcoming)\s+"
    r"(?:meetings?|sessions?)"
    r"|dates?\s+for\s+(?:your|the)\s+diar(?:y|ies)|save\s+the\s+dates?|meeting\s+dates"
    r"|when\s+we\s+(?:next\s+)?meet(?:\s+(?:next|again))?)\b",
    re.IGNORECASE,
)
NEXT_SENTENCE = re.compile(
    r"next\s+(?:meetings?|sessions?|gatherings?)\b|\bmeet(?:s|ing)?\s+again\b|\bwill\s+next\s+meet\b|\breconvene",
    re.IGNORECASE,
)
SPEAKERS_HEADING = re.compile(
    r"^(?:our\s+|the\s+)?(?:(?:main|guest|keynote|invited)\s+)?(?:speakers?|presenters?|panel(?:lists?)?"
    r"|contributors?|who\s+spoke|speakers?\s+and\s+facilitators?|facilitators?)$",
    re.IGNORECASE,
)
# A line naming who spoke: "Speaker: Jane Smith (Camden Giving)", "Chair: Ravi Patel".
SPEAKER_LABEL = re.compile(
    r"^(?P<label>(?:(?:main|guest|keynote)\s+)?speakers?|presenters?|presented\s+by|facilitat(?:or|ors|ed\s+by)"
    r"|chair(?:ed\s+by)?|(?:co-?)?convenors?)\s*:\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
DATE_LABEL = re.compile(r"^(?:date|when|held\s+on|meeting\s+date|date\s+of\s+meeting)\s*[:\-–]", re.IGNORECASE)

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
GENERIC_TITLE = re.compile(r"^(notes?|minutes|meeting notes?|notes? of (the )?meeting|untitled|draft)$", re.I)

# Roles a note gives a person, the most specific first. "appositive" roles count only as a description
# of the person ("Priya Shah, convenor of the cell,"); the others when the words are near the name.
ROLE_WORDS = [
    (Speaker.Role.MAIN_SPEAKER, "near", re.compile(r"main speaker|keynote|guest speaker|our speaker\b", re.I)),
    (Speaker.Role.THOUGHT_LEADER, "near", re.compile(r"thought leader", re.I)),
    (Speaker.Role.CO_CONVENOR, "appositive", re.compile(r"co-?convenor", re.I)),
    (Speaker.Role.CONVENOR, "appositive", re.compile(r"convenor", re.I)),
    (Speaker.Role.FACILITATOR, "near", re.compile(r"facilitat\w*|\bchair(?:ed|ing)\b|\bin the chair\b", re.I)),
    (
        Speaker.Role.INTRODUCER,
        "after",
        re.compile(r"introduc(ed|ing) (the|this|our) (meeting|roundtable|discussion|cell|dinner)", re.I),
    ),
    (Speaker.Role.PRESENTER, "near", re.compile(r"\bpresent(?:ed|ing|ation)s?\b|\bpresenter\b", re.I)),
]
# The role a label or list heading gives ("Chair:", "Our speakers"), the most specific first.
LABEL_ROLES = [
    (Speaker.Role.MAIN_SPEAKER, re.compile(r"main|guest|keynote", re.I)),
    (Speaker.Role.CO_CONVENOR, re.compile(r"co-?convenor", re.I)),
    (Speaker.Role.CONVENOR, re.compile(r"convenor", re.I)),
    (Speaker.Role.FACILITATOR, re.compile(r"facilitat|chair", re.I)),
    (Speaker.Role.PRESENTER, re.compile(r"speaker|present|panel|contributor|spoke", re.I)),
]
SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
_NAME_WORD = r"(?:Mc|Mac|O’|O')?[A-Z][a-z]+(?:[-’'][A-Z]?[a-z]+)*"
NAME = rf"{_NAME_WORD}(?:[ \xa0]+{_NAME_WORD}){{1,2}}"
# At most a dozen words after the first: unbounded, a long line of capitalised words and "of"s would be read
# again from each of its names, and a note of such lines would take hours (tests/test_hostile_uploads.py).
ORGANISATION = r"(?:the\s+)?[A-Z][\w&’'-]*(?:[ \xa0]+(?:of|for|and|&|the|[A-Z][\w&’'-]*)){0,12}"
SPEAKING = (
    r"said|says|explained|described|introduced|presented|spoke|opened|led|facilitated|chaired|welcomed"
    r"|set out|talked|reflected|argued|outlined|shared|gave|told|distinguished|identified|agreed|summarised"
    r"|pointed out|noted|suggested|asked|added|observed|emphasised|highlighted|stressed|warned|urged|proposed"
    r"|commented|began|walked us through|took us through|spoke about|showed"
)
# What stands between a name and what they did: "(Head of Policy, Locality)", ", from Camden Giving, in
# London,", " of the Bromley Trust".
_PAREN = r"[ \xa0]*\((?P<paren>[^()\n]{2,100})\)"
# each part a description ("from …", "CEO of …", "Camden Giving"), never a new clause ("we were told", "who says")
_APPOSITIVES = (
    r"(?P<apps>(?:,[ \xa0]+(?!(?:who|which|that|we|they|he|she|it|I|you|and|but|as|so)\b)"
    r"[^,.;:()\n]{2,60}?){1,3}?),?"
)
_OF_ORG = rf"\s+(?:from|of|at)\s+(?P<of_org>{ORGANISATION})(?:,\s+in\s+[A-Z][\w -]{{1,40}}?,?)?"
# A person counts as a speaker when the note has them act: "X said", "X, CEO of Y, explained",
# "introduced X from Y", "facilitated by X", "Our speaker was X".
SPEAKER_PATTERNS = [
    re.compile(rf"(?P<name>{NAME})(?:{_PAREN}(?:\s+who)?|{_APPOSITIVES}|{_OF_ORG})?,?\s+(?:{SPEAKING})\b"),
    re.compile(rf"(?:introduced|welcomed|invited)\s+(?P<name>{NAME})"),
    re.compile(
        rf"(?:facilitated|led|chaired|introduced|presented|presentations?|thoughts|talk|input|reflections)"
        rf"\s+(?:by|from)\s+(?P<name>{NAME})"
    ),
    re.compile(rf"\b(?:main\s+|guest\s+|keynote\s+)?speakers?\s+(?:was|were|is)\s+(?P<name>{NAME}){_PAREN}?"),
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
# A "name" ending in one of these is an organisation doing something ("Camden Giving explained").
ORGANISATION_WORDS = re.compile(
    r"\b(Trust|Council|Foundation|Fund|Giving|Network|Partnership|Group|Centre|Center|Society|Association"
    r"|Alliance|Collective|University|College|Ltd|Limited|Charity|Charities|Cell|Forum|Coalition|Commission"
    r"|Institute|Agency|Authority|Department|Office|Board|Services?|Link|Way|Focus|Resources|Exchange"
    r"|Academy|Consulting|Project|Partners|Housing|Action|Zone)$"
)
# "As Eugene Debs said": someone quoted, not someone at the meeting.
QUOTING = re.compile(r"^(?:as|like|to quote|in the words of|quoting)\b", re.IGNORECASE)
JOB_WORDS = re.compile(
    r"\b(chief|ceo|director|head|manager|officer|chair|trustee|founder|lead|leader|coordinator|co-ordinator"
    r"|convenor|worker|adviser|advisor|consultant|researcher|professor|councillor|president|secretary"
    r"|organiser|partner|fellow|member)\b",
    re.IGNORECASE,
)
DEPARTMENTS = re.compile(
    r"^(Policy|Research|Operations|Programmes|Programs|Communications|Finance|Development|Partnerships|Strategy"
    r"|Services|Impact|Fundraising|Engagement|Learning|Evaluation|Influencing|Campaigns|Membership)$"
)


@dataclass
class Block:
    """One line of a note: kind is heading | bullet | numbered | roman | para | dateline."""

    kind: str
    text: str
    number: object = None  # a list's or heading's number ("2", "II")
    level: int = 0  # of a heading
    how: str = ""  # how a heading was marked: "heading", "bold line"


@dataclass
class ParsedSpeaker:
    name: str
    role: str = Speaker.Role.PRESENTER
    organisation: str = ""
    job: str = ""
    found_by: str = "prose"  # list | prose | named again
    role_stated: bool = False
    organisation_guessed: bool = False

    @property
    def sure(self):
        reasons = {
            "list": ["from a list of speakers"],
            "prose": ["from prose"],
            "named again": ["named once in full, then acting by first name"],
        }[self.found_by]
        level = HIGH if self.found_by != "named again" else MEDIUM
        if not self.role_stated:
            level = MEDIUM
            reasons.append(f"role not stated: taken as {Speaker.Role(self.role).label.lower()}")
        if self.organisation_guessed:
            level = MEDIUM
            reasons.append("organisation guessed")
        return Sure(level, ", ".join(reasons))


@dataclass
class ParsedQuestion:
    text: str
    sure: Sure

    @property
    def kind(self):
        return "question" if self.text.rstrip().endswith("?") else "topic"


@dataclass
class ParsedSection:
    heading: str
    level: int
    sure: Sure
    role: str = ""  # summary | questions | next meetings | speakers, where the heading says


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
    question_items: list = field(default_factory=list)  # ParsedQuestion
    next_dates: list = field(default_factory=list)  # nextdates.NextDate, the one record of next dates
    sections: list = field(default_factory=list)  # ParsedSection
    sure: dict = field(default_factory=dict)  # "title", "date", "kind", "cell", "number" → Sure
    warnings: list = field(default_factory=list)
    listed_speakers: list = field(default_factory=list)  # (text, label) of lines in speaker lists

    @property
    def questions(self):
        return [item.text for item in self.question_items]

    @property
    def next_meetings(self):
        """The days of the next meetings (those the importer could place in a year), in order."""
        return sorted({found.date for found in self.next_dates if found.date})

    @property
    def next_meeting_times(self):
        """Day → (start, end) where the note gives the times of a next meeting."""
        return {found.date: (found.start_time, found.end_time) for found in self.next_dates if found.start_time}


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
    """The lines of text with content, as Blocks. A line that carries on the one before it (hard-wrapped
    text: it starts in lower case, with no blank line between) is joined to it."""
    blocks = []
    previous_blank = True
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            previous_blank = True
            continue
        carries_on = (
            not previous_blank
            and blocks
            and blocks[-1].kind in ("para", "bullet", "numbered")
            and line[0].islower()
            and not blocks[-1].text.endswith(":")
        )
        previous_blank = False
        if carries_on:
            blocks[-1].text = f"{blocks[-1].text} {line}"
        elif match := MD_HEADING.match(line):
            blocks.append(Block("heading", _unbold(match["text"].strip()), level=len(match["hashes"]), how="heading"))
        elif match := BOLD_LINE.match(line):
            blocks.append(Block("heading", match["text"].strip(), level=2, how="bold line"))
        elif match := BULLET.match(line) or LETTERED.match(line):
            blocks.append(Block("bullet", match["text"].strip()))
        elif match := NUMBERED.match(line):
            blocks.append(Block("numbered", match["text"].strip(), number=int(match["number"])))
        elif (match := ROMAN.match(line)) and _looks_like_heading(match["text"]):
            blocks.append(Block("roman", match["text"].strip(), number=match["number"]))
        else:
            blocks.append(Block("para", line))
    return blocks


def _unbold(text):
    match = BOLD_LINE.match(text)
    return match["text"].strip() if match else text


def _bare(text):
    """A heading's words without its numbering, bold marks or closing colon."""
    return HEADING_NUMBER.sub("", _unbold(text).strip()).strip()


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
    title = first.text.strip().rstrip(":")
    if len(title) > 250 or len(title.split()) > 30 or title.endswith("."):
        raise NoteError(
            "The note has no recognisable title: its first line should be the title, "
            f"not a paragraph (it begins “{title[:60]}…”)."
        )
    note = ParsedNote(title=title)
    note.sure["title"] = (
        Sure(LOW, "the first line is not a title that says what the meeting was")
        if GENERIC_TITLE.match(_bare(title))
        else Sure(HIGH, "the first line")
    )
    date_line = _date_line(blocks)
    _read_date(note, title, date_line)
    note.cell, note.number = _cell_and_number(title, known_cells)
    _sure_of_cell(note, title, known_cells)
    note.kind = _kind(f"{title} {date_line}", has_cell=bool(note.cell), note=note)
    note.summary, note.notes = _sections(blocks, note)
    note.speakers = _speakers(text, known_people, note.listed_speakers)
    return note


def _date_line(blocks):
    """The line that gives the meeting's date, marked so it stays in the notes as written: one of the first
    two lines, or a line "Date: …" near the top."""
    for index, block in enumerate(blocks[:6]):
        if block.kind not in ("para", "heading") or len(block.text) > 140:
            continue
        if (index < 2 or DATE_LABEL.match(block.text)) and find_date(block.text):
            blocks[index] = Block("dateline", block.text)  # kept in the notes as written, not as a heading
            return block.text
    return ""


def _read_date(note, title, date_line):
    found = find_date(title) or (find_date(date_line) if date_line else None)
    if not found:
        note.sure["date"] = Sure(LOW, "no date found: add it before publishing")
        return
    note.date, note.date_precision = found.date, found.precision
    where = "the title" if find_date(title) else f"the line “{date_line[:60]}”"
    if found.warning:
        note.warnings.append(f"Date: {found.warning} in “{found.text}”.")
        note.sure["date"] = Sure(LOW, f"{found.warning} in “{found.text}”")
        return
    if found.precision != "day":
        note.sure["date"] = Sure(MEDIUM, f"only the {found.precision} is given, in {where}")
        return
    agrees, weekday = weekday_agrees(title if where == "the title" else date_line, found.date)
    if agrees is False:
        note.warnings.append(f"Date: the note says {weekday.title()}, but {found.date:%-d %B %Y} is a {found.date:%A}.")
        note.sure["date"] = Sure(
            LOW, f"weekday {weekday.title()} disagrees: {found.date:%-d %B %Y} is a {found.date:%A}"
        )
    elif agrees:
        note.sure["date"] = Sure(HIGH, f"weekday {weekday.title()} agrees with {found.date:%-d %B %Y}, in {where}")
    else:
        note.sure["date"] = Sure(HIGH, f"{found.date:%-d %B %Y} in {where}")


def _kind(text, *, has_cell, note=None):
    for kind, pattern in KIND_WORDS:
        if match := pattern.search(text):
            if kind == Meeting.Kind.CELL_MEETING and not has_cell:
                continue
            if note is not None:
                note.sure["kind"] = Sure(HIGH, f"the title says “{match.group(0)}”")
            return kind
    if has_cell:
        if note is not None:
            note.sure["kind"] = Sure(HIGH, "the title names a cell")
        return Meeting.Kind.CELL_MEETING
    if note is not None:
        cell = CELL_WITHOUT_NUMBER.search(TITLE_PREFIX.sub("", text))
        note.sure["kind"] = Sure(
            LOW,
            f"“{cell['name']}” is not a cell on the site: taken as a network discussion"
            if cell
            else "no kind of meeting named: taken as a network discussion",
        )
    return Meeting.Kind.NETWORK_DISCUSSION


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


def _sure_of_cell(note, title, known_cells):
    known = {name.lower() for name in known_cells}
    if note.cell is None:
        note.sure["cell"] = Sure(HIGH, "no cell named in the title")
    elif note.cell.lower() in known:
        note.sure["cell"] = Sure(HIGH, "a cell on the site")
    else:
        note.sure["cell"] = Sure(MEDIUM, "not on the site yet: a new cell would be created")
    if note.number:
        note.sure["number"] = Sure(HIGH, f"“cell {note.number}” in the title")
    elif note.cell and re.search(r"\bcell\s+\d", note.cell, re.I):
        note.sure["number"] = Sure(MEDIUM, f"the number is part of the cell's name, “{note.cell}”")
    else:
        note.sure["number"] = Sure(HIGH, "no meeting number in the title")


def _heading_how(blocks, index, state):
    """How blocks[index] is a heading ("heading", "bold line", "numbered heading", "short line"), or None."""
    block = blocks[index]
    text = block.text
    if block.kind == "heading":
        return block.how
    if block.kind == "roman":
        return "numbered heading"
    if block.kind == "numbered":
        before = blocks[index - 1] if index else None
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        in_a_list = (before is not None and before.kind == "numbered" and before.number == block.number - 1) or (
            after is not None and after.kind == "numbered" and after.number == block.number + 1
        )
        listing_something = state.collecting in ("questions", "speakers", "next") and block.number == 1
        dated = state.collecting == "next" and mentions_a_day(text)
        if _looks_like_heading(text) and not text.endswith("?") and not (in_a_list or listing_something or dated):
            return "numbered heading"
        return None
    if block.kind != "para" or not _looks_like_heading(text):
        return None
    if state.collecting == "next" and mentions_a_day(text):
        return None
    if state.collecting == "questions" and state.from_heading and not state.items:
        # a topic written one per paragraph, unless it is the next section's heading
        bare = _bare(text)
        if not any(p.match(bare) for p in (SUMMARY_HEADING, DETAIL_HEADING, NEXT_HEADING, SPEAKERS_HEADING)):
            return None
    return "short line"


@dataclass
class _State:
    collecting: str | None = None  # "questions", "next" or "speakers" while such a section or list lasts
    from_heading: bool = False  # the questions section began with a heading (not a lead-in sentence)
    lead: str = ""  # the heading or sentence that began it
    items: int = 0  # list items in it so far
    pending: list = field(default_factory=list)  # its paragraphs, questions if it has no list

    def start(self, collecting, lead, *, from_heading):
        self.collecting, self.lead, self.from_heading, self.items, self.pending = (
            collecting,
            lead,
            from_heading,
            0,
            [],
        )


def _sections(blocks, note):
    """Markdown of the summary and of the detailed notes; fills note's questions, next dates, sections and
    speaker lists."""
    summary, notes = [], []
    target = notes
    in_summary = False
    seen_section = False
    state = _State()
    for index, block in enumerate(blocks):
        kind, text = block.kind, block.text
        how = _heading_how(blocks, index, state)
        if how:
            _end_section(note, state)
            label = f"{block.number}. {text}" if kind in ("numbered", "roman") else text
            bare = _bare(label)
            if SUMMARY_HEADING.match(bare):
                note.sections.append(ParsedSection(label, 2, _heading_sure(how), "summary"))
                in_summary, target = True, summary
                continue
            if in_summary:
                in_summary, target = False, notes
            level = block.level if kind == "heading" and how == "heading" else 2
            if how == "short line":
                level = 2 if not seen_section else 3
            if DETAIL_HEADING.match(bare):
                level = 2
            seen_section = seen_section or level == 2
            target.append(("heading", f"{'#' * max(level, 2)} {label}"))
            role = ""
            if QUESTIONS_LEAD.search(bare) or FOLLOW_UP_HEADING.search(bare):
                state.start("questions", label, from_heading=True)
                role = "questions"
            elif NEXT_HEADING.match(bare):
                state.start("next", label, from_heading=True)
                role = "next meetings"
                _add_next_dates(bare, note)
            elif SPEAKERS_HEADING.match(bare):
                state.start("speakers", bare, from_heading=True)
                role = "speakers"
            note.sections.append(ParsedSection(label, max(level, 2), _heading_sure(how), role))
            continue
        if kind in ("bullet", "numbered"):
            target.append(("item", f"- {text}" if kind == "bullet" else f"{block.number}. {text}"))
            if label := SPEAKER_LABEL.match(text):
                note.listed_speakers.append((label["rest"], label["label"]))
            elif state.collecting == "questions":
                state.items += 1
                state.pending = []
                note.question_items.append(ParsedQuestion(text, Sure(HIGH, f"listed under “{state.lead[:60]}”")))
            elif state.collecting == "next":
                _add_next_dates(text, note)
            elif state.collecting == "speakers":
                note.listed_speakers.append((text, state.lead))
            continue
        if kind == "roman":  # a numbered line that is not a heading
            text = f"{block.number}. {text}"
        target.append(("para", text))
        if kind == "dateline":
            continue
        _paragraph(text, note, state)
    _end_section(note, state)
    return _markdown(summary), _markdown(notes)


def _paragraph(text, note, state):
    """What a paragraph of the notes adds: a speaker label, a lead-in to questions or dates, a question
    written one per paragraph, next dates."""
    bare = _bare(text)
    lead_in = text.endswith(":") and len(text.split()) <= 14
    if label := SPEAKER_LABEL.match(text):
        note.listed_speakers.append((label["rest"], label["label"]))
    elif QUESTIONS_LEAD.search(text) or (lead_in and FOLLOW_UP_HEADING.search(bare)):
        _end_section(note, state)
        state.start("questions", text, from_heading=False)
    elif lead_in and NEXT_HEADING.match(bare):
        _end_section(note, state)
        state.start("next", text, from_heading=False)
    elif lead_in and SPEAKERS_HEADING.match(bare):
        _end_section(note, state)
        state.start("speakers", bare, from_heading=False)
    elif state.collecting == "next":
        _add_next_dates(text, note)
    elif state.collecting == "speakers" and state.from_heading and len(text) <= 150:
        note.listed_speakers.append((text, state.lead))
    elif state.collecting == "questions" and not state.items and _one_per_paragraph(text, state):
        state.pending.append(text)
    else:
        _end_section(note, state)
        state.collecting = None
    if NEXT_SENTENCE.search(text):
        _add_next_dates(text, note)


def _one_per_paragraph(text, state):
    """Whether a paragraph in a questions section is one of its questions or topics."""
    if len(text) > 250 or text.endswith(":"):
        return False
    return state.from_heading or text.endswith("?")


def _end_section(note, state):
    """At the end of a questions section with no list, its paragraphs are its questions or topics."""
    if state.collecting == "questions" and not state.items:
        for text in state.pending:
            note.question_items.append(
                ParsedQuestion(text, Sure(MEDIUM, f"one per paragraph after “{state.lead[:60]}”"))
            )
    state.pending = []


def _heading_sure(how):
    if how == "short line":
        return Sure(MEDIUM, "a short line on its own, taken for a heading")
    return Sure(HIGH, {"heading": "marked as a heading", "bold line": "a bold line"}.get(how, how))


def _add_next_dates(text, note):
    """The next meeting dates in `text`, into note.next_dates (one per day: the one with times kept)."""
    found, warnings = find_next_dates(text, meeting_date=note.date, meeting_precision=note.date_precision)
    for new in found:
        same = next((old for old in note.next_dates if old.date == new.date and new.date), None)
        if same is None:
            if new.date or not any(old.text == new.text for old in note.next_dates):
                note.next_dates.append(new)
                if len(note.next_dates) > MAX_NEXT_DATES:
                    raise NoteError(
                        f"This note gives more than {MAX_NEXT_DATES} next meeting dates; a note can give at most "
                        f"{MAX_NEXT_DATES}. Keep the next few, and try again."
                    )
        elif same.start_time is None and new.start_time is not None:
            note.next_dates[note.next_dates.index(same)] = new
    given = set(note.warnings)
    for warning in warnings:
        if warning not in given:
            note.warnings.append(warning)
            given.add(warning)
    note.next_dates.sort(key=lambda found: (found.date is None, found.date or 0))


def _markdown(parts):
    out = []
    for index, (kind, text) in enumerate(parts):
        if index and not (kind == "item" and parts[index - 1][0] == "item"):
            out.append("")
        out.append(text)
    return "\n".join(out).strip()


# --- speakers ---------------------------------------------------------------------------------


_SENTENCE_BREAK = re.compile(r"[.?!]\s|\n")
_LONGEST_FIRST_NAME = 40  # first names up to this long are looked up among the words that act (_Acting)


def _speakers(text, known_people, listed=()):
    """People who present, introduce, facilitate or lead, with a role and organisation where written.

    The work grows with the text, not with the text times the people in it or on the site: names are matched to
    the site's people by dictionary (_Known), sentence breaks are found once, and a person named in full once is
    looked for acting by first name only if that first name stands before a verb of speaking (_Acting)."""
    found = {}
    known = _Known(known_people)
    breaks = [match.end() for match in _SENTENCE_BREAK.finditer(text)]
    for item, label in listed:
        _listed_speaker(item, label, known, found)
    for pattern in SPEAKER_PATTERNS:
        for match in pattern.finditer(text):
            name = known.match(LEADING_WORDS.sub("", match["name"].strip()))
            if not _a_person(name) or _quoted_in_passing(text, match, breaks):
                continue
            speaker = found.setdefault(name, ParsedSpeaker(name=name))
            _describe_from_match(speaker, match)
    # "Cate said …" once the note has named Cate Newnes-Smith in full (or described "Rick Henderson is CEO of …")
    described = [match["name"] for pattern in DESCRIPTIONS for match in pattern.finditer(text)]
    acting = _Acting(text)
    for person in known.ordered + [LEADING_WORDS.sub("", name) for name in described]:
        if person in found or not acting.may_act(person) or person not in text:
            continue
        first = person.split()[0]
        if re.search(rf"\b{re.escape(first)}\s+(?:{SPEAKING})\b", text) and _a_person(person):
            found[person] = ParsedSpeaker(name=person, found_by="named again")
    for pattern in DESCRIPTIONS:
        for match in pattern.finditer(text):
            speaker = found.get(known.match(LEADING_WORDS.sub("", match["name"])))
            if speaker and (not speaker.organisation or speaker.organisation_guessed):
                speaker.organisation = _organisation(match["org"])
                speaker.organisation_guessed = False
                speaker.job = speaker.job or (match.groupdict().get("job") or "").strip()
    organisations = {speaker.organisation for speaker in found.values()}
    people = [speaker for name, speaker in found.items() if name not in organisations]
    if len(people) > MAX_SPEAKERS:
        raise NoteError(
            f"This note names {len(people):,} speakers; a meeting can name at most {MAX_SPEAKERS}. "
            "Split it into one note per meeting, or list only those who spoke, and try again."
        )
    sentences = SENTENCE_END.split(text)
    for speaker in found.values():
        if speaker.role_stated:
            continue
        role = _role(sentences, speaker.name, others=found.keys())
        speaker.role, speaker.role_stated = role or Speaker.Role.PRESENTER, role is not None
    return people


class _Known:
    """The names of the people on the site, for matching a name in a note to one of them: the longest name that
    is the name, begins with it, or with which it begins (word by word: "Jane Smith" and "Jane Smith Jones")."""

    def __init__(self, names):
        self.ordered = sorted(names, key=len, reverse=True)
        self._rank = {}  # name → its place in ordered (the first of equal names)
        self._rank_by_start = {}  # the words a name begins with → the place of the first name beginning so
        for rank, person in enumerate(self.ordered):
            self._rank.setdefault(person, rank)
            for cut in _spaces(person):
                self._rank_by_start.setdefault(person[:cut], rank)

    def match(self, name):
        ranks = [self._rank[name[:cut]] for cut in _spaces(name) if name[:cut] in self._rank]
        ranks += [rank for rank in (self._rank.get(name), self._rank_by_start.get(name)) if rank is not None]
        return self.ordered[min(ranks)] if ranks else name


def _spaces(name):
    """Where the spaces of `name` are."""
    return [index for index, char in enumerate(name) if char == " "]


class _Acting:
    """Every word (with its endings after a punctuation mark) that stands before a verb of speaking, found in one
    pass: a person's first name can be "Cate" in "Cate said" only if it is one of them."""

    TOKEN = re.compile(rf"(?<!\S)(\S+)(?=\s+(?:{SPEAKING})\b)")

    def __init__(self, text):
        self.words = set()
        for match in self.TOKEN.finditer(text):
            token = match[1][-_LONGEST_FIRST_NAME:]
            self.words.add(token)
            self.words.update(token[index:] for index in range(1, len(token)) if not _word_char(token[index - 1]))

    def may_act(self, person):
        words = person.split()
        if not words:
            return False
        first = words[0]
        if len(first) > _LONGEST_FIRST_NAME or not _word_char(first[0]):
            return True  # not looked up: the regular expression decides
        return first in self.words


def _word_char(char):
    return char.isalnum() or char == "_"


def _a_person(name):
    return len(name.split()) >= 2 and not NOT_NAMES.match(name) and not ORGANISATION_WORDS.search(name)


def _quoted_in_passing(text, match, breaks):
    """Whether the sentence names the person as someone quoted: "As the labour leader Eugene Debs said".
    `breaks` are where the text's sentences begin (after ". " or a new line), in order."""
    found = bisect_right(breaks, match.start())
    before = text[breaks[found - 1] if found else 0 : match.start()].strip(" \t\xa0‘’'\"“”")
    return bool(QUOTING.match(before))


def _organisation(text):
    return text.strip().removeprefix("the ").strip(" .")


def _describe_from_match(speaker, match):
    """Organisation and job from what stands between the name and the verb."""
    groups = match.groupdict()
    if speaker.organisation and not speaker.organisation_guessed:
        return
    if groups.get("of_org"):
        speaker.organisation, speaker.organisation_guessed = _organisation(groups["of_org"]), False
    elif groups.get("paren"):
        _describe(speaker, groups["paren"], parenthesis=True)
    elif groups.get("apps"):
        _describe(speaker, groups["apps"], parenthesis=False)


def _describe(speaker, text, *, parenthesis):
    """Fill the speaker's organisation and job from words like "Head of Policy, Locality" (in brackets: a
    job and an organisation), ", from Camden Giving, in London," or ", CEO of Homeless Link,"."""
    parts = [part.strip(" ,–—-") for part in re.split(r",|\s+[–—-]\s+", text) if part.strip(" ,–—-")]
    parts = [part for part in parts if not _role_word(part)]
    if parenthesis and len(parts) >= 2 and not re.match(r"(?i)from|in\b", parts[-1]):
        speaker.job = speaker.job or parts[0]
        if re.fullmatch(ORGANISATION, parts[-1]):
            speaker.organisation, speaker.organisation_guessed = _organisation(parts[-1]), True
        return
    for part in parts:
        if match := re.fullmatch(rf"(?:from|of|at)\s+(?P<org>{ORGANISATION})", part):
            speaker.organisation, speaker.organisation_guessed = _organisation(match["org"]), False
        elif re.match(r"in\s", part):
            continue  # a place
        elif (
            (
                match := re.fullmatch(
                    rf"(?:the\s+)?(?P<job>[\w -]{{1,40}}?)\s+(?:of|at|for)\s+(?P<org>{ORGANISATION})", part
                )
            )
            and JOB_WORDS.search(match["job"])
            and not DEPARTMENTS.match(match["org"])
        ):
            speaker.job = speaker.job or match["job"]
            speaker.organisation, speaker.organisation_guessed = _organisation(match["org"]), False
        elif JOB_WORDS.search(part):
            speaker.job = speaker.job or part
        elif re.fullmatch(ORGANISATION, part) and not speaker.organisation:
            speaker.organisation, speaker.organisation_guessed = _organisation(part), True


def _role_word(text):
    return any(pattern.search(text) for role, _how, pattern in ROLE_WORDS if role != Speaker.Role.PRESENTER) or (
        re.fullmatch(r"(?i)(the\s+)?(presenter|speaker)", text.strip())
    )


LISTED = re.compile(rf"^(?P<name>{NAME})(?=$|\s*[,(:–—-]|\s+(?:from|of|at)\s)(?P<rest>.*)$")


def _listed_speaker(item, label, known, found):
    """A speaker from a list ("Jane Smith (Camden Giving) – facilitator") or a label ("Chair: Ravi Patel")."""
    for part in re.split(r";|\s+&\s+|\s+and\s+(?=[A-Z][a-z]+\s+[A-Z])", item):
        match = LISTED.match(part.strip())
        if not match or len(part) > 150:
            continue
        name = known.match(match["name"])
        if not _a_person(name):
            continue
        speaker = found.setdefault(name, ParsedSpeaker(name=name, found_by="list"))
        rest = match["rest"]
        role = next((r for r, _how, pattern in ROLE_WORDS if pattern.search(rest)), None) or next(
            (r for r, pattern in LABEL_ROLES if pattern.search(label)), None
        )
        if role:
            speaker.role, speaker.role_stated = role, True
        if paren := re.search(r"\(([^()]+)\)", rest):
            _describe(speaker, paren[1], parenthesis=True)
            rest = rest.replace(paren[0], "")
        if not speaker.organisation:
            _describe(speaker, rest, parenthesis=False)


def _role(sentences, name, *, others=()):
    """The role the note gives `name`, from the sentences that name them; None when it gives none."""
    sentences = [sentence for sentence in sentences if name in sentence]
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
        start = sentence.find(name)
        while start >= 0 and name:
            end = start + len(name)
            gap = match.start() - end if end <= match.start() else start - match.end()
            if 0 <= gap < distance:
                best, distance = name, gap
            start = sentence.find(name, end)
    return best
