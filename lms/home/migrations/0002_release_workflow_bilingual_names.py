"""The release approval workflow and its reviewer task get names in Mongolian and English.

Wagtail shows a workflow's and a task's name as stored, in Mongolian admin pages and emails too, so
the English-only names setup gave them become bilingual. Only those exact names are renamed: a
workflow or task staff renamed keeps its name. Reversing brings the English-only names back."""

from django.db import migrations

# As in lms.home.services, frozen here: (English-only name, bilingual name).
WORKFLOW = ("Release approval", "Хувилбар батлах / Release approval")
TASK = ("Curriculum reviewer approval", "Сургалтын агуулга хянагчийн зөвшөөрөл / Curriculum reviewer approval")


def rename(apps, *, backwards: bool):
    for model_name, (english, bilingual) in (("Workflow", WORKFLOW), ("Task", TASK)):
        model = apps.get_model("wagtailcore", model_name)
        old, new = (bilingual, english) if backwards else (english, bilingual)
        model.objects.filter(name=old).update(name=new)


def forwards(apps, schema_editor):
    rename(apps, backwards=False)


def backwards(apps, schema_editor):
    rename(apps, backwards=True)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
