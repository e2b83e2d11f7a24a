"""The reports' generate_scale_data, extended with club delivery (clubs, sessions, meetings).

lms.delivery comes before lms.reports in INSTALLED_APPS, so this command is the one Django runs.
"""

from django.core.management.base import CommandError

from lms.delivery.scale import delivery_scale_generate, delivery_scale_remove
from lms.reports.management.commands.generate_scale_data import Command as ReportsCommand
from lms.reports.scale import ScaleDataError


class Command(ReportsCommand):
    help = (
        ReportsCommand.help
        + " Then club delivery: clubs with their membership, sessions and review meetings."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--clubs", type=int, default=100, help="clubs to generate (0: none)")
        parser.add_argument("--sessions", type=int, default=5000, help="club sessions to generate")
        parser.add_argument("--meetings", type=int, default=40, help="review meetings to generate")
        parser.add_argument(
            "--delivery-only", action="store_true", help="only club delivery, on learners generated before"
        )

    def handle(self, *args, clubs, sessions, meetings, delivery_only, remove, **options):
        log = self.stdout.write
        if remove:
            try:
                delivery_scale_remove(log=log)
            except ScaleDataError as error:
                raise CommandError(str(error)) from None
            return super().handle(*args, remove=True, **options)
        if clubs < 0 or sessions < 0 or meetings < 0:
            raise CommandError("--clubs, --sessions and --meetings cannot be negative.")
        if not delivery_only:
            super().handle(*args, remove=False, **options)
        if clubs:
            try:
                delivery_scale_generate(
                    clubs=clubs, sessions=sessions, meetings=meetings, seed=options["seed"], log=log
                )
            except ScaleDataError as error:
                if delivery_only:
                    raise CommandError(str(error)) from None
                log(f"club delivery skipped: {error}")  # e.g. no club kit is loaded: the learners stay
