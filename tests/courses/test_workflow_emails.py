"""Release approval emails reach each person in their own language, with nothing left in English.

Wagtail sends the workflow notifications (submitted to the reviewers, approved or sent back to
the editor) in each recipient's preferred admin language. Its Mongolian catalogue lacks most of
their strings; the project catalogue supplies them. The recorder of the Mongolian admin test
notes every lookup that comes back untranslated while the emails are written.
"""

from __future__ import annotations

import re

import pytest
from wagtail.models import Workflow
from wagtail.users.models import UserProfile

from courses.models import CourseRelease
from lms.accounts import roles
from lms.home.services import RELEASE_WORKFLOW
from tests.courses.test_releases import edit
from tests.factories import build_course, staff_client
from tests.test_admin_mongolian import recorder  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

# English words of Wagtail's notification templates that must not reach a Mongolian reader.
ENGLISH = re.compile(r"\b(has been|submitted|approved|rejected|moderation|workflow|Hello|You can)\b", re.I)


def _speaks(user, language: str):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.submitted_notifications = profile.approved_notifications = profile.rejected_notifications = True
    profile.save()
    return type(user).objects.get(pk=user.pk)  # a fresh object: the one signed in caches its old profile


def _release_submitted(site, editor):
    course = build_course(lessons=2, slug="emailed")
    edit(course.lessons["mn"][0], "Шинэчилсэн текст.")
    draft = CourseRelease(course=course.mn, version="1.1", notes_mn="Шинэчлэл", live=False)
    draft.save()
    draft.save_revision(user=editor)
    return Workflow.objects.get(name=RELEASE_WORKFLOW).start(draft, editor)


@pytest.mark.parametrize("outcome", ["approved", "rejected"])
def test_release_approval_emails_read_in_mongolian(site, mailoutbox, recorder, outcome):  # noqa: F811
    editor = _speaks(staff_client(roles.EDITORS).user, "mn")
    reviewer = _speaks(staff_client(roles.REVIEWERS).user, "mn")
    recorder.page = "submitted"
    state = _release_submitted(site, editor)
    to_reviewer = [m for m in mailoutbox if reviewer.email in m.to]
    assert to_reviewer, "the reviewer is told a release awaits approval"
    recorder.page = outcome
    mailoutbox.clear()
    task_state = state.current_task_state
    if outcome == "approved":
        task_state.approve(user=reviewer)
    else:
        task_state.reject(user=reviewer)
    to_editor = [m for m in mailoutbox if editor.email in m.to]
    assert to_editor, f"the editor is told the release was {outcome}"
    assert not recorder.missing, recorder.report()
    for message in to_reviewer + to_editor:
        text = message.subject + "\n" + message.body
        assert re.search("[А-Яа-яӨөҮүЁё]", text), text
        assert not ENGLISH.search(text), text
    # The workflow and its task are named in Mongolian too (and English, for English readers).
    task = "Сургалтын агуулга хянагчийн зөвшөөрөл"
    for message in to_reviewer:
        assert task in message.subject and task in message.body, message.body
    for message in to_editor:
        assert "Хувилбар батлах" in message.subject and "Хувилбар батлах" in message.body, message.body


def test_an_english_speaking_reviewer_gets_english(site, mailoutbox):
    editor = _speaks(staff_client(roles.EDITORS).user, "mn")
    reviewer = _speaks(staff_client(roles.REVIEWERS).user, "en")
    _release_submitted(site, editor)
    [message] = [m for m in mailoutbox if reviewer.email in m.to]
    assert message.subject.startswith("The course release"), message.subject
    assert "has been submitted" in message.body, message.body
    assert "Curriculum reviewer approval" in message.body, message.body
