"""Convenors and staff writing up meetings: drafts, preview, publish, speaker reviews."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import transaction
from django.forms.utils import ErrorDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from cells.history import history_page, name_of, restore_page, stale_context
from core import publishing, versions
from core.permissions import require
from core.roles import is_staff
from core.slugs import unique_slug
from core.visibility import Status
from people.models import Person

from ..forms import (
    ROWS_AT_MOST,
    MeetingForm,
    PublishForm,
    QuestionFormSet,
    ReviewForm,
    SpeakerFormSet,
    lower_first,
    move_row,
    readers,
)
from ..models import Meeting, Speaker, SpeakerReview
from ..permissions import can_author_meeting, can_author_meetings, convened_cells
from ..readiness import readiness
from .public import meeting_page_context


def _meeting_for_author(request, slug):
    """The meeting, if the user may see it (else 404) and may edit it (else 403)."""
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user).select_related("cell"), slug=slug)
    require(can_author_meeting(request.user, meeting))
    return meeting


def _require_author(user):
    require(can_author_meetings(user))


@login_required
def my_notes(request):
    _require_author(request.user)
    cells = convened_cells(request.user)
    meetings = Meeting.objects.visible_to(request.user).filter(cell__in=cells)
    if is_staff(request.user):
        meetings = Meeting.objects.visible_to(request.user)
    context = {
        "cells": cells,
        "drafts": meetings.filter(status=Status.DRAFT).for_listing().newest_first(),
        "published": meetings.filter(status=Status.PUBLISHED).for_listing().newest_first()[:20],
    }
    return render(request, "cells/my_notes.html", context)


@login_required
def create_meeting(request):
    _require_author(request.user)
    cell = convened_cells(request.user).filter(slug=request.GET.get("cell")).first()
    meeting = Meeting(cell=cell, created_by=request.user, status=Status.DRAFT)
    return _edit(request, meeting, comment="Created the draft")


@login_required
def edit_meeting(request, slug):
    meeting = _meeting_for_author(request, slug)
    return _edit(request, meeting, comment="Edited")


def _edit(request, meeting, *, comment):
    """The note's form. Besides saving, its buttons add a row, move one, or preview the text: each answers
    with the same page, everything typed kept and nothing checked yet, the new or moved row focused
    (static/js/meeting_form.js does the same in place when JavaScript runs)."""
    data, focus = _row_action(request.POST) if request.method == "POST" else (None, None)
    cells = convened_cells(request.user)
    if meeting.pk is None and meeting.cell_id is None and not is_staff(request.user) and len(cells) == 1:
        meeting.cell = cells[0]  # a convenor of one cell writes for it
    form = MeetingForm(data, instance=meeting, user=request.user, cells=cells, allow_event=is_staff(request.user))
    speakers = SpeakerFormSet(data, instance=meeting, prefix="speakers", form_kwargs={"user": request.user})
    questions = QuestionFormSet(data, instance=meeting, prefix="questions")
    context = {"form": form, "speakers": speakers, "questions": questions, "meeting": meeting}
    if data is not None and not _shows_again(data):
        if form.is_valid() and speakers.is_valid() and questions.is_valid():
            require(can_author_meeting(request.user, cell=form.cleaned_data.get("cell")))
            try:
                _save(request, form, speakers, questions, comment=comment)
            except versions.StaleEdit as stale:
                context["stale"] = stale_context(stale.current, form.cleaned_data["edit_version"], request.user)
                messages.error(
                    request,
                    "Someone else saved this note while you were editing it. Nothing was "
                    "saved: your text is still below. Look at what they changed, then save again.",
                )
                form.data = form.data.copy()
                form.data["edit_version"] = stale.current.edit_version
            else:
                messages.success(request, _saved_message(form.instance))
                return redirect("cells:meeting", form.instance.slug)
        else:
            context["errors"] = _error_list(form, speakers, questions)
    elif data is not None:
        if "preview" in data:
            context["preview"] = _preview(form, speakers, questions, request.user)
            context["preview_at"] = "end" if data.get("preview") == "end" else "text"
        _not_checked_yet(form, speakers, questions)
        _focus(focus, speakers, questions)
    return render(request, "cells/meeting_form.html", context)


def _shows_again(data):
    """Whether the post adds a row, moves one or previews (else it saves: the Save buttons, or Enter)."""
    return any(name in data for name in ("add_speakers", "add_questions", "move", "preview"))


def _row_action(post):
    """(the data to show, what to focus) for "Add another speaker/question" and "Move up/down"."""
    for prefix in ("speakers", "questions"):
        if f"add_{prefix}" in post:
            post = post.copy()
            try:
                added = min(int(post.get(f"{prefix}-TOTAL_FORMS", 0)), ROWS_AT_MOST - 1)
            except ValueError:
                added = 0
            post[f"{prefix}-TOTAL_FORMS"] = str(added + 1)
            return post, (prefix, added, None)
    prefix, _, rest = post.get("move", "").partition("-")
    index, _, direction = rest.partition("-")
    if prefix in ("speakers", "questions") and index.isdigit() and direction in ("up", "down"):
        post = post.copy()
        position = move_row(post, prefix, int(index), -1 if direction == "up" else 1)
        if position is not None:
            return post, (prefix, int(index), direction)
    return post, None


def _not_checked_yet(*forms_and_formsets):
    """Adding a row or previewing checks nothing: no error is shown until the note is saved."""
    for item in forms_and_formsets:
        for form in getattr(item, "forms", [item]):
            form._errors = ErrorDict()
        if hasattr(item, "forms"):
            item._errors, item._non_form_errors = [], item.error_class()


def _focus(focus, speakers, questions):
    """The row just added gets the focus (its first field), or the button of the row just moved."""
    if focus is None:
        return
    prefix, index, direction = focus
    formset = speakers if prefix == "speakers" else questions
    if index >= len(formset.forms):
        return
    row = formset.forms[index]
    formset.rows  # noqa: B018 - gives each row its position
    if direction is None:
        first = "person" if prefix == "speakers" else "text"
        row.fields[first].widget.attrs["autofocus"] = True
    elif (direction == "up" and row.is_first) or (direction == "down" and row.is_last):
        row.focus_move = "down" if direction == "up" else "up"  # at the end now: its other button
    else:
        row.focus_move = direction


def _error_list(form, speakers, questions):
    """The error summary, in the order of the page: [(id of the field, message)], each row named."""
    errors = [(None, error) for error in form.non_field_errors()]
    errors += [(None, error) for field in form.hidden_fields() for error in field.errors]

    def fields(section):
        return [
            (field.auto_id, f"{field.label}: {error}") for field in form.sections[section] for error in field.errors
        ]

    def rows(formset):
        found = [(None, error) for error in formset.non_form_errors()]
        for row in formset.rows:
            found += [(None, f"{row.row_name}: {lower_first(error)}") for error in row.non_field_errors()]
            found += [
                (field.auto_id, f"{row.row_name}: {lower_first(error)}") for field in row for error in field.errors
            ]
        return found

    errors += fields("meeting") + rows(speakers) + fields("text") + fields("taken_up")
    errors += rows(questions) + fields("next") + fields("readers")
    return errors


def _preview(form, speakers, questions, user):
    """The note as typed, as readers will see it: title, speakers, key points, notes, questions."""
    roles = dict(Speaker.Role.choices)
    chosen = [row["person"].value() for row in speakers.rows if not row["DELETE"].value()]
    people = {
        str(person.pk): person.name
        for person in Person.objects.visible_to(user).filter(pk__in=[pk for pk in chosen if pk])
    }
    named = []
    for row in speakers.rows:
        name = people.get(str(row["person"].value() or "")) or (row["new_name"].value() or "").strip()
        if name and not row["DELETE"].value():
            named.append({"name": name, "role": roles.get(row["role"].value(), "")})
    return {
        "title": form["title"].value(),
        "speakers": named,
        "summary": form["summary"].value() or "",
        "notes": form["notes"].value() or "",
        "questions": [
            text
            for row in questions.rows
            if (text := (row["text"].value() or "").strip()) and not row["DELETE"].value()
        ],
    }


def _saved_message(meeting):
    if meeting.status == Status.PUBLISHED:
        return format_html(
            'Your changes are live: {} can read them in <a href="{}">{}</a>.',
            readers(meeting.visibility, meeting.cell),
            meeting.get_absolute_url(),
            meeting.heading,
        )
    return format_html(
        "Saved as a draft. It is not public: only you, {} and staff can see it. "
        '<a href="{}">Preview it</a> as readers will see it, or <a href="{}">publish it</a> when it is ready.',
        "the cell’s convenors" if meeting.cell_id else "other convenors",
        reverse("cells:meeting_preview", args=[meeting.slug]),
        reverse("cells:meeting_publish", args=[meeting.slug]),
    )


def _save(request, form, speakers, questions, *, comment):
    meeting = form.instance
    is_new = meeting.pk is None
    if is_new:
        meeting.slug = unique_slug(Meeting, form.cleaned_data["title"])
    expected = None if is_new else form.cleaned_data.get("edit_version")
    with versions.saving(meeting, user=request.user, comment=comment, expected_version=expected):
        form.apply_date()
        form.save()
        meeting.tags.set(form.cleaned_data["tags"], clear=True)
        meeting.principles.set(form.cleaned_data["principles"])
        _save_speakers(speakers, meeting)
        _save_questions(questions, meeting)
        for question in meeting.questions_taken_up.exclude(pk__in=form.cleaned_data["takes_up"]):
            question.taken_up_in.remove(meeting)
        for question in form.cleaned_data["takes_up"]:
            question.taken_up_in.add(meeting)
        if meeting.cell_id:
            form.save_next_dates(meeting.cell)


def _save_speakers(formset, meeting):
    """The rows kept, numbered in the order they stand; removed rows deleted (they stay in the history)."""
    for speaker in formset.dropped():
        speaker.delete()
    for order, form in formset.kept():
        speaker = form.save(commit=False)
        speaker.meeting = meeting
        speaker.person = form.cleaned_data["person"] or form.new_person()
        speaker.order = order
        speaker.save()


def _save_questions(formset, meeting):
    for question in formset.dropped():
        question.delete()
    for order, form in formset.kept():
        question = form.save(commit=False)
        question.raised_at = meeting
        question.order = order
        question.save()


@login_required
def preview_meeting(request, slug):
    meeting = _meeting_for_author(request, slug)
    context = meeting_page_context(meeting, request.user)
    context["preview"] = True
    return render(request, "cells/meeting_detail.html", context)


@login_required
def publish_meeting(request, slug):
    meeting = _meeting_for_author(request, slug)
    unconfirmed = list(meeting.reviews.exclude(status=SpeakerReview.Status.CONFIRMED).select_related("person"))
    form = PublishForm(request.POST if request.method == "POST" else None, unconfirmed=unconfirmed)
    if request.method == "POST" and form.is_valid():
        publishing.publish(meeting, user=request.user)
        messages.success(request, f"Published. {_readers_sentence(meeting)}")
        return redirect("cells:meeting", meeting.slug)
    context = {
        "meeting": meeting,
        "form": form,
        "advice": readiness(meeting),
        "unconfirmed": unconfirmed,
        "reviews": meeting.reviews.select_related("person"),
    }
    return render(request, "cells/meeting_publish.html", context)


def _readers_sentence(meeting):
    """'Everyone can now read it.' (and who may read the notes in detail, where that differs)."""
    sentence = f"{readers(meeting.visibility, meeting.cell)} can now read it"
    if meeting.notes and meeting.notes_visibility != meeting.visibility:
        sentence += f"; the notes in detail are for {readers(meeting.notes_visibility, meeting.cell)}"
    return sentence[0].upper() + sentence[1:] + "."


@require_POST
@login_required
def unpublish_meeting(request, slug):
    meeting = _meeting_for_author(request, slug)
    publishing.unpublish(meeting, user=request.user)
    messages.success(request, "Unpublished: the note is a draft again, seen only by its convenors and staff.")
    return redirect("cells:meeting", meeting.slug)


@login_required
def delete_meeting(request, slug):
    meeting = _meeting_for_author(request, slug)
    if request.method == "POST":
        publishing.move_to_bin(meeting, user=request.user)
        messages.success(request, f"“{meeting.heading}” is in the bin. Staff can restore it from there.")
        return redirect("cells:my_notes")
    return render(request, "cells/meeting_delete.html", {"meeting": meeting})


@require_POST
@login_required
def request_reviews(request, slug):
    """Ask each named speaker who has an account to review the draft."""
    meeting = _meeting_for_author(request, slug)
    asked = []
    for speaker in meeting.speaker_roles.select_related("person__user"):
        user = speaker.person.user
        if user is None or user == request.user:
            continue
        review, created = SpeakerReview.objects.get_or_create(meeting=meeting, person=speaker.person)
        if created or review.status == SpeakerReview.Status.CHANGES:
            review.status, review.answered_at = SpeakerReview.Status.REQUESTED, None
            review.save()
            _send_review_request(request, meeting, user)
            asked.append(speaker.person.name)
    if asked:
        messages.success(request, f"Asked {', '.join(asked)} to review the draft.")
    else:
        messages.info(
            request,
            "No speaker with an account is waiting to be asked: speakers need an account "
            "on the site to review a draft.",
        )
    return redirect("cells:meeting_publish", meeting.slug)


def _send_review_request(request, meeting, user):
    link = request.build_absolute_uri(reverse("cells:meeting_review", args=[meeting.slug]))
    send_mail(
        f"Please review the note of “{meeting.heading}”",
        f"{name_of(user, request.user, others='A convenor')} has written up “{meeting.heading}”, which names you. "
        f"Please read the draft and confirm it, or ask for a change:\n\n{link}\n",
        None,
        [user.email],
        fail_silently=True,
    )


@login_required
def review_meeting(request, slug):
    """A named speaker reads the draft and confirms it or asks for a change."""
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user).select_related("cell"), slug=slug)
    review = get_object_or_404(meeting.reviews.select_related("person"), person__user=request.user)
    form = ReviewForm(request.POST or None, initial={"comment": review.comment})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            review.status = form.cleaned_data["answer"]
            review.comment = form.cleaned_data["comment"]
            review.answered_at = timezone.now()
            review.save()
        messages.success(request, "Thank you: the convenor can see your answer on the draft.")
        return redirect("cells:meeting_review", slug)
    context = meeting_page_context(meeting, request.user)
    context.update({"review": review, "review_form": form, "preview": False})
    return render(request, "cells/meeting_review.html", context)


@login_required
def meeting_history(request, slug):
    meeting = _meeting_for_author(request, slug)
    return history_page(request, meeting, noun="note", restore_url="cells:meeting_restore")


@login_required
@require_POST
def restore_meeting(request, slug, version_id):
    meeting = _meeting_for_author(request, slug)
    return restore_page(request, meeting, version_id, history_url="cells:meeting_history")
