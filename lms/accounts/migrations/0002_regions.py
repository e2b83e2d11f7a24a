"""Reference data: Mongolia's 21 aimags and the 9 districts of Ulaanbaatar."""

from django.db import migrations

from lms.accounts.regions import AIMAGS, DISTRICTS, regions_load

def load(apps, schema_editor):
    regions_load(apps.get_model("accounts", "Region"))


def unload(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    Region.objects.filter(code__in=[row[0] for row in AIMAGS + DISTRICTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
