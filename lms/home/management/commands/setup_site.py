from django.core.management.base import BaseCommand

from lms.home import services


class Command(BaseCommand):
    help = "Create the home and catalogue pages in Mongolian and English, and the role groups (idempotent)."

    def handle(self, *args, **options):
        pages = services.site_ensure()
        self.stdout.write(self.style.SUCCESS(f"Site ready: home page {pages['home'].url_path}"))
