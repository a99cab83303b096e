"""import_notes: notes written elsewhere become correct drafts, and nothing is imported twice."""

import datetime
import io
import json
from pathlib import Path

import docx
import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version

from betterway.importer.parsing import parse_note, split_notes
from betterway.importer.readers import MAX_BYTES
from cells.models import Meeting
from people.models import Person

from .factories import CellFactory, MeetingFactory, PersonFactory

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
LISTING = (SEEDS / "001_561302519c1ffc75.txt").read_text(encoding="utf-8")

OWN_NOTE_NUMBERED = """Climate Action Cell 2

Notes of the meeting held on 3rd March 2025, online

1. Welcome

Priya Shah, convenor of the cell, welcomed everyone and introduced the meeting. Tom Baker from Green Streets described the community energy scheme in Leith. Anna Lee is Director of Fair Power. Anna explained how the co-operative shares its surplus.

2. Discussion

Participants agreed that local ownership builds trust. One participant said funders still want quick wins.

3. Some questions for further discussion

1. How can councils share risk with community energy groups?
2. What would a fair tariff look like?

4. Next meetings

Thursday 10th April 2025, 2pm
15 May 2025
"""

OWN_NOTE_MARKDOWN = """# Better Way roundtable on funding, 12 September 2024

## Summary of key points

- Funders should trust grantees.
- Multi-year funding matters.

## In more detail

Jane Doe, the facilitator for the day, opened the roundtable. She said that unrestricted grants change behaviour.

## Topics for further meetings

- Participatory grant-making
- Reporting burdens
"""


def parse(text, **known):
    return parse_note(text, **known)


def speakers(note):
    return {speaker.name: (speaker.role, speaker.organisation) for speaker in note.speakers}


def run(*args):
    out = io.StringIO()
    call_command("import_notes", *map(str, args), stdout=out)
    return out.getvalue()


def run_json(*args):
    return [json.loads(line) for line in run(*args, "--json").splitlines()]


# --- reading the network's own listing -------------------------------------------------------


def test_the_listing_splits_into_its_twelve_notes_without_the_host_boilerplate():
    notes = split_notes(LISTING)
    assert len(notes) == 12
    for note in notes:
        assert "A Better Way A Better Way" not in note and not note.endswith("Read More")


@pytest.fixture(scope="module")
def listing():
    cells = ["Collaborative Leadership in Place", "London cell 2", "London cell 3", "London cell 4"]
    people = ["Steve Wyler", "Caroline Slocock", "Cate Newnes-Smith"]
    return {
        note.title: note
        for note in (parse(text, known_cells=cells, known_people=people) for text in split_notes(LISTING))
    }


def test_a_cell_note_gets_its_cell_number_summary_speakers_and_roles(listing):
    note = listing["Note from Collaborative Leadership in Place Cell 3"]
    assert (note.kind, note.cell, note.number) == ("cell_meeting", "Collaborative Leadership in Place", 3)
    assert note.summary.startswith("Successful collaborations require good relationships")
    assert "- Personal and relationships and behaviour can make or break collaborations" in note.summary
    assert note.notes.startswith("## In more detail")
    assert "### The importance of behaviours" in note.notes
    assert speakers(note) == {
        "Steve Wyler": ("co_convenor", ""),
        "Dawn Plimmer": ("main_speaker", "Collaborate"),
        "Cate Newnes-Smith": ("thought_leader", ""),
    }
    assert note.date is None  # the note gives no date: none is invented


def test_questions_for_the_next_meeting_are_found(listing):
    note = listing["Note from Collaborative Leadership in Place Cell 2"]
    assert [q.split("?")[0] for q in note.questions] == [
        "What does collaboration look like",
        "What does systems leadership look like",
        "What does distributive leadership look like",
    ]


def test_numbered_section_headings_stay_headings(listing):
    note = listing["Note from Collaborative Leadership in Place Cell 1"]
    assert "## 1. Aims of the cell" in note.notes and "## 2. Opening Presentations" in note.notes
    assert note.questions[0].startswith("How do we establish a system based on relationship")


@pytest.mark.parametrize(
    ("title_start", "kind", "date", "precision"),
    [
        ("Note form a roundtable", "roundtable", "2019-06-05", "day"),
        ("Note from a network discussion: What could", "network_discussion", "2019-11-26", "day"),
        ("Note from a network discussion: What would", "dinner", "2018-11-26", "day"),
        ("Note from Better Way and Place cell", "network_discussion", "2018-02-01", "month"),
        ("Note from Better Way London Cell 4", "cell_meeting", "2017-12-13", "day"),
        ("Note from Better Way London Cell 1", "cell_meeting", "2017-11-15", "day"),
    ],
)
def test_kind_date_and_precision_come_from_the_title_lines(listing, title_start, kind, date, precision):
    note = next(note for title, note in listing.items() if title.startswith(title_start))
    assert (note.kind, note.date.isoformat(), note.date_precision) == (kind, date, precision)


def test_a_cell_named_with_a_number_is_that_cell_when_the_site_has_it(listing):
    note = listing["Note from Better Way London Cell 4: Leadership"]
    assert (note.cell, note.number) == ("London cell 4", None)


