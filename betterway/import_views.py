"""Uploading a note file: a convenor's Word, Markdown or text note becomes a draft meeting
through the importer (betterway/importer/), which spans people, cells and insights."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render

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


@login_required
def import_note_file(request):
    """Upload a note file: it becomes a draft. Matching and results only ever name what the uploader may see."""
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
