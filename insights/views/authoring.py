"""Staff writing insights: drafts, preview, publish, bin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from cells.forms import readers
from cells.history import history_page, restore_page, stale_context
from cells.models import Meeting
from core import publishing, versions
from core.permissions import require
from core.visibility import Status

from ..forms import InsightForm
from ..models import Insight
from ..permissions import can_author_insights


def _insight_for_staff(request, slug):
    """The insight, if the user may see it (else 404) and write insights (else 403)."""
    insight = get_object_or_404(Insight.objects.visible_to(request.user).select_related("cell"), slug=slug)
    require(can_author_insights(request.user))
    return insight


@login_required
def create_insight(request):
    require(can_author_insights(request.user))
    return _edit(request, Insight(created_by=request.user, status=Status.DRAFT))


@login_required
def edit_insight(request, slug):
    return _edit(request, _insight_for_staff(request, slug))


def _edit(request, insight):
    form = InsightForm(request.POST if request.method == "POST" else None, instance=insight, user=request.user)
    context = {"form": form, "insight": insight}
    if request.method == "POST" and form.is_valid():
        form.apply_date()
        if "preview" in request.POST:
            context.update(_form_preview(form))
            return render(request, "insights/insight_form.html", context)
        try:
            _save(request, form)
        except versions.StaleEdit as stale:
            context.update(_refused(request, form, stale.current))
        else:
            messages.success(request, _saved_message(insight))
            return redirect(insight)
    context.update(has_errors=bool(form.errors), error_forms=[form])
    return render(request, "insights/insight_form.html", context)


def _saved_message(insight):
    if insight.status == Status.PUBLISHED:
        return format_html(
            'Your changes are live: {} can read them in <a href="{}">{}</a>.',
            readers(insight.visibility, insight.cell),
            insight.get_absolute_url(),
            insight.title,
        )
    return format_html(
        "Saved as a draft. It is not public: only staff and its authors can see it. "
        '<a href="{}">Preview it</a> as readers will see it, or <a href="{}">publish it</a> when it is ready.',
        reverse("insights:insight_preview", args=[insight.slug]),
        reverse("insights:insight_publish", args=[insight.slug]),
    )


def _save(request, form):
    insight = form.instance
    if insight.pk is None:
        comment, expected = "Created as a draft", None
    else:
        comment, expected = form.cleaned_data["comment"] or "Edited", form.cleaned_data["edit_version"]
    with versions.saving(insight, user=request.user, comment=comment, expected_version=expected):
        form.save()


def _refused(request, form, current):
    """A stale form: nothing saved, the typed text kept, and what others changed meanwhile shown."""
    messages.error(
        request,
        "Someone else saved this insight while you were editing it, so nothing was saved. "
        "Your text is still in the form below. Look at what they changed, then save again "
        "to replace their version with yours.",
    )
    form.data = form.data.copy()
    form.data["edit_version"] = current.edit_version  # saving again is now a choice made knowing their change
    return {"stale": stale_context(current, form.cleaned_data["edit_version"], request.user)}


def _form_preview(form):
    """The public page of what is in the form, before anything is saved."""
    data = form.cleaned_data
    return {
        "preview": True,
        "authors": data["authors"],
        "principles": list(data["principles"]),
        "tags": [{"name": name, "slug": slugify(name)} for name in data["tags"]],
        "source_meetings": data["source_meetings"],
    }


@login_required
def preview_insight(request, slug):
    insight = _insight_for_staff(request, slug)
    context = {
        "insight": insight,
        "authors": insight.authors.select_related("organisation"),
        "principles": list(insight.principles.all()),
        "tags": insight.tags.all(),
        "source_meetings": Meeting.objects.visible_to(request.user)
        .filter(insights=insight)
        .for_listing()
        .chronological(),
    }
    return render(request, "insights/insight_preview.html", context)


@login_required
def publish_insight(request, slug):
    insight = _insight_for_staff(request, slug)
    if request.method != "POST":
        return render(request, "insights/insight_confirm_publish.html", {"insight": insight})
    if insight.status == Status.PUBLISHED:
        messages.info(request, "It was already published.")
    else:
        publishing.publish(insight, user=request.user)
        who = readers(insight.visibility, insight.cell)
        messages.success(request, f"Published “{insight.title}”. {who[0].upper()}{who[1:]} can now read it.")
    return redirect(insight)


@login_required
@require_POST
def unpublish_insight(request, slug):
    insight = _insight_for_staff(request, slug)
    if insight.status == Status.DRAFT:
        messages.info(request, "It was already a draft.")
    else:
        publishing.unpublish(insight, user=request.user)
        messages.success(request, "Unpublished: it is a draft again, seen only by staff and its authors.")
    return redirect(insight)


@login_required
def delete_insight(request, slug):
    insight = _insight_for_staff(request, slug)
    if request.method != "POST":
        return render(request, "insights/insight_confirm_delete.html", {"insight": insight})
    publishing.move_to_bin(insight, user=request.user)
    messages.success(request, f"Moved “{insight.title}” to the bin; staff can restore it.")
    return redirect("insights:insight_list")


@login_required
def insight_history(request, slug):
    return history_page(
        request, _insight_for_staff(request, slug), noun="insight", restore_url="insights:insight_restore"
    )


@login_required
@require_POST
def restore_insight(request, slug, version_id):
    return restore_page(request, _insight_for_staff(request, slug), version_id, history_url="insights:insight_history")
