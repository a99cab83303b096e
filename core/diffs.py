"""What changed between two versions of a meeting or insight, as HTML for people to read.

One implementation serves the history page's comparison and the warning shown with a
refused stale edit ("what changed meanwhile"). Each model names what is compared:
`compared_fields` (its own fields) and `compared_parts` with `version_parts(version)`
(what is saved with it: speakers, questions, tags).
"""

import difflib

from django.template.defaultfilters import pluralize
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from . import versions

KEEP_UNCHANGED = 2  # unchanged paragraphs shown around a change; longer runs are cut to "[n unchanged]"


def compare(model, old, new):
    """[(label, html)] of what differs between two versions of a `model` object, older first."""
    fields = [*model.compared_fields, *model.compared_parts]
    return _changes(_readable(model, old), _readable(model, new), fields)


def changed_meanwhile(obj, started_from):
    """For a refused stale form: [(label, html)] of what others changed since the version with
    edit_version `started_from` up to the latest one; None if that version is not kept."""
    then = versions.version_at(obj, started_from)
    now = versions.history(obj).first()
    if then is None or now is None:
        return None
    return compare(type(obj), then, now)


def stale_report(current, started_from):
    """What a refused stale form shows: what changed meanwhile (cells/history.py's stale_context adds who)."""
    return {"changes": changed_meanwhile(current, started_from)}


def _readable(model, version):
    """The compared fields of a version as people read them: choice labels, not stored codes."""
    values = dict(version.field_dict)
    for name, _label in model.compared_fields:
        field = model._meta.get_field(name)
        if field.choices and name in values:
            values[name] = dict(field.choices).get(values[name], values[name])
        elif field.is_relation and name in values:
            related = field.related_model._default_manager.filter(pk=values[name]).first()
            values[name] = str(related) if related else ""
    values.update(model.version_parts(version))
    return values


def _changes(old, new, fields):
    """[(label, html)] for each field that differs: several-line texts (paragraphs, list items,
    speakers) line by line, only the changed lines word by word, long unchanged runs cut short."""
    result = []
    for name, label in fields:
        before, after = _text(old.get(name)), _text(new.get(name))
        if before == after:
            continue
        before_lines, after_lines = _lines(before), _lines(after)
        if len(before_lines) > 1 or len(after_lines) > 1:
            result.append((label, _line_diff(before_lines, after_lines)))
        else:
            result.append((label, word_diff(before, after)))
    return result


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple | set):
        return ", ".join(str(item) for item in value)
    return str(value)


def _lines(value):
    return value.replace("\r\n", "\n").split("\n")


def word_diff(before, after):
    """HTML of `after` with the words removed since `before` in <del> and the new ones in <ins>."""
    a, b = before.split(" "), after.split(" ")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(out).replace("\n", "<br>"))  # noqa: S308 - every piece escaped above


def _line_diff(before, after, keep=KEEP_UNCHANGED):
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            run = before[i1:i2]
            said = [line for line in run if line.strip()]
            if len(said) > keep:
                pieces.append(
                    format_html(
                        '<span class="diff-gap">[{} unchanged paragraph{}]</span>', len(said), pluralize(len(said))
                    )
                )
            else:
                pieces.extend(escape(line) for line in run)
        elif op == "delete":
            pieces.extend(format_html("<del>{}</del>", line) if line else "" for line in before[i1:i2])
        elif op == "insert":
            pieces.extend(format_html("<ins>{}</ins>", line) if line else "" for line in after[j1:j2])
        elif i2 - i1 == j2 - j1:  # as many lines as before: compare each with its counterpart
            pieces.extend(word_diff(was, now) for was, now in zip(before[i1:i2], after[j1:j2], strict=True))
        else:
            pieces.append(word_diff("\n".join(before[i1:i2]), "\n".join(after[j1:j2])))
    return mark_safe("<br>".join(pieces))  # noqa: S308 - every piece is escaped above or by word_diff
