"""What crawlers and browsers ask a site's root for: /sitemap.xml (Django's sitemaps framework),
/robots.txt and /favicon.ico.

The sitemap lists only pages a visitor who is not logged in may open, each through the same
`visible_to` the page itself uses: published public notes and insights, people and organisations
a visitor may see, topics used by public content; principles and cells (always public); and the
lists. It takes a fixed number of queries (two a section) whatever the size of the archive.
"""

from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from cells.models import Cell, Meeting
from insights.models import Insight, Principle, Topic
from people.models import Organisation, Person

VISITOR = AnonymousUser()


class ListPages(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "about",
            "insights:principle_list",
            "insights:insight_list",
            "cells:meeting_list",
            "cells:cell_list",
            "people:person_list",
            "tag_list",
        ]

    def location(self, name):
        return reverse(name)


class PrincipleSitemap(Sitemap):
    def items(self):
        return Principle.objects.order_by("order", "pk")


class CellSitemap(Sitemap):
    def items(self):
        return Cell.objects.order_by("order", "pk")


class MeetingSitemap(Sitemap):
    def items(self):
        return Meeting.objects.visible_to(VISITOR).order_by("pk")

    def lastmod(self, meeting):
        return meeting.updated_at


class InsightSitemap(Sitemap):
    def items(self):
        return Insight.objects.visible_to(VISITOR).order_by("pk")

    def lastmod(self, insight):
        return insight.updated_at


class PersonSitemap(Sitemap):
    def items(self):
        return Person.objects.visible_to(VISITOR).order_by("pk")


class OrganisationSitemap(Sitemap):
    def items(self):
        return Organisation.objects.visible_to(VISITOR).order_by("pk")


class TopicSitemap(Sitemap):
    def items(self):
        return Topic.objects.visible_to(VISITOR).order_by("pk")

    def location(self, topic):
        return reverse("tag", args=[topic.slug])


SITEMAPS = {
    "lists": ListPages,
    "principles": PrincipleSitemap,
    "cells": CellSitemap,
    "notes": MeetingSitemap,
    "insights": InsightSitemap,
    "people": PersonSitemap,
    "organisations": OrganisationSitemap,
    "topics": TopicSitemap,
}


def sitemap_xml(request):
    return sitemap(request, sitemaps=SITEMAPS)


@require_GET
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(max_age=86400)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the static file."""
    return redirect(static("favicon.ico"))
