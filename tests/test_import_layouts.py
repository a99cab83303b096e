"""import_notes reads notes in the layouts convenors really write (tests/notes/), and says how sure it is.

Each file in tests/notes/ is a note of its own in another layout: numbered headings, speakers in prose,
dates without a year, Markdown, a messy text file, questions one per paragraph; the Word document is
made here with python-docx."""

import datetime
import io
import json
from pathlib import Path
from unittest import mock

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from betterway.importer import saving
from betterway.importer.parsing import parse_note
from cells.models import Cell, Meeting, Question, Speaker, UpcomingDate
from core import versions
from people.models import Organisation, Person

NOTES = Path(__file__).resolve().parent / "notes"


def read(name):
    return parse_note((NOTES / name).read_text(encoding="utf-8"))


def run(*args):
    out = io.StringIO()
    call_command("import_notes", *map(str, args), stdout=out)
    return out.getvalue()


def run_json(*args):
    return [json.loads(line) for line in run(*args, "--json").splitlines()]


def speakers(found):
    return {s["name"]: (s["role"], s["organisation"], s["confidence"]) for s in found["speakers"]}


def next_dates(found):
    return [(n["date"], n["start_time"], n["end_time"], n["confidence"]) for n in found["next_meetings"]]


# --- one layout each ------------------------------------------------------------------------------


def test_numbered_headings_stay_headings_and_their_sections_are_read(db):
    [result] = run_json(NOTES / "numbered_headings.txt", "--dry-run")
    found = result["found"]
    assert [s["heading"] for s in found["sections"]] == [
        "1. Welcome and introductions",
        "2. Opening presentations",
        "3. Discussion",
        "4. Topics for future meetings of the group",
        "5. Next meetings",
    ]
    assert [(q["kind"], q["confidence"]) for q in found["questions"]] == [
        ("question", "high"),
        ("topic", "high"),
        ("question", "high"),
    ]
    assert found["questions"][1]["text"] == "Measuring wealth that stays in a place"
    assert next_dates(found) == [
        ("2021-07-15", "15:00", "16:30", "high"),
        ("2021-09-09", "15:00", "16:30", "high"),
    ]
    assert found["next_meetings"][0]["reason"] == (
        "year 2021 inferred from the meeting's date (8 June 2021); weekday Thursday agrees with 15 July 2021"
    )
    note = read("numbered_headings.txt")
    assert "## 3. Discussion" in note.notes and "- Measuring wealth that stays in a place" in note.notes


def test_speakers_introduced_in_prose_with_their_organisations_but_not_someone_quoted(db):
    [result] = run_json(NOTES / "prose_speakers.txt", "--dry-run")
    found = result["found"]
    assert speakers(found) == {
        "Miriam Adeyemi": ("facilitator", None, "high"),  # "chaired by"
        "Tessa Lowry": ("presenter", "Youth Futures North", "medium"),  # ", from …, in Gateshead, explained"
        "Tomasz Nowak": ("main_speaker", "Groundwork Pennines", "medium"),  # "Our speaker was … (job, org)"
        "Gareth Pryce": ("presenter", "Cardiff Youth Trust", "medium"),  # "of the … told the group"
    }
    by_name = {s["name"]: s for s in found["speakers"]}
    assert by_name["Tomasz Nowak"]["job"] == "Head of Programmes"
    assert by_name["Tomasz Nowak"]["reason"] == "from prose, organisation guessed"
    assert by_name["Tessa Lowry"]["reason"] == "from prose, role not stated: taken as presenter"
    assert "Saul Alinsky" not in by_name  # "As … Saul Alinsky said": quoted, not at the meeting
    assert [(q["kind"], q["confidence"]) for q in found["questions"]] == [("question", "medium")] * 2


def test_dates_without_a_year_take_the_next_one_after_the_meeting_and_keep_their_times(db):
    [result] = run_json(NOTES / "no_year_dates.md", "--dry-run")
    found = result["found"]
    assert (found["date"]["value"], found["date"]["confidence"]) == ("2021-03-03", "high")
    assert found["date"]["reason"].startswith("weekday Wednesday agrees with 3 March 2021")
    assert next_dates(found) == [
        ("2021-04-15", "15:00", "16:30", "high"),
        ("2021-05-12", "15:00", "16:30", "high"),  # "Weds 12 May 3-4.30pm"
        ("2021-06-10", "10:00", None, "low"),  # says Friday: 10 June 2021 was a Thursday
    ]
    assert result["confidence"] == "low"
    assert result["checks"] == [
        "next meeting “Friday 10 June at 10am, online”: year 2021 inferred from the meeting's date "
        "(3 March 2021); weekday Friday disagrees: 10 June 2021 is a Thursday"
    ]


