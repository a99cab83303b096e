"""Save parsed notes as draft meetings: match what is already on the site, never duplicate,
never publish, one transaction per note, and keep a version of anything it changes.

Matching looks only at what the importing user may see (all of it from the command line),
so an upload never reveals a note hidden from the uploader. Every write goes through
core.versions.saving, and --update refuses to overwrite a note changed meanwhile."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cells.models import Cell, Meeting, Question, Speaker, UpcomingDate
from core import versions
from core.slugs import unique_slug
from core.visibility import Status
from insights.models import Insight
from people.identity import find_or_create_person
from people.models import Person

from .parsing import MAX_NOTES, NoteError, ParsedNote, parse_note, split_notes
from .readers import ReadError, read_note_file
from .report import report


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
            **report(note),
        }

    @property
    def checks(self):
        """What the importer is least sure of in this note, for the convenor to check."""
        return report(self.note)["checks"] if self.note else []


def import_file(name, data, *, user=None, update=False, dry_run=False):
    """Import every note in one file; a file that cannot be read is one error result."""
    try:
        text = read_note_file(name, data)
    except ReadError as error:
        return [ImportResult("error", None, message=str(error), source=name)]
    notes = split_notes(text)
    if not notes:
        return [ImportResult("error", None, message=f"{name}: no note found in the file.", source=name)]
    if len(notes) > MAX_NOTES:
        message = (
            f"{name}: the file holds {len(notes):,} notes; at most {MAX_NOTES} are imported from one file. "
            "Split it into smaller files and try again."
        )
        return [ImportResult("error", None, message=message, source=name)]
    known_cells = list(Cell.objects.values_list("name", flat=True))
    known_people = list(_visible(Person, user).values_list("name", flat=True))
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


def _visible(model, user):
    """What the importing user may see of `model`; everything not in the bin from the command line."""
    if user is None:
        return model.objects.live() if hasattr(model.objects, "live") else model.objects.all()
    return model.objects.visible_to(user)


def find_match(note, user=None):
    """The meeting already on the site (among those `user` may see) that this note is: same cell and
    number, same title, or same kind and exact day."""
    meetings = _visible(Meeting, user)
    if note.cell and note.number:
        match = meetings.filter(cell__name__iexact=note.cell, number=note.number).first()
        if match:
            return match
    match = meetings.filter(title__iexact=note.title).first()
    if match:
        return match
    if note.date and note.date_precision == "day":
        return meetings.filter(kind=note.kind, date=note.date, date_precision="day").first()
    return None


def import_note(note, *, user=None, update=False, dry_run=False):
    existing = find_match(note, user)
    warnings = " ".join(note.warnings)
    summary = None if existing else _visible(Insight, user).filter(title__iexact=note.title).first()
    if summary:
        return ImportResult(
            "matched",
            note,
            summary,
            f"On the site as the {summary.get_kind_display().lower()} “{summary.title}”: left alone.",
        )
    if existing and not (update and _differs(existing, note)):
        why = "nothing to change" if update else "left alone (use --update to save this text as a new version)"
        return ImportResult("matched", note, existing, f"Matches “{existing.title}”: {why}. {warnings}".strip())
    if dry_run:
        action = "matched" if existing else "would create"
        what = f"would save a new version of “{existing.title}”" if existing else "would create a draft"
        return ImportResult(action, note, existing, f"Dry run: {what}. {warnings}".strip())
    try:
        with transaction.atomic():
            meeting, created_cell = _save(note, existing, user)
    except ValidationError as error:
        problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
        return ImportResult("error", note, None, f"Not saved: {problems}")
    except versions.StaleEdit:
        return ImportResult(
            "error",
            note,
            existing,
            f"Not saved: “{existing.title}” was changed by someone else "
            "while it was being imported. Import the file again.",
        )
    warnings = " ".join(note.warnings)  # with what saving found (people matched by name alone)
    message = "Saved as a new version; the earlier one is kept." if existing else "Created as a draft."
    if created_cell:
        message += f" New cell “{created_cell}” created."
    return ImportResult("updated" if existing else "created", note, meeting, f"{message} {warnings}".strip())


def _differs(meeting, note):
    return (meeting.summary, meeting.notes, meeting.title) != (note.summary, note.notes, note.title)


def _save(note, existing, user):
    """Save the note as a new draft, or as a new version of `existing`, in one version."""
    created_cell = None
    cell = None
    if note.cell:
        cell = Cell.objects.filter(name__iexact=note.cell).first()
        if cell is None:
            cell = Cell.objects.create(name=note.cell, slug=unique_slug(Cell, note.cell))
            created_cell = cell.name
    meeting = existing
    if meeting is None:
        meeting = Meeting(status=Status.DRAFT, created_by=user if user and user.is_authenticated else None, cell=cell)
        meeting.slug = unique_slug(Meeting, note.title)
        meeting.number = note.number if cell and not _number_taken(cell, note.number) else None
    comment = "Updated from a note file" if existing else "Imported from a note file"
    expected = existing.edit_version if existing else None
    with versions.saving(meeting, user=user, comment=comment, expected_version=expected):
        _write(meeting, note, user)
    if cell:
        for found in note.next_dates:
            if found.date and found.date >= timezone.localdate():
                _save_upcoming(cell, found)
    return meeting, created_cell


def _save_upcoming(cell, found):
    """A next meeting date of the cell (a nextdates.NextDate), with its times where the note gives them;
    a date already on the site keeps what it has, and gains the times only if it had none."""
    start, end = found.start_time, found.end_time
    upcoming, created = UpcomingDate.objects.get_or_create(
        cell=cell, date=found.date, defaults={"start_time": start, "end_time": end}
    )
    if not created and upcoming.start_time is None and start is not None:
        upcoming.start_time, upcoming.end_time = start, end
        upcoming.save(update_fields=["start_time", "end_time"])


def _write(meeting, note, user):
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
            person, _created, warning = find_or_create_person(
                speaker.name, speaker.organisation, among=_visible(Person, user), role=speaker.job
            )
            if warning:
                note.warnings.append(warning)
            Speaker.objects.get_or_create(meeting=meeting, person=person, role=speaker.role, defaults={"order": order})
    if note.questions:
        meeting.questions.all().delete()
        for order, text in enumerate(note.questions):
            Question.objects.create(raised_at=meeting, text=text, order=order)


def _number_taken(cell, number):
    return number is not None and Meeting.objects.filter(cell=cell, number=number).exists()
