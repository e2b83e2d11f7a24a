from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lms.delivery.services.demo import DemoError, delivery_demo_ensure


class Command(BaseCommand):
    help = "Club delivery demo data (demo mode only): a facilitator with clubs, sessions and review meetings."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "Demo data is only created in demo mode (DEMO_MODE=true); never in production."
            )
        try:
            made = delivery_demo_ensure(password=settings.DEMO_PASSWORD)
        except DemoError as error:
            raise CommandError(str(error)) from None
        if made:
            self.stdout.write(self.style.SUCCESS("Club delivery demo: " + "; ".join(made)))
        else:
            self.stdout.write("Club delivery demo: already there")
        self.stdout.write(f"  {'facilitator@demo.cpclearn.mn':34} runs two Smart Navigator clubs")
        self.stdout.write(f"  {'safeguarding@demo.cpclearn.mn':34} safeguarding lead (receives alerts)")
