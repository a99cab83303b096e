"""Read a note file (.txt, .md or .docx) into plain text lines, refusing bad input clearly.

This is where a note's text enters the site (the import_notes command and the upload page both come
here): line endings become LF, and a NUL character is refused naming the file and the line (or, in a
Word document, the paragraph), as everywhere text comes from outside (core/text.py).

A Word document is a zip archive of XML parts, and a hostile one is refused before python-docx opens it, in
bounded memory and time (_safe_docx): too many parts, parts that declare (or, lying, turn out to hold) more
than MAX_EXPANDED bytes all together (a zip bomb), XML of more than MAX_TAGS elements, encrypted parts or a
compression Word does not use, and any document type declaration (<!DOCTYPE …>, where entities are declared:
"billion laughs", external entities). python-docx's own parser resolves no entities either
(resolve_entities=False), and lxml refuses a tree deeper than 256 or a text node over 10 MB; anything else
python-docx cannot read is "not a Word document that can be read", never an error of the site. The text a
document holds is limited like a text file's (MAX_BYTES)."""

import io
import re
import zipfile
from pathlib import Path

from core.text import OutsideTextError, lf_line_endings, nul_message, refuse_nul

MAX_BYTES = 2 * 1024 * 1024
MAX_EXPANDED = 20 * 1024 * 1024  # what a Word document's parts may hold, all together, once uncompressed
MAX_PARTS = 1000  # a note in Word has a dozen or two; a document with many images, a few hundred
MAX_TAGS = 250_000  # in a Word document's XML parts all together: a note has a few thousand, python-docx's template
# 24,000 (its styles); each is an element in memory and a paragraph takes python-docx some microseconds
CHUNK = 64 * 1024  # how much of a part is uncompressed at a time
EXTENSIONS = {".txt", ".md", ".markdown", ".docx"}


class ReadError(Exception):
    """A file the importer will not read; the message says why, for the person who chose it."""


def read_note_file(name, data):
    """The text of a file called `name` whose content is the bytes `data`."""
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ReadError(
            f"{name}: a {suffix or 'file without an extension'} cannot be imported; "
            "use a Word (.docx), Markdown (.md) or text (.txt) file."
        )
    if len(data) > MAX_BYTES:
        raise ReadError(
            f"{name}: the file is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB."
        )
    if not data.strip():
        raise ReadError(f"{name}: the file is empty.")
    text = _docx_text(name, data) if suffix == ".docx" else _decode(name, data)
    try:
        text = refuse_nul(lf_line_endings(text), name)
    except OutsideTextError as error:
        raise ReadError(str(error)) from None
    if not text.strip():
        raise ReadError(f"{name}: the file has no text in it.")
    return text


