"""The release approval workflow and its reviewer task have names in Mongolian and English.

Wagtail shows a workflow's and a task's name as stored, in the Mongolian admin and its emails, so
setup names them in both languages (Mongolian first). Setting up again changes nothing; an older
site's English-only names become bilingual (on setup and by the home 0002 migration); names and
tasks staff changed are kept.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Task, Workflow, WorkflowContentType, WorkflowPage, WorkflowTask

from courses.models import CourseRelease
from lms.accounts import roles
from lms.home.services import RELEASE_WORKFLOW, REVIEWER_TASK, site_ensure
from tests.test_admin_mongolian import _staff

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("lms.home.migrations.0002_release_workflow_bilingual_names")


def _release_workflow() -> Workflow:
    content_type = ContentType.objects.get_for_model(CourseRelease)
    return WorkflowContentType.objects.get(content_type=content_type).workflow


def _state() -> list:
    return sorted(
        (step.workflow.name, step.task.name, step.task.specific.groups.get().name)
        for step in WorkflowTask.objects.select_related("workflow", "task")
    )


def test_releases_go_to_a_workflow_named_in_both_languages(site):
    workflow = _release_workflow()
    assert workflow.name == RELEASE_WORKFLOW == "Хувилбар батлах / Release approval"
    [step] = workflow.workflow_tasks.all()
    assert step.task.name == REVIEWER_TASK
    assert REVIEWER_TASK == "Сургалтын агуулга хянагчийн зөвшөөрөл / Curriculum reviewer approval"
    assert list(step.task.specific.groups.values_list("name", flat=True)) == [roles.REVIEWERS]
    before = (_state(), Workflow.objects.count(), Task.objects.count())
    site_ensure()
    assert (_state(), Workflow.objects.count(), Task.objects.count()) == before, (
        "setting up again changes nothing"
    )

    admin = _staff(roles.ADMINISTRATORS, superuser=True)
    assert RELEASE_WORKFLOW in admin.get(reverse("wagtailadmin_workflows:index")).content.decode()
    assert REVIEWER_TASK in admin.get(reverse("wagtailadmin_workflows:task_index")).content.decode()


def test_an_older_sites_english_names_become_bilingual(site):
    Workflow.objects.filter(name=RELEASE_WORKFLOW).update(name="Release approval")
    Task.objects.filter(name=REVIEWER_TASK).update(name="Curriculum reviewer approval")
    workflows, tasks = Workflow.objects.count(), Task.objects.count()
    site_ensure()
    assert _release_workflow().name == RELEASE_WORKFLOW
    assert Task.objects.filter(name=REVIEWER_TASK).count() == 1
    assert (Workflow.objects.count(), Task.objects.count()) == (workflows, tasks), "renamed, not duplicated"


def test_names_and_tasks_staff_changed_are_kept(site):
    workflow = _release_workflow()
    workflow.name = "Хувилбарын хяналт"
    workflow.save()
    Task.objects.filter(name=REVIEWER_TASK).update(name="Ахлах хянагч")
    second = GroupApprovalTask.objects.create(name="Хуулийн зөвлөх")
    second.groups.set([roles.roles_ensure()[roles.ADMINISTRATORS]])
    WorkflowTask.objects.create(workflow=workflow, task=second, sort_order=1)
    before = (_state(), Workflow.objects.count(), Task.objects.count())
    site_ensure()
    assert _release_workflow().pk == workflow.pk
    assert (_state(), Workflow.objects.count(), Task.objects.count()) == before
    assert not Workflow.objects.filter(name__in=[RELEASE_WORKFLOW, "Release approval"]).exists()


def test_the_migration_renames_only_the_english_only_names(site):
    Workflow.objects.filter(name=RELEASE_WORKFLOW).update(name="Release approval")
    Task.objects.filter(name=REVIEWER_TASK).update(name="Curriculum reviewer approval")
    kept = Workflow.objects.create(name="Release approval (old)")
    MIGRATION.forwards(django_apps, None)
    assert _release_workflow().name == RELEASE_WORKFLOW
    assert Task.objects.filter(name=REVIEWER_TASK).count() == 1
    assert Workflow.objects.get(pk=kept.pk).name == "Release approval (old)"
    MIGRATION.backwards(django_apps, None)
    assert _release_workflow().name == "Release approval"
    assert Task.objects.filter(name="Curriculum reviewer approval").count() == 1
    assert MIGRATION.WORKFLOW[1] == RELEASE_WORKFLOW and MIGRATION.TASK[1] == REVIEWER_TASK


DEFAULTS = importlib.import_module("lms.home.migrations.0003_remove_unused_default_workflow")


def test_wagtails_unused_default_workflow_is_gone_and_a_used_one_is_kept(site):
    assert not Workflow.objects.filter(name=DEFAULTS.DEFAULT_NAME).exists()
    assert not Task.objects.filter(name=DEFAULTS.DEFAULT_NAME).exists()
    # One that snippets use stays, with its task.
    workflow = Workflow.objects.create(name=DEFAULTS.DEFAULT_NAME)
    task = GroupApprovalTask.objects.create(name=DEFAULTS.DEFAULT_NAME)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    used = WorkflowContentType.objects.create(
        workflow=workflow, content_type=ContentType.objects.get_for_model(GroupApprovalTask)
    )
    DEFAULTS.forwards(django_apps, None)
    assert Workflow.objects.filter(pk=workflow.pk).exists() and Task.objects.filter(pk=task.pk).exists()
    # Only on the root page (as Wagtail leaves it), it goes, and the page has no workflow.
    used.delete()
    WorkflowPage.objects.create(workflow=workflow, page=site["home"])
    DEFAULTS.forwards(django_apps, None)
    assert not WorkflowPage.objects.exists()
    assert (
        not Workflow.objects.filter(pk=workflow.pk).exists() and not Task.objects.filter(pk=task.pk).exists()
    )


def test_the_mongolian_submit_button_says_it_sends_the_release_for_approval(site):
    from tests.factories import build_course

    built = build_course(lessons=1, slug="submit-button")
    release = CourseRelease.objects.create(course=built.mn, version="1.1")
    editor = _staff(roles.EDITORS)
    html = editor.get(f"/admin/snippets/courses/courserelease/edit/{release.pk}/").content.decode()
    assert f"Батлуулахаар илгээх: {RELEASE_WORKFLOW}" in html
    assert "-д бүртгүүлэх" not in html  # Wagtail's own Mongolian reads "register to"
