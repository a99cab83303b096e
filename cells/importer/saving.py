"""Save parsed notes as draft meetings: match what is already on the site, never duplicate,
never publish, one transaction per note, and keep a version of anything it changes."""

from dataclasses import dataclass

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from betterway.slugs import unique_slug
from betterway.visibility import Status
from cells.models import Cell, Meeting, Question, Speaker, UpcomingDate
from insights.models import Insight
from people.models import Organisation, Person

from .parsing import NoteError, ParsedNote, parse_note, split_notes
from .readers import ReadError, read_note_file


@dataclass
class ImportResult:
    action: str  # created | matched | updated | would create | error
    note: ParsedNote | None
    record: Meeting | Insight | None = None  # what the note is on the site
    message: str = ""
    source: str = ""

    def as_json(self):
        note = self.note
        return {
            "action": self.action,
            "title": note.title if note else "",
            "date": note.date.isoformat() if note and note.date else None,
            "date_precision": note.date_precision if note and note.date else None,
            "kind": note.kind if note else "",
            "cell": note.cell if note else None,
            "number": note.number if note else None,
            "speakers": [speaker.name for speaker in note.speakers] if note else [],
            "questions": list(note.questions) if note else [],
            "next_meetings": [day.isoformat() for day in note.next_meetings] if note else [],
            "url": self.record.get_absolute_url() if self.record else None,
            "message": self.message,
        }


def import_file(name, data, *, user=None, update=False, dry_run=False):
    """Import every note in one file; a file that cannot be read is one error result."""
    try:
        text = read_note_file(name, data)
    except ReadError as error:
        return [ImportResult("error", None, message=str(error), source=name)]
    notes = split_notes(text)
    if not notes:
        return [ImportResult("error", None, message=f"{name}: no note found in the file.", source=name)]
    known_cells = list(Cell.objects.values_list("name", flat=True))
    known_people = list(Person.objects.values_list("name", flat=True))
    results = []
    for text in notes:
        try:
            parsed = parse_note(text, known_cells=known_cells, known_people=known_people)
        except NoteError as error:
            results.append(ImportResult("error", None, message=f"{name}: {error}", source=name))
            continue
        result = import_note(parsed, user=user, update=update, dry_run=dry_run)
        result.source = name
        results.append(result)
    return results


def find_match(note):
    """The meeting already on the site that this note is: same cell and number, same title,
    or same kind and exact day."""
    if note.cell and note.number:
        match = Meeting.objects.filter(cell__name__iexact=note.cell, number=note.number).first()
        if match:
            return match
    match = Meeting.objects.filter(title__iexact=note.title).first()
    if match:
        return match
    if note.date and note.date_precision == "day":
        return Meeting.objects.filter(kind=note.kind, date=note.date, date_precision="day").first()
    return None


def import_note(note, *, user=None, update=False, dry_run=False):
    existing = find_match(note)
    warnings = " ".join(note.warnings)
    summary = None if existing else Insight.objects.filter(title__iexact=note.title).first()
    if summary:
        return ImportResult("matched", note, summary, f"On the site as the {summary.get_kind_display().lower()} "
                            f"“{summary.title}”: left alone.")
    if existing and not (update and _differs(existing, note)):
        why = "nothing to change" if update else "left alone (use --update to save this text as a new version)"
        return ImportResult("matched", note, existing, f"Matches “{existing.title}”: {why}. {warnings}".strip())
    if dry_run:
        action = "matched" if existing else "would create"
        what = f"would save a new version of “{existing.title}”" if existing else "would create a draft"
        return ImportResult(action, note, existing, f"Dry run: {what}. {warnings}".strip())
    try:
        with transaction.atomic():
            if existing:
                _keep_current_version(existing, user)
            with reversion.create_revision():
                meeting, created_cell = _save(note, existing, user)
                reversion.set_comment("Imported from a note file" if not existing else "Updated from a note file")
                if user is not None and user.is_authenticated:
                    reversion.set_user(user)
    except ValidationError as error:
        problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
        return ImportResult("error", note, None, f"Not saved: {problems}")
    message = "Saved as a new version; the earlier one is kept." if existing else "Created as a draft."
    if created_cell:
        message += f" New cell “{created_cell}” created."
    return ImportResult("updated" if existing else "created", note, meeting, f"{message} {warnings}".strip())


def _differs(meeting, note):
    return (meeting.summary, meeting.notes, meeting.title) != (note.summary, note.notes, note.title)


def _keep_current_version(meeting, user):
    """A meeting loaded before versions were kept gets its current state saved first."""
    if not Version.objects.get_for_object(meeting).exists():
        with reversion.create_revision():
            reversion.add_to_revision(meeting)
            reversion.set_comment("Version before import")
            if user is not None and user.is_authenticated:
                reversion.set_user(user)


def _save(note, meeting, user):
    created_cell = None
    cell = None
    if note.cell:
        cell = Cell.objects.filter(name__iexact=note.cell).first()
        if cell is None:
            cell = Cell.objects.create(name=note.cell, slug=unique_slug(Cell, note.cell))
            created_cell = cell.name
    if meeting is None:
        meeting = Meeting(status=Status.DRAFT, created_by=user if user and user.is_authenticated else None, cell=cell)
        meeting.slug = unique_slug(Meeting, note.title)
        meeting.number = note.number if cell and not _number_taken(cell, note.number) else None
    meeting.title = note.title
    meeting.kind = note.kind
    meeting.summary = note.summary
    meeting.notes = note.notes
    if note.date:
        meeting.date, meeting.date_precision = note.date, note.date_precision
    meeting.full_clean(exclude=["slug", "created_by"])
    meeting.save()
    if note.speakers:
        meeting.speaker_roles.all().delete()
        for order, speaker in enumerate(note.speakers):
            Speaker.objects.get_or_create(
                meeting=meeting, person=_person(speaker), role=speaker.role, defaults={"order": order}
            )
    if note.questions:
        meeting.questions.all().delete()
        for order, text in enumerate(note.questions):
            Question.objects.create(raised_at=meeting, text=text, order=order)
    if cell:
        for day in note.next_meetings:
            if day >= timezone.localdate():
                UpcomingDate.objects.get_or_create(cell=cell, date=day)
    return meeting, created_cell


def _number_taken(cell, number):
    return number is not None and Meeting.objects.filter(cell=cell, number=number).exists()


def _person(speaker):
    person = Person.objects.filter(name__iexact=speaker.name).first()
    if person:
        return person
    organisation = None
    if speaker.organisation:
        organisation = Organisation.objects.filter(name__iexact=speaker.organisation).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=speaker.organisation[:200], slug=unique_slug(Organisation, speaker.organisation)
            )
    return Person.objects.create(
        name=speaker.name[:200], slug=unique_slug(Person, speaker.name), organisation=organisation,
        role=speaker.job[:200],
    )
