from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lms.accounts import services


class Command(BaseCommand):
    help = "Create the demo accounts (demo mode only) and print them. Existing accounts are left alone."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "Demo accounts are only created in demo mode (DEMO_MODE=true); never in production."
            )
        accounts = services.demo_accounts_ensure(password=settings.DEMO_PASSWORD)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password: {settings.DEMO_PASSWORD})"))
        for user, created in accounts:
            groups = ", ".join(user.groups.values_list("name", flat=True)) or "-"
            flag = "new" if created else "exists"
            self.stdout.write(f"  {user.email:34} {groups:45} ({flag})")
        self.stdout.write("  (an existing account keeps the password it had)")
