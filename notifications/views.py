"""Following, choosing one's emails, unsubscribing from an email's link, and staff's bulletin preview."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.permissions import require

from . import bulletins, following, preferences
from .forms import PreferencesForm
from .models import Kind
from .permissions import may_choose_emails, may_follow, may_preview_bulletin
from .tokens import read_token


def _target(request, kind, slug):
    """The thing of `kind` with `slug`, if the user may see it (404 otherwise, as for an unknown one)."""
    target = following.TARGETS.get(kind)
    if target is None:
        raise Http404
    return get_object_or_404(target.visible_to(request.user), slug=slug)


def _back(request, obj):
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect(following.target_of(obj).url_of(obj))


@require_POST
@login_required
def follow(request, kind, slug):
    require(may_follow(request.user))
    obj = _target(request, kind, slug)
    following.follow(request.user, obj)
    messages.success(request, f"You follow {following.target_of(obj).describe(obj)}.")
    return _back(request, obj)


@require_POST
@login_required
def unfollow(request, kind, slug):
    require(may_follow(request.user))
    obj = _target(request, kind, slug)
    following.unfollow(request.user, obj)
    messages.success(request, f"You no longer follow {following.target_of(obj).describe(obj)}.")
    return _back(request, obj)


@login_required
def preferences_page(request):
    require(may_choose_emails(request.user))
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, initial=preferences.choices_of(request.user)
    )
    if request.method == "POST" and form.is_valid():
        preferences.save_choices(request.user, form.cleaned_data)
        messages.success(request, "Your choices are saved.")
        return redirect("notifications:preferences")
    context = {"form": form, "follows": following.following_list(request.user), "targets": following.TARGETS}
    return render(request, "notifications/preferences.html", context)


@csrf_exempt  # mail clients POST the one-click unsubscribe (RFC 8058) with no CSRF token: the signed link is the right
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    found = read_token(token)
    if found is None:
        raise Http404("This unsubscribe link is not valid.")
    user, kind = found
    if request.method == "POST":
        stopped = preferences.unsubscribe(user, kind)
        return render(request, "notifications/unsubscribed.html", {"stopped": stopped, "kind": kind})
    also = preferences.in_bulletin(preferences.choices_of(user)) if kind == Kind.BULLETIN else []
    return render(request, "notifications/unsubscribe.html", {"kind": kind, "token": token, "also": also})


@login_required
def bulletin_preview(request):
    require(may_preview_bulletin(request.user))
    member = request.user
    email = request.GET.get("member", "").strip()
    if email:
        member = get_user_model().objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
        if member is None:
            raise Http404("No member has that address.")
    bulletin, subject, text, html = bulletins.preview(member)
    context = {"member": member, "email": email, "bulletin": bulletin, "subject": subject, "text": text, "html": html}
    return render(request, "notifications/bulletin_preview.html", context)
