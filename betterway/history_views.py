"""History pages of meetings and insights: versions, what changed between two, restore.

One generic page (`_history`, `_restore`) serves both models; a `Kind` holds what differs:
the model, the fields compared, who may author, the URL names, and (for meetings) the
speakers and questions that belong to each version.
"""

import difflib
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from reversion.errors import RevertError

from cells.models import Meeting, Question, Speaker
from insights.models import Insight
from people.models import Person

from . import versions
from .permissions import can_author_insights, can_author_meeting, require

MEETING_FIELDS = [
    ("title", "Title"), ("date", "Date"), ("place", "Place"), ("summary", "Summary of key points"),
    ("notes", "The notes in detail"), ("editorial_note", "Editorial note"), ("visibility", "Who may read it"),
    ("notes_visibility", "Who may read the detailed notes"), ("status", "Status"),
]
INSIGHT_FIELDS = [
    ("title", "Title"), ("standfirst", "Standfirst"), ("body", "Body"), ("editorial_note", "Editorial note"),
    ("visibility", "Who may read it"), ("status", "Status"),
]


KEEP_UNCHANGED = 2  # unchanged paragraphs shown around a change; longer runs are cut to "[n unchanged]"


@dataclass(frozen=True)
class Kind:
    model: Any
    fields: list
    may_author: Any  # (user, obj) -> bool
    history_url: str
    restore_url: str
    noun: str
    extras: Any = None  # (version) -> {name: text}, with (name, label) pairs in extra_fields
    extra_fields: tuple = ()


def _meeting_parts(version):
    """The speakers and questions saved with this version of a meeting, as text."""
    speakers, questions = [], []
    for part in version.revision.version_set.select_related("content_type"):
        model, fields = part.content_type.model_class(), part.field_dict
        if model is Speaker and fields["meeting_id"] == int(version.object_id):
            speakers.append((fields["order"], fields["person_id"], fields["role"]))
        elif model is Question and fields["raised_at_id"] == int(version.object_id):
            questions.append((fields["order"], fields["text"]))
    names = Person.objects.in_bulk([person_id for _, person_id, _ in speakers])
    return {
        "speakers": "\n".join(
            f"{names[person_id].name if person_id in names else 'someone since removed'} "
            f"({_label(Speaker.Role, role)})"
            for _, person_id, role in sorted(speakers)
        ),
        "questions": "\n".join(text for _, text in sorted(questions)),
    }


MEETING = Kind(
    model=Meeting, fields=MEETING_FIELDS, may_author=can_author_meeting, noun="note",
    history_url="cells:meeting_history", restore_url="cells:meeting_restore",
    extras=_meeting_parts, extra_fields=(("speakers", "Speakers"), ("questions", "Questions for later meetings")),
)
INSIGHT = Kind(
    model=Insight, fields=INSIGHT_FIELDS, may_author=lambda user, insight: can_author_insights(user),
    noun="insight", history_url="insights:insight_history", restore_url="insights:insight_restore",
)


@login_required
def meeting_history(request, slug):
    return _history(request, MEETING, slug)


@login_required
@require_POST
def restore_meeting(request, slug, version_id):
    return _restore(request, MEETING, slug, version_id)


@login_required
def insight_history(request, slug):
    return _history(request, INSIGHT, slug)


@login_required
@require_POST
def restore_insight(request, slug, version_id):
    return _restore(request, INSIGHT, slug, version_id)


def _object_for_author(request, kind, slug):
    """The object if the user may see it (else 404) and author it (else 403); never one in the bin."""
    obj = get_object_or_404(kind.model.objects.visible_to(request.user), slug=slug)
    require(kind.may_author(request.user, obj))
    return obj


def _history(request, kind, slug):
    obj = _object_for_author(request, kind, slug)
    rows = _rows(kind, obj)
    old, new = _pair(rows, request.GET.get("old"), request.GET.get("new"))
    for row in rows:
        row["compare_from"], row["compare_to"] = row is old, row is new
    context = {
        "object": obj,
        "noun": kind.noun,
        "rows": rows,
        "old": old,
        "new": new,
        "changes": compare(kind, old["version"], new["version"]) if old else None,
    }
    return render(request, "history/history.html", context)


