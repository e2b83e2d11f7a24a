"""Remove Wagtail's default "Moderators approval" workflow and task when nothing uses them.

Wagtail's first migrations create them for its own default "Moderators" group, which this project
removed (accounts 0004); releases go through the project's own bilingual release approval workflow
and pages are never moderated one by one (setup removes every page's workflow, Wagtail's default one
on the root page included). Left in place they show, in English, on the Mongolian workflow and task
lists. A workflow used for snippets or with any history, and a task with history, are kept."""

from django.db import migrations

DEFAULT_NAME = "Moderators approval"  # Wagtail's own name, frozen here


def forwards(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    for workflow in Workflow.objects.filter(name=DEFAULT_NAME):
        if (
            WorkflowContentType.objects.filter(workflow=workflow).exists()
            or WorkflowState.objects.filter(workflow=workflow).exists()
        ):
            continue
        WorkflowPage.objects.filter(workflow=workflow).delete()
        WorkflowTask.objects.filter(workflow=workflow).delete()
        workflow.delete()
    for task in Task.objects.filter(name=DEFAULT_NAME):
        if WorkflowTask.objects.filter(task=task).exists() or TaskState.objects.filter(task=task).exists():
            continue
        task.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0002_release_workflow_bilingual_names"),
    ]

    # Nothing to bring back: setup removes the default workflow's only assignment, the root page.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
