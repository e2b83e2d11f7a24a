"""What the courses app stores about a person, for their data export."""

from .models import CoursePage, Enrollment, LessonPage


def export(user) -> dict:
    enrollments = (
        Enrollment.objects.filter(user=user).select_related("course", "release").prefetch_related("progress")
    )
    keys = {p.lesson_key for e in enrollments for p in e.progress.all()}
    titles = dict(
        LessonPage.objects.filter(translation_key__in=keys, locale__language_code="en").values_list(
            "translation_key", "title"
        )
    )
    course_titles = dict(
        CoursePage.objects.filter(
            translation_key__in=[e.course.translation_key for e in enrollments], locale__language_code="en"
        ).values_list("translation_key", "title")
    )
    return {
        "enrolments": [
            {
                "course": course_titles.get(e.course.translation_key, e.course.title),
                "release": e.release.version,
                "status": e.status,
                "enrolled_at": e.enrolled_at.isoformat(),
                "started_at": e.started_at.isoformat() if e.started_at else None,
                "completed_at": e.completed_at.isoformat() if e.completed_at else None,
                "lessons": [
                    {
                        "lesson": titles.get(p.lesson_key, str(p.lesson_key)),
                        "started_at": p.started_at.isoformat(),
                        "completed_at": p.completed_at.isoformat() if p.completed_at else None,
                        "time_spent_seconds": p.time_spent_seconds,
                    }
                    for p in e.progress.all()
                ],
            }
            for e in enrollments
        ]
    }
