"""Load the network's content from the YAML files in fixtures/content/.

The files are the editable source of the demo and archive content (their
format is described in fixtures/README.md). Loading is idempotent: each record
is found by its slug and brought up to date, so loading twice changes nothing.
Meetings and insights are written through core.versions.saving like every other
write of content, and only when something differs, so an edit made on the site is
kept as a version before the files' text replaces it.

The files are text from outside (core/text.py): a file that is not YAML, or a value with a
NUL character in it (which PostgreSQL cannot store), is refused with a ContentError naming
the file, the field and the line, before anything is saved.
"""

import datetime
from pathlib import Path

import yaml
from django.db import transaction

from cells.models import Cell, Meeting, Membership, Question, Speaker, UpcomingDate
from cells.times import TimeError, parse_times
from core import versions
from core.dates import DateError
from core.dates import parse_date as _parse_date
from core.text import OutsideTextError, refuse_nul
from insights.models import Insight, Principle
from people.models import Organisation, Person

COMMENT = "Loaded from fixtures/content"

CONTENT_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "content"


class ContentError(Exception):
    pass


def parse_date(value):
    """(date, precision) of a YAML date: 2019-06-05, 2019-06 or 2019 (see core.dates.parse_date)."""
    try:
        return _parse_date(value)
    except DateError as error:
        raise ContentError(str(error)) from None


def _times(text, where):
    """(start, end) of an upcoming date's `time` ("3.00–4.30pm"; none: the time is not set yet)."""
    if text is not None and not isinstance(text, str):  # YAML reads 15:00 unquoted as a number of minutes
        raise ContentError(f'{where}: write the time in quotes, like "3.00–4.30pm" (not {text!r}).')
    try:
        return parse_times(text)
    except TimeError as error:
        raise ContentError(f"{where}: {error}") from None


def _read(path, where):
    """The records of one YAML file; `where` names it in a ContentError (e.g. meetings/clip-cell-1.yaml)."""
    try:
        text = refuse_nul(Path(path).read_text(encoding="utf-8"), where)
        data = yaml.safe_load(text) or []
        _refuse_nul_in(data, where)
    except OutsideTextError as error:
        raise ContentError(str(error)) from None
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(f"{where}: cannot be read as UTF-8 YAML ({error}).") from None
    return data


