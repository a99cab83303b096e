"""Write the whole search index again: `python manage.py rebuild_search_index`.

The index is kept current on every save (betterway/search_index.py); this is for a database filled without the
site's own writes (a restore from a dump, rows written in bulk) and after a change to what the index holds.
"""

import sys
import time

from django.core.management.base import BaseCommand

from betterway import search_index

PLURALS = {
    "meeting": "meetings",
    "insight": "insights",
    "principle": "principles",
    "person": "people",
    "comment": "comments",
}


class Command(BaseCommand):
    help = "Rebuild the search index of meetings, insights, principles, people and comments."

    def handle(self, *args, **options):
        started = time.monotonic()
        counts = search_index.rebuild(stream=sys.stderr if options["verbosity"] > 1 else None)
        indexed = ", ".join(f"{count:,} {PLURALS[kind] if count != 1 else kind}" for kind, count in counts.items())
        self.stdout.write(f"Indexed {indexed} in {time.monotonic() - started:.1f} s.")
