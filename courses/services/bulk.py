"""Bulk loads of learner records (generated scale data, imports from another system).

Rows come already consistent (an enrolment's counts match its progress); nothing is audited,
announced or emailed. Each write is one statement per batch (PostgreSQL: ``COPY`` for progress),
so a national-size data set loads in minutes, not hours.
"""

from __future__ import annotations

from django.db import connection

from ..models import CourseCompletion, Enrollment, LessonProgress

BATCH = 5000


def enrollments_bulk_create(rows: list[Enrollment]) -> list[Enrollment]:
    """Insert enrolments; returns them with their ids."""
    return Enrollment.objects.bulk_create(rows, batch_size=BATCH)


def completions_bulk_create(enrollments: list[Enrollment]) -> int:
    """Record the completion of every completed enrolment given, on its release."""
    rows = [
        CourseCompletion(enrollment_id=e.pk, release_id=e.release_id, completed_at=e.completed_at)
        for e in enrollments
        if e.completed_at
    ]
    CourseCompletion.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def progress_bulk_create(rows: list[tuple]) -> None:
    """Insert lesson progress: (enrolment id, lesson key, started, completed, seconds spent)."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        copy_sql = (
            "COPY courses_lessonprogress (enrollment_id, lesson_key, started_at, completed_at, time_spent_seconds) "
            "FROM STDIN"
        )
        with connection.connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    LessonProgress.objects.bulk_create(
        (
            LessonProgress(
                enrollment_id=pk, lesson_key=key, started_at=start, completed_at=end, time_spent_seconds=spent
            )
            for pk, key, start, end, spent in rows
        ),
        batch_size=BATCH,
    )


def completed_lessons_bulk_set(done: list[tuple[int, int]]) -> None:
    """Set the required lessons done of enrolments midway ((enrolment id, count)), grouped so each
    count is one UPDATE per batch."""
    by_count: dict[int, list[int]] = {}
    for pk, count in done:
        by_count.setdefault(count, []).append(pk)
    for count, pks in by_count.items():
        for start in range(0, len(pks), BATCH):
            Enrollment.objects.filter(pk__in=pks[start : start + BATCH]).update(completed_lessons=count)


def learner_records_bulk_remove(people) -> None:
    """Delete the course records of people (a queryset): completions, progress, enrolments. The
    apps above remove their own rows (attempts) first."""
    enrollments = Enrollment.objects.filter(user__in=people)
    CourseCompletion.objects.filter(enrollment__in=enrollments).delete()
    LessonProgress.objects.filter(enrollment__in=enrollments).delete()
    enrollments.delete()