def _refuse_nul_in(value, where):
    """OutsideTextError if a string anywhere in `value` has a NUL (written "\\0" in YAML), naming the field."""
    if isinstance(value, str):
        refuse_nul(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(str(key), where)
            _refuse_nul_in(item, f"{where}, {key}")
    elif isinstance(value, list):
        for number, item in enumerate(value, start=1):
            _refuse_nul_in(item, f"{where}, item {number}")


def _records(directory, name):
    """A list file (people.yaml) or a folder of one-record files (meetings/*.yaml)."""
    single = directory / f"{name}.yaml"
    if single.exists():
        return _read(single, single.name)
    folder = directory / name
    if not folder.is_dir():
        return []
    return [_read(path, f"{name}/{path.name}") for path in sorted(folder.glob("*.yaml"))]


def _get(model, slug, what):
    try:
        return model.objects.get(slug=slug)
    except model.DoesNotExist:
        raise ContentError(f"{what} refers to unknown {model._meta.verbose_name} {slug!r}") from None


def _upsert(model, slug, **fields):
    obj, created = model.objects.update_or_create(slug=slug, defaults=fields)
    return obj, created


@transaction.atomic
def load_content(directory=CONTENT_DIR):
    """Create or update every record under `directory`; returns counts by kind."""
    directory = Path(directory)
    counts = {}

    def count(kind, created):
        total, new = counts.get(kind, (0, 0))
        counts[kind] = (total + 1, new + int(created))

    for row in _records(directory, "organisations"):
        _, created = _upsert(
            Organisation,
            row["slug"],
            name=row["name"],
            website=row.get("website", ""),
            description=row.get("description", ""),
        )
        count("organisations", created)

    for row in _records(directory, "people"):
        organisation = row.get("organisation")
        _, created = _upsert(
            Person,
            row["slug"],
            name=row["name"],
            organisation=_get(Organisation, organisation, row["slug"]) if organisation else None,
            role=row.get("role", ""),
            bio=row.get("bio", ""),
        )
        count("people", created)

    for order, row in enumerate(_records(directory, "principles")):
        _, created = _upsert(
            Principle,
            row["slug"],
            title=row["title"],
            statement=row["statement"],
            body=row.get("body", ""),
            area=row.get("area", ""),
            order=row.get("order", order),
        )
        count("principles", created)

    for order, row in enumerate(_records(directory, "cells")):
        cell, created = _upsert(
            Cell,
            row["slug"],
            name=row["name"],
            aims=row.get("aims", ""),
            is_active=row.get("is_active", True),
            order=row.get("order", order),
        )
        for member in row.get("memberships", []):
            Membership.objects.get_or_create(
                cell=cell, person=_get(Person, member["person"], cell.slug), role=member["role"]
            )
        for upcoming in row.get("upcoming_dates", []):
            day = datetime.date.fromisoformat(str(upcoming["date"]))
            start, end = _times(upcoming.get("time"), f"cells.yaml, {cell.slug}, upcoming date {day}")
            UpcomingDate.objects.update_or_create(
                cell=cell,
                date=day,
                defaults={
                    "start_time": start,
                    "end_time": end,
                    **{key: upcoming.get(key, "") for key in ("place", "note")},
                },
            )
        count("cells", created)

    meetings = _taken_up_first(_records(directory, "meetings"))
    for row in meetings:
        _load_meeting(row, count)
    for row in meetings:  # questions that point at meetings loaded after their own (a loop of them: rare)
        _load_questions(row)

    for row in _records(directory, "insights"):
        _load_insight(row, count)

    return counts


def _content(model, slug, fields):
    """The record with this slug and whether it is new, with `fields` set on it (not saved yet)."""
    obj = model.objects.filter(slug=slug).first()
    created = obj is None
    if created:
        obj = model(slug=slug)
    changed = created or any(getattr(obj, name) != value for name, value in fields.items())
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj, created, changed


def _tags(obj):
    return sorted(obj.tags.names()) if obj.pk else []


def _load_meeting(row, count):
    date, precision = parse_date(row.get("date"))
    meeting, created, changed = _content(
        Meeting,
        row["slug"],
        {
            "title": row["title"],
            "subject": row.get("subject", ""),
            "kind": row.get("kind", Meeting.Kind.CELL_MEETING),
            "cell": _get(Cell, row["cell"], row["slug"]) if row.get("cell") else None,
            "number": row.get("number"),
            "date": date,
            "date_precision": precision,
            "place": row.get("place", ""),
            "online": row.get("online", False),
            "summary": row.get("summary", ""),
            "notes": row.get("notes", ""),
            "editorial_note": row.get("editorial_note", ""),
            "status": row.get("status", "published"),
            "visibility": row.get("visibility", "public"),
        },
    )
    principles = [_get(Principle, slug, row["slug"]) for slug in row.get("principles", [])]
    speakers = [(_get(Person, speaker["person"], row["slug"]), speaker["role"]) for speaker in row.get("speakers", [])]
    tags = sorted(row.get("tags", []))
    questions = _questions(row) if _taken_up_in_loaded(row) else None  # else the second pass writes them
    if not changed:
        changed = (
            set(meeting.principles.all()) != set(principles)
            or _tags(meeting) != tags
            or [(s.person, s.role) for s in meeting.speaker_roles.select_related("person")] != speakers
            or (questions is not None and _stored_questions(meeting) != questions)
        )
    if changed:  # one version, with its questions: restoring it brings back the meeting as loaded, whole
        with versions.saving(meeting, user=None, comment=COMMENT):
            meeting.save()
            meeting.principles.set(principles)
            meeting.tags.set(tags, clear=True)
            meeting.speaker_roles.all().delete()
            for order, (person, role) in enumerate(speakers):
                Speaker.objects.create(meeting=meeting, person=person, role=role, order=order)
            if questions is not None:
                _write_questions(meeting, questions)
    count("meetings", created)


def _taken_up_first(rows):
    """The meetings in an order that loads the meetings a question was taken up in before the meeting that raised
    it (later meetings first, as the notes point forward), so that each meeting is written once, questions and all."""
    by_slug = {row["slug"]: row for row in rows}
    ordered, placed = [], set()

    def place(row, seen):
        if row["slug"] in placed or row["slug"] in seen:  # placed, or a loop (left to the second pass)
            return
        for item in row.get("questions", []):
            for slug in item.get("taken_up_in", []):
                if slug in by_slug:
                    place(by_slug[slug], seen | {row["slug"]})
        placed.add(row["slug"])
        ordered.append(row)

    for row in rows:
        place(row, frozenset())
    return ordered


def _taken_up_in_loaded(row):
    slugs = {slug for item in row.get("questions", []) for slug in item.get("taken_up_in", [])}
    return Meeting.objects.filter(slug__in=slugs).count() == len(slugs)


def _questions(row):
    """[(text, [meetings it was taken up in])] as the record has them."""
    return [
        (item["text"], [_get(Meeting, slug, row["slug"]) for slug in item.get("taken_up_in", [])])
        for item in row.get("questions", [])
    ]


def _stored_questions(meeting):
    return [(question.text, list(question.taken_up_in.all())) for question in meeting.questions.all()]


def _write_questions(meeting, questions):
    meeting.questions.all().delete()
    for order, (text, taken_up_in) in enumerate(questions):
        question = Question.objects.create(raised_at=meeting, text=text, order=order)
        question.taken_up_in.set(taken_up_in)


def _load_questions(row):
    meeting = Meeting.objects.get(slug=row["slug"])
    questions = _questions(row)
    if _stored_questions(meeting) == questions:
        return
    with versions.saving(meeting, user=None, comment=COMMENT):
        _write_questions(meeting, questions)
        meeting.save(update_fields=["edit_version", "updated_at"])


def _load_insight(row, count):
    published_on, precision = parse_date(row.get("published_on"))
    insight, created, changed = _content(
        Insight,
        row["slug"],
        {
            "title": row["title"],
            "kind": row.get("kind", Insight.Kind.ESSAY),
            "standfirst": row.get("standfirst", ""),
            "body": row.get("body", ""),
            "cell": _get(Cell, row["cell"], row["slug"]) if row.get("cell") else None,
            "collection": row.get("collection", ""),
            "published_on": published_on,
            "published_on_precision": precision,
            "original_url": row.get("original_url", ""),
            "publisher": row.get("publisher", ""),
            "editorial_note": row.get("editorial_note", ""),
            "status": row.get("status", "published"),
            "visibility": row.get("visibility", "public"),
        },
    )
    related = {
        "authors": [_get(Person, slug, row["slug"]) for slug in row.get("authors", [])],
        "principles": [_get(Principle, slug, row["slug"]) for slug in row.get("principles", [])],
        "source_meetings": [_get(Meeting, slug, row["slug"]) for slug in row.get("source_meetings", [])],
    }
    tags = sorted(row.get("tags", []))
    if not changed:
        changed = _tags(insight) != tags or any(
            set(getattr(insight, name).all()) != set(objs) for name, objs in related.items()
        )
    if changed:
        with versions.saving(insight, user=None, comment=COMMENT):
            insight.save()
            for name, objs in related.items():
                getattr(insight, name).set(objs)
            insight.tags.set(tags, clear=True)
    count("insights", created)
