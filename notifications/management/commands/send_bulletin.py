from django.core.management.base import BaseCommand

from notifications import weekly


class Command(BaseCommand):
    help = (
        "Send each subscribed member the weekly bulletin: what was published since their last one that they may "
        "read (new notes and insights, replies, active discussions, upcoming meetings), in HTML and plain text. "
        "One bulletin per member per week: running it again sends nobody a second one (and retries one that "
        "failed). Run it once a week, e.g. from cron: `python manage.py send_bulletin`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say who would get a bulletin and what is in it; send nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        verbose = options["verbosity"] >= 1
        if dry_run and verbose:
            self.stdout.write("Dry run: nothing is sent or recorded.")

        def progress(number, total, line):
            if verbose:
                summary = f" — {line.summary}" if line.summary else ""
                self.stdout.write(f"[{number}/{total}] {line.email}: {line.action}{summary}")

        report = weekly.run(dry_run=dry_run, progress=progress)
        sent = report.count("would send" if dry_run else "sent")
        failed = report.count("failed, will retry") + report.count("failed")
        verb = "would be sent" if dry_run else "sent"
        others = len(report.lines) - sent - failed
        message = f"{report.key}: {sent} bulletin(s) {verb}, {others} not needed (nothing new, or sent already)"
        if failed:
            self.stderr.write(self.style.WARNING(f"{message}, {failed} failed (kept, and retried by the next run)"))
        else:
            self.stdout.write(self.style.SUCCESS(message))
