"""Versioned releases: snapshots, what changed, approval, learners pinned and moved, rollback."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Workflow

from assessments import services as quiz_services
from courses import errors as course_errors
from courses import selectors as course_selectors
from courses import services
from courses.models import (
    CourseCompletion,
    CourseRelease,
    Enrollment,
    LessonPage,
    LessonProgress,
    ReleaseMove,
)
from lms.accounts import roles
from lms.home.services import RELEASE_WORKFLOW
from tests.assessments import helpers
from tests.factories import UserFactory, build_course, staff_client

pytestmark = pytest.mark.django_db


def edit(lesson: LessonPage, text: str, *, title: str | None = None, user=None) -> None:
    """An editor saves a draft of a lesson (never published by hand: releases publish it)."""
    page = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object()
    page.body = [{"type": "text", "value": f"<p>{text}</p>"}]
    if title:
        page.title = title
    page.save_revision(user=user)


def body_text(client, url) -> str:
    return client.get(url).content.decode()


@pytest.fixture
def course(site):
    return build_course(lessons=4, slug="versioned")


def test_a_draft_edit_is_in_the_next_release_not_the_current_one(course, client):
    lesson = course.lessons["en"][1]
    edit(lesson, "New advice about trusted adults.")
    assert "New advice" not in body_text(client, lesson.url), "visitors see the current release"
    changes = course_selectors.release_changes(course=course.mn)
    changed = changes.of("changed")
    assert [c.lesson_key for c in changed] == [lesson.translation_key]
    [text] = changed[0].diffs["en"].texts
    assert text.inserted == ["New advice about trusted adults."] and text.deleted == ["Read this carefully."]
    assert changed[0].stale_languages == ["mn"], "the Mongolian page was not updated"
    services.release_publish(course=course.mn, version="1.1")
    assert "New advice" in body_text(client, lesson.url)


def test_added_and_removed_lessons_are_reported(course):
    from tests.factories import LessonPageFactory

    module = course.modules["mn"][0]
    LessonPageFactory(parent=module, slug="new-lesson", title="Шинэ хичээл")  # factory pages are live
    removed = LessonPage.objects.get(pk=course.lessons["mn"][3].pk)
    removed.unpublish()
    changes = course_selectors.release_changes(course=course.mn)
    assert [c.title for c in changes.of("added")] == ["Шинэ хичээл"]
    assert [c.lesson_key for c in changes.of("removed")] == [removed.translation_key]
    release = services.release_publish(course=course.mn, version="1.1")
    assert release.lesson_count == 4 and removed.translation_key not in release.lessons.values_list(
        "lesson_key", flat=True
    )


def test_learners_stay_on_their_release_while_newer_ones_are_published(course, client):
    old_learner, new_learner = UserFactory(), UserFactory()
    services.enrollment_create(user=old_learner, course=course.mn)
    lesson = course.lessons["en"][0]
    original = body_text(client, lesson.url)
    edit(lesson, "Second edition text.")
    services.release_publish(course=course.mn, version="1.1")  # policy: nobody moves
    services.enrollment_create(user=new_learner, course=course.mn)
    client.force_login(old_learner)
    page = body_text(client, lesson.url)
    assert (
        "Second edition text." not in page
        and "Read this carefully." in page
        and "Read this carefully." in original
    )
    assert "Version 1.1 of this course is available (you are on 1.0)." in page
    client.force_login(new_learner)
    assert "Second edition text." in body_text(client, lesson.url)
    assert Enrollment.objects.get(user=new_learner).release.version == "1.1"


def test_an_older_release_lesson_costs_a_constant_number_of_queries(course, client):
    learner = UserFactory()
    services.enrollment_create(user=learner, course=course.mn)
    client.force_login(learner)
    current = course.lessons["en"][2]
    client.get(current.url)
    with CaptureQueriesContext(connection) as on_current:
        client.get(current.url)
    for lesson in course.lessons["en"]:
        edit(lesson, "Changed everywhere.")
    services.release_publish(course=course.mn, version="1.1")
    client.get(current.url)
    with CaptureQueriesContext(connection) as on_older:
        response = client.get(current.url)
    assert "Changed everywhere." not in response.content.decode()
    # One query for the old revision, one to tell the learner a newer version exists.
    assert len(on_older) == len(on_current) + 2, (len(on_current), len(on_older))


def test_everyone_moves_keeping_progress_on_unchanged_lessons(course, django_capture_on_commit_callbacks):
    midway, fresh, finished = UserFactory(), UserFactory(), UserFactory()
    for user in (midway, fresh, finished):
        services.enrollment_create(user=user, course=course.mn)
    keys = [lesson.translation_key for lesson in course.lessons["mn"]]
    for key in keys[:2]:
        services.lesson_complete(user=midway, lesson_key=key)
    for key in keys:
        services.lesson_complete(user=finished, lesson_key=key)
    edit(course.lessons["mn"][1], "Rewritten second lesson.")
    with django_capture_on_commit_callbacks(execute=True):
        release = services.release_publish(
            course=course.mn, version="1.1", policy=CourseRelease.Policy.EVERYONE
        )
    midway_enrollment = Enrollment.objects.get(user=midway)
    assert midway_enrollment.release == release and midway_enrollment.completed_lessons == 1
    done = set(
        LessonProgress.objects.filter(enrollment=midway_enrollment, completed_at__isnull=False).values_list(
            "lesson_key", flat=True
        )
    )
    assert done == {keys[0]}, "the unchanged lesson keeps its completion; the changed one reopens"
    assert Enrollment.objects.get(user=fresh).release == release
    assert Enrollment.objects.get(user=finished).release.version == "1.0", "completed learners are not moved"
    move = ReleaseMove.objects.get(enrollment=midway_enrollment)
    assert (move.reason, move.reopened_lessons, move.from_release.version) == ("policy", 1, "1.0")
    release.refresh_from_db()
    assert (release.moves_total, release.moves_done) == (2, 2)


def test_only_learners_who_have_not_started_move_with_that_policy(course, django_capture_on_commit_callbacks):
    started, waiting = UserFactory(), UserFactory()
    services.enrollment_create(user=started, course=course.mn)
    services.enrollment_create(user=waiting, course=course.mn)
    services.lesson_complete(user=started, lesson_key=course.lessons["mn"][0].translation_key)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_publish(course=course.mn, version="1.1", policy=CourseRelease.Policy.NOT_STARTED)
    assert Enrollment.objects.get(user=started).release.version == "1.0"
    assert Enrollment.objects.get(user=waiting).release.version == "1.1"


def test_a_completed_learner_takes_the_changes_as_a_refresher(course, client):
    learner = UserFactory()
    services.enrollment_create(user=learner, course=course.mn)
    for lesson in course.lessons["mn"]:
        services.lesson_complete(user=learner, lesson_key=lesson.translation_key)
    edit(course.lessons["mn"][2], "A new section.")
    services.release_publish(course=course.mn, version="1.1")
    client.force_login(learner)
    page = body_text(client, course.en.url)
    assert "as a refresher" in page
    response = client.post(f"/en/learn/courses/{course.en.pk}/move/")
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=learner)
    assert (
        enrollment.release.version == "1.1"
        and enrollment.status == "active"
        and enrollment.completed_lessons == 3
    )
    assert CourseCompletion.objects.filter(enrollment=enrollment, release__version="1.0").exists()
    services.lesson_complete(user=learner, lesson_key=course.lessons["mn"][2].translation_key)
    assert CourseCompletion.objects.filter(enrollment=enrollment).count() == 2
    assert client.post(f"/en/learn/courses/{course.en.pk}/move/").status_code == 409, "already there"


def test_moving_to_a_release_of_another_course_is_refused(course, site):
    other = build_course(lessons=1, slug="other")
    learner = UserFactory()
    enrollment = services.enrollment_create(user=learner, course=course.mn)
    with pytest.raises(course_errors.ReleaseError):
        services.enrollment_move(enrollment=enrollment, to=other.release)
    assert Enrollment.objects.get(pk=enrollment.pk).release == course.release
    assert not ReleaseMove.objects.exists()


def test_a_published_release_cannot_be_changed_or_published_twice(course):
    with pytest.raises(course_errors.ReleaseError):
        services.release_finalise(release=course.release)
    with pytest.raises(course_errors.ReleaseError):
        services.release_publish(course=course.mn, version="1.0")
    release = CourseRelease.objects.get(pk=course.release.pk)
    release.notes_en = "Rewritten history"
    with pytest.raises(ValidationError):
        release.full_clean()
    assert CourseRelease.objects.filter(course=course.mn).count() == 1


def test_rollback_publishes_the_earlier_content_as_a_new_release(course, client):
    lesson = course.lessons["en"][0]
    edit(lesson, "A mistake.")
    bad = services.release_publish(course=course.mn, version="1.1")
    rollback = services.release_rollback(to=course.release, version="1.2")
    assert rollback.is_current and rollback.source_release == course.release
    assert bad.is_current is False or not CourseRelease.objects.get(pk=bad.pk).is_current
    page = body_text(client, lesson.url)
    assert "A mistake." not in page and "Read this carefully." in page
    assert [
        c.status for c in course_selectors.release_changes(course=course.mn, release=rollback).lessons
    ].count("changed") == 1


def test_a_lesson_removed_later_stays_readable_for_its_release(course, client):
    learner = UserFactory()
    services.enrollment_create(user=learner, course=course.mn)
    lesson = course.lessons["en"][3]
    for page in (LessonPage.objects.get(pk=lesson.pk), LessonPage.objects.get(pk=course.lessons["mn"][3].pk)):
        page.unpublish()
    services.release_publish(course=course.mn, version="1.1")
    assert client.get(lesson.url).status_code == 404, "not in the current release"
    client.force_login(learner)
    assert client.get(lesson.url).status_code == 200, "still in the learner's release"


def test_quizzes_are_graded_as_the_learners_release_pinned_them(site):
    question = helpers.question(text="Pinned question")
    quiz = helpers.quiz([question], pass_mark=50)
    built = helpers.course_with_quiz(quiz, lessons=1, quiz_position=0, slug="pinned")
    pin = built.release.quiz_pins[str(quiz.pk)]
    assert pin["revision"] == quiz.live_revision_id
    assert pin["questions"] == {str(question.pk): question.live_revision_id}
    learner = UserFactory()
    services.enrollment_create(user=learner, course=built.mn)
    question.text_en = "Reworded after the release"
    question.save_revision().publish()
    quiz.pass_mark = 100
    quiz.save_revision().publish()
    attempt = quiz_services.attempt_start(user=learner, quiz=quiz, lesson=built.lessons["mn"][0])
    assert attempt.layout[0]["revision"] == pin["questions"][str(question.pk)]
    assert attempt.pass_mark == 50 and attempt.quiz_revision_id == pin["revision"]


def test_a_changed_quiz_makes_its_lesson_changed(site):
    question = helpers.question()
    quiz = helpers.quiz([question])
    built = helpers.course_with_quiz(quiz, lessons=2, quiz_position=1, slug="quizchange")
    options = question.options.raw_data
    for block in options:
        block["value"]["correct"] = (
            not block["value"]["correct"] if block is options[0] or block is options[1] else False
        )
    question.options = options
    question.save_revision().publish()
    changes = course_selectors.release_changes(course=built.mn)
    assert [c.lesson_key for c in changes.of("changed")] == [built.lessons["mn"][1].translation_key]
    assert len(changes.quizzes) == 1
    assert str(quiz) in changes.quizzes[0] and str(question) in changes.quizzes[0], changes.quizzes


def test_releases_go_through_the_reviewer_approval_workflow(course):
    from wagtail.actions.publish_revision import PublishPermissionError, PublishRevisionAction

    editor = staff_client(roles.EDITORS).user
    reviewer = staff_client(roles.REVIEWERS).user
    edit(course.lessons["mn"][0], "Approved text.")
    draft = CourseRelease(
        course=course.mn,
        version="1.1",
        notes_en="Clearer first lesson",
        live=False,
        policy=CourseRelease.Policy.EVERYONE,
    )
    draft.save()
    revision = draft.save_revision(user=editor)
    with pytest.raises(PublishPermissionError):
        PublishRevisionAction(revision, user=editor).execute()
    assert CourseRelease.objects.get(pk=draft.pk).published_at is None, "an editor cannot publish"
    workflow = Workflow.objects.get(name=RELEASE_WORKFLOW)
    state = workflow.start(draft, editor)
    assert state.current_task_state.task.specific.groups.filter(name=roles.REVIEWERS).exists()
    state.current_task_state.approve(user=reviewer)
    draft.refresh_from_db()
    assert draft.published_at and draft.is_current and draft.published_by == reviewer
    assert draft.lessons.count() == 4
    assert CourseRelease.objects.get(pk=course.release.pk).is_current is False


def test_the_release_admin_shows_changes_and_refuses_to_edit_a_published_release(course):
    editor = staff_client(roles.EDITORS)
    edit(course.lessons["mn"][0], "Shown in the diff.")
    draft = CourseRelease(course=course.mn, version="1.1", live=False)
    draft.save()
    draft.save_revision()
    page = editor.get(f"/admin/snippets/courses/courserelease/edit/{draft.pk}/")
    assert page.status_code == 200 and "Shown in the diff." in page.content.decode()
    published = course.release
    response = editor.post(f"/admin/snippets/courses/courserelease/edit/{published.pk}/", {"version": "9.9"})
    assert response.status_code == 302 and f"/admin/releases/{published.pk}/" in response["Location"]
    assert CourseRelease.objects.get(pk=published.pk).version == "1.0"
    assert editor.get(f"/admin/releases/{published.pk}/").status_code == 200
    learner_client = staff_client(roles.LEARNERS)
    assert learner_client.get(f"/admin/releases/{published.pk}/").status_code in (302, 403)


def test_an_approved_release_of_a_course_without_lessons_stays_a_draft(course):
    from lms.accounts.models import AuditEvent

    reviewer = staff_client(roles.REVIEWERS).user
    draft = CourseRelease(course=course.mn, version="2.0", live=False)
    draft.full_clean()
    draft.save()
    draft.save_revision()
    for lesson in LessonPage.objects.descendant_of(course.mn):
        lesson.delete()
    with pytest.raises(ValidationError):
        CourseRelease(course=course.mn, version="2.1").full_clean()
    state = Workflow.objects.get(name=RELEASE_WORKFLOW).start(draft, reviewer)
    state.current_task_state.approve(user=reviewer)
    draft = CourseRelease.objects.get(pk=draft.pk)
    assert draft.published_at is None and not draft.is_current and not draft.live
    assert CourseRelease.objects.get(pk=course.release.pk).is_current, "the learners' version is untouched"
    assert AuditEvent.objects.filter(action="release.refused").exists()


def test_a_released_lesson_cannot_be_deleted_in_the_admin_only_unpublished(course):
    editor = staff_client(roles.ADMINISTRATORS)
    lesson = course.lessons["mn"][0]
    response = editor.post(f"/admin/pages/{lesson.pk}/delete/")
    assert response.status_code == 302 and f"/admin/pages/{lesson.pk}/edit/" in response["Location"]
    assert LessonPage.objects.filter(pk=lesson.pk).exists()
    module = course.modules["mn"][0]
    assert editor.post(f"/admin/pages/{module.pk}/delete/").status_code == 302
    assert LessonPage.objects.filter(pk=lesson.pk).exists(), "nor the module that holds it"
    from tests.factories import LessonPageFactory

    unreleased = LessonPageFactory(parent=module, slug="never-released")
    assert editor.post(f"/admin/pages/{unreleased.pk}/delete/").status_code == 302
    assert not LessonPage.objects.filter(pk=unreleased.pk).exists(), "an unreleased lesson can go"


def test_an_older_release_shows_its_own_titles_in_the_outline_and_the_pager(course, client):
    learner = UserFactory()
    services.enrollment_create(user=learner, course=course.mn)
    first, second = course.lessons["en"][0], course.lessons["en"][1]
    edit(first, "New text.", title="Renamed first lesson")
    module = course.modules["en"][0].get_latest_revision_as_object()
    module.title = "Renamed module"
    module.save_revision()
    services.release_publish(course=course.mn, version="1.1")
    assert "Renamed module" in body_text(client, course.en.url), "visitors see the new version"
    client.force_login(learner)
    outline = body_text(client, course.en.url)
    assert "Renamed" not in outline and first.title in outline and course.modules["en"][0].title in outline
    pager = body_text(client, second.url)
    assert "Renamed first lesson" not in pager and first.title in pager
    with CaptureQueriesContext(connection) as queries:
        client.get(second.url)
    revision_reads = [q for q in queries.captured_queries if "wagtailcore_revision" in q["sql"]]
    assert len(revision_reads) == 1, "the lesson and its neighbours' titles are read at once"
