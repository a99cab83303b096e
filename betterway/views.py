from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from cells.models import Cell, Meeting, UpcomingDate
from insights.models import Insight, Principle, Topic, visible_tagged_items

from .search import search as run_search
from .topics import topic_page


def home(request):
    context = {
        "principles": Principle.objects.all(),
        "insights": Insight.objects.visible_to(request.user).for_listing().newest_first()[:6],
        "meetings": Meeting.objects.visible_to(request.user).for_listing().newest_first()[:6],
        "upcoming_dates": UpcomingDate.objects.filter(
            date__gte=timezone.localdate(), cell__is_active=True
        ).select_related("cell")[:6],
        "cells": Cell.objects.filter(is_active=True),
    }
    return render(request, "home.html", context)


def about(request):
    return render(request, "about.html")


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    return render(request, "search.html", {"query": query, "results": run_search(query, request.user)})


def tag_list(request):
    tags = (
        visible_tagged_items(request.user)
        .values("tag__name", "tag__slug")
        .annotate(uses=Count("pk"))
        .order_by("tag__name")
    )
    return render(request, "tags/tag_list.html", {"tags": tags})


def tag_detail(request, slug):
    tag = get_object_or_404(Topic.objects.visible_to(request.user), slug=slug)
    page, counts = topic_page(request, tag)
    return render(request, "tags/tag_detail.html", {"tag": tag, "page": page, "counts": counts})


def bad_request(request, exception):
    return render(request, "400.html", status=400)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
