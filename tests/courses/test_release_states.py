"""The release list says draft / awaiting approval / current / superseded, and approving says
"approved and published" (issue 16)."""

import re

import pytest
from django.contrib.messages import get_messages
from wagtail.models import Workflow

from courses.models import CourseRelease
from lms.accounts import roles
from lms.home.services import RELEASE_WORKFLOW
from tests.courses.test_releases import edit
from tests.factories import staff_client

pytestmark = pytest.mark.django_db

LISTING = "/admin/snippets/courses/courserelease/"


def _states(client) -> list[str]:
    html = client.get(LISTING).content.decode()
    assert ">True<" not in html and ">False<" not in html
    return re.findall(r"\b(draft|awaiting approval|current|superseded)\b", html)


def test_the_list_names_each_state_and_approving_says_approved_and_published(course):
    editor = staff_client(roles.EDITORS)
    reviewer = staff_client(roles.REVIEWERS)
    edit(course.lessons["mn"][0], "Approved text.")
    draft = CourseRelease(course=course.mn, version="1.1", live=False, policy=CourseRelease.Policy.EVERYONE)
    draft.save()
    draft.save_revision(user=editor.user)
    assert sorted(set(_states(editor))) == ["current", "draft"]

    Workflow.objects.get(name=RELEASE_WORKFLOW).start(draft, editor.user)
    assert sorted(set(_states(editor))) == ["awaiting approval", "current"]

    response = reviewer.post(
        f"/admin/snippets/courses/courserelease/edit/{draft.pk}/",
        {
            "course": course.mn.pk,
            "version": "1.1",
            "notes_mn": "",
            "notes_en": "",
            "policy": "everyone",
            "source_release": "",
            "action-workflow-action": "true",
            "workflow-action-name": "approve",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("approved and published" in m for m in messages), messages
    assert not any("updated" in m for m in messages)
    assert CourseRelease.objects.get(pk=draft.pk).is_current
    assert sorted(set(_states(editor))) == ["current", "superseded"]


def test_the_states_read_in_mongolian(course):
    reviewer = staff_client(roles.REVIEWERS)
    profile = reviewer.user.wagtail_userprofile
    profile.preferred_language = "mn"
    profile.save()
    html = reviewer.get(LISTING).content.decode()
    assert "одоогийн" in html and "current" not in re.sub(r"<[^>]+>", " ", html).split()
