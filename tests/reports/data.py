"""A small programme whose figures are worked out by hand in the tests (fiscal 2026 Q1 is
1 October to 31 December 2025)."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from assessments.models import Quiz, QuizAttempt
from courses import services
from courses.models import CourseCompletion, Enrollment
from lms.accounts.models import Organisation, Region, User
from tests.assessments import helpers
from tests.factories import UserFactory, build_course


def at(day: str, hour: int = 12):
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def enrol(user, built, enrolled: str, started: str | None = None, completed: str | None = None) -> Enrollment:
    enrollment = services.enrollment_create(user=user, course=built.mn)
    if completed:
        for lesson in built.lessons["mn"]:
            services.lesson_complete(user=user, lesson_key=lesson.translation_key)
        CourseCompletion.objects.filter(enrollment=enrollment).update(completed_at=at(completed))
    Enrollment.objects.filter(pk=enrollment.pk).update(
        enrolled_at=at(enrolled),
        started_at=at(started) if started else None,
        completed_at=at(completed) if completed else None,
    )
    enrollment.refresh_from_db()
    return enrollment


def attempt(enrollment, quiz, number: int, score: float, submitted: str):
    return QuizAttempt.objects.create(
        quiz=quiz,
        user=enrollment.user,
        enrollment=enrollment,
        number=number,
        status=QuizAttempt.Status.SUBMITTED,
        started_at=at(submitted, 9),
        submitted_at=at(submitted, 10),
        score=score,
        points=score,
        max_points=100,
    )


def build_programme():
    district = Region.objects.create(
        code="test-district", kind=Region.Kind.DISTRICT, name_mn="Баянгол", name_en="Bayangol"
    )
    aimag = Region.objects.create(
        code="test-aimag", kind=Region.Kind.AIMAG, name_mn="Дархан", name_en="Darkhan"
    )
    school = Organisation.objects.create(
        kind=Organisation.Kind.SCHOOL, region=district, name_mn="1-р сургууль", name_en="School 1"
    )
    police = Organisation.objects.create(
        kind=Organisation.Kind.POLICE, region=aimag, name_mn="Цагдаа", name_en="Police"
    )
    a = build_course(lessons=2, slug="course-a")
    b = build_course(lessons=2, slug="course-b")
    people = SimpleNamespace(
        u1=UserFactory(
            full_name="Сараа",
            sex=User.Sex.FEMALE,
            role=User.Role.TEACHER,
            region=district,
            organisation=school,
            birth_year=1990,
        ),
        u2=UserFactory(
            full_name="Бат",
            sex=User.Sex.MALE,
            role=User.Role.TEACHER,
            region=district,
            organisation=school,
            birth_year=1980,
        ),
        u3=UserFactory(
            full_name="Оюун",
            sex=User.Sex.FEMALE,
            role=User.Role.POLICE_INVESTIGATOR,
            region=aimag,
            organisation=police,
            birth_year=2000,
        ),
        u4=UserFactory(
            full_name="Цэцэг",
            sex=User.Sex.FEMALE,
            role=User.Role.TEACHER,
            region=district,
            organisation=school,
            birth_year=None,
        ),
        u5=UserFactory(
            full_name="Дорж",
            sex=User.Sex.MALE,
            role=User.Role.TEACHER,
            region=district,
            organisation=school,
            birth_year=1975,
        ),
    )
    e = SimpleNamespace(
        u1a=enrol(people.u1, a, "2025-10-05", "2025-10-05", "2025-10-15"),  # 10 days
        u1b=enrol(people.u1, b, "2025-11-01", "2025-11-02"),
        u2a=enrol(people.u2, a, "2025-11-10", "2025-11-11", "2025-12-10"),  # 30 days
        u3a=enrol(people.u3, a, "2025-12-20", "2025-12-21", "2026-01-05"),  # completes after the quarter
        u4a=enrol(people.u4, a, "2025-09-01", "2025-09-02", "2025-10-20"),  # enrolled before it
        u5b=enrol(people.u5, b, "2026-02-01"),
    )
    pre = helpers.quiz([helpers.question()], kind=Quiz.Kind.PRE_TEST, title_en="Pre-test")
    post = helpers.quiz([helpers.question()], kind=Quiz.Kind.POST_TEST, pre_test=pre, title_en="Post-test")
    attempt(e.u1a, pre, 1, 40, "2025-10-05")
    attempt(e.u1a, post, 1, 80, "2025-10-15")
    attempt(e.u2a, pre, 1, 60, "2025-11-10")
    attempt(e.u2a, pre, 2, 90, "2025-11-11")  # only the first pre-test counts
    attempt(e.u2a, post, 1, 45, "2025-12-01")  # only the first post-test attempt counts
    attempt(e.u2a, post, 2, 50, "2025-12-10")  # a retake: counts for passing, not for the gain
    attempt(e.u3a, pre, 1, 30, "2025-12-20")  # no post-test: not in the gain
    return SimpleNamespace(
        a=a, b=b, district=district, aimag=aimag, school=school, people=people, e=e, pre=pre, post=post
    )
