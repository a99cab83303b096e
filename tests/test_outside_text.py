"""Text from outside the site: a NUL character (0x00) is refused wherever text comes in, with one clear
message naming the file (or field) and the line, and nothing is saved.

PostgreSQL cannot store a NUL in text (the save fails with a DataError) while SQLite stores it, so the
same input must be refused before the database for the site to behave the same on both: run this module
on both (DATABASE_URL=postgres://… for PostgreSQL). The doors (core/text.py): the importer and the note
upload (betterway/importer/readers.py), the content files (betterway/content.py), the site's forms and
the admin (form fields; a textarea's names the line).
"""

import io
import json
import re
import zipfile

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from betterway.content import ContentError, load_content
from cells.models import Cell, Meeting
from core.text import OutsideTextError, TextareaField, find_nul, refuse_nul
from insights.models import Insight
from people.models import Organisation, Person

from .factories import InsightFactory, MeetingFactory, PersonFactory, verified_user
from .test_round_trip import browser_submission, snapshot

MESSAGE = "the text contains a NUL character (0x00), which cannot be stored. Remove it and try again."

NOTE_WITH_NUL = (
    "Better Way roundtable on funding, 12 September 2024\n"
    "\n"
    "Funders should trust\x00 grantees.\n"
    "\n"
    "Jane Doe, the facilitator for the day, opened the roundtable.\n"
)


def nothing_saved():
    return not (Meeting.objects.exists() or Person.objects.exists() or Cell.objects.exists())


# --- the one check ------------------------------------------------------------------------------


def test_find_nul_gives_the_line_and_column():
    assert find_nul("no nul here") is None
    assert find_nul("\x00") == (1, 1)
    assert find_nul("one\ntwo\nthr\x00ee") == (3, 4)


def test_refuse_nul_names_where_and_the_line():
    assert refuse_nul("fine\ntext", "note.md") == "fine\ntext"
    with pytest.raises(OutsideTextError) as refused:
        refuse_nul("one\ntwo\nthr\x00ee", "note.md")
    assert str(refused.value) == f"note.md, line 3: {MESSAGE}"
    with pytest.raises(OutsideTextError) as refused:
        refuse_nul("a\x00")
    assert str(refused.value) == f"Line 1: {MESSAGE}"


def test_a_textarea_field_refuses_a_nul_naming_the_line_and_keeps_text_as_typed():
    field = TextareaField(required=False)
    assert field.clean("    indented\r\nline  \r\n") == "    indented\nline  \n"
    with pytest.raises(ValidationError) as refused:
        field.clean("one\r\ntw\x00o")
    assert refused.value.messages == [f"Line 2: {MESSAGE}"]
    with pytest.raises(ValidationError, match="required"):
        TextareaField().clean(" \r\n ")


# --- the importer: the command and the upload page -------------------------------------------------


def note_files():
    """(file name, bytes, the place the message names) of each kind of note file, with a NUL in its text."""
    return [
        ("note.txt", NOTE_WITH_NUL.encode(), "note.txt, line 3"),
        ("note.md", NOTE_WITH_NUL.encode(), "note.md, line 3"),
        ("windows.md", NOTE_WITH_NUL.replace("\n", "\r\n").encode("utf-8-sig"), "windows.md, line 3"),
        ("note.docx", word_document_with_nul(b"&#0;"), "note.docx, paragraph 2"),
        ("raw.docx", word_document_with_nul(b"\x00"), "raw.docx, paragraph 2"),
    ]


def word_document_with_nul(nul):
    """A Word document whose second paragraph holds a NUL. python-docx will not write one (XML cannot hold
    it), so it is put into the document's XML by hand, as another program might."""
    with pytest.raises(ValueError):
        docx.Document().add_paragraph("a\x00b")
    document = docx.Document()
    document.add_paragraph("Better Way roundtable on funding, 12 September 2024")
    document.add_paragraph("Funders should trust MARKER grantees.")
    written = io.BytesIO()
    document.save(written)
    source = zipfile.ZipFile(io.BytesIO(written.getvalue()))
    changed = io.BytesIO()
    with zipfile.ZipFile(changed, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"MARKER", nul)
            archive.writestr(item, data)
    return changed.getvalue()


@pytest.mark.parametrize(("name", "content", "where"), note_files(), ids=[name for name, _, _ in note_files()])
def test_the_import_command_refuses_a_note_with_a_nul_saying_where(db, tmp_path, name, content, where):
    path = tmp_path / name
    path.write_bytes(content)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 could not be imported"):
        call_command("import_notes", str(path), "--json", stdout=out)
    [result] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (result["action"], result["message"]) == ("error", f"{where}: {MESSAGE}")
    assert nothing_saved()


