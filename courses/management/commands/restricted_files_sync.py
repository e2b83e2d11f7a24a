from django.core.management.base import BaseCommand

from courses.services import restricted_files_sync


class Command(BaseCommand):
    help = (
        "Make the images and documents used only in restricted courses private (and every other one "
        "public). It also runs by itself after every page save; run it once after upgrading."
    )

    def handle(self, *args, **options):
        report = restricted_files_sync()
        self.stdout.write(
            self.style.SUCCESS(
                f"Restricted files: {report.restricted} in all; {len(report.made_private)} made private, "
                f"{len(report.made_public)} made public."
            )
        )
