from django.core.management.base import BaseCommand, CommandError

from lms.reports.scale import ScaleDataError, scale_data_generate, scale_data_remove


class Command(BaseCommand):
    help = "Generate a national-scale data set for the reports (learners, enrolments, progress, attempts)."

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=50_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--remove", action="store_true", help="remove a generated data set and stop")

    def handle(self, *args, learners, seed, remove, **options):
        log = self.stdout.write
        try:
            if remove:
                scale_data_remove(log=log)
                return
            if learners < 1:
                raise CommandError("--learners must be at least 1.")
            scale_data_generate(learners=learners, seed=seed, log=log)
        except ScaleDataError as error:
            raise CommandError(str(error)) from None
