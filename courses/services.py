"""Writes for courses: releases, enrolment, lesson progress and completion.

There is one completion path: every way a lesson gets completed (the Mark complete button,
a passed quiz, an H5P activity) ends in ``lesson_complete``. It decides course completion in
the same transaction, in a constant number of queries, and announces ``course_completed``
after the commit.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from lms.accounts.services import audit_record

from . import signals
from .models import (
    CourseCompletion,
    CoursePage,
    CourseRelease,
    Enrollment,
    LessonPage,
    LessonProgress,
    ReleaseLesson,
)

logger = logging.getLogger(__name__)

MAX_TIME_PER_REPORT = 30 * 60  # seconds; longer reports are clipped (a tab left open overnight)
VISIT_RECORD_INTERVAL = timedelta(minutes=1)  # reloads of the same lesson within this are not written


class CourseActionError(Exception):
    """A learner action that cannot be done; carries an HTTP status and a readable message."""

    status = 400
    message = _("This action is not possible.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotEnrolled(CourseActionError):
    status = 403
    message = _("You are not enrolled in the course this lesson belongs to.")


class AlreadyEnrolled(CourseActionError):
    status = 409
    message = _("You are already enrolled in this course.")


class AlreadyCompleted(CourseActionError):
    status = 409
    message = _("You have already completed this lesson.")


class NotPublished(CourseActionError):
    status = 409
    message = _("This course has no published release yet, so it cannot be taken.")


class CompletedByActivity(CourseActionError):
    status = 409
    message = _("This lesson is completed by its activity (for example by passing its quiz), not by a click.")


class NotAllowed(CourseActionError):
    status = 404
    message = _("Page not found.")


def canonical_course(course: CoursePage) -> CoursePage:
    """The course page in the default locale, which learner data is keyed on."""
    default_locale = Locale.get_default()
    if course.locale_id == default_locale.pk:
        return course
    return CoursePage.objects.get(translation_key=course.translation_key, locale=default_locale)


def release_publish(**kwargs):
    """Create and publish a release at once; see ``courses.releases.release_publish``."""
    from .releases import release_publish as publish

    return publish(**kwargs)


def enrollment_create(*, user, course: CoursePage) -> Enrollment:
    """Enrol a learner in the current release of a course (any translation of it)."""
    from .selectors import course_is_visible_to

    course = canonical_course(course)
    if not course_is_visible_to(user=user, course=course):
        raise NotAllowed()
    if Enrollment.objects.filter(user=user, course=course).exists():
        raise AlreadyEnrolled()
    release = CourseRelease.objects.filter(course=course, is_current=True).first()
    if release is None:
        raise NotPublished()
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                user=user, course=course, release=release, enrolled_at=timezone.now()
            )
    except IntegrityError:
        # Two clicks raced past the check above; the unique constraint kept one enrolment.
        raise AlreadyEnrolled() from None
    audit_record(
        action="enrollment.created",
        actor=user,
        subject=user,
        obj=enrollment,
        course=course.title,
        release=release.version,
    )
    return enrollment


def lesson_visit(*, enrollment: Enrollment, lesson_key: uuid.UUID, progress: LessonProgress | None) -> None:
    """Record that an enrolled learner opened a lesson: it is started and is where they left off."""
    now = timezone.now()
    if progress is None:
        # A duplicate (two tabs at once) is harmless: the unique constraint keeps one row.
        LessonProgress.objects.bulk_create(
            [LessonProgress(enrollment=enrollment, lesson_key=lesson_key, started_at=now)],
            ignore_conflicts=True,
        )
    recently_here = (
        enrollment.last_lesson_key == lesson_key
        and enrollment.last_activity_at is not None
        and now - enrollment.last_activity_at < VISIT_RECORD_INTERVAL
    )
    if progress is not None and recently_here:
        return  # a reload of the same lesson: nothing new to record, so no write
    updates = {"last_lesson_key": lesson_key, "last_activity_at": now}
    if enrollment.started_at is None:
        updates["started_at"] = now
    Enrollment.objects.filter(pk=enrollment.pk).update(**updates)
    for field, value in updates.items():
        setattr(enrollment, field, value)


def _progress_start(*, enrollment: Enrollment, lesson_key: uuid.UUID, now) -> None:
    """Insert the lesson's progress row; a duplicate (two tabs at once) is harmless."""
    row = LessonProgress(enrollment=enrollment, lesson_key=lesson_key, started_at=now)
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint keeps the caller's transaction usable
                row.save(force_insert=True)
        else:
            row.save(force_insert=True)  # one autocommitted INSERT, no BEGIN/COMMIT round trips
    except IntegrityError:
        pass  # the unique constraint kept the row the other request inserted


