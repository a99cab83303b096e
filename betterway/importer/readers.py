"""Read a note file (.txt, .md or .docx) into plain text lines, refusing bad input clearly.

This is where a note's text enters the site (the import_notes command and the upload page both come
here): line endings become LF, and a NUL character is refused naming the file and the line (or, in a
Word document, the paragraph), as everywhere text comes from outside (core/text.py)."""

import io
import re
import zipfile
from pathlib import Path

from core.text import OutsideTextError, lf_line_endings, nul_message, refuse_nul

MAX_BYTES = 2 * 1024 * 1024
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

    try:
        document = docx.Document(io.BytesIO(data))
    except XMLSyntaxError as error:  # XML cannot hold a NUL: a document with one in its text is not well formed
        paragraph = _docx_nul_paragraph(data)
        if paragraph:
            raise ReadError(nul_message(f"{name}, paragraph {paragraph}")) from None
        raise ReadError(f"{name}: this is not a Word document that can be read ({error}).") from None
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ReadError(f"{name}: this is not a Word document that can be read ({error}).") from None
    lines = []
    number = 0  # of the paragraph in a numbered list, so that a list is told from numbered headings
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
        number = number + 1 if "list number" in style else 0
        if style.startswith("heading") or style == "title":
            level = 1 if style == "title" else _heading_level(style)
            lines.append(f"{'#' * level} {text}")
        elif number:
            lines.append(f"{number}. {text}")
        elif "list" in style or numbered:
            lines.append(f"• {text}")
        elif _bold(paragraph) and len(text) <= 90 and text[-1] not in ".,;!":
            lines.append(f"**{text}**")  # a bold line on its own: a heading as many convenors make them
        else:
            lines.append(text)
    return "\n\n".join(lines)


def _bold(paragraph):
    """Whether all the text of a Word paragraph is bold (by its runs or by its style)."""
    runs = [run for run in paragraph.runs if run.text.strip()]
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
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