def test_the_readable_summary_asks_the_convenor_to_check_what_is_uncertain(db):
    out = run(NOTES / "no_year_dates.md", "--dry-run")
    assert "next meetings: 2021-04-15 15:00–16:30; 2021-05-12 15:00–16:30; 2021-06-10 10:00" in out
    assert "check: next meeting “Friday 10 June at 10am, online”" in out and "disagrees" in out


def test_a_date_in_the_new_year_is_after_the_meeting_not_before_it():
    note = parse_note(
        "Funders Cell 3\n\nMeeting held on 22 November 2023\n\nWe agreed to meet again on Wednesday 24 January, 2pm."
    )
    [found] = note.next_dates
    assert (found.date, found.start_time, found.confidence) == (datetime.date(2024, 1, 24), datetime.time(14), "high")


def test_a_markdown_note_with_a_list_of_speakers_and_a_bold_heading(db):
    [result] = run_json(NOTES / "markdown_dinner.md", "--dry-run")
    found = result["found"]
    assert (result["kind"], result["date"]) == ("dinner", "2023-11-22")
    assert speakers(found) == {
        "Alison Reid": ("main_speaker", "Northern Rock Foundation Legacy", "medium"),
        "Kwame Mensah": ("facilitator", "Hackney Giving Circle", "high"),
    }
    assert result["questions"] == [
        "Participatory grant-making in rural areas",
        "Whether endowed foundations should spend out",
    ]
    assert found["sections"][-1] == {
        "heading": "What we'll look at next",
        "level": 2,
        "role": "questions",
        "confidence": "high",
        "reason": "a bold line",
    }
    assert read("markdown_dinner.md").summary.startswith("- Trust-based funding is spreading but slowly.")


def test_a_messy_text_note(db):
    [result] = run_json(NOTES / "messy.txt", "--dry-run")
    found = result["found"]
    assert (result["cell"], result["number"], result["date"]) == ("HOUSING AND HEALTH", 2, "2022-01-19")
    assert [s["heading"] for s in found["sections"]] == ["I. Check-in", "II. Discussion"]
    assert speakers(found) == {"Priya Raman": ("presenter", "Shelter Cymru", "medium")}
    assert result["questions"] == [
        "How do we get housing officers into primary care networks?",
        "Can tenants' groups be paid for their time?",
    ]
    assert next_dates(found) == [("2022-02-16", "14:00", None, "medium")]
    note = read("messy.txt")
    assert "- Social prescribing works best when the link workers know the local groups personally." in note.notes
    assert "since the last meeting; several mentioned staff burnout and the cost of living." in note.notes


def test_topics_written_one_per_paragraph_and_dates_for_the_diary(db):
    [result] = run_json(NOTES / "what_next.txt", "--dry-run")
    found = result["found"]
    assert [(q["text"], q["kind"], q["confidence"]) for q in found["questions"]] == [
        ("Transport to services when the last bus route has gone", "topic", "medium"),
        ("The role of village halls as warm spaces", "topic", "medium"),
    ]
    assert next_dates(found) == [
        ("2024-06-25", "11:00", "12:30", "high"),
        ("2024-09-17", "11:00", "13:00", "high"),  # "11-1pm"
    ]
    assert speakers(found) == {"Joanne Whitfield": ("presenter", "Eden Community Action", "medium")}
    # the title names a cell the site does not have: the kind is a guess, and the convenor is told
    assert found["kind"]["confidence"] == "low"
    assert result["checks"] == ["kind: “Rural Action cell” is not a cell on the site: taken as a network discussion"]


def word_note(path):
    document = docx.Document()
    document.add_heading("Social Prescribing Cell 3", level=0)
    document.add_paragraph("Thursday 16 May 2024, at the Leeds Quaker Meeting House")
    document.add_heading("1. Opening presentations", level=1)
    document.add_paragraph(
        "Rosa Martinez, from Leeds Older People's Forum, explained how link workers and lunch clubs now refer "
        "people to each other."
    )
    bold = document.add_paragraph()
    bold.add_run("Ideas for the next meeting").bold = True
    document.add_paragraph("Paying volunteers' expenses", style="List Number")
    document.add_paragraph("Evidence that commissioners accept", style="List Number")
    document.add_heading("2. Future dates", level=1)
    document.add_paragraph("Thursday 18th July, 2.00-3.30pm", style="List Bullet")
    document.save(path)
    return path


