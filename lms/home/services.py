"""Writes that build and update the page tree: the site itself, and pages kept in sync by slug."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.fields import StreamField
from wagtail.models import GroupPagePermission, Locale, Page, Site

from courses.models import CourseIndexPage
from lms.accounts import roles

from .models import HomePage

HOME_CONTENT = {
    "mn": {
        "title": "CPC Learn",
        "slug": "home",
        "tagline": "Хүүхэд хамгааллын цахим сургалт",
        "intro": (
            "<p>CPC Learn бол багш, залуучуудын чиглүүлэгч, хамгаалах байрны ажилтнууд болон "
            "хууль хяналтын байгууллагын ажилтнуудад зориулсан хүүхэд хамгааллын үнэ төлбөргүй "
            "цахим сургалт юм. Хичээлээ өөрийн хурдаар үзэж, шалгалт өгч, гэрчилгээ аваарай.</p>"
        ),
        "catalogue_title": "Сургалтууд",
        "catalogue_slug": "courses",
        "catalogue_intro": "<p>Та өөрт хамаарах сургалтаа сонгон бүртгүүлээрэй.</p>",
    },
    "en": {
        "title": "CPC Learn",
        "slug": "home-en",
        "tagline": "Child-protection training online",
        "intro": (
            "<p>CPC Learn is free child-protection training for teachers, youth facilitators, "
            "shelter and residential care staff, and justice-sector professionals. Learn at your "
            "own pace, take the quizzes and earn a certificate.</p>"
        ),
        "catalogue_title": "Courses",
        "catalogue_slug": "courses",
        "catalogue_intro": "<p>Choose the training that fits your work and enrol.</p>",
    },
}

# Page permissions each role holds on the catalogue (and so on every course under it).
CATALOGUE_PERMISSIONS = {
    roles.EDITORS: ["add_page", "change_page"],
    roles.REVIEWERS: ["change_page", "publish_page"],
    roles.ADMINISTRATORS: [
        "add_page",
        "change_page",
        "publish_page",
        "delete_page",
        "lock_page",
        "unlock_page",
    ],
}


@dataclass
class UpsertResult:
    page: Page
    created: bool
    changed: bool
    kept: bool = False  # left alone: an editor changed it in the admin


def edited_by_a_person(obj) -> bool:
    """Whether the latest revision of a page or snippet was saved by a person (not a loader)."""
    revision = obj.latest_revision
    return revision is not None and revision.user_id is not None


def _comparable(page: Page, field_names: list[str]) -> dict[str, Any]:
    values = {}
    for name in field_names:
        field = page._meta.get_field(name)
        value = getattr(page, name)
        if field.many_to_many:
            value = sorted(item.pk for item in value.all())
        elif isinstance(field, StreamField):
            value = [{"type": item["type"], "value": item["value"]} for item in value.get_prep_value()]
            value = json.dumps(value, sort_keys=True, default=str)
        elif hasattr(value, "pk"):
            value = value.pk
        values[name] = str(value) if value is not None else None
    return values


@transaction.atomic
def page_upsert(
    *,
    parent: Page,
    model: type[Page],
    slug: str,
    fields: dict[str, Any],
    locale: Locale,
    translation_of: Page | None = None,
    user=None,
    keep_editor_changes: bool = False,
) -> UpsertResult:
    """Create or update the child of ``parent`` with ``slug``, publishing a revision if it changed.

    ``translation_of`` links a new page to its source page in another locale. With
    ``keep_editor_changes``, a page whose latest revision a person made in the admin is left
    as they made it (``kept`` in the result).
    """
    existing = parent.get_children().filter(slug=slug).first()
    if existing is None:
        plain = {
            name: value for name, value in fields.items() if not model._meta.get_field(name).many_to_many
        }
        page = model(slug=slug, locale=locale, **plain)
        for name, value in fields.items():
            if name not in plain:
                setattr(page, name, value)  # parental many-to-many: kept with the page until saved
        if translation_of is not None:
            page.translation_key = translation_of.translation_key
        parent.add_child(instance=page)
        page.save_revision(user=user, log_action=True).publish(user=user)
        return UpsertResult(page=page, created=True, changed=True)
    page = existing.specific
    if not isinstance(page, model):
        raise ValueError(f"{page.url_path} is a {type(page).__name__}, expected {model.__name__}")
    if keep_editor_changes and edited_by_a_person(page):
        return UpsertResult(page=page, created=False, changed=False, kept=True)
    page = page.get_latest_revision_as_object()
    before = _comparable(page, list(fields))
    for name, value in fields.items():
        setattr(page, name, value)
    if _comparable(page, list(fields)) == before and page.live and not page.has_unpublished_changes:
        return UpsertResult(page=page, created=False, changed=False)
    page.save_revision(user=user, log_action=True).publish(user=user)
    return UpsertResult(page=page, created=False, changed=True)


@transaction.atomic
def site_ensure() -> dict[str, Page]:
    """Build the site skeleton once: locales, home and catalogue pages in mn and en, permissions.

    Safe to run again: existing pages are left as editors made them.
    """
    locales = {
        code: Locale.objects.get_or_create(language_code=code)[0] for code, _name in settings.LANGUAGES
    }
    default = Locale.get_default()
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(
            title="Root", slug="root", locale=default, content_type=ContentType.objects.get_for_model(Page)
        )
    )
    # Wagtail's placeholder "Welcome" page (a plain Page) makes way for the real home page.
    for placeholder in root.get_children():
        if placeholder.specific_class is Page:
            placeholder.delete()
    homes: dict[str, Page] = {}
    catalogues: dict[str, Page] = {}
    for code in [default.language_code] + [c for c in locales if c != default.language_code]:
        content = HOME_CONTENT[code]
        home = HomePage.objects.filter(locale=locales[code]).first()
        if home is None:
            home = page_upsert(
                parent=root,
                model=HomePage,
                slug=content["slug"],
                fields={"title": content["title"], "tagline": content["tagline"], "intro": content["intro"]},
                locale=locales[code],
                translation_of=homes.get(default.language_code),
            ).page
        homes[code] = home
        catalogue = CourseIndexPage.objects.filter(locale=locales[code]).first()
        if catalogue is None:
            catalogue = page_upsert(
                parent=home,
                model=CourseIndexPage,
                slug=content["catalogue_slug"],
                fields={"title": content["catalogue_title"], "intro": content["catalogue_intro"]},
                locale=locales[code],
                translation_of=catalogues.get(default.language_code),
            ).page
        catalogues[code] = catalogue

    main_home = homes[default.language_code]
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=main_home, is_default_site=True, site_name="CPC Learn"
        )
    elif site.root_page_id != main_home.pk:
        site.root_page = main_home
        site.site_name = "CPC Learn"
        site.save()

    groups = roles.roles_ensure()
    release_workflow_ensure(reviewers=groups[roles.REVIEWERS])
    for role, codenames in CATALOGUE_PERMISSIONS.items():
        for catalogue in catalogues.values():
            for codename in codenames:
                GroupPagePermission.objects.get_or_create(
                    group=groups[role],
                    page=catalogue,
                    permission=Permission.objects.get(
                        content_type__app_label="wagtailcore", codename=codename
                    ),
                )
    return {"home": main_home, **{f"catalogue_{code}": page for code, page in catalogues.items()}}


# The release approval workflow and its reviewer task, named in both languages: Wagtail shows a
# workflow's and a task's name as stored (admin pages, the Submit button, its emails) whatever the
# reader's language. Mongolian first, the admin's default.
RELEASE_WORKFLOW = "Хувилбар батлах / Release approval"
REVIEWER_TASK = "Сургалтын агуулга хянагчийн зөвшөөрөл / Curriculum reviewer approval"
# The English-only names sites set up before got; renamed (home 0002 and here), never a staff one.
FORMER_NAMES = {RELEASE_WORKFLOW: "Release approval", REVIEWER_TASK: "Curriculum reviewer approval"}


def release_workflow_ensure(*, reviewers) -> None:
    """Course releases need a reviewer's approval; lessons are not moderated one by one (they reach
    learners only inside an approved release).

    Run again, it keeps what staff changed: the workflow is the one releases already use (found by
    that, not by its name), and one that has tasks keeps them, their names and their groups. Only
    the English-only names of earlier setups become the bilingual ones.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowContentType, WorkflowPage, WorkflowTask

    from courses.models import CourseRelease

    content_type = ContentType.objects.get_for_model(CourseRelease)
    assignment = (
        WorkflowContentType.objects.filter(content_type=content_type).select_related("workflow").first()
    )
    if assignment is not None:
        workflow = _bilingual_name(assignment.workflow, RELEASE_WORKFLOW)
    else:
        workflow = _named(Workflow, RELEASE_WORKFLOW, active=True)
        WorkflowContentType.objects.create(content_type=content_type, workflow=workflow)
    steps = list(workflow.workflow_tasks.select_related("task"))
    for step in steps:
        _bilingual_name(step.task, REVIEWER_TASK)
    if not steps:
        task = _named(GroupApprovalTask, REVIEWER_TASK)
        task.groups.set([reviewers])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.all().delete()


def _bilingual_name(obj, name: str):
    """The workflow or task, renamed to ``name`` if it still has the English-only name it had."""
    if obj.name == FORMER_NAMES[name]:
        obj.name = name
        obj.save(update_fields=["name"])
    return obj


def _named(model, name: str, **defaults):
    """The workflow or task called ``name`` (or its former English-only name), else a new one."""
    found = model.objects.filter(name__in=[name, FORMER_NAMES[name]]).order_by("pk").first()
    if found is not None:
        return _bilingual_name(found, name)
    return model.objects.create(name=name, **defaults)
