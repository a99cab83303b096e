"""Members adding topics to a meeting or insight; convenors, staff (and whoever added it) removing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.permissions import require

from .. import permissions, tagging, throttle
from ..forms import AddTopicsForm
from ..targets import target_for


@login_required
def add_topics(request, kind, slug):
    target = target_for(request.user, kind, slug)
    require(permissions.can_add_tags(request.user, target))
    data = request.POST if request.method == "POST" else None
    form = AddTopicsForm(data)
    status = 200
    if data is not None and form.is_valid():
        refusal = throttle.take("topics", request.user, noun="topics")
        if refusal:
            form.add_error("names", refusal)
            status = 429
        else:
            try:
                added = tagging.add_topics(target, form.cleaned_data["names"], user=request.user)
            except Exception:
                throttle.give_back("topics", request.user)
                raise
            if added:
                names = ", ".join(f"“{name}”" for name in added)
                messages.success(request, f"Added the topic{'s' if len(added) > 1 else ''} {names}.")
            else:
                messages.info(request, "It has that topic already.")
            return redirect(f"{target.get_absolute_url()}#topics")
    return render(request, "discussion/topics_add.html", {"target": target, "form": form}, status=status)


@require_POST
@login_required
def remove_topic(request, kind, slug, tag_slug):
    target = target_for(request.user, kind, slug)
    tagged_item = tagging.tagged_items(target).filter(tag__slug=tag_slug).first()
    if tagged_item is None:
        raise Http404("No such topic here.")
    require(permissions.can_remove_tag(request.user, target, tagged_item))
    tagging.remove_topic(target, tagged_item, user=request.user)
    messages.success(request, f"Removed the topic “{tagged_item.tag.name}”.")
    return redirect(f"{target.get_absolute_url()}#topics")
