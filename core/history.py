"""The history page of a meeting or insight: its versions, what changed between two, restore.

Each app's views fetch the object for its author (404/403 as their rules say) and call
`history_page` or `restore_page`; what is compared is the model's own (core/diffs.py).
"""

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from reversion.errors import RevertError

from . import diffs, versions


def history_page(request, obj, *, noun, restore_url):
    rows = _rows(obj, restore_url)
    old, new = _pair(rows, request.GET.get("old"), request.GET.get("new"))
    for row in rows:
        row["compare_from"], row["compare_to"] = row is old, row is new
    context = {
        "object": obj,
        "noun": noun,
        "rows": rows,
        "old": old,
        "new": new,
        "changes": diffs.compare(type(obj), old["version"], new["version"]) if old else None,
    }
    return render(request, "history/history.html", context)


def _rows(obj, restore_url):
    """One row per version, newest first, numbered from the oldest (1)."""
    found = list(versions.history(obj))
    return [
        {
            "version": version,
            "number": len(found) - index,
            "who": versions.who(version.revision.user),
            "when": version.revision.date_created,
            "comment": version.revision.get_comment(),
            "is_current": index == 0,
            "restorable": index > 0,
            "restore_url": reverse(restore_url, args=[obj.slug, version.pk]),
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


def restore_page(request, obj, version_id, *, history_url):
    version = get_object_or_404(versions.history(obj), pk=version_id)
    try:
        obj = versions.restore(version, user=request.user)
    except (RevertError, IntegrityError):
        messages.error(
            request,
            "That version can no longer be restored: something it refers to has been deleted. Nothing was changed.",
        )
        return redirect(history_url, obj.slug)
    messages.success(
        request,
        f"Restored the version of {versions.version_label(version)}. It is now the "
        "current version; the one it replaced is kept in the history below.",
    )
    return redirect(history_url, obj.slug)
