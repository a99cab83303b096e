import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from betterway.importer.saving import import_file


class Command(BaseCommand):
    help = (
        "Import meeting notes from .txt, .md or .docx files as draft meetings. A file may hold several notes "
        "(the network's exported listings: each after 'A Better Way A Better Way', ending at 'Read More'). "
        "A note already on the site is matched and left alone, unless --update saves it as a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; save nothing.")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Save the text of a note that matches one on the site as a new version of it.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print one JSON object per note, one per line: what was found, and how sure the importer is of it.",
        )

    def handle(self, *args, files, dry_run, update, json, **options):
        results = []
        for index, name in enumerate(files, start=1):
            if len(files) > 1 and not json:
                self._progress(index, len(files), name)
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as error:
                data = None
                message = f"{name}: cannot be read ({error.strerror})."
            if data is None:
                from betterway.importer.saving import ImportResult

                file_results = [ImportResult("error", None, message=message, source=name)]
            else:
                file_results = import_file(path.name, data, update=update, dry_run=dry_run)
            for result in file_results:
                result.source = name
            results.extend(file_results)
            if json:
                for result in file_results:
                    self.stdout.write(_json_line(result.as_json()))
        if not json:
            self._summary(results, dry_run)
        errors = sum(result.action == "error" for result in results)
        if errors:
            raise CommandError(f"{errors} of {len(results)} could not be imported.")

    def _progress(self, index, total, name):
        width = 30
        done = round(width * index / total)
        sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {index}/{total} {Path(name).name[:40]:<40}")
        if index == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def _summary(self, results, dry_run):
        for result in results:
            note = result.note
            if note is None:
                self.stdout.write(f"  error        {result.message}")
                continue
            date = note.date.isoformat() if note.date else "no date"
            where = f"{note.cell}{f' #{note.number}' if note.number else ''}" if note.cell else note.kind
            url = f" {result.record.get_absolute_url()}" if result.record else ""
            precision = note.date_precision or "-"
            self.stdout.write(f"  {result.action:<12} {note.title} ({where}, {date}, {precision}){url}")
            if note.speakers:
                self.stdout.write(
                    "               speakers: " + ", ".join(f"{s.name} ({s.role})" for s in note.speakers)
                )
            if note.next_dates:
                self.stdout.write("               next meetings: " + "; ".join(_next(d) for d in note.next_dates))
            if result.message:
                self.stdout.write(f"               {result.message}")
            for check in result.checks:
                self.stdout.write(f"               check: {check}")
        counts = {}
        for result in results:
            counts[result.action] = counts.get(result.action, 0) + 1
        prefix = "Dry run, nothing saved: " if dry_run else ""
        self.stdout.write(prefix + ", ".join(f"{n} {action}" for action, n in counts.items()))


def _next(found):
    """A next meeting date as the summary shows it: '2021-07-15 15:00–16:30'."""
    if found.date is None:
        return f"“{found.text}” (no year)"
    times = found.start_time.strftime(" %H:%M") if found.start_time else ""
    times += found.end_time.strftime("–%H:%M") if found.end_time else ""
    return f"{found.date.isoformat()}{times}"


def _json_line(data):
    return json.dumps(data, ensure_ascii=False)