def _decode(name, data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReadError(
            f"{name}: the text is not UTF-8 (byte {error.start + 1} cannot be read). "
            "Save it as UTF-8 text, or as a Word document, and try again."
        ) from None


def _docx_text(name, data):
    """Word paragraphs as text lines: headings (by style, or a short bold paragraph) as Markdown headings,
    list paragraphs as bullets or numbered items."""
    import docx
    from lxml.etree import XMLSyntaxError

    data = _safe_docx(name, data)
    try:
        return _docx_lines(name, docx.Document(io.BytesIO(data)))
    except ReadError:
        raise
    except XMLSyntaxError as error:  # XML cannot hold a NUL: a document with one in its text is not well formed
        paragraph = _docx_nul_paragraph(data)
        if paragraph:
            raise ReadError(nul_message(f"{name}, paragraph {paragraph}")) from None
        raise ReadError(f"{name}: this is not a Word document that can be read ({error}).") from None
    except Exception as error:  # whatever python-docx makes of a file that is not what it expects
        raise ReadError(f"{name}: this is not a Word document that can be read ({_reason(error)}).") from None


def _docx_lines(name, document):
    lines = []
    size = 0
    number = 0  # of the paragraph in a numbered list, so that a list is told from numbered headings
    styles = {}  # a paragraph style's id (None: the default) → (its name in lower case, whether it is bold)
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style, style_bold = _style(paragraph, styles)
        numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
        number = number + 1 if "list number" in style else 0
        if style.startswith("heading") or style == "title":
            level = 1 if style == "title" else _heading_level(style)
            lines.append(f"{'#' * level} {text}")
        elif number:
            lines.append(f"{number}. {text}")
        elif "list" in style or numbered:
            lines.append(f"• {text}")
        elif _bold(paragraph, style_bold) and len(text) <= 90 and text[-1] not in ".,;!":
            lines.append(f"**{text}**")  # a bold line on its own: a heading as many convenors make them
        else:
            lines.append(text)
        size += len(lines[-1]) + 2
        if size > MAX_BYTES:
            raise ReadError(
                f"{name}: the document holds more than {MAX_BYTES // 1024 // 1024} MB of text; "
                f"the limit is {MAX_BYTES // 1024 // 1024} MB."
            )
    return "\n\n".join(lines)


class _Prolog:
    """An lxml parser target that reads an XML part up to its root element and notes on the way whether it
    declares a document type; anything else it leaves to python-docx."""

    class Done(Exception):
        pass

    def __init__(self):
        self.declares_doctype = False
        self.reached_root = False

    def doctype(self, name, pubid, system):
        self.declares_doctype = True

    def start(self, tag, attrib, nsmap=None):
        self.reached_root = True
        raise self.Done

    def end(self, tag):
        pass

    def data(self, data):
        pass

    def comment(self, text):
        pass

    def pi(self, target, data=None):
        pass

    def close(self):
        return None


def _safe_docx(name, data):
    """The Word document `data` as a zip archive python-docx may safely open, or ReadError with a message naming
    the file. Every part is uncompressed here, CHUNK bytes at a time, counting what it really holds (a part's header
    may lie about its size) and reading its prolog for a document type declaration; python-docx is then given those
    parts stored uncompressed, so that it never inflates anything itself (zipfile inflates a part whole before
    cutting it to its declared size: a lying header would cost hundreds of megabytes there)."""
    from lxml import etree

    not_word = f"{name}: this is not a Word document that can be read"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as error:  # BadZipFile, and the odd ValueError or OSError of a mangled one
        raise ReadError(f"{not_word} ({_reason(error)}).") from None
    too_large = (
        f"{name}: the document expands to more than {MAX_EXPANDED // 1024 // 1024} MB of text; "
        "a note is far smaller. Save it again from Word (without embedded files), or as text, and try again."
    )
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise ReadError(f"{name}: the file holds {len(parts):,} parts; a Word document has at most {MAX_PARTS:,}.")
        if sum(part.file_size for part in parts) > MAX_EXPANDED:
            raise ReadError(too_large)
        for part in parts:
            if part.flag_bits & 0x1:
                raise ReadError(
                    f"{name}: the document is protected by a password ({part.filename} is encrypted). "
                    "Save it without a password and try again."
                )
            if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ReadError(f"{not_word} ({part.filename} is compressed in a way Word does not use).")
        total = tags = 0
        contents = {}  # name → bytes; of two parts of one name, the last, as zipfile reads it
        for part in parts:
            prolog = _Prolog()
            parser = etree.XMLParser(target=prolog, resolve_entities=False, no_network=True)
            chunks = []
            part_tags = 0
            try:
                with archive.open(part) as member:
                    while chunk := member.read(CHUNK):
                        chunks.append(chunk)
                        part_tags += chunk.count(b"<")
                        total += len(chunk)
                        if total > MAX_EXPANDED:
                            raise ReadError(too_large)
                        if parser is not None:
                            try:
                                parser.feed(chunk)
                            except _Prolog.Done:
                                parser = None
                            except etree.XMLSyntaxError:
                                parser = None  # not XML (an image), or not well formed: python-docx says which
            except ReadError:
                raise
            except Exception as error:  # a bad CRC, a truncated or mangled part
                raise ReadError(f"{not_word} ({part.filename}: {_reason(error)}).") from None
            if prolog.reached_root:  # an XML part: python-docx may build its elements in memory
                tags += part_tags
                if tags > MAX_TAGS:
                    raise ReadError(
                        f"{name}: the document is made of more than {MAX_TAGS:,} XML elements; a note has a few "
                        "thousand. Save it again from Word, or as text, and try again."
                    )
            if prolog.declares_doctype and not part.filename.lower().endswith(".svg"):  # an SVG image may have one
                raise ReadError(
                    f"{not_word}: its part {part.filename} declares a document type (<!DOCTYPE …>), "
                    "which Word never writes and the site does not read."
                )
            contents[part.filename] = b"".join(chunks)
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as archive:
        for part_name in list(contents):
            archive.writestr(part_name, contents.pop(part_name))
    return stored.getvalue()


def _reason(error):
    """An exception of a library reading a file, as a few words for a person."""
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])[:200]  # "There is no item named 'word/document.xml' in the archive"
    if isinstance(error, (AttributeError, TypeError, IndexError, NotImplementedError)) or not str(error).strip():
        return "its parts are not those of a Word document"
    return str(error).strip()[:200]


def _style(paragraph, styles):
    """(name in lower case, bold) of a paragraph's style, looked up once per style in `styles`: python-docx looks
    through every style of the document each time it is asked (a millisecond: minutes for a long document)."""
    style_id = paragraph._p.style
    if style_id not in styles:
        style = paragraph.style
        styles[style_id] = ((style.name or "").lower(), bool(style.font.bold)) if style is not None else ("", False)
    return styles[style_id]


def _bold(paragraph, style_bold):
    """Whether all the text of a Word paragraph is bold (by its runs, or by its style: `style_bold`)."""
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(run.bold or (run.bold is None and style_bold) for run in runs)


def _docx_nul_paragraph(data):
    """The paragraph (counted from 1) of a Word document's body that holds a NUL character, or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        return None
    found = re.search(rb"\x00|&#0+;|&#[xX]0+;", xml)
    if not found:
        return None
    return max(len(re.findall(rb"<w:p[ >]", xml[: found.start()])), 1)


def _heading_level(style):
    digits = "".join(ch for ch in style if ch.isdigit())
    return min(int(digits or 1) + 1, 4)
