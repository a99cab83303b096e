from django.core.management.base import BaseCommand

from notifications import sending


class Command(BaseCommand):
    help = (
        "Send what the task queue has not: emails whose send failed and is due again, events whose fan-out task "
        "was lost, emails a stopped worker was sending. Safe to run at any time and as often as you like (nothing "
        "is sent twice); run it every few minutes from cron as a backstop to the worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what is waiting; send nothing.")

    def handle(self, *args, dry_run=False, **options):
        verbose = options["verbosity"] >= 1

        def progress(number, total, key, outcome):
            if verbose:
                self.stdout.write(f"[{number}/{total}] {key}: {outcome.status}")

        counts = sending.sweep(dry_run=dry_run, progress=progress)
        if dry_run:
            self.stdout.write(
                f"Dry run: {counts['due']} email(s) due, {counts['events']} event(s) to fan out, "
                f"{counts['freed']} email(s) held by a stopped worker."
            )
            return
        message = (
            f"{counts['events']} event(s) fanned out again, {counts['freed']} freed, {counts['sent']} sent, "
            f"{counts['not sent']} not needed, {counts['failed']} failed"
        )
        style = self.style.WARNING if counts["failed"] else self.style.SUCCESS
        self.stdout.write(style(message))
