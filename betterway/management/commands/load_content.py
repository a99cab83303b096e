from django.core.management.base import BaseCommand, CommandError

from betterway.content import CONTENT_DIR, ContentError, load_content


class Command(BaseCommand):
    help = "Create or update the network's content from the YAML files in fixtures/content/ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(CONTENT_DIR))

    def handle(self, *args, directory, **options):
        try:
            counts = load_content(directory)
        except ContentError as error:
            raise CommandError(str(error)) from error
        for kind, (total, created) in counts.items():
            self.stdout.write(f"{kind}: {total} loaded, {created} new")
