"""Uploading a note file: a convenor's Word, Markdown or text note becomes a draft meeting
through the importer (betterway/importer/), which spans people, cells and insights.

The upload is read by NoteUploadHandler, never by Django's default handlers: it keeps at most MAX_BYTES in
memory for the whole request and drops the rest, so a file of any size costs neither memory nor a temporary
file, and the form still says it is too large. The handler has to be in place before anything reads the
request's body, and the CSRF check reads it: so the view is exempt from the middleware's check and makes the
same check itself (csrf_protect), as Django's documentation on upload handlers says."""

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from cells.models import Cell
from cells.permissions import can_author_meeting, can_author_meetings
from core.permissions import require
from core.roles import is_staff

from .importer.readers import EXTENSIONS, MAX_BYTES
from .importer.saving import import_file


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Note file",
        help_text=f"A Word (.docx), Markdown (.md) or text (.txt) file, up to {MAX_BYTES // 1024 // 1024} MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not any(upload.name.lower().endswith(ext) for ext in EXTENSIONS):
            raise ValidationError("Choose a Word (.docx), Markdown (.md) or text (.txt) file.")
        if upload.size > MAX_BYTES:
            raise ValidationError(f"The file is too large: the limit is {MAX_BYTES // 1024 // 1024} MB.")
        return upload


class NoteUploadHandler(FileUploadHandler):
    """Keeps the files of one request in memory, up to `limit` bytes all together; a file past that is read to its
    end and dropped, and arrives empty with the size it really had (which the form refuses as too large)."""

    def __init__(self, request=None, limit=MAX_BYTES):
        super().__init__(request)
        self.limit = limit
        self.kept = 0  # bytes kept for this request, all files together

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer, self.size, self.dropped = io.BytesIO(), 0, False

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if not self.dropped and self.kept + len(raw_data) > self.limit:
            self.dropped = True
            self.kept -= self.buffer.tell()
            self.buffer = io.BytesIO()
        if not self.dropped:
            self.buffer.write(raw_data)
            self.kept += len(raw_data)
        return None  # no other handler sees the data

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer,
            self.field_name,
            self.file_name,
            self.content_type,
            self.size,
            self.charset,
            self.content_type_extra,
        )


@csrf_exempt  # checked by csrf_protect below, once the upload handler is in place (the module's docstring)
def import_note_file(request):
    """Upload a note file: it becomes a draft. Matching and results only ever name what the uploader may see."""
    request.upload_handlers = [NoteUploadHandler(request)]
    return _import_note_file(request)


@csrf_protect
@login_required
def _import_note_file(request):
    require(can_author_meetings(request.user))
    form = ImportForm(request.POST or None, request.FILES or None)
    results = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        checked = import_file(upload.name, data, user=request.user, dry_run=True)
        refused = [_refusal(request.user, result) for result in checked]
        if any(refused):
            for reason in filter(None, refused):
                form.add_error("file", reason)
        else:
            results = import_file(upload.name, data, user=request.user)
            for result in results:
                if result.action == "error":
                    form.add_error("file", result.message)
    return render(request, "note_import.html", {"form": form, "results": results, "error_forms": [form]})


def _refusal(user, result):
    """Why `user` may not create what this note would create, or None."""
    if result.action == "error":
        return result.message
    if result.action != "would create":
        return None
    cell = Cell.objects.filter(name__iexact=result.note.cell).first() if result.note.cell else None
    if result.note.cell and cell is None and not is_staff(user):
        return f"“{result.note.title}” is for a cell the site does not have ({result.note.cell}); ask staff."
    if not can_author_meeting(user, cell=cell):
        where = cell.name if cell else "a network event"
        return f"“{result.note.title}” is for {where}, which you do not convene."
    return None
