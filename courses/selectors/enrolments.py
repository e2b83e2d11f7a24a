"""Which enrolment holds a lesson: the one lookup every app uses (courses, quizzes, H5P)."""

from __future__ import annotations

import uuid

from django.db.models import F, QuerySet

from ..models import (
    Enrollment,
    LessonPage,
)


def enrollment_for_lesson(
    *, lesson_key: uuid.UUID, user=None, enrollment_id: int | None = None
) -> QuerySet[Enrollment]:
    """The learner's enrolment whose release holds the lesson (at most one row: one enrolment per
    course), annotated with the lesson's place in that release: ``lesson_required``,
    ``lesson_completion``, ``lesson_position`` and ``lesson_revisions``.

    Give ``user`` (a user or a user id) or ``enrollment_id``. A queryset, so each caller adds its
    row lock or picks its columns; evaluating it is one query (the annotations share the join).
    """
    if (user is None) == (enrollment_id is None):
        raise TypeError("give user or enrollment_id")
    found = Enrollment.objects.filter(release__lessons__lesson_key=lesson_key)
    found = found.filter(user=user) if user is not None else found.filter(pk=enrollment_id)
    return found.annotate(
        lesson_required=F("release__lessons__required"),
        lesson_completion=F("release__lessons__completion"),
        lesson_position=F("release__lessons__position"),
        lesson_revisions=F("release__lessons__revisions"),
    ).order_by()


def lesson_in_users_release(*, lesson: LessonPage, user) -> bool:
    """Whether a (no longer live) lesson belongs to the release the person is enrolled in."""
    return (
        user.is_authenticated and enrollment_for_lesson(user=user, lesson_key=lesson.translation_key).exists()
    )