def test_a_speaker_introduced_in_prose_is_found_and_a_person_quoted_in_passing_is_not(listing):
    cell_1 = speakers(listing["Note from Collaborative Leadership in Place Cell 1"])
    assert cell_1["Avril McIntyre"] == ("presenter", "Community Resources")  # ", from …, in Barking … explained"
    assert speakers(listing["Note from Better Way London Cell 1: Leadership"]) == {}  # "As … Eugene Victor Debs said"


def test_new_speakers_come_with_the_organisation_the_note_gives(listing):
    note = next(note for title, note in listing.items() if title.startswith("Note form a roundtable"))
    found = speakers(note)
    assert found["Caroline Slocock"] == ("introducer", "")
    assert found["Rick Henderson"] == ("presenter", "Homeless Link")
    assert found["Maurice Wren"] == ("presenter", "Refugee Council")


# --- notes of other layouts ------------------------------------------------------------------


def test_a_note_with_numbered_sections_and_no_bullets():
    note = parse(OWN_NOTE_NUMBERED)
    assert (note.title, note.kind, note.cell, note.number) == (
        "Climate Action Cell 2",
        "cell_meeting",
        "Climate Action",
        2,
    )
    assert (note.date.isoformat(), note.date_precision) == ("2025-03-03", "day")
    assert speakers(note) == {
        "Priya Shah": ("convenor", ""),
        "Tom Baker": ("presenter", "Green Streets"),
        "Anna Lee": ("presenter", "Fair Power"),
    }
    assert note.questions == [
        "How can councils share risk with community energy groups?",
        "What would a fair tariff look like?",
    ]
    assert [day.isoformat() for day in note.next_meetings] == ["2025-04-10", "2025-05-15"]
    assert "Participants agreed that local ownership builds trust." in note.notes


def test_a_markdown_note():
    note = parse(OWN_NOTE_MARKDOWN)
    assert note.title == "Better Way roundtable on funding, 12 September 2024"
    assert (note.kind, note.date.isoformat()) == ("roundtable", "2024-09-12")
    assert note.summary == "- Funders should trust grantees.\n- Multi-year funding matters."
    assert speakers(note) == {"Jane Doe": ("facilitator", "")}
    assert note.questions == ["Participatory grant-making", "Reporting burdens"]


def word_file(path):
    document = docx.Document()
    document.add_heading("Better Way dinner discussion, 4 October 2023", level=0)
    document.add_heading("Summary of key points", level=1)
    document.add_paragraph("Neighbourhoods need patient money.", style="List Bullet")
    document.add_heading("In more detail", level=1)
    document.add_paragraph("Sam Green from Hastings Trust opened the discussion about land.")
    document.add_heading("Some issues to explore further", level=2)
    document.add_paragraph("Who owns the high street?", style="List Bullet")
    document.save(path)
    return path


def test_a_word_document(tmp_path, db):
    [result] = run_json(word_file(tmp_path / "dinner.docx"))
    assert result["action"] == "created"
    assert (result["title"], result["kind"], result["date"]) == (
        "Better Way dinner discussion, 4 October 2023",
        "dinner",
        "2023-10-04",
    )
    assert result["speakers"] == ["Sam Green"] and result["questions"] == ["Who owns the high street?"]
    meeting = Meeting.objects.get(title=result["title"])
    assert meeting.summary == "- Neighbourhoods need patient money."
    assert Person.objects.get(name="Sam Green").organisation.name == "Hastings Trust"


# --- saving ----------------------------------------------------------------------------------


@pytest.fixture
def note_file(tmp_path):
    path = tmp_path / "climate.txt"
    path.write_text(OWN_NOTE_NUMBERED, encoding="utf-8")
    return path


def test_it_creates_a_draft_with_speakers_questions_and_next_dates(db, note_file):
    [result] = run_json(note_file)
    expected = {
        "action": "created",
        "title": "Climate Action Cell 2",
        "date": "2025-03-03",
        "date_precision": "day",
        "kind": "cell_meeting",
        "cell": "Climate Action",
        "number": 2,
        "speakers": ["Priya Shah", "Tom Baker", "Anna Lee"],
        "questions": [
            "How can councils share risk with community energy groups?",
            "What would a fair tariff look like?",
        ],
        "next_meetings": ["2025-04-10", "2025-05-15"],
        "url": "/notes/climate-action-cell-2/",
        "message": "Created as a draft. New cell “Climate Action” created.",
    }
    assert {key: result[key] for key in expected} == expected
    # and how sure it is of each part (tests/test_import_layouts.py looks closer)
    assert result["found"]["cell"] == {
        "value": "Climate Action",
        "confidence": "medium",
        "reason": "not on the site yet: a new cell would be created",
    }
    assert result["confidence"] == "medium" and result["checks"] == []
    meeting = Meeting.objects.get(slug="climate-action-cell-2")
    assert meeting.status == "draft" and meeting.number == 2
    assert [s.role for s in meeting.speaker_roles.all()] == ["convenor", "presenter", "presenter"]
    assert meeting.questions.count() == 2


