"""Make the bare Wagtail project's database and its plain page; prints the page's path.

Run as its own process (its settings are not the project's):
    BARE_DATABASE_URL=sqlite:////tmp/bare.sqlite3 python -m benchmarks.bare_wagtail.prepare
"""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bare_wagtail.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from wagtail.models import Page, Site  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    home = Site.objects.get(is_default_site=True).root_page
    plain = home.get_children().filter(slug="plain").first()
    if plain is None:
        plain = home.add_child(instance=Page(title="A plain Wagtail page", slug="plain"))
        plain.save_revision().publish()
    print(plain.url)


if __name__ == "__main__":
    main()
