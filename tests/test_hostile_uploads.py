"""Hostile note files are refused cleanly, in bounded memory and time, by the upload page (/notes/import/) and by
`manage.py import_notes` alike: zip bombs (sizes declared, and sizes lied about), XML with a document type
(billion laughs, external entities), broken XML, zips that are not Word documents, encrypted parts, too many
parts; and notes whose text would make the importer work for minutes (4,000 speakers, a line of capitalised
words and "of"s, a page of dates, thousands of notes in one file).

Every hostile file is made here, in the test, and the bombs are written a megabyte at a time: no test holds the
hundreds of megabytes a bomb expands to (tracemalloc checks the reader does not either)."""

import functools
import io
import json
import struct
import time
import tracemalloc
import zipfile
import zlib

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from betterway.importer import parsing
from betterway.importer.readers import MAX_BYTES, MAX_EXPANDED, MAX_PARTS, MAX_TAGS, ReadError, read_note_file
from cells.models import Cell, Meeting, Question, Speaker, UpcomingDate
from people.models import Organisation, Person

DOCUMENT = "word/document.xml"
MEGABYTE = 1024 * 1024
SECONDS = 10  # what any refusal here may take, on a slow machine: before the fixes these took from 30 s to hours
NOT_WORD = "this is not a Word document that can be read"


# --- making hostile files ----------------------------------------------------------------------------------------


@functools.cache
def word_document(title="Better Way roundtable on funding, 12 September 2024"):
    """A small, valid Word document, as python-docx writes one."""
    document = docx.Document()
    document.add_paragraph(title)
    document.add_paragraph("Jane Doe, the facilitator for the day, opened the roundtable. MARKER")
    written = io.BytesIO()
    document.save(written)
    return written.getvalue()


def rebuilt(data=None, *, change=None, drop=(), add=()):
    """A copy of the Word document `data` with some parts changed (name → new bytes, or a function of the old
    bytes), dropped or added (name, bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data or word_document()))
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in source.infolist():
            if part.filename in drop:
                continue
            content = source.read(part)
            new = (change or {}).get(part.filename)
            if new is not None:
                content = new(content) if callable(new) else new
            archive.writestr(part.filename, content)
        for name, content in add:
            archive.writestr(name, content)
    return written.getvalue()


def in_document(replace):
    """A Word document whose document.xml has MARKER replaced by `replace`."""
    return rebuilt(change={DOCUMENT: lambda xml: xml.replace(b"MARKER", replace)})


def with_doctype(doctype, *, part=DOCUMENT, marker=b""):
    """A Word document whose `part` declares `doctype` after its XML declaration (and uses `marker` in its text)."""

    def change(xml):
        head, rest = xml.split(b"?>", 1)
        return head + b"?>" + doctype + rest.replace(b"MARKER", marker)

    return rebuilt(change={part: change})


def document_xml(megabytes):
    """The pieces of a document.xml holding `megabytes` MB of paragraphs, a megabyte at a time."""
    head, tail = zipfile.ZipFile(io.BytesIO(word_document())).read(DOCUMENT).split(b"</w:body>")
    paragraph = b"<w:p><w:r><w:t>" + b"a" * 1000 + b"</w:t></w:r></w:p>"
    yield head
    for _ in range(megabytes):
        yield paragraph * (MEGABYTE // len(paragraph))
    yield b"</w:body>" + tail


def streamed_document(megabytes, *, force_zip64=True):
    """A Word document whose document.xml holds `megabytes` MB of paragraphs, written a megabyte at a time (the
    test never holds it whole): a zip bomb of a megabyte or two that expands to hundreds."""
    source = zipfile.ZipFile(io.BytesIO(word_document()))
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in source.infolist():
            if part.filename != DOCUMENT:
                archive.writestr(part.filename, source.read(part))
        member = zipfile.ZipInfo(DOCUMENT)
        member.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(member, "w", force_zip64=force_zip64) as stream:
            for piece in document_xml(megabytes):
                stream.write(piece)
    return written.getvalue()


def crc_of_the_start(pieces, size):
    """The CRC-32 of the first `size` bytes of the pieces."""
    crc = 0
    for piece in pieces:
        crc = zlib.crc32(piece[:size], crc)
        size -= len(piece[:size])
        if not size:
            return crc
    raise AssertionError("shorter than that")


def patched(data, name, *, central, local):
    """The zip `data` with fields of the entry `name` overwritten: {offset: (struct format, value)} in its
    central directory record and in its local header (zipfile trusts the central directory)."""
    data = bytearray(data)
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) >= 0:
        length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + length] == name.encode():
            for offset, (form, value) in central.items():
                struct.pack_into(form, data, start + offset, value)
            header = struct.unpack_from("<L", data, start + 42)[0]
            for offset, (form, value) in local.items():
                struct.pack_into(form, data, header + offset, value)
            return bytes(data)
        start += 4
    raise AssertionError(f"{name} is not in the zip")


@functools.cache
def bomb():
    """About a megabyte that expands to 300 MB, and says so in its headers."""
    return streamed_document(300)


@functools.cache
def lying_bomb(crc=False):
    """About a megabyte that expands to 300 MB, while its headers say document.xml is 10 MB (and, with `crc`, give
    the checksum of its first 10 MB, so that zipfile, reading no further, finds nothing wrong)."""
    data = streamed_document(300, force_zip64=False)
    central, local = {24: ("<L", 10 * MEGABYTE)}, {22: ("<L", 10 * MEGABYTE)}
    if crc:
        checksum = crc_of_the_start(document_xml(300), 10 * MEGABYTE)
        central[16], local[14] = ("<L", checksum), ("<L", checksum)
    return patched(data, DOCUMENT, central=central, local=local)


def billion_laughs():
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (level, b"".join(b"&lol%d;" % (level - 1) for _ in range(10)))
        for level in range(1, 10)
    )
    return with_doctype(b"<!DOCTYPE w:document [" + entities + b"]>", marker=b"&lol9;")


def external_entity():
    return with_doctype(b'<!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>', marker=b"&secret;")


def deeply_nested():
    return in_document(b"<w:r>" * 5000 + b"</w:r>" * 5000)


def encrypted():
    """Word's password protection encrypts the parts; zipfile cannot write that, so the flag is set by hand."""
    return patched(rebuilt(), DOCUMENT, central={8: ("<H", 0x1)}, local={6: ("<H", 0x1)})


