import sys

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from cells.models import Cell, Meeting, UpcomingDate
from core import caching, health
from core.roles import is_member
from insights.models import Insight, Principle, Topic

from .search import in_quotes
from .search import search as run_search
from .topics import topic_page, topics_page

HOME_CELLS = 12  # the home page names this many cells; the cells page lists them all


def home(request):
    """What the network thinks first: its principles, the latest notes (what each meeting was about, an excerpt)
    and insights; then its cells and when they meet next."""
    context = {
        "principles": Principle.objects.all(),
        "meetings": Meeting.objects.visible_to(request.user).with_note().for_reading(request.user).newest_first()[:4],
        "insights": Insight.objects.visible_to(request.user).for_listing().newest_first()[:4],
        "upcoming_dates": UpcomingDate.objects.filter(
            date__gte=timezone.localdate(), cell__is_active=True
        ).select_related("cell")[:6],
        "cells": Cell.objects.filter(is_active=True)[: HOME_CELLS + 1],  # one more: "and more" after them
    }
    context["more_cells"] = len(context["cells"]) > HOME_CELLS
    context["cells"] = context["cells"][:HOME_CELLS]
    return render(request, "home.html", context)


def about(request):
    return render(request, "about.html")


def search(request):
    """Search (betterway/search.py): ?q= in the reader's syntax, filters (type, year, cell, principle, person,
    topic) and ?page=."""
    query = request.GET.get("q", "").strip()[:200]
    context = {"query": query, "quoted": in_quotes(query), "results": run_search(request)}
    return render(request, "search.html", context)


def tag_list(request):
    return render(request, "tags/tag_list.html", {"page": topics_page(request)})


def tag_detail(request, slug):
    """A topic's page, for a reader who may see the topic: one of its uses is on something they may see. That is
    what the page counts anyway (topic_page's counts, the rule of Topic.objects.visible_to), so it is asked once."""
    found = caching.kept_answer(Topic.objects.filter(slug=slug), list)
    page, counts = topic_page(request, found[0]) if found else (None, {})
    if not any(counts.values()):
        raise Http404("No topic here.")
    tag = found[0]
    return render(request, "tags/tag_detail.html", {"tag": tag, "page": page, "counts": counts})


def bad_request(request, exception):
    return render(request, "400.html", status=400)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (settings.CSRF_FAILURE_VIEW): the site's own page saying what to do,
    not Django's bare one. Nothing was saved."""
    return render(request, "403_csrf.html", status=403)


def page_not_found(request, exception):
    """Also under DEBUG (core.middleware.NotFoundPageInDebugMiddleware). It offers a visitor to log in: some pages
    show only to members, and a 404 never says whether something is there."""
    user = getattr(request, "user", None)  # none when a 404 comes before AuthenticationMiddleware
    return render(request, "404.html", {"is_member": user is not None and is_member(user)}, status=404)


def server_error(request):
    """An error no view answered. When it is that the database cannot be reached (PostgreSQL stopped or
    restarting), visitors get the 503 page, made without the database, and the next request tries again
    (connections are health-checked: settings.DATABASES), so the site recovers by itself (core/health.py)."""
    if health.database_is_away(sys.exc_info()[1]):
        return health.unavailable_page()
    return render(request, "500.html", status=500)
