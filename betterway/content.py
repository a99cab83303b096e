"""Load the network's content from the YAML files in fixtures/content/.

The files are the editable source of the demo and archive content (their
format is described in fixtures/README.md). Loading is idempotent: each record
is found by its slug and brought up to date, so loading twice changes nothing.
"""

import datetime
from pathlib import Path

import yaml
from django.db import transaction

from betterway.dates import DatePrecision
from cells.models import Cell, Meeting, Membership, Question, Speaker, UpcomingDate
from insights.models import Insight, Principle
from people.models import Organisation, Person

CONTENT_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "content"


class ContentError(Exception):
    pass


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
    raise ContentError(f"Not a date: {value!r} (write YYYY-MM-DD, YYYY-MM or YYYY)")


def _read(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


def _records(directory, name):
    """A list file (people.yaml) or a folder of one-record files (meetings/*.yaml)."""
    single = directory / f"{name}.yaml"
    if single.exists():
        return _read(single)
    folder = directory / name
    return [_read(path) for path in sorted(folder.glob("*.yaml"))] if folder.is_dir() else []


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
            Organisation, row["slug"], name=row["name"],
            website=row.get("website", ""), description=row.get("description", ""),
        )
        count("organisations", created)

    for row in _records(directory, "people"):
        organisation = row.get("organisation")
        _, created = _upsert(
            Person, row["slug"], name=row["name"],
            organisation=_get(Organisation, organisation, row["slug"]) if organisation else None,
            role=row.get("role", ""), bio=row.get("bio", ""),
        )
        count("people", created)

    for order, row in enumerate(_records(directory, "principles")):
        _, created = _upsert(
            Principle, row["slug"], title=row["title"], statement=row["statement"],
            body=row.get("body", ""), area=row.get("area", ""), order=row.get("order", order),
        )
        count("principles", created)

    for order, row in enumerate(_records(directory, "cells")):
        cell, created = _upsert(
            Cell, row["slug"], name=row["name"], aims=row.get("aims", ""),
            is_active=row.get("is_active", True), order=row.get("order", order),
        )
        for member in row.get("memberships", []):
            Membership.objects.get_or_create(
                cell=cell, person=_get(Person, member["person"], cell.slug), role=member["role"]
            )
        for upcoming in row.get("upcoming_dates", []):
            UpcomingDate.objects.update_or_create(
                cell=cell, date=datetime.date.fromisoformat(str(upcoming["date"])),
                defaults={key: upcoming.get(key, "") for key in ("time", "place", "note")},
            )
        count("cells", created)

    meetings = _records(directory, "meetings")
    for row in meetings:
        _load_meeting(row, count)
    for row in meetings:  # questions point at later meetings, so they come once all exist
        _load_questions(row)

    for row in _records(directory, "insights"):
        _load_insight(row, count)

    return counts


def _load_meeting(row, count):
    date, precision = parse_date(row.get("date"))
    meeting, created = _upsert(
        Meeting, row["slug"], title=row["title"], kind=row.get("kind", Meeting.Kind.CELL_MEETING),
        cell=_get(Cell, row["cell"], row["slug"]) if row.get("cell") else None,
        number=row.get("number"), date=date, date_precision=precision,
        place=row.get("place", ""), online=row.get("online", False),
        summary=row.get("summary", ""), notes=row.get("notes", ""),
        editorial_note=row.get("editorial_note", ""),
        status=row.get("status", "published"), visibility=row.get("visibility", "public"),
    )
    meeting.principles.set([_get(Principle, slug, meeting.slug) for slug in row.get("principles", [])])
    meeting.tags.set(row.get("tags", []), clear=True)
    meeting.speaker_roles.all().delete()
    for order, speaker in enumerate(row.get("speakers", [])):
        Speaker.objects.create(
            meeting=meeting, person=_get(Person, speaker["person"], meeting.slug),
            role=speaker["role"], order=order,
        )
    count("meetings", created)


def _load_questions(row):
    meeting = Meeting.objects.get(slug=row["slug"])
    meeting.questions.all().delete()
    for order, item in enumerate(row.get("questions", [])):
        question = Question.objects.create(raised_at=meeting, text=item["text"], order=order)
        question.taken_up_in.set([_get(Meeting, slug, meeting.slug) for slug in item.get("taken_up_in", [])])


def _load_insight(row, count):
    published_on, precision = parse_date(row.get("published_on"))
    insight, created = _upsert(
        Insight, row["slug"], title=row["title"], kind=row.get("kind", Insight.Kind.ESSAY),
        standfirst=row.get("standfirst", ""), body=row.get("body", ""),
        cell=_get(Cell, row["cell"], row["slug"]) if row.get("cell") else None,
        collection=row.get("collection", ""), published_on=published_on,
        published_on_precision=precision, original_url=row.get("original_url", ""),
        publisher=row.get("publisher", ""), editorial_note=row.get("editorial_note", ""),
        status=row.get("status", "published"), visibility=row.get("visibility", "public"),
    )
    insight.authors.set([_get(Person, slug, insight.slug) for slug in row.get("authors", [])])
    insight.principles.set([_get(Principle, slug, insight.slug) for slug in row.get("principles", [])])
    insight.source_meetings.set([_get(Meeting, slug, insight.slug) for slug in row.get("source_meetings", [])])
    insight.tags.set(row.get("tags", []), clear=True)
    count("insights", created)
