from django.core.management.base import BaseCommand

from lms.delivery.services.setup import kits_ensure, terms_ensure


class Command(BaseCommand):
    help = "Register the shipped club kits (after load_curricula) and the default school terms. Safe to run again."

    def handle(self, *args, **options):
        for kit, created in kits_ensure():
            self.stdout.write(f"kit {kit.name_en or kit.name_mn}: {'created' if created else 'exists'}")
        made = [term for term, created in terms_ensure() if created]
        self.stdout.write(f"terms: {len(made)} added")