def strange_compression():
    return patched(rebuilt(), DOCUMENT, central={10: ("<H", 99)}, local={8: ("<H", 99)})  # 99: AES


def many_parts():
    return rebuilt(add=[(f"customXml/extra{n}.xml", b"<a/>") for n in range(MAX_PARTS + 500)])


def paragraphs(count, paragraph=b"<w:p/>"):
    """A Word document whose body is `count` times `paragraph`."""
    return rebuilt(change={DOCUMENT: lambda xml: xml.replace(b"</w:body>", paragraph * count + b"</w:body>")})


def too_much_text():
    """A document of 3 MB of text (well under what its parts may expand to), more than a text file may hold."""
    return streamed_document(3)


def zip_of(parts):
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts:
            archive.writestr(name, content)
    return written.getvalue()


def parts_of(data):
    return len(zipfile.ZipFile(io.BytesIO(data)).infolist())


HOSTILE = {
    # name: (the file's bytes, made when the test runs; what the message says)
    "zip bomb": (bomb, f"the document expands to more than {MAX_EXPANDED // MEGABYTE} MB of text"),
    "zip bomb lying about its size": (lying_bomb, f"{NOT_WORD} (word/document.xml: Bad CRC-32"),
    "zip bomb lying about its size and checksum": (
        lambda: lying_bomb(crc=True),
        f"{NOT_WORD} (Premature end of data",  # python-docx is given the 10 MB the headers promise
    ),
    "billion laughs": (
        billion_laughs,
        f"{NOT_WORD}: its part word/document.xml declares a document type (<!DOCTYPE …>)",
    ),
    "external entity": (external_entity, f"{NOT_WORD}: its part word/document.xml declares a document type"),
    "doctype in the styles": (
        lambda: with_doctype(b"<!DOCTYPE w:styles>", part="word/styles.xml"),
        f"{NOT_WORD}: its part word/styles.xml declares a document type",
    ),
    "broken xml": (lambda: rebuilt(change={DOCUMENT: lambda xml: xml[: len(xml) // 2]}), NOT_WORD),
    "xml that is not a document": (
        lambda: rebuilt(change={DOCUMENT: b'<?xml version="1.0"?><html><body/></html>'}),
        f"{NOT_WORD} (its parts are not those of a Word document)",
    ),
    "deeply nested xml": (deeply_nested, NOT_WORD),
    "not a zip": (lambda: b"PK\x03\x04" + b"not really a zip " * 100, f"{NOT_WORD} (File is not a zip file)"),
    "a zip without word/document.xml": (
        lambda: rebuilt(drop={DOCUMENT}),
        f"{NOT_WORD} (There is no item named 'word/document.xml' in the archive)",
    ),
    "a zip of something else": (
        lambda: zip_of([("hello.txt", b"hello")]),
        f"{NOT_WORD} (There is no item named '[Content_Types].xml' in the archive)",
    ),
    "encrypted": (encrypted, "the document is protected by a password (word/document.xml is encrypted)"),
    "compressed as Word does not": (
        strange_compression,
        f"{NOT_WORD} (word/document.xml is compressed in a way Word does not use",
    ),
    "too many parts": (
        many_parts,
        f"the file holds {parts_of(word_document()) + MAX_PARTS + 500:,} parts; a Word document has at most",
    ),
    "too many elements": (
        lambda: paragraphs(MAX_TAGS),
        f"the document is made of more than {MAX_TAGS:,} XML elements; a note has a few thousand",
    ),
    "too many elements in an image": (
        lambda: rebuilt(add=[("word/media/image1.svg", b"<!DOCTYPE svg><svg>" + b"<g/>" * MAX_TAGS + b"</svg>")]),
        f"the document is made of more than {MAX_TAGS:,} XML elements",
    ),
    "too much text": (too_much_text, "the document holds more than 2 MB of text; the limit is 2 MB"),
}


def saved():
    """What an import could have written."""
    models = (Meeting, Person, Organisation, Cell, Speaker, Question, UpcomingDate)
    return {model.__name__: model.objects.count() for model in models}


# --- the reader ----------------------------------------------------------------------------------------------


def expanded_size(data, name):
    """What the part `name` of the zip `data` really expands to, whatever its headers say: inflated a megabyte at a
    time, never held whole."""
    part = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    name_length, extra_length = struct.unpack_from("<HH", data, part.header_offset + 26)
    start = part.header_offset + 30 + name_length + extra_length
    compressed = data[start : start + part.compress_size]
    inflater = zlib.decompressobj(-15)
    size = 0
    while True:
        out = inflater.decompress(compressed, MEGABYTE)
        compressed = inflater.unconsumed_tail
        size += len(out)
        if not out and not compressed:
            return size


def test_the_hostile_word_documents_are_what_they_say():
    """The files the tests below refuse are the attacks they are named for."""
    for made in (bomb(), lying_bomb(), lying_bomb(crc=True)):
        assert len(made) < 2 * MEGABYTE  # small enough to upload
        assert expanded_size(made, DOCUMENT) > 300 * 1000 * 1000
    assert zipfile.ZipFile(io.BytesIO(bomb())).getinfo(DOCUMENT).file_size > 300 * 1000 * 1000
    assert zipfile.ZipFile(io.BytesIO(lying_bomb())).getinfo(DOCUMENT).file_size == 10 * MEGABYTE
    with zipfile.ZipFile(io.BytesIO(lying_bomb(crc=True))) as archive, archive.open(DOCUMENT) as stream:
        read = sum(len(chunk) for chunk in iter(lambda: stream.read(MEGABYTE), b""))  # its CRC checked at the end
        assert read == 10 * MEGABYTE  # zipfile reads the 10 MB the header promises, and finds nothing wrong
    assert parts_of(many_parts()) > MAX_PARTS
    assert zipfile.ZipFile(io.BytesIO(encrypted())).getinfo(DOCUMENT).flag_bits & 0x1


@pytest.mark.parametrize("crc", [None, False, True], ids=["declared", "lying", "lying with a checksum"])
def test_a_zip_bomb_is_refused_before_it_is_expanded(crc):
    """Before, the bomb took 13 minutes and 1.7 GB (a 400 MB one); the lying one 630 MB, as zipfile inflates a
    part whole before cutting it to the size its header gives."""
    data = bomb() if crc is None else lying_bomb(crc=crc)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ReadError):
            read_note_file("bomb.docx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < SECONDS
    assert peak < 3 * MAX_EXPANDED  # a few times what a document may expand to, never the bomb


def test_python_docx_resolves_no_entity_even_were_a_doctype_let_through(tmp_path):
    """The refusal of any DOCTYPE is a second lock: python-docx's parsers already leave entities unresolved."""
    from docx.opc.oxml import parse_xml as parse_package_xml
    from docx.oxml.parser import parse_xml

    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    xml = (
        f'<!DOCTYPE r [<!ENTITY file SYSTEM "file://{secret}"><!ENTITY laugh "ha">'
        '<!ENTITY laughs "&laugh;&laugh;&laugh;">]><r>&file;&laughs;</r>'
    ).encode()
    for parse in (parse_xml, parse_package_xml):
        assert "".join(parse(xml).itertext()) == "&file;&laughs;"  # left as references, never read or expanded


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_the_reader_refuses_each_hostile_word_document_naming_the_file(case):
    made, message = HOSTILE[case]
    started = time.monotonic()
    with pytest.raises(ReadError) as refused:
        read_note_file("note.docx", made())
    assert time.monotonic() - started < SECONDS
    assert str(refused.value).startswith(f"note.docx: {message}")
    assert "root:" not in str(refused.value)  # nothing of /etc/passwd, whatever else


def test_a_word_document_under_the_limits_is_still_read():
    assert read_note_file("note.docx", word_document()).startswith("Better Way roundtable on funding")
    with_svg = rebuilt(add=[("word/media/image1.svg", b'<?xml version="1.0"?><!DOCTYPE svg><svg/>')])
    assert "Jane Doe" in read_note_file("note.docx", with_svg)  # an SVG image may declare its DTD


def test_a_long_word_document_is_read_in_seconds():
    """python-docx looks through every style of the document each time a paragraph's style is asked for: 5 ms a
    paragraph, 200 s for 30,000 short ones. The reader asks once per style."""
    data = paragraphs(10_000, b"<w:p><w:r><w:t>A line of the notes.</w:t></w:r></w:p>")
    started = time.monotonic()
    text = read_note_file("long.docx", data)
    assert time.monotonic() - started < SECONDS
    assert text.count("A line of the notes.") == 10_000


# --- the command and the upload page ---------------------------------------------------------------------------


def run_json(path):
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 could not be imported"):
        call_command("import_notes", str(path), "--json", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_the_command_refuses_each_hostile_word_document_and_saves_nothing(db, tmp_path, case):
    made, message = HOSTILE[case]
    path = tmp_path / "hostile.docx"
    path.write_bytes(made())
    before = saved()
    started = time.monotonic()
    [result] = run_json(path)
    assert time.monotonic() - started < SECONDS
    assert result["action"] == "error" and result["message"].startswith(f"hostile.docx: {message}")
    assert saved() == before


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_the_upload_page_refuses_each_hostile_word_document_and_saves_nothing(client_for, users, case):
    made, message = HOSTILE[case]
    client = client_for(users["staff"])  # staff may create any note: only the file can be refused
    before = saved()
    started = time.monotonic()
    response = client.post(reverse("note_import"), {"file": SimpleUploadedFile("hostile.docx", made())})
    assert time.monotonic() - started < SECONDS
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert error.startswith(f"hostile.docx: {message}")
    assert "There is a problem" in response.content.decode()
    assert saved() == before


# --- notes whose text would keep the importer busy ------------------------------------------------------------------

FIRST_NAMES = ["Ada", "Ben", "Cara", "Dev", "Eve", "Finn", "Gail", "Hugo", "Isla", "Jon"]


def names(count):
    """`count` different names of people, as a note writes them: 'Ada Bamson'."""
    surnames = [f"{a}{b}{c}{end}" for end in ("son", "ley") for a in "BCDFGHKLMNPRST" for b in "aeiou" for c in "lmnrt"]
    return [f"{first} {surname}" for surname in surnames for first in FIRST_NAMES][:count]


def note_with_speakers(count, *, listed=False):
    people = names(count)
    if listed:
        body = "Speakers\n\n" + "\n".join(f"- {name} (Green Streets)" for name in people)
    else:
        body = "\n".join(f"{name} from Green Streets explained the scheme." for name in people)
    return f"Climate Action Cell 2\n\nNotes of the meeting held on 3rd March 2025, online\n\n{body}\n"


@pytest.mark.parametrize("listed", [False, True], ids=["in prose", "in a list"])
def test_a_note_naming_4000_speakers_is_refused_quickly_and_saves_nothing(db, tmp_path, listed):
    """It took 44 s (the speakers' roles were looked for in the whole text once for each of them), and would have
    saved 4,000 people."""
    path = tmp_path / "crowd.txt"
    path.write_text(note_with_speakers(4000, listed=listed))
    started = time.monotonic()
    [result] = run_json(path)
    assert time.monotonic() - started < SECONDS
    assert result["message"] == (
        "crowd.txt: This note names 4,000 speakers; a meeting can name at most 200. "
        "Split it into one note per meeting, or list only those who spoke, and try again."
    )
    assert saved() == {name: 0 for name in saved()}


def test_the_upload_page_refuses_a_note_naming_4000_speakers(client_for, users):
    client = client_for(users["staff"])
    before = saved()
    note = note_with_speakers(4000).encode()
    response = client.post(reverse("note_import"), {"file": SimpleUploadedFile("crowd.txt", note)})
    assert response.context["form"].errors["file"][0].startswith("crowd.txt: This note names 4,000 speakers")
    assert saved() == before


def test_a_note_naming_200_speakers_is_imported_with_all_of_them(db, tmp_path):
    path = tmp_path / "panel.txt"
    path.write_text(note_with_speakers(200, listed=True))
    out = io.StringIO()
    call_command("import_notes", str(path), "--json", stdout=out)
    [result] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert result["action"] == "created" and len(result["speakers"]) == 200
    assert Meeting.objects.get().speaker_roles.count() == 200


def test_finding_speakers_takes_time_in_proportion_to_the_note(monkeypatch):
    """Without the limit, 4,000 speakers in prose are read in seconds (it was 27 s), with 20,000 people on the site."""
    monkeypatch.setattr(parsing, "MAX_SPEAKERS", 10**6)
    known = [f"Known {name}" for name in names(4000)] * 5
    started = time.monotonic()
    note = parsing.parse_note(note_with_speakers(4000), known_people=known)
    assert time.monotonic() - started < SECONDS
    assert len(note.speakers) == 4000
    assert note.speakers[0].name == "Ada Balson" and note.speakers[0].organisation == "Green Streets"


@pytest.mark.parametrize(
    ("line", "size"),
    [
        ("Ada Bee of Cat Dee of ", 100_000),  # read again from each name: hours for a 2 MB note
        ("Thursday 15th July, 3.00pm-4.30pm ", MAX_BYTES // 2),  # each date compared with all before it
    ],
    ids=["names and ofs", "dates"],
)
def test_a_note_of_one_long_hostile_line_is_read_in_bounded_time(line, size):
    text = "Climate Action Cell 2, 3 March 2025\n\nNext meetings\n\n" + line * (size // len(line))
    started = time.monotonic()
    parsing.parse_note(text)
    assert time.monotonic() - started < SECONDS


def test_a_note_giving_more_than_100_next_dates_is_refused(db, tmp_path):
    days = ", ".join(
        f"{day} {month} 2030" for month in ("January", "February", "March", "April") for day in range(1, 29)
    )
    path = tmp_path / "dates.txt"
    path.write_text(f"Climate Action Cell 2, 3 March 2025\n\nNext meetings\n\n{days}\n")
    [result] = run_json(path)
    assert result["message"].startswith("dates.txt: This note gives more than 100 next meeting dates")
    assert saved() == {name: 0 for name in saved()}


def test_a_file_of_thousands_of_notes_is_refused_before_any_is_saved(db, tmp_path):
    """Each note is its own draft: 2 MB of tiny notes made 25,000 drafts, at 60 a second."""
    notes = "".join(f"A Better Way A Better Way\nRoundtable on topic {n}\n\nText.\nRead More\n" for n in range(5000))
    path = tmp_path / "listing.txt"
    path.write_text(notes)
    started = time.monotonic()
    [result] = run_json(path)
    assert time.monotonic() - started < SECONDS
    assert result["message"] == (
        "listing.txt: the file holds 5,000 notes; at most 100 are imported from one file. "
        "Split it into smaller files and try again."
    )
    assert saved() == {name: 0 for name in saved()}