@pytest.mark.parametrize(("name", "content", "where"), note_files(), ids=[name for name, _, _ in note_files()])
def test_the_upload_page_refuses_a_note_with_a_nul_saying_where(client_for, users, name, content, where):
    client = client_for(users["staff"])  # staff: allowed to create any note, so only the NUL can refuse it
    before = (Meeting.objects.count(), Person.objects.count(), Cell.objects.count())
    response = client.post(reverse("note_import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [f"{where}: {MESSAGE}"]
    assert f"{where}: {MESSAGE}" in response.content.decode()
    assert (Meeting.objects.count(), Person.objects.count(), Cell.objects.count()) == before


def test_a_word_document_that_is_not_well_formed_is_refused_not_a_crash(db, tmp_path):
    path = tmp_path / "control.docx"
    path.write_bytes(word_document_with_nul(b"&#x1;"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_notes", str(path), "--json", stdout=out)
    assert "control.docx: this is not a Word document that can be read" in json.loads(out.getvalue())["message"]


def test_the_same_note_without_the_nul_is_imported(db, tmp_path):
    """The refusal is the NUL's: the note is otherwise fine."""
    path = tmp_path / "note.md"
    path.write_text(NOTE_WITH_NUL.replace("\x00", ""), encoding="utf-8")
    call_command("import_notes", str(path), "--json", stdout=io.StringIO())
    assert Meeting.objects.get().summary or Meeting.objects.get().notes


# --- the content files ---------------------------------------------------------------------------------


def write(directory, relative, text):
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path


@pytest.fixture
def content(tmp_path):
    write(tmp_path, "organisations.yaml", "- slug: collaborate\n  name: Collaborate\n")
    return tmp_path


def test_content_with_a_nul_in_a_value_is_refused_naming_the_file_and_field(db, content):
    write(content, "meetings/clip-cell-1.yaml", 'slug: clip-cell-1\ntitle: Cell 1\nsummary: "One\\nTw\\0o"\n')
    with pytest.raises(ContentError) as refused:
        load_content(content)
    assert str(refused.value) == f"meetings/clip-cell-1.yaml, summary, line 2: {MESSAGE}"
    assert not Organisation.objects.exists() and not Meeting.objects.exists()


def test_content_with_a_nul_in_a_list_file_names_the_item(db, content):
    write(content, "people.yaml", '- slug: a\n  name: A\n- slug: b\n  name: B\n  bio: "x\\0"\n')
    with pytest.raises(CommandError, match=re.escape(f"people.yaml, item 2, bio, line 1: {MESSAGE}")):
        call_command("load_content", str(content), stdout=io.StringIO())
    assert not Organisation.objects.exists() and not Person.objects.exists()


def test_content_with_a_nul_byte_in_the_file_is_refused_naming_the_line(db, content):
    write(content, "people.yaml", "- slug: a\n  name: A\n  bio: x\x00y\n")
    with pytest.raises(ContentError, match=re.escape(f"people.yaml, line 3: {MESSAGE}")):
        load_content(content)


def test_content_that_is_not_yaml_is_refused_naming_the_file(db, content):
    write(content, "people.yaml", "- slug: a\n  name: [unclosed\n")
    with pytest.raises(ContentError, match="people.yaml: cannot be read as UTF-8 YAML"):
        load_content(content)


# --- the site's forms and the admin ----------------------------------------------------------------------


def _superuser():
    return verified_user(username="admin@example.org", is_staff=True, is_superuser=True)


def _change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def edit_pages(users):
    """(who, the edit page, the record, the save button, a textarea, a one-line field) of each edit form."""
    meeting = MeetingFactory(cell=users["convenor"].person.memberships.get().cell, title="A meeting")
    insight = InsightFactory(title="An insight")
    member = verified_user(username="zoe@example.org")
    person = PersonFactory(user=member, name="Zoë")
    staff = _superuser()
    return [
        (users["convenor"], reverse("cells:meeting_edit", args=[meeting.slug]), meeting, "save", "notes", "title"),
        (users["staff"], reverse("insights:insight_edit", args=[insight.slug]), insight, "save", "body", "title"),
        (member, reverse("people:profile"), person, None, "bio", "name"),
        (staff, _change_url(meeting), meeting, "_save", "summary", "title"),
        (staff, _change_url(insight), insight, "_save", "body", "title"),
    ]


@pytest.mark.parametrize("page", range(5), ids=["meeting", "insight", "profile", "meeting admin", "insight admin"])
def test_every_edit_form_refuses_a_nul_and_saves_nothing(client_for, users, page):
    user, url, record, press, textarea, line = edit_pages(users)[page]
    before = snapshot(type(record)._default_manager.get(pk=record.pk))
    client = client_for(user)
    data = browser_submission(client.get(url).content.decode(), press)
    data[textarea] = ["First line\r\nsecond\x00 line"]
    data[line] = ["A title\x00"]
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["adminform"].form if "adminform" in response.context else response.context["form"]
    assert form.errors[textarea] == [f"Line 2: {MESSAGE}"]
    assert form.errors[line] == ["Null characters are not allowed."]  # Django's own, for a one-line field
    assert snapshot(type(record)._default_manager.get(pk=record.pk)) == before
    assert Insight.objects.count() == 1


def test_a_note_with_windows_line_endings_is_stored_with_lf(db, tmp_path):
    """Line endings of text from outside become LF, as a form's do (so a form round trip keeps the bytes)."""
    path = tmp_path / "windows.md"
    note = "# Better Way roundtable, 12 September 2024\n\n## Summary of key points\n\n- Trust.\n\n## In more detail\n\nText.\n"
    path.write_bytes(note.replace("\n", "\r\n").encode())
    call_command("import_notes", str(path), "--json", stdout=io.StringIO())
    meeting = Meeting.objects.get()
    assert meeting.summary and "\r" not in meeting.summary + meeting.notes + meeting.title


@pytest.mark.parametrize("path", ["/search/?q=%00", "/notes/new/?cell=%00", "/notes/%00/", "/search/?%00=x"])
def test_a_nul_character_in_the_address_is_a_bad_request_on_every_database(client, db, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "could not read that request" in response.content.decode()
