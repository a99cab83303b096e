"""Turn the free-text time of each upcoming date ('3.00–4.30pm, online') into a start and end time.

What is read as times becomes start_time/end_time; the words beside them ('online') are added to the
date's note. Text that cannot be read as a time ('half past three', '4.30–3pm') is kept whole in the
note, after "Time: ", and the date is left without times (an all-day event in calendars) — nothing
written is lost, and each such row is named in the migration's output. Going back writes the times
out as text again ('3.00–4.30pm'); the note keeps what was added to it.
"""

from django.db import migrations

NOTE_LENGTH = 250


def _add_to_note(note, text):
    return f"{note}; {text}" if note else text


def text_to_times(apps, schema_editor):
    from cells.times import TimeError, split_times

    UpcomingDate = apps.get_model("cells", "UpcomingDate")
    for upcoming in UpcomingDate.objects.exclude(time=""):
        text = upcoming.time.strip()
        try:
            found, rest = split_times(text)
        except TimeError:
            found, rest = None, None
        if found is not None:
            upcoming.start_time, upcoming.end_time = found.start, found.end
            if rest:
                upcoming.note = _add_to_note(upcoming.note, rest)
        else:
            upcoming.note = _add_to_note(upcoming.note, f"Time: {text}")
            print(f"\n  Upcoming date {upcoming.pk} ({upcoming.date}): time “{text}” could not be read; kept in its note.")
        if len(upcoming.note) > NOTE_LENGTH:
            print(f"\n  Upcoming date {upcoming.pk} ({upcoming.date}): note shortened to {NOTE_LENGTH} characters: {upcoming.note!r}")
            upcoming.note = upcoming.note[: NOTE_LENGTH - 1] + "…"
        upcoming.save(update_fields=["start_time", "end_time", "note"])


def times_to_text(apps, schema_editor):
    from cells.times import format_times

    UpcomingDate = apps.get_model("cells", "UpcomingDate")
    for upcoming in UpcomingDate.objects.exclude(start_time=None):
        upcoming.time = format_times(upcoming.start_time, upcoming.end_time)
        upcoming.save(update_fields=["time"])


class Migration(migrations.Migration):
    dependencies = [
        ("cells", "0005_upcoming_date_times"),
    ]

    operations = [migrations.RunPython(text_to_times, times_to_text)]
