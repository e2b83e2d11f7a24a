from django.core.management.base import BaseCommand, CommandError

from curricula.loader import curricula_load
from curricula.schema import ContentError


class Command(BaseCommand):
    help = "Create or update the shipped courses from their content files (idempotent, all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("only", nargs="*", help="app labels or course slugs to load (default: all)")
        parser.add_argument("--verbose-pages", action="store_true", help="list every page created or updated")

    def handle(self, *args, only, verbose_pages, **options):
        try:
            report = curricula_load(only=only or None)
        except ContentError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        if verbose_pages or report.created + report.updated <= 40:
            for line in report.lines:
                self.stdout.write(line)
        summary = (
            f"Curricula: {report.created} pages created, {report.updated} updated, "
            f"{report.unchanged} unchanged; {report.quizzes_created} questions and quizzes created, "
            f"{report.quizzes_updated} updated; {report.kept} kept as editors changed them; "
            f"{report.releases} releases published."
        )
        self.stdout.write(self.style.SUCCESS(summary))
