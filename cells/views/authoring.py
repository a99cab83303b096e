"""Convenors and staff writing up meetings: drafts, preview, publish, speaker reviews, import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from betterway import publishing, versions
from betterway.permissions import can_author_meeting, convened_cells, is_convenor, is_staff, require
from betterway.slugs import unique_slug
from betterway.visibility import Status
from cells.importer.saving import import_file
from people.models import Organisation, Person

from ..forms import ImportForm, MeetingForm, PublishForm, QuestionFormSet, ReviewForm, SpeakerFormSet
from ..models import Cell, Meeting, SpeakerReview, UpcomingDate
from ..readiness import readiness
from .public import meeting_page_context

# Fields whose changes the stale-edit panel and the history show.
COMPARED_FIELDS = [("title", "Title"), ("date", "Date"), ("summary", "Summary of key points"),
                   ("notes", "The notes in detail"), ("visibility", "Who may read it"),
                   ("notes_visibility", "Who may read the notes"), ("status", "Status")]


def _meeting_for_author(request, slug):
    """The meeting, if the user may see it (else 404) and may edit it (else 403)."""
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user).select_related("cell"), slug=slug)
    require(can_author_meeting(request.user, meeting))
    return meeting


def _require_author(user):
    require(is_staff(user) or is_convenor(user))


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
    cell = Cell.objects.filter(slug=request.GET.get("cell")).first()
    meeting = Meeting(cell=cell, created_by=request.user, status=Status.DRAFT)
    return _edit(request, meeting, comment="Created the draft")


@login_required
def edit_meeting(request, slug):
    meeting = _meeting_for_author(request, slug)
    return _edit(request, meeting, comment="Edited")


def _edit(request, meeting, *, comment):
    data = _with_added_row(request.POST) if request.method == "POST" else None
    form = MeetingForm(data, instance=meeting, cells=convened_cells(request.user),
                       allow_event=is_staff(request.user))
    speakers = SpeakerFormSet(data, instance=meeting, prefix="speakers")
    questions = QuestionFormSet(data, instance=meeting, prefix="questions")
    context = {"form": form, "speakers": speakers, "questions": questions, "meeting": meeting}
    if request.method == "POST" and "save" in request.POST:
        if form.is_valid() and speakers.is_valid() and questions.is_valid():
            require(can_author_meeting(request.user, cell=form.cleaned_data.get("cell")))
            try:
                _save(request, form, speakers, questions, comment=comment)
            except versions.StaleEdit as stale:
                context["stale"] = versions.changes(_started_from(meeting, form), stale.current.__dict__,
                                                    COMPARED_FIELDS)
                context["stale_current"] = stale.current
                messages.error(request, "Someone else saved this note while you were editing it. Nothing was "
                               "saved: your text is still below. Look at what they changed, then save again.")
                form.data = form.data.copy()
                form.data["edit_version"] = stale.current.edit_version
            else:
                messages.success(request, "Saved. Preview it, or publish it when it is ready.")
                return redirect("cells:meeting", form.instance.slug)
    elif request.method == "POST" and "preview" in request.POST and form.is_valid():
        context["preview"] = form.cleaned_data
    if data is not None and ("save" in data or "preview" in data):
        context["error_forms"] = [form, *speakers.forms, *questions.forms]
        context["has_errors"] = bool(form.errors or speakers.total_error_count() or questions.total_error_count())
    return render(request, "cells/meeting_form.html", context)


def _with_added_row(post):
    """'Add another speaker/question' (no JavaScript needed): one more empty row in that list."""
    for prefix in ("speakers", "questions"):
        if f"add_{prefix}" in post:
            post = post.copy()
            post[f"{prefix}-TOTAL_FORMS"] = str(int(post.get(f"{prefix}-TOTAL_FORMS", 0)) + 1)
    return post


def _started_from(meeting, form):
    """The stored fields of the version the stale form was made from (or as saved now, if unknown)."""
    from reversion.models import Version

    expected = form.cleaned_data.get("edit_version")
    for version in Version.objects.get_for_object(meeting):
        if version.field_dict.get("edit_version") == expected:
            return version.field_dict
    return {}


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
        _save_speakers(speakers, meeting)
        questions.instance = meeting
        questions.save()
        for question in meeting.questions_taken_up.exclude(pk__in=form.cleaned_data["takes_up"]):
            question.taken_up_in.remove(meeting)
        for question in form.cleaned_data["takes_up"]:
            question.taken_up_in.add(meeting)
        if meeting.cell_id:
            for day, time in form.cleaned_data["next_dates"]:
                UpcomingDate.objects.update_or_create(cell=meeting.cell, date=day, defaults={"time": time})


def _save_speakers(formset, meeting):
    for form in formset.forms:
        removed = form.cleaned_data.get("DELETE") or not form.has_speaker()
        if removed:
            if form.instance.pk:
                form.instance.delete()
            continue
        speaker = form.save(commit=False)
        speaker.meeting = meeting
        speaker.person = form.cleaned_data["person"] or _new_person(form.cleaned_data)
        speaker.order = form.cleaned_data.get("order") or 0
        speaker.save()


def _new_person(data):
    name = data["new_name"].strip()
    existing = Person.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    organisation = None
    if data.get("new_organisation", "").strip():
        org_name = data["new_organisation"].strip()
        organisation = Organisation.objects.filter(name__iexact=org_name).first() or Organisation.objects.create(
            name=org_name, slug=unique_slug(Organisation, org_name)
        )
    return Person.objects.create(name=name, slug=unique_slug(Person, name), organisation=organisation)


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
        messages.success(request, "Published.")
        return redirect("cells:meeting", meeting.slug)
    context = {"meeting": meeting, "form": form, "advice": readiness(meeting), "unconfirmed": unconfirmed,
               "reviews": meeting.reviews.select_related("person")}
    return render(request, "cells/meeting_publish.html", context)


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
        messages.success(request, f"“{meeting.title}” is in the bin. Staff can restore it from there.")
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
        messages.info(request, "No speaker with an account is waiting to be asked: speakers need an account "
                               "on the site to review a draft.")
    return redirect("cells:meeting_publish", meeting.slug)


def _send_review_request(request, meeting, user):
    link = request.build_absolute_uri(reverse("cells:meeting_review", args=[meeting.slug]))
    send_mail(
        f"Please review the note of “{meeting.title}”",
        f"{request.user.email or 'A convenor'} has written up “{meeting.title}”, which names you. "
        f"Please read the draft and confirm it, or ask for a change:\n\n{link}\n",
        None, [user.email], fail_silently=True,
    )


@login_required
def review_meeting(request, slug):
    """A named speaker reads the draft and confirms it or asks for a change."""
    review = get_object_or_404(SpeakerReview.objects.select_related("meeting", "person"),
                               meeting__slug=slug, person__user=request.user, meeting__deleted_at__isnull=True)
    meeting = review.meeting
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
def import_note_file(request):
    """Upload a note file: it becomes a draft through the importer (cells/importer)."""
    _require_author(request.user)
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
    return render(request, "cells/meeting_import.html", {"form": form, "results": results, "error_forms": [form]})


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