def test_a_word_document_with_heading_styles_and_a_bold_heading(db, tmp_path):
    [result] = run_json(word_note(tmp_path / "social.docx"), "--dry-run")
    found = result["found"]
    assert (result["title"], result["cell"], result["number"], result["date"]) == (
        "Social Prescribing Cell 3",
        "Social Prescribing",
        3,
        "2024-05-16",
    )
    assert [(s["heading"], s["role"], s["reason"]) for s in found["sections"]] == [
        ("1. Opening presentations", None, "marked as a heading"),
        ("Ideas for the next meeting", "questions", "a bold line"),
        ("2. Future dates", "next meetings", "marked as a heading"),
    ]
    assert result["questions"] == ["Paying volunteers' expenses", "Evidence that commissioners accept"]
    assert next_dates(found) == [("2024-07-18", "14:00", "15:30", "high")]
    assert speakers(found) == {"Rosa Martinez": ("presenter", "Leeds Older People's Forum", "medium")}


# --- saving, and not saving -------------------------------------------------------------------------


def everything():
    return [model.objects.count() for model in (Meeting, Person, Organisation, Cell, Speaker, Question, UpcomingDate)]


def test_a_dry_run_of_every_layout_saves_nothing(db, tmp_path):
    files = sorted(NOTES.iterdir()) + [word_note(tmp_path / "social.docx")]
    before = everything()
    results = run_json(*files, "--dry-run")
    assert [r["action"] for r in results] == ["would create"] * 7
    assert everything() == before and not Version.objects.exists()


def test_every_note_is_saved_through_versions_saving_as_a_draft(db):
    real = versions.saving
    with mock.patch.object(saving.versions, "saving", side_effect=real) as spy:
        results = run_json(*sorted(NOTES.iterdir()))
    assert [r["action"] for r in results] == ["created"] * 6
    assert spy.call_count == 6
    for meeting in Meeting.objects.all():
        assert meeting.status == "draft"
        assert Version.objects.get_for_object(meeting).count() == 1
    meeting = Meeting.objects.get(title="Community Wealth Cell 4")
    assert [(s.person.name, s.role) for s in meeting.speaker_roles.all()] == [
        ("Marcus Bell", "convenor"),
        ("Hannah Okoye", "presenter"),
        ("Dev Anand", "presenter"),
    ]
    assert Person.objects.get(name="Tomasz Nowak").organisation.name == "Groundwork Pennines"
    assert not Person.objects.filter(name__contains="Alinsky").exists()


def test_next_dates_without_a_year_are_saved_with_their_times(db):
    year = timezone.localdate().year + 1
    text = f"Climate Cell 6\n\nHeld on 2 March {year}\n\nNext meeting: 15 July at 3pm, and 9 Sept 3-4.30pm\n"
    saving.import_note(parse_note(text))
    assert [(u.date, u.start_time, u.end_time) for u in UpcomingDate.objects.all()] == [
        (datetime.date(year, 7, 15), datetime.time(15), None),
        (datetime.date(year, 9, 9), datetime.time(15), datetime.time(16, 30)),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Next meetings: Weds 9 Sept 3-4.30pm", (datetime.date(2021, 9, 9), "low")),  # 9 Sept 2021 is a Thursday
        ("Next meetings: Thursday, July 15th, 3pm", (datetime.date(2021, 7, 15), "high")),
        ("Next meetings: 15 July 2021 at 3pm", (datetime.date(2021, 7, 15), "high")),
        ("Next meetings: 1 May 2021", (datetime.date(2021, 5, 1), "low")),  # before the meeting
    ],
)
def test_how_sure_the_importer_is_of_a_next_date(line, expected):
    note = parse_note(f"Community Wealth Cell 4\n\nTuesday 8th June 2021\n\n{line}")
    [found] = note.next_dates
    assert (found.date, found.confidence) == expected


def test_the_upload_page_asks_the_convenor_to_check_what_is_uncertain(client_for, users, cell):
    note = (
        "Collaborative Leadership in Place Cell 8\n\nWednesday 3 March 2021\n\nNext meetings\n\n"
        "Friday 10 June at 10am\n"
    )
    response = client_for(users["convenor"]).post(
        reverse("note_import"), {"file": SimpleUploadedFile("cell8.txt", note.encode())}
    )
    html = response.content.decode()
    assert Meeting.objects.get(number=8).status == "draft"
    assert "Check before publishing:" in html
    assert "weekday Friday disagrees: 10 June 2021 is a Thursday" in html
