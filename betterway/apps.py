from django.apps import AppConfig


class BetterwayConfig(AppConfig):
    """The project package is an app too, for its template tags and shared templates."""

    name = "betterway"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import caching

        # Visitors' pages are kept until anything they show changes (core/caching.py): the content apps' rows,
        # and taggit's (topics). Publishing, comments and the bin are saves of these rows.
        caching.watch("people", "cells", "insights", "discussion", "taggit")

        from django.db.models.signals import post_migrate

        from . import search_index

        # The search index is written again whenever what it holds changes (betterway/search_index.py), and
        # built after migrate for a database that has content but no index yet.
        search_index.connect()
        post_migrate.connect(search_index.rebuild_if_empty, sender=self, dispatch_uid="search-rebuild-if-empty")