def test_reimporting_changes_nothing(db, note_file):
    run(note_file)
    before = (Meeting.objects.count(), Person.objects.count(), Version.objects.count())
    [again] = run_json(note_file)
    assert again["action"] == "matched" and again["url"] == "/notes/climate-action-cell-2/"
    assert (Meeting.objects.count(), Person.objects.count(), Version.objects.count()) == before


def test_a_note_matches_by_cell_and_number_or_kind_and_day(db, tmp_path):
    cell = CellFactory(name="Climate Action")
    MeetingFactory(cell=cell, number=2, title="Climate cell, second meeting", slug="existing")
    path = tmp_path / "a.txt"
    path.write_text(OWN_NOTE_NUMBERED)
    assert run_json(path)[0]["action"] == "matched"
    MeetingFactory(
        cell=None,
        number=None,
        kind="roundtable",
        title="Funding roundtable",
        slug="funding",
        date=datetime.date(2024, 9, 12),
        date_precision="day",
    )
    path.write_text(OWN_NOTE_MARKDOWN)
    assert run_json(path)[0]["url"] == "/notes/funding/"


def test_update_saves_a_new_version_and_keeps_the_old_one(db, note_file):
    run(note_file)
    meeting = Meeting.objects.get(slug="climate-action-cell-2")
    note_file.write_text(OWN_NOTE_NUMBERED.replace("builds trust", "builds lasting trust"))
    assert run_json(note_file)[0]["action"] == "matched"  # without --update, left alone
    [result] = run_json(note_file, "--update")
    assert result["action"] == "updated"
    meeting.refresh_from_db()
    assert "builds lasting trust" in meeting.notes
    versions = Version.objects.get_for_object(meeting)
    assert versions.count() == 2
    assert "builds trust" in versions.last().field_dict["notes"]
    assert run_json(note_file, "--update")[0]["action"] == "matched"  # nothing new: no new version
    assert Version.objects.get_for_object(meeting).count() == 2


def test_update_of_a_meeting_that_had_no_version_keeps_its_text_first(db, note_file):
    cell = CellFactory(name="Climate Action")
    old = MeetingFactory(cell=cell, number=2, notes="The original notes.")
    run(note_file, "--update")
    versions = Version.objects.get_for_object(old)
    assert [v.field_dict["notes"] for v in versions][-1] == "The original notes."


def test_dry_run_saves_nothing(db, note_file):
    [result] = run_json(note_file, "--dry-run")
    assert result["action"] == "would create" and result["url"] is None
    assert not Meeting.objects.exists() and not Person.objects.exists()


def test_the_readable_summary_names_what_it_did(db, note_file):
    out = run(note_file)
    assert "created      Climate Action Cell 2 (Climate Action #2, 2025-03-03, day)" in out
    assert "1 created" in out


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("note.pdf", b"%PDF-1.4", "a .pdf cannot be imported"),
        ("note.txt", b"  \n\n ", "the file is empty"),
        ("note.txt", "Titre café".encode("latin-1"), "is not UTF-8"),
        ("note.txt", b"x" * (MAX_BYTES + 1), "the limit is 2 MB"),
        ("note.docx", b"not really a zip", "not a Word document"),
        (
            "note.txt",
            (
                b"This first line is a long sentence that runs on like a paragraph, not a title at all, "
                b"and so the importer cannot tell what the note is called.\n\nMore text."
            ),
            "no recognisable title",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match="1 of 1 could not be imported"):
        run(path, "--json")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_notes", str(path), "--json", stdout=out)
    [result] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert result["action"] == "error" and message in result["message"]
    assert not Meeting.objects.exists()


def test_one_bad_note_does_not_stop_the_others(db, tmp_path):
    good = tmp_path / "good.md"
    good.write_text(OWN_NOTE_MARKDOWN)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("import_notes", str(bad), str(good), "--json", stdout=out)
    assert [json.loads(line)["action"] for line in out.getvalue().splitlines()] == ["error", "created"]
    assert Meeting.objects.count() == 1


def test_an_invalid_note_is_not_half_saved(db, tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("Cell meeting " + "very " * 60 + "long\n\nText.")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_notes", str(path), "--json", stdout=out)
    assert "title" in json.loads(out.getvalue())["message"]
    assert not Meeting.objects.exists() and not Person.objects.exists()


def test_known_people_are_matched_not_duplicated(db, tmp_path):
    PersonFactory(name="Priya Shah", slug="priya")
    path = tmp_path / "n.txt"
    path.write_text(OWN_NOTE_NUMBERED)
    run(path)
    assert Person.objects.filter(name="Priya Shah").count() == 1


def test_reimporting_the_archive_duplicates_nothing(db):
    from betterway.content import load_content

    load_content()
    before = (Meeting.objects.count(), Person.objects.count())
    results = run_json(SEEDS / "001_561302519c1ffc75.txt", SEEDS / "004_e684959b28fff9a6.txt")
    assert {result["action"] for result in results} == {"matched"}, [
        (r["title"], r["action"]) for r in results if r["action"] != "matched"
    ]
    assert len(results) == 13
    assert (Meeting.objects.count(), Person.objects.count()) == before
