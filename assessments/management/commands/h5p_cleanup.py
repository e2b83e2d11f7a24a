"""Remove H5P files no activity uses: ``manage.py h5p_cleanup [--delete]`` (a dry run by default)."""

from django.core.management.base import BaseCommand

from assessments.h5p import services


class Command(BaseCommand):
    help = (
        "List H5P library code no activity uses (and folders left by newer patches), activity files "
        "that are neither current nor pinned by a course release, and leftovers of failed uploads. "
        "Nothing is removed without --delete."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="remove what is listed (default: dry run)")

    def handle(self, *args, delete, **options):
        report = services.h5p_cleanup(apply=delete)
        verb = "Removed" if delete else "Would remove"
        for title, items in (
            ("libraries no activity uses", report.libraries),
            ("activity files neither current nor pinned by a release", report.revisions),
            ("folders and files nothing points at", report.folders),
        ):
            if items:
                self.stdout.write(f"{verb} {len(items)} {title}:")
                for item in items:
                    self.stdout.write(f"  {item}")
        if report.empty:
            self.stdout.write("Nothing to remove.")
        elif not delete:
            self.stdout.write("Dry run: nothing was removed. Run again with --delete to remove it.")
