"""The history page of a meeting or insight: its versions, what changed between two, restore.

Each app's views (cells, insights) fetch the object for its author (404/403 as their rules say) and call
`history_page` or `restore_page`; what is compared is the model's own (core/diffs.py). It lives in cells,
the lowest layer that both use and that may name people (people/names.py: `editor_names`).
"""

import re

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from reversion.errors import RevertError

from core import dates, diffs, versions
from people.names import MEMBER, SOMEONE, editor_names

EMAIL = re.compile(r"[^\s@()]+@[^\s@()]+\.[^\s@()]+")  # in comments kept from before names were shown


def name_of(reader, user, *, others=SOMEONE):
    """The name `reader` sees for the account `user` (None, a deleted account: "Someone")."""
    return editor_names(reader, [user], others=others).get(getattr(user, "pk", None), SOMEONE)


def version_line(version, reader):
    """'15 July 2021 at 3:30pm by Dawn Plimmer'."""
    return f"{dates.display_datetime(version.revision.date_created)} by {name_of(reader, version.revision.user)}"


def stale_context(current, started_from, reader):
    """What a refused stale form shows (core/diffs.py), whose version is now current named as a person."""
    stale = diffs.stale_report(current, started_from)
    latest = versions.history(current).first()
    stale["by"] = version_line(latest, reader) if latest else None
    return stale


def history_page(request, obj, *, noun, restore_url):
    # an account named nowhere the reader may see: convenors write notes, staff insights, members add topics to both
    rows = _rows(obj, restore_url, request.user, others=MEMBER)
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


def _rows(obj, restore_url, reader, *, others):
    """One row per version, newest first, numbered from the oldest (1)."""
    found = list(versions.history(obj))
    named = editor_names(reader, [version.revision.user for version in found], others=others)
    return [
        {
            "version": version,
            "number": len(found) - index,
            "who": named.get(version.revision.user_id, SOMEONE),
            "when": version.revision.date_created,
            "comment": EMAIL.sub("someone", version.revision.get_comment()),
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
    number = list(versions.history(obj).values_list("pk", flat=True))[::-1].index(version.pk) + 1
    try:
        obj = versions.restore(
            version,
            user=request.user,
            comment=f"Restored version {number}, saved {dates.display_datetime(version.revision.date_created)}",
        )
    except (RevertError, IntegrityError):
        messages.error(
            request,
            "That version can no longer be restored: something it refers to has been deleted. Nothing was changed.",
        )
        return redirect(history_url, obj.slug)
    messages.success(
        request,
        f"Restored version {number}, saved {version_line(version, request.user)}. It is now the "
        "current version; the one it replaced is kept in the history below.",
    )
    return redirect(history_url, obj.slug)
