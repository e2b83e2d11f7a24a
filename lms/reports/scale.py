"""A realistic national-scale data set for measuring the reports (``generate_scale_data``).

Learners across every aimag and district, in schools, police units, courts and NGOs; each takes
the open courses (justice-sector people also the restricted one), most start, many finish, with
lesson progress, pre- and post-test attempts and completions spread over two fiscal years. Rows
are written in bulk (PostgreSQL: COPY), never one by one. Generated people have addresses under
``@scale.cpclearn.invalid`` and cannot sign in.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from assessments import services as quiz_services
from assessments.models import Quiz, QuizAttempt
from courses.models import CoursePage, CourseRelease, Enrollment, ReleaseLesson
from courses.services import bulk as course_bulk
from lms.accounts import roles
from lms.accounts import services as account_services
from lms.accounts.models import Organisation, Region, User

DOMAIN = "scale.cpclearn.invalid"
JUSTICE_ROLES = {
    User.Role.POLICE_INVESTIGATOR: 0.10,
    User.Role.PROSECUTOR: 0.04,
    User.Role.JUDGE: 0.02,
    User.Role.SOCIAL_WORKER: 0.07,
    User.Role.MDTF_MEMBER: 0.03,
}
OTHER_ROLES = {
    User.Role.TEACHER: 0.40,
    User.Role.YOUTH_FACILITATOR: 0.18,
    User.Role.SHELTER_OPERATOR: 0.04,
    User.Role.RESIDENTIAL_CARE: 0.05,
    User.Role.CHILD_RIGHTS_INSPECTOR: 0.03,
    User.Role.OTHER: 0.04,
}
ORGANISATION_FOR_ROLE = {
    User.Role.POLICE_INVESTIGATOR: Organisation.Kind.POLICE,
    User.Role.PROSECUTOR: Organisation.Kind.PROSECUTOR,
    User.Role.JUDGE: Organisation.Kind.COURT,
    User.Role.SOCIAL_WORKER: Organisation.Kind.GOVERNMENT,
    User.Role.MDTF_MEMBER: Organisation.Kind.GOVERNMENT,
    User.Role.TEACHER: Organisation.Kind.SCHOOL,
    User.Role.YOUTH_FACILITATOR: Organisation.Kind.NGO,
    User.Role.SHELTER_OPERATOR: Organisation.Kind.SHELTER,
    User.Role.RESIDENTIAL_CARE: Organisation.Kind.SHELTER,
    User.Role.CHILD_RIGHTS_INSPECTOR: Organisation.Kind.GOVERNMENT,
    User.Role.OTHER: Organisation.Kind.NGO,
}


class ScaleDataError(Exception):
    pass


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def scale_data_generate(*, learners: int, seed: int = 2026, log: Callable[[str], None] = print) -> dict:
    """Generate the data set; refuses to run twice (``scale_data_remove`` first). Every table is
    written through its own app's bulk services."""
    if User.objects.filter(email__endswith="@" + DOMAIN).exists():
        raise ScaleDataError(
            f"A scale data set is already here (addresses @{DOMAIN}); remove it with --remove first."
        )
    releases = {
        r.course_id: r for r in CourseRelease.objects.filter(is_current=True).select_related("course")
    }
    if not releases:
        raise ScaleDataError("No published course: run `python manage.py load_curricula` first.")
    regions = list(Region.objects.all())
    if not regions:
        raise ScaleDataError("No regions: run the migrations first.")
    rng = random.Random(seed)  # noqa: S311  # nosec B311 - made-up data, not secrets
    started_clock = time.perf_counter()
    figures: dict[str, int | float] = {}

    def step(name: str, make: Callable[[], object], count: Callable[[object], int] = len):
        since = time.perf_counter()
        made = make()
        figures[name] = count(made)
        log(f"{name}: {figures[name]:,} in {time.perf_counter() - since:.1f} s")
        return made

    today = timezone.localdate()
    with transaction.atomic():
        organisations = step(
            "organisations",
            lambda: _organisations(rng, regions, max(20, learners // 25)),
            lambda made: sum(len(rows) for rows in made.values()),
        )
        people = step("learners", lambda: _people(rng, learners, organisations, today))
        enrollments = step("enrolments", lambda: _enrollments(rng, people, releases, today))
        step("completions", lambda: course_bulk.completions_bulk_create(enrollments), int)
        step("lesson progress rows", lambda: _progress(rng, enrollments, releases), int)
        step("quiz attempts", lambda: _attempts(rng, enrollments, _course_tests(releases)), int)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    figures["seconds"] = round(time.perf_counter() - started_clock, 1)
    log(f"done in {figures['seconds']} s")
    return figures


def _people(rng: random.Random, learners: int, organisations: dict, today: dt.date) -> list[User]:
    """Learners in every role, spread over the organisations; justice-sector ones in their group."""
    people = []
    justice_share = sum(JUSTICE_ROLES.values())
    for n in range(learners):
        justice = rng.random() < justice_share
        role = _pick(rng, JUSTICE_ROLES if justice else OTHER_ROLES)
        organisation = rng.choice(organisations[ORGANISATION_FOR_ROLE[role]])
        people.append(
            User(
                email=f"learner{n:06d}@{DOMAIN}",
                full_name=f"Scale learner {n}",
                password="!",  # noqa: S106  # nosec B106 - "!" is Django's unusable password
                role=role,
                organisation_id=organisation[0],
                region_id=organisation[1],
                sex=rng.choices(["female", "male", "not_stated"], weights=[62, 35, 3])[0],
                birth_year=None if rng.random() < 0.07 else rng.randint(today.year - 62, today.year - 19),
                date_joined=timezone.now(),
            )
        )
    return account_services.people_bulk_create(
        people, group_name=roles.JUSTICE_LEARNERS, in_group=lambda person: person.role in JUSTICE_ROLES
    )


def _enrollments(rng: random.Random, people: list[User], releases: dict, today: dt.date) -> list[Enrollment]:
    """Each person in the open courses (most of them) and, in the justice sector, the restricted
    one; enrolled over two fiscal years, most started, many completed."""
    first_day = dt.date(today.year - 2, 10, 1)
    span = (today - first_day).days
    restricted = set(
        CoursePage.objects.filter(pk__in=releases, audience=CoursePage.Audience.RESTRICTED).values_list(
            "pk", flat=True
        )
    )
    rows = []
    for person in people:
        for course_id, release in releases.items():
            if course_id in restricted and person.role not in JUSTICE_ROLES:
                continue
            if course_id not in restricted and rng.random() < 0.05:
                continue
            enrolled = first_day + dt.timedelta(days=rng.randrange(span))
            at = timezone.make_aware(
                dt.datetime.combine(enrolled, dt.time(rng.randrange(8, 20), rng.randrange(60)))
            )
            started = rng.random() < 0.88
            completed = None
            if started and rng.random() < 0.68:
                completed = at + dt.timedelta(days=rng.randint(2, 120), hours=rng.randrange(10))
                if completed.date() > today:
                    completed = None
            rows.append(
                Enrollment(
                    user_id=person.pk,
                    course_id=course_id,
                    release_id=release.pk,
                    enrolled_at=at,
                    started_at=at + dt.timedelta(minutes=5) if started else None,
                    completed_at=completed,
                    last_activity_at=completed or (at + dt.timedelta(days=1) if started else None),
                    status=Enrollment.Status.COMPLETED if completed else Enrollment.Status.ACTIVE,
                    completed_lessons=(release.required_lesson_count if completed else 0),
                )
            )
    return course_bulk.enrollments_bulk_create(rows)


def _progress(rng: random.Random, enrollments: list[Enrollment], releases: dict) -> int:
    """Lesson progress in release order: every lesson of a completed course, some of a started one."""
    lessons = {
        course_id: list(
            ReleaseLesson.objects.filter(release=release)
            .order_by("position")
            .values_list("lesson_key", "required")
        )
        for course_id, release in releases.items()
    }
    rows, partial = [], []
    for e in enrollments:
        course_lessons = lessons[e.course_id]
        if e.completed_at:
            done = len(course_lessons)
        elif e.started_at:
            done = rng.randrange(1, max(2, len(course_lessons)))
        else:
            continue
        step_time = ((e.completed_at or e.started_at + dt.timedelta(days=20)) - e.started_at) / max(done, 1)
        for index, (key, _required) in enumerate(course_lessons[:done]):
            finished = e.started_at + step_time * (index + 1)
            rows.append((e.pk, key, e.started_at + step_time * index, finished, rng.randint(120, 1500)))
        if not e.completed_at:
            partial.append((e.pk, sum(1 for _k, required in course_lessons[:done] if required)))
    course_bulk.progress_bulk_create(rows)
    course_bulk.completed_lessons_bulk_set(partial)
    return len(rows)


def _attempts(rng: random.Random, enrollments: list[Enrollment], tests: dict) -> int:
    """A pre-test for most starters and a post-test, better on average, for those who completed."""
    attempts = []
    for e in enrollments:
        pre, post = tests.get(e.course_id, (None, None))
        if pre and e.started_at and rng.random() < 0.85:
            pre_score = max(0.0, min(100.0, rng.gauss(52, 16)))
            attempts.append(_attempt(pre, e, 1, pre_score, e.started_at + dt.timedelta(minutes=20)))
            if post and e.completed_at:
                post_score = max(0.0, min(100.0, pre_score + rng.gauss(19, 12)))
                attempts.append(_attempt(post, e, 1, post_score, e.completed_at - dt.timedelta(minutes=10)))
    return quiz_services.attempts_bulk_create(attempts)


def _course_tests(releases: dict[int, CourseRelease]) -> dict[int, tuple[Quiz | None, Quiz | None]]:
    """Each course's pre-test and post-test, from the quizzes its current release pins."""
    result = {}
    for course_id, release in releases.items():
        quizzes = Quiz.objects.filter(pk__in=[int(pk) for pk in release.quiz_pins])
        pre = next((q for q in quizzes if q.kind == Quiz.Kind.PRE_TEST), None)
        post = next((q for q in quizzes if q.kind == Quiz.Kind.POST_TEST), None)
        result[course_id] = (pre, post)
    return result


def _attempt(quiz: Quiz, enrollment: Enrollment, number: int, score: float, submitted) -> QuizAttempt:
    return QuizAttempt(
        quiz=quiz,
        user_id=enrollment.user_id,
        enrollment_id=enrollment.pk,
        number=number,
        status=QuizAttempt.Status.SUBMITTED,
        started_at=submitted - dt.timedelta(minutes=12),
        submitted_at=submitted,
        points=round(score, 1),
        max_points=100,
        score=round(score, 1),
        passed=score >= (quiz.pass_mark or 0) if quiz.kind == Quiz.Kind.POST_TEST else None,
        pass_mark=quiz.pass_mark,
    )


def _organisations(rng: random.Random, regions: list[Region], count: int) -> dict[str, list[tuple[int, int]]]:
    weights = {
        Organisation.Kind.SCHOOL: 0.55,
        Organisation.Kind.NGO: 0.12,
        Organisation.Kind.POLICE: 0.1,
        Organisation.Kind.GOVERNMENT: 0.1,
        Organisation.Kind.SHELTER: 0.05,
        Organisation.Kind.PROSECUTOR: 0.04,
        Organisation.Kind.COURT: 0.04,
    }
    rows = []
    for n in range(count):
        kind = _pick(rng, weights) if n >= len(weights) else list(weights)[n]
        region = rng.choice(regions)
        rows.append(
            Organisation(
                kind=kind,
                region=region,
                name_mn=f"{Organisation.Kind(kind).label} {n + 1} ({region.name_mn}) [scale]",
                name_en=f"{kind.title()} {n + 1} ({region.name_en or region.name_mn}) [scale]",
            )
        )
    made = account_services.organisations_bulk_create(rows)
    by_kind: dict[str, list[tuple[int, int]]] = {}
    for organisation in made:
        by_kind.setdefault(organisation.kind, []).append((organisation.pk, organisation.region_id))
    return by_kind


def scale_data_remove(*, log: Callable[[str], None] = print) -> int:
    """Remove a generated data set (its people, with everything of theirs, and its organisations)."""
    with transaction.atomic():
        people = User.objects.filter(email__endswith="@" + DOMAIN)
        quiz_services.attempts_bulk_remove(people)
        course_bulk.learner_records_bulk_remove(people)
        count = account_services.people_bulk_remove(people)
        account_services.organisations_bulk_remove(Organisation.objects.filter(name_mn__endswith="[scale]"))
    log(f"removed the scale data set ({count:,} rows with the people)")
    return count
