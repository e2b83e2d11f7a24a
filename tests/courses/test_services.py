"""The courses services: enrolment, progress and the one completion path."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from courses import errors, services, signals
from courses.models import Enrollment, LessonProgress
from lms.accounts import roles
from tests.factories import UserFactory, build_course, with_two_factor

pytestmark = pytest.mark.django_db


def test_release_freezes_lessons_in_course_order(course):
    release = course.release
    assert release.is_current
    assert release.lesson_count == 3 and release.required_lesson_count == 3
    keys = list(release.lessons.order_by("position").values_list("lesson_key", flat=True))
    assert keys == [lesson.translation_key for lesson in course.lessons["mn"]]
    for row in release.lessons.all():
        assert set(row.revisions) == {"mn", "en"} and all(row.revisions.values())
        assert len(row.content_hash) == 64


def test_publishing_again_moves_current_and_keeps_history(course):
    newer = services.release_publish(course=course.en, version="1.1")
    assert newer.course_id == course.mn.pk, "releases belong to the canonical (Mongolian) course page"
    assert list(course.mn.releases.filter(is_current=True)) == [newer]
    assert course.mn.releases.count() == 2


def test_enrol_pins_current_release_from_either_language(course, learner):
    enrollment = services.enrollment_create(user=learner, course=course.en)
    assert enrollment.course_id == course.mn.pk
    assert enrollment.release_id == course.release.pk
    assert enrollment.status == Enrollment.Status.ACTIVE


def test_enrolling_twice_is_refused_and_stores_nothing(course, learner):
    services.enrollment_create(user=learner, course=course.mn)
    with pytest.raises(errors.AlreadyEnrolled):
        services.enrollment_create(user=learner, course=course.en)
    assert Enrollment.objects.filter(user=learner).count() == 1


def test_a_course_without_release_cannot_be_taken(site, learner):
    draft = build_course(lessons=2, publish=False)
    with pytest.raises(errors.NotPublished):
        services.enrollment_create(user=learner, course=draft.mn)
    assert not Enrollment.objects.exists()


def test_justice_course_is_hidden_from_teachers(site, learner):
    restricted = build_course(lessons=2, restricted_to=(roles.JUSTICE_LEARNERS,))
    with pytest.raises(errors.NotAllowed):
        services.enrollment_create(user=learner, course=restricted.mn)
    investigator = UserFactory()
    investigator.groups.add(Group.objects.get(name=roles.JUSTICE_LEARNERS))
    with pytest.raises(errors.NotAllowed):  # not before two-factor sign-in is set up
        services.enrollment_create(user=investigator, course=restricted.mn)
    assert not Enrollment.objects.exists()
    with_two_factor(investigator)
    investigator = type(investigator).objects.get(pk=investigator.pk)  # forget cached answers
    assert services.enrollment_create(user=investigator, course=restricted.mn).pk


def test_completing_a_lesson_without_enrolment_is_refused(course, learner):
    with pytest.raises(errors.NotEnrolled):
        services.lesson_complete(user=learner, lesson_key=course.lessons["mn"][0].translation_key)
    assert not LessonProgress.objects.exists()


def test_completing_a_lesson_of_another_course_is_refused(site, course, learner):
    other = build_course(lessons=2)
    services.enrollment_create(user=learner, course=course.mn)
    with pytest.raises(errors.NotEnrolled):
        services.lesson_complete(user=learner, lesson_key=other.lessons["mn"][0].translation_key)
    assert not LessonProgress.objects.exists()


def test_replaying_a_completion_changes_nothing(course, learner):
    enrollment = services.enrollment_create(user=learner, course=course.mn)
    first = services.lesson_complete(user=learner, lesson_key=course.lessons["mn"][0].translation_key)
    with pytest.raises(errors.AlreadyCompleted):
        services.lesson_complete(user=learner, lesson_key=course.lessons["en"][0].translation_key)
    enrollment.refresh_from_db()
    assert enrollment.completed_lessons == 1
    assert LessonProgress.objects.get().completed_at == first.completed_at


def test_progress_is_shared_between_a_lesson_and_its_translation(course, learner):
    services.enrollment_create(user=learner, course=course.mn)
    services.lesson_complete(user=learner, lesson_key=course.lessons["en"][0].translation_key)
    progress = LessonProgress.objects.get()
    assert progress.lesson_key == course.lessons["mn"][0].translation_key


def test_last_required_lesson_completes_the_course_and_announces_it_after_commit(
    course, learner, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, enrollment_id, **kwargs):
        received.append(enrollment_id)

    signals.course_completed.connect(receiver, dispatch_uid="test-receiver")
    try:
        enrollment = services.enrollment_create(user=learner, course=course.mn)
        for lesson in course.lessons["mn"][:2]:
            services.lesson_complete(user=learner, lesson_key=lesson.translation_key)
        enrollment.refresh_from_db()
        assert enrollment.status == Enrollment.Status.ACTIVE and enrollment.completed_at is None
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            progress = services.lesson_complete(
                user=learner, lesson_key=course.lessons["en"][2].translation_key
            )
        assert received == [], "the signal waits for the commit"
        for callback in callbacks:
            callback()
    finally:
        signals.course_completed.disconnect(dispatch_uid="test-receiver")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    assert enrollment.completed_at == progress.completed_at
    assert enrollment.completed_lessons == 3 and enrollment.percent == 100
    assert received == [enrollment.pk]


def test_optional_lessons_do_not_count_toward_completion(site, learner):
    built = build_course(lessons=3, optional=(1,))
    assert built.release.required_lesson_count == 2
    enrollment = services.enrollment_create(user=learner, course=built.mn)
    services.lesson_complete(user=learner, lesson_key=built.lessons["mn"][1].translation_key)
    enrollment.refresh_from_db()
    assert enrollment.completed_lessons == 0
    services.lesson_complete(user=learner, lesson_key=built.lessons["mn"][0].translation_key)
    services.lesson_complete(user=learner, lesson_key=built.lessons["mn"][2].translation_key)
    enrollment.refresh_from_db()
    assert enrollment.is_completed


def test_completion_email_is_bilingual_and_sent_once(
    course, learner, mailoutbox, django_capture_on_commit_callbacks
):
    enrollment = services.enrollment_create(user=learner, course=course.mn)
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in course.lessons["mn"]:
            services.lesson_complete(user=learner, lesson_key=lesson.translation_key)
    completion = [m for m in mailoutbox if "Congratulations" in m.body]  # the certificate email comes too
    assert len(completion) == 1
    message = completion[0]
    assert message.to == [learner.email]
    assert course.mn.title in message.body and course.en.title in message.body
    assert "баяр хүргэе" in message.body and "Congratulations" in message.body
    assert services.enrollment_completion_notify(enrollment_id=enrollment.pk) is False
    assert len([m for m in mailoutbox if "Congratulations" in m.body]) == 1


def _hours_ago(hours: float):
    return timezone.now() - timedelta(hours=hours)


def test_time_spent_is_added_and_clipped(course, learner):
    services.enrollment_create(user=learner, course=course.mn)
    lesson = course.lessons["mn"][0]
    services.lesson_complete(user=learner, lesson_key=lesson.translation_key)
    LessonProgress.objects.update(started_at=_hours_ago(3))  # opened three hours ago
    assert services.lesson_time_add(user=learner, lesson=lesson, seconds=90) == 90
    LessonProgress.objects.update(last_beat_at=_hours_ago(2))
    assert (
        services.lesson_time_add(user=learner, lesson=lesson, seconds=10**7) == services.MAX_TIME_PER_REPORT
    )
    assert LessonProgress.objects.get().time_spent_seconds == 90 + services.MAX_TIME_PER_REPORT


def test_time_never_exceeds_the_clock(course, learner):
    """Repeating or inflating reports, or two tabs at once, records no more than has passed."""
    services.enrollment_create(user=learner, course=course.mn)
    lesson = course.lessons["mn"][0]
    services.lesson_complete(user=learner, lesson_key=lesson.translation_key)
    LessonProgress.objects.update(started_at=timezone.now() - timedelta(seconds=120))
    first = services.lesson_time_add(user=learner, lesson=lesson, seconds=services.MAX_TIME_PER_REPORT)
    assert 120 <= first <= 125, "the first report counts the time since the lesson was opened"
    repeats = [services.lesson_time_add(user=learner, lesson=lesson, seconds=1800) for _ in range(20)]
    assert sum(repeats) <= 2, "reports sent again at once add (almost) nothing"
    progress = LessonProgress.objects.get()
    assert progress.time_spent_seconds == first + sum(repeats)
    assert progress.time_spent_seconds <= (timezone.now() - progress.started_at).total_seconds() + 1


def test_time_for_a_lesson_never_opened_is_refused(course, learner):
    services.enrollment_create(user=learner, course=course.mn)
    with pytest.raises(errors.NotEnrolled):
        services.lesson_time_add(user=learner, lesson=course.lessons["mn"][0], seconds=30)
