"""Lesson progress and course completion.

There is one completion path: every way a lesson gets completed (the Mark complete button,
a passed quiz, an H5P activity) ends in ``lesson_complete``. It decides course completion in
the same transaction, in a constant number of queries, and announces ``course_completed``
after the commit. Completion itself is one step, ``completions_record``, shared with release
moves and review meetings; taking a lesson back is one step, ``progress_reopen``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from lms.accounts.services import audit_record

from .. import signals
from ..errors import (
    AlreadyCompleted,
    CompletedByActivity,
    NotEnrolled,
)
from ..models import (
    CourseCompletion,
    CoursePage,
    Enrollment,
    LessonPage,
    LessonProgress,
    ReleaseLesson,
)
from ..selectors import canonical_course, enrollment_for_lesson

logger = logging.getLogger(__name__)


MAX_TIME_PER_REPORT = 30 * 60  # seconds; longer reports are clipped (a tab left open overnight)


VISIT_RECORD_INTERVAL = timedelta(minutes=1)  # reloads of the same lesson within this are not written


def lesson_visit(
    *, enrollment: Enrollment, lesson_key: uuid.UUID, progress: LessonProgress | None, at=None
) -> None:
    """Record that an enrolled learner opened a lesson: it is started and is where they left off.
    ``at``: when they opened it (a lesson read offline), else now; an earlier visit than the last
    one recorded only starts the lesson."""
    now = at or timezone.now()
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
    if enrollment.last_activity_at is not None and now < enrollment.last_activity_at:
        return  # reported late (offline): where they left off is what they did since
    updates = {"last_lesson_key": lesson_key, "last_activity_at": now}
    if enrollment.started_at is None:
        updates["started_at"] = now
    Enrollment.objects.filter(pk=enrollment.pk).update(**updates)
    for name, value in updates.items():
        setattr(enrollment, name, value)


@transaction.atomic
def lesson_complete(*, user, lesson_key: uuid.UUID, by_activity: bool = False, at=None) -> LessonProgress:
    """Complete a lesson for a learner; completes the course when it was the last required one.

    ``user`` is a user or a user id. Lessons whose completion comes from an activity (a quiz,
    an H5P activity) are completed by that activity (``by_activity=True``), not by the learner's
    click. Raises NotEnrolled when the learner's release does not contain the lesson,
    AlreadyCompleted on a replay and CompletedByActivity; nothing is written in those cases.
    ``at``: when the learner did it (work done offline and synced later), else now.
    """
    enrollment = (
        enrollment_for_lesson(user=user, lesson_key=lesson_key)
        .select_for_update(of=("self",))
        .select_related("release")
        .annotate(course_rule=F("course__completion_rule"))  # a join, not a query
        .first()
    )
    if enrollment is None:
        raise NotEnrolled()
    if enrollment.lesson_completion == ReleaseLesson.Completion.ACTIVITY and not by_activity:
        raise CompletedByActivity()
    now = at or timezone.now()
    progress = LessonProgress.objects.filter(enrollment=enrollment, lesson_key=lesson_key).first()
    if progress is None:
        progress = LessonProgress.objects.create(
            enrollment=enrollment, lesson_key=lesson_key, started_at=now, completed_at=now
        )
    elif progress.completed_at is not None:
        raise AlreadyCompleted()
    else:
        progress.completed_at = max(now, progress.started_at)
        progress.save(update_fields=["completed_at"])

    updates = {}
    if enrollment.last_activity_at is None or now >= enrollment.last_activity_at:
        updates = {"last_activity_at": now, "last_lesson_key": lesson_key}
    if enrollment.started_at is None:
        updates["started_at"] = now
    if enrollment.lesson_required:
        updates["completed_lessons"] = enrollment.completed_lessons + 1
        finished = (
            not enrollment.is_completed
            and updates["completed_lessons"] >= enrollment.release.required_lesson_count
            and _review_meeting_satisfied(enrollment.course_rule, enrollment.review_meeting_attended_at)
        )
        if finished:
            updates.update(completions_record([enrollment.pk], release_id=enrollment.release_id, now=now))
    if updates:
        Enrollment.objects.filter(pk=enrollment.pk).update(**updates)
    for name, value in updates.items():
        setattr(enrollment, name, value)
    progress.enrollment = enrollment
    return progress


def _review_meeting_satisfied(rule: str, attended_at) -> bool:
    """A course with the review-meeting rule completes only once a meeting was attended."""
    return rule != CoursePage.CompletionRule.WITH_REVIEW_MEETING or attended_at is not None


def completion_rule_met_q():
    """The review-meeting part of the completion rule, as a filter on enrolments (set-based moves)."""
    return ~Q(course__completion_rule=CoursePage.CompletionRule.WITH_REVIEW_MEETING) | Q(
        review_meeting_attended_at__isnull=False
    )


def completions_record(enrollment_ids: list[int], *, release_id: int, now) -> dict:
    """The one completion step: record that these enrolments completed the course on a release,
    announce ``course_completed`` for each after the commit, and return the enrolment fields the
    caller writes in its own UPDATE (one for a lesson, one for a whole group of moved learners).

    The caller holds the enrolments' row locks and has checked the completion rule. One query.
    """
    CourseCompletion.objects.bulk_create(
        [
            CourseCompletion(enrollment_id=pk, release_id=release_id, completed_at=now)
            for pk in enrollment_ids
        ],
        ignore_conflicts=True,
    )
    for pk in enrollment_ids:
        transaction.on_commit(lambda pk=pk: _announce(signals.course_completed, pk), robust=True)
    return {"status": Enrollment.Status.COMPLETED, "completed_at": now}


def completion_withdraw(enrollment: Enrollment) -> dict:
    """Take a completion back (the lesson or attendance it rested on was undone): the completion
    record of the enrolment's release goes, ``course_reopened`` is announced after the commit, and
    the enrolment fields to write are returned. The audit log keeps the history."""
    CourseCompletion.objects.filter(enrollment=enrollment, release_id=enrollment.release_id).delete()
    enrollment_id = enrollment.pk
    transaction.on_commit(lambda: _announce(signals.course_reopened, enrollment_id), robust=True)
    return {"status": Enrollment.Status.ACTIVE, "completed_at": None}


def progress_reopen(*, enrollment_ids: list[int], lesson_keys: list[uuid.UUID]) -> dict[int, int]:
    """The one way a completed lesson is taken back: clear the completion of these lessons for
    these enrolments; returns {enrolment id: lessons reopened} (only enrolments that had some)."""
    done = LessonProgress.objects.filter(
        enrollment_id__in=enrollment_ids, lesson_key__in=lesson_keys, completed_at__isnull=False
    )
    if len(enrollment_ids) == 1:  # one enrolment: the UPDATE's row count says it all (one query)
        reopened = done.update(completed_at=None)
        return {enrollment_ids[0]: reopened} if reopened else {}
    counts = dict(
        done.order_by().values("enrollment_id").annotate(n=Count("id")).values_list("enrollment_id", "n")
    )
    done.update(completed_at=None)
    return counts


@transaction.atomic
def enrollment_review_meeting_set(*, user, course: CoursePage, attended_at, by=None) -> Enrollment | None:
    """Record when a learner first attended a review meeting for a course (None: they attended none).

    Called by lms.delivery whenever a learner's meeting attendance changes. Under the rule
    "lessons and a review meeting" this completes the course when every required lesson is done
    (announcing ``course_completed``), and takes a completion back when the attendance it rested on
    was removed (announcing ``course_reopened``). Returns the enrolment, or None when the person is
    not enrolled in the course.
    """
    course = canonical_course(course)
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("release", "course")
        .filter(user=user, course=course)
        .first()
    )
    if enrollment is None or enrollment.review_meeting_attended_at == attended_at:
        return enrollment
    now = timezone.now()
    updates = {"review_meeting_attended_at": attended_at}
    completed = reopened = False
    requires = enrollment.course.requires_review_meeting
    if (
        requires
        and attended_at is not None
        and not enrollment.is_completed
        and enrollment.completed_lessons >= enrollment.release.required_lesson_count
    ):
        updates.update(completions_record([enrollment.pk], release_id=enrollment.release_id, now=now))
        completed = True
    elif requires and attended_at is None and enrollment.is_completed:
        # The attendance was recorded by mistake: the completion that rested on it is taken back,
        # so programme reports stop counting it.
        updates.update(completion_withdraw(enrollment))
        reopened = True
    Enrollment.objects.filter(pk=enrollment.pk).update(**updates)
    for name, value in updates.items():
        setattr(enrollment, name, value)
    audit_record(
        action="enrollment.review_meeting",
        actor=by,
        subject=enrollment.user,
        obj=enrollment,
        attended_at=attended_at.isoformat() if attended_at else "",
        course_completed=completed,
        course_reopened=reopened,
    )
    return enrollment


@transaction.atomic
def lesson_reopen(*, enrollment_id: int, lesson_key: uuid.UUID, by=None, reason: str = "") -> bool:
    """Undo a lesson's completion (after a regrade took a pass away); reopens the course if needed.

    Returns False when the lesson was not complete. Announces ``course_reopened`` after commit
    when the course was complete.
    """
    enrollment = (
        enrollment_for_lesson(enrollment_id=enrollment_id, lesson_key=lesson_key)
        .select_for_update(of=("self",))
        .first()
    )
    if enrollment is None:
        return False
    if not progress_reopen(enrollment_ids=[enrollment.pk], lesson_keys=[lesson_key]):
        return False
    updates = {}
    if enrollment.lesson_required:
        updates["completed_lessons"] = max(0, enrollment.completed_lessons - 1)
    was_completed = enrollment.is_completed
    if was_completed:
        # The completion record of the release stays as it was (unlike a review meeting recorded
        # by mistake, the completion did happen); completing again later keeps that one record.
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


def lesson_time_add(*, user, lesson: LessonPage, seconds: int, at=None) -> int:
    """Add reading time reported by the lesson page; returns the seconds actually added.

    A report never counts more than the wall-clock time since the previous one (or since the
    lesson was first opened), nor more than ``MAX_TIME_PER_REPORT``: repeating or inflating
    reports, or two tabs at once, cannot record more time than has passed.
    """
    seconds = max(0, min(int(seconds), MAX_TIME_PER_REPORT))
    progress = (
        LessonProgress.objects.filter(
            enrollment__in=enrollment_for_lesson(user=user, lesson_key=lesson.translation_key).values("pk"),
            lesson_key=lesson.translation_key,
        )
        .values("pk", "started_at", "last_beat_at")
        .first()
    )
    if progress is None:
        raise NotEnrolled()
    now = at or timezone.now()  # ``at``: when the time was reported on the device (offline)
    since = progress["last_beat_at"] or progress["started_at"]
    if now <= since:
        return 0  # reported late for a time already counted: never moves the last beat back
    seconds = max(0, min(seconds, int((now - since).total_seconds())))
    # Only the report that still sees the previous beat counts; a concurrent one adds nothing.
    updated = LessonProgress.objects.filter(pk=progress["pk"], last_beat_at=progress["last_beat_at"]).update(
        time_spent_seconds=F("time_spent_seconds") + seconds, last_beat_at=now
    )
    return seconds if updated else 0
