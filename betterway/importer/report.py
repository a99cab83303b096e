"""What the importer found in a note and how sure it is of each part: the "found", "confidence" and
"checks" of `import_notes --json` (the README's importing section shows the shape)."""

from .confidence import LOW, lowest


def report(note):
    """{"confidence": the least sure part, "found": each part with its confidence and reason,
    "checks": the parts the importer is least sure of, as sentences for a convenor}."""
    if note is None:
        return {"confidence": None, "found": None, "checks": []}
    found = {
        "title": {"value": note.title, **note.sure["title"].as_json()},
        "date": {
            "value": note.date.isoformat() if note.date else None,
            "precision": note.date_precision if note.date else None,
            **note.sure["date"].as_json(),
        },
        "kind": {"value": note.kind, **note.sure["kind"].as_json()},
        "cell": {"value": note.cell, **note.sure["cell"].as_json()},
        "number": {"value": note.number, **note.sure["number"].as_json()},
        "speakers": [
            {
                "name": speaker.name,
                "role": speaker.role,
                "organisation": speaker.organisation or None,
                "job": speaker.job or None,
                **speaker.sure.as_json(),
            }
            for speaker in note.speakers
        ],
        "questions": [
            {"text": question.text, "kind": question.kind, **question.sure.as_json()}
            for question in note.question_items
        ],
        "next_meetings": [
            {
                "text": next_date.text,
                "date": next_date.date.isoformat() if next_date.date else None,
                "start_time": _time(next_date.start_time),
                "end_time": _time(next_date.end_time),
                "confidence": next_date.confidence,
                "reason": next_date.reason,
            }
            for next_date in note.next_dates
        ],
        "sections": [
            {"heading": section.heading, "level": section.level, "role": section.role or None, **section.sure.as_json()}
            for section in note.sections
        ],
    }
    levels = [part["confidence"] for name, part in found.items() if isinstance(part, dict)]
    levels += [item["confidence"] for name in ("speakers", "questions", "next_meetings") for item in found[name]]
    return {"confidence": lowest(levels), "found": found, "checks": _checks(found)}


def _time(value):
    return value.isoformat(timespec="minutes") if value else None


def _checks(found):
    checks = [
        f"{name}: {found[name]['reason']}"
        for name in ("title", "date", "kind", "cell", "number")
        if found[name]["confidence"] == LOW
    ]
    checks += [f"speaker {item['name']}: {item['reason']}" for item in found["speakers"] if item["confidence"] == LOW]
    checks += [
        f"{item['kind']} “{item['text'][:60]}”: {item['reason']}"
        for item in found["questions"]
        if item["confidence"] == LOW
    ]
    checks += [
        f"next meeting “{item['text'][:60]}”: {item['reason']}"
        for item in found["next_meetings"]
        if item["confidence"] == LOW
    ]
    return checks
