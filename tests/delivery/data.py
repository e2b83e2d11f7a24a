"""Club delivery test data built through the real services: a kit course with session plans,
school terms, trained facilitators, clubs and sessions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.utils import timezone

from courses import services as course_services
from courses.models import LessonPage, ReleaseLesson
from lms.accounts import roles
from lms.accounts.models import Organisation, Region, User
from lms.delivery.models import Kit, Term
from lms.delivery.selectors.catalogue import kit_sessions
from lms.delivery.services import clubs as club_services
from lms.delivery.services import sessions as session_services
from tests.factories import UserFactory, build_course

# Session plans per lesson of the test kit: lesson 1 has one, lesson 2 has two, lesson 3 none.
PLANS = [
    [("Warm-up and ground rules", "Танилцах, дүрэм тохирох", 45)],
    [("Safe offers", "Аюулгүй санал", 60), ("My network", "Миний сүлжээ", 50)],
    [],
]


def plan(title: str, minutes: int) -> dict:
    return {
        "type": "session_plan",
        "value": {
            "title": title,
            "age_group": "12–15",
            "duration_minutes": minutes,
            "objectives": ["Learn"],
            "materials": ["Paper"],
            "steps": ["Talk"],
            "discussion_questions": ["Why?"],
        },
    }


def build_kit(
    *, slug: str = "kit-course", name: str = "Smart Navigator", plans=PLANS, rule: str | None = None
):
    """A published kit course (mn and en) whose lessons carry session plans, registered as a kit."""
    built = build_course(lessons=len(plans), slug=slug, publish=False)
    for language, index in (("mn", 1), ("en", 0)):
        for lesson, lesson_plans in zip(built.lessons[language], plans, strict=True):
            lesson = LessonPage.objects.get(pk=lesson.pk)
            lesson.body = [{"type": "text", "value": "<p>Read.</p>"}] + [
                plan(p[index], p[2]) for p in lesson_plans
            ]
            lesson.save_revision().publish()
    if rule:
        for page in built.pages.values():
            page.completion_rule = rule
            page.save_revision().publish()
    built.release = course_services.release_publish(course=built.mn, version="1.0")
    kit = Kit.objects.create(course=built.mn, name_mn=f"{name} (мн)", name_en=name)
    return SimpleNamespace(course=built, kit=kit, sessions=kit_sessions(kit))


def complete_course(user, course) -> None:
    """The person takes the course and completes every lesson (the real completion path)."""
    course_services.enrollment_create(user=user, course=course.mn)
    for key in ReleaseLesson.objects.filter(release__course=course.mn, release__is_current=True).values_list(
        "lesson_key", flat=True
    ):
        course_services.lesson_complete(user=user, lesson_key=key)


def terms() -> SimpleNamespace:
    """Three terms around today: the one before, the current one, the next."""
    today = timezone.localdate()
    current = Term.objects.create(
        name_mn="Одоогийн улирал",
        name_en="This term",
        start=today - dt.timedelta(days=60),
        end=today + dt.timedelta(days=60),
    )
    previous = Term.objects.create(
        name_mn="Өмнөх улирал",
        name_en="Last term",
        start=current.start - dt.timedelta(days=150),
        end=current.start - dt.timedelta(days=1),
    )
    following = Term.objects.create(
        name_mn="Дараагийн улирал",
        name_en="Next term",
        start=current.end + dt.timedelta(days=1),
        end=current.end + dt.timedelta(days=150),
    )
    return SimpleNamespace(previous=previous, current=current, next=following)


def place(
    name: str = "School 1", region_code: str = "bayanzurkh", kind=Organisation.Kind.SCHOOL
) -> Organisation:
    region = Region.objects.get(code=region_code)
    return Organisation.objects.create(kind=kind, region=region, name_mn=f"{name} (мн)", name_en=name)


def facilitator(kit, email: str, **fields) -> User:
    person = UserFactory(email=email, role=User.Role.TEACHER, **fields)
    complete_course(person, kit.course)
    return person


def manager() -> User:
    person = UserFactory(email="manager@example.mn")
    person.groups.add(Group.objects.get(name=roles.MANAGERS))
    return person


MEMBERS = {"girls_12_14": 6, "girls_15_17": 4, "boys_12_14": 5, "boys_15_17": 5}  # 20 children


def club(kit, person, organisation, term, *, members=MEMBERS, co=()):
    return club_services.club_register(
        facilitator=person,
        kit=kit.kit,
        organisation=organisation,
        region=organisation.region,
        first_term=term,
        co_facilitators=list(co),
        membership=members,
    )


def log(club, person, session, day, girls=5, boys=5, **extra):
    return session_services.session_log_create(
        club=club,
        by=person,
        session=session,
        held_on=day,
        duration_minutes=extra.pop("duration_minutes", 60),
        girls=girls,
        boys=boys,
        **extra,
    )
