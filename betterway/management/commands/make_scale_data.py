"""Build a large synthetic archive for measuring speed: `python manage.py make_scale_data --meetings 100000`.

Text is recombined from the real notes (betterway/scale.py says how). It refuses a database that holds real
content unless --allow-real-content is given; use an empty database, as bench/run does.
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from betterway import scale


class Command(BaseCommand):
    help = "Add a large synthetic archive (meetings, insights, comments) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--meetings", type=int, default=1000)
        parser.add_argument("--insights", type=int, default=None, help="Default: one for every 10 meetings.")
        parser.add_argument("--comments", type=int, default=None, help="Default: two for every meeting.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed makes the same archive.")
        parser.add_argument(
            "--allow-real-content",
            action="store_true",
            help="Add synthetic content to a database that holds real meetings or insights.",
        )

    def handle(self, *args, meetings, insights, comments, seed, allow_real_content, **options):
        insights = meetings // 10 if insights is None else insights
        comments = meetings * 2 if comments is None else comments
        if min(meetings, insights, comments) < 0:
            raise CommandError("Counts cannot be negative.")
        started = time.monotonic()
        # the progress bar: on stderr (call_command's stderr= in tests), redrawn in place on a terminal
        stream = (options.get("stderr") or sys.stderr) if options["verbosity"] > 0 else None
        try:
            counts = scale.build(
                meetings=meetings,
                insights=insights,
                comments=comments,
                seed=seed,
                stream=stream,
                allow_real_content=allow_real_content,
            )
        except scale.RealContentPresent as error:
            raise CommandError(str(error)) from None
        made = ", ".join(f"{count:,} {what}" for what, count in counts.items())
        self.stdout.write(f"Made {made} in {time.monotonic() - started:.0f} s.")