def _rows(kind, obj):
    """One row per version, newest first, numbered from the oldest (1)."""
    found = list(versions.history(obj))
    return [
        {
            "version": version,
            "number": len(found) - index,
            "who": _who(version.revision.user),
            "when": version.revision.date_created,
            "comment": version.revision.get_comment(),
            "is_current": index == 0,
            "restorable": index > 0,
            "restore_url": reverse(kind.restore_url, args=[obj.slug, version.pk]),
        }
        for index, version in enumerate(found)
    ]


def _pair(rows, old_id, new_id):
    """The two rows to compare: those asked for, else the latest against the one before; older first."""
    by_id = {str(row["version"].pk): row for row in rows}
    if old_id in by_id and new_id in by_id and old_id != new_id:
        old, new = sorted([by_id[old_id], by_id[new_id]], key=lambda row: row["number"])
        return old, new
    if len(rows) < 2:
        return None, rows[0] if rows else None
    return rows[1], rows[0]


def compare(kind, old, new):
    """[(label, html)] of what differs between two versions (or field dicts) of a `kind` object."""
    return _changes(_readable(kind, old), _readable(kind, new), [*kind.fields, *kind.extra_fields])


def _changes(old, new, fields):
    """versions.changes, compared line by line where the text has several lines (paragraphs, list
    items, speakers): only the changed lines word by word, and long unchanged runs cut short."""
    names = {label: name for name, label in fields}
    result = []
    for label, html in versions.changes(old, new, fields):
        before, after = _lines(old.get(names[label])), _lines(new.get(names[label]))
        if len(before) > 1 or len(after) > 1:
            html = _line_diff(before, after)
        result.append((label, html))
    return result


def _lines(value):
    return value.replace("\r\n", "\n").split("\n") if isinstance(value, str) else [value]


def _line_diff(before, after, keep=KEEP_UNCHANGED):
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            run = before[i1:i2]
            said = [line for line in run if line.strip()]
            if len(said) > keep:
                pieces.append(format_html('<span class="diff-gap">[{} unchanged paragraph{}]</span>',
                                          len(said), pluralize(len(said))))
            else:
                pieces.extend(escape(line) for line in run)
        elif op == "delete":
            pieces.extend(format_html("<del>{}</del>", line) if line else "" for line in before[i1:i2])
        elif op == "insert":
            pieces.extend(format_html("<ins>{}</ins>", line) if line else "" for line in after[j1:j2])
        elif i2 - i1 == j2 - j1:  # as many lines as before: compare each with its counterpart
            pieces.extend(versions.word_diff(was, now) for was, now in zip(before[i1:i2], after[j1:j2], strict=True))
        else:
            pieces.append(versions.word_diff("\n".join(before[i1:i2]), "\n".join(after[j1:j2])))
    return mark_safe("<br>".join(pieces))  # noqa: S308 - every piece is escaped above or by word_diff


def _readable(kind, version):
    """The compared fields of a version as people read them: choice labels, not stored codes."""
    values = dict(version.field_dict) if hasattr(version, "field_dict") else dict(version)
    for name, _label_text in kind.fields:
        choices = kind.model._meta.get_field(name).choices
        if choices and name in values:
            values[name] = dict(choices).get(values[name], values[name])
    if kind.extras is not None and hasattr(version, "revision"):
        values.update(kind.extras(version))
    return values


def changed_meanwhile(kind, obj, started_from, current):
    """For a refused stale form: [(label, html)] of what others changed since version `started_from`
    (an edit_version number) up to `current` (the stored object); None if that version is not kept."""
    for version in versions.history(obj):
        if version.field_dict.get("edit_version") == started_from:
            now = {name: getattr(current, name) for name, _label_text in kind.fields}
            return _changes(_readable(kind, version), _readable(kind, now), kind.fields)
    return None


def _restore(request, kind, slug, version_id):
    obj = _object_for_author(request, kind, slug)
    version = get_object_or_404(versions.history(obj), pk=version_id)
    try:
        obj = versions.restore(version, user=request.user)
    except (RevertError, IntegrityError):
        messages.error(request, "That version can no longer be restored: something it refers to has been "
                                "deleted. Nothing was changed.")
        return redirect(kind.history_url, obj.slug)
    messages.success(request, f"Restored the version of {versions.version_label(version)}. It is now the "
                              "current version; the one it replaced is kept in the history below.")
    return redirect(kind.history_url, obj.slug)


def _who(user):
    if user is None:
        return "the system"
    return user.get_full_name() or user.email or user.get_username()


def _label(choices, value):
    return dict(choices.choices).get(value, value)
