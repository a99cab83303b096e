"""Convenors and staff writing up meetings: drafts, preview, publish, speaker reviews."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import publishing, versions
from core.diffs import stale_report
from core.history import history_page, restore_page
from core.permissions import require
from core.roles import is_staff
from core.slugs import unique_slug
from core.visibility import Status

from ..forms import MeetingForm, PublishForm, QuestionFormSet, ReviewForm, SpeakerFormSet
from ..models import Meeting, SpeakerReview
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
    data = _with_added_row(request.POST) if request.method == "POST" else None
    form = MeetingForm(
        data,
        instance=meeting,
        user=request.user,
        cells=convened_cells(request.user),
        allow_event=is_staff(request.user),
    )
    speakers = SpeakerFormSet(data, instance=meeting, prefix="speakers", form_kwargs={"user": request.user})
    questions = QuestionFormSet(data, instance=meeting, prefix="questions")
    context = {"form": form, "speakers": speakers, "questions": questions, "meeting": meeting}
    if request.method == "POST" and "save" in request.POST:
        if form.is_valid() and speakers.is_valid() and questions.is_valid():
            require(can_author_meeting(request.user, cell=form.cleaned_data.get("cell")))
            try:
                _save(request, form, speakers, questions, comment=comment)
            except versions.StaleEdit as stale:
                context["stale"] = stale_report(stale.current, form.cleaned_data["edit_version"])
                messages.error(
                    request,
                    "Someone else saved this note while you were editing it. Nothing was "
                    "saved: your text is still below. Look at what they changed, then save again.",
                )
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
        questions.instance = meeting
        questions.save()
        for question in meeting.questions_taken_up.exclude(pk__in=form.cleaned_data["takes_up"]):
            question.taken_up_in.remove(meeting)
        for question in form.cleaned_data["takes_up"]:
            question.taken_up_in.add(meeting)
        if meeting.cell_id:
            form.save_next_dates(meeting.cell)


def _save_speakers(formset, meeting):
    for form in formset.forms:
        removed = form.cleaned_data.get("DELETE") or not form.has_speaker()
        if removed:
            if form.instance.pk:
                form.instance.delete()
            continue
        speaker = form.save(commit=False)
        speaker.meeting = meeting
        speaker.person = form.cleaned_data["person"] or form.new_person()
        speaker.order = form.cleaned_data.get("order") or 0
        speaker.save()


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
    context = {
        "meeting": meeting,
        "form": form,
        "advice": readiness(meeting),
        "unconfirmed": unconfirmed,
        "reviews": meeting.reviews.select_related("person"),
    }
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
        messages.info(
            request,
            "No speaker with an account is waiting to be asked: speakers need an account "
            "on the site to review a draft.",
        )
    return redirect("cells:meeting_publish", meeting.slug)


def _send_review_request(request, meeting, user):
    link = request.build_absolute_uri(reverse("cells:meeting_review", args=[meeting.slug]))
    send_mail(
        f"Please review the note of “{meeting.title}”",
        f"{request.user.email or 'A convenor'} has written up “{meeting.title}”, which names you. "
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