@transaction.atomic
def lesson_complete(*, user, lesson_key: uuid.UUID, by_activity: bool = False) -> LessonProgress:
    """Complete a lesson for a learner; completes the course when it was the last required one.

    ``user`` is a user or a user id. Lessons whose completion comes from an activity (a quiz,
    an H5P activity) are completed by that activity (``by_activity=True``), not by the learner's
    click. Raises NotEnrolled when the learner's release does not contain the lesson,
    AlreadyCompleted on a replay and CompletedByActivity; nothing is written in those cases.
    """
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("release")
        .filter(user=user, release__lessons__lesson_key=lesson_key)
        .annotate(
            lesson_required=F("release__lessons__required"),
            lesson_completion=F("release__lessons__completion"),
        )
        .first()
    )
    if enrollment is None:
        raise NotEnrolled()
    if enrollment.lesson_completion == ReleaseLesson.Completion.ACTIVITY and not by_activity:
        raise CompletedByActivity()
    now = timezone.now()
    progress = LessonProgress.objects.filter(enrollment=enrollment, lesson_key=lesson_key).first()
    if progress is None:
        progress = LessonProgress.objects.create(
            enrollment=enrollment, lesson_key=lesson_key, started_at=now, completed_at=now
        )
    elif progress.completed_at is not None:
        raise AlreadyCompleted()
    else:
        progress.completed_at = now
        progress.save(update_fields=["completed_at"])

    updates = {"last_activity_at": now, "last_lesson_key": lesson_key}
    if enrollment.started_at is None:
        updates["started_at"] = now
    if enrollment.lesson_required:
        updates["completed_lessons"] = enrollment.completed_lessons + 1
        finished = (
            not enrollment.is_completed
            and updates["completed_lessons"] >= enrollment.release.required_lesson_count
        )
        if finished:
            updates["status"] = Enrollment.Status.COMPLETED
            updates["completed_at"] = now
            CourseCompletion.objects.create(
                enrollment=enrollment, release_id=enrollment.release_id, completed_at=now
            )
    Enrollment.objects.filter(pk=enrollment.pk).update(**updates)
    for name, value in updates.items():
        setattr(enrollment, name, value)
    if updates.get("status") == Enrollment.Status.COMPLETED:
        enrollment_id = enrollment.pk
        transaction.on_commit(lambda: _announce(signals.course_completed, enrollment_id), robust=True)
    progress.enrollment = enrollment
    return progress


@transaction.atomic
def lesson_reopen(*, enrollment_id: int, lesson_key: uuid.UUID, by=None, reason: str = "") -> bool:
    """Undo a lesson's completion (after a regrade took a pass away); reopens the course if needed.

    Returns False when the lesson was not complete. Announces ``course_reopened`` after commit
    when the course was complete.
    """
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(pk=enrollment_id, release__lessons__lesson_key=lesson_key)
        .annotate(lesson_required=F("release__lessons__required"))
        .first()
    )
    if enrollment is None:
        return False
    reopened = LessonProgress.objects.filter(
        enrollment=enrollment, lesson_key=lesson_key, completed_at__isnull=False
    ).update(completed_at=None)
    if not reopened:
        return False
    updates = {}
    if enrollment.lesson_required:
        updates["completed_lessons"] = max(0, enrollment.completed_lessons - 1)
    was_completed = enrollment.is_completed
    if was_completed:
        updates.update(status=Enrollment.Status.ACTIVE, completed_at=None)
    if updates:
        Enrollment.objects.filter(pk=enrollment.pk).update(**updates)
    audit_record(
        action="lesson.reopened",
        actor=by,
        subject=enrollment.user,
        obj=enrollment,
        lesson=str(lesson_key),
        reason=reason or None,
        course_reopened=was_completed,
    )
    if was_completed:
        transaction.on_commit(lambda: _announce(signals.course_reopened, enrollment_id), robust=True)
    return True


def _announce(signal, enrollment_id: int) -> None:
    """Send a course signal; a failing receiver is logged and never undoes the committed change."""
    for receiver, result in signal.send_robust(sender=Enrollment, enrollment_id=enrollment_id):
        if isinstance(result, Exception):
            logger.error("receiver %r failed for enrollment %s: %r", receiver, enrollment_id, result)


def lesson_time_add(*, user, lesson: LessonPage, seconds: int) -> int:  # noqa: D417
    """Add reading time reported by the lesson page; returns the seconds actually added."""
    seconds = max(0, min(int(seconds), MAX_TIME_PER_REPORT))
    if not seconds:
        return 0
    updated = LessonProgress.objects.filter(
        enrollment__user=user,
        enrollment__release__lessons__lesson_key=lesson.translation_key,
        lesson_key=lesson.translation_key,
    ).update(time_spent_seconds=F("time_spent_seconds") + seconds)
    if not updated:
        raise NotEnrolled()
    return seconds


def enrollment_completion_notify(*, enrollment_id: int) -> bool:
    """Email the learner that they completed the course, once; returns whether it sent now."""
    claimed = Enrollment.objects.filter(
        pk=enrollment_id, status=Enrollment.Status.COMPLETED, completion_notified_at__isnull=True
    ).update(completion_notified_at=timezone.now())
    if not claimed:
        return False
    enrollment = Enrollment.objects.select_related("user", "course", "release").get(pk=enrollment_id)
    try:
        _completion_email(enrollment).send()
    except Exception:
        # Give the claim back so a retry (or the next run) sends it.
        Enrollment.objects.filter(pk=enrollment_id).update(completion_notified_at=None)
        raise
    return True


def _completion_email(enrollment: Enrollment) -> EmailMessage:
    titles = dict(
        CoursePage.objects.filter(translation_key=enrollment.course.translation_key).values_list(
            "locale__language_code", "title"
        )
    )
    parts, subjects = [], []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            context = {
                "name": enrollment.user.get_full_name(),
                "course": titles.get(language, enrollment.course.title),
                "release": enrollment.release.version,
                "completed_at": enrollment.completed_at,
                "dashboard_url": settings.SITE_URL + reverse("courses:dashboard"),
            }
            subjects.append(render_to_string("courses/email/completed_subject.txt", context).strip())
            parts.append(render_to_string("courses/email/completed_body.txt", context).strip())
    return EmailMessage(
        subject=" / ".join(subjects),
        body="\n\n— — —\n\n".join(parts),
        to=[enrollment.user.email],
    )
