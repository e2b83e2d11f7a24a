"""Demo data for `make run` (demo mode only): a trained facilitator with two Smart Navigator clubs,
their membership and sessions, a review meeting held and one coming up, and a safeguarding lead."""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from courses import errors as course_errors
from courses import selectors as course_selectors
from courses import services as course_services
from courses.models import CourseCompletion, Enrollment, ReleaseLesson
from lms.accounts import roles
from lms.accounts.models import Organisation, User

from ..models import Club, Kit, ReviewMeeting
from ..selectors.catalogue import kit_sessions
from ..selectors.clubs import term_for
from . import clubs as club_services
from . import meetings as meeting_services
from . import sessions as session_services
from .setup import kits_ensure, terms_ensure

FACILITATOR = "facilitator@demo.cpclearn.mn"
LEAD = "safeguarding@demo.cpclearn.mn"
CO_FACILITATOR = "teacher@demo.cpclearn.mn"  # made by create_demo_accounts
ORGANISER = "manager@demo.cpclearn.mn"
SCHOOL = "Сонгинохайрхан дүүргийн 67-р сургууль"
TVET = "Баянзүрх дүүргийн Политехник коллеж"


class DemoError(Exception):
    pass


def _account(
    email: str, *, password: str, full_name: str, role: str, organisation, sex: str, birth_year: int, groups
):
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        role=role,
        organisation=organisation,
        region=organisation.region if organisation else None,
        sex=sex,
        birth_year=birth_year,
    )
    user.groups.set(groups)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user, True


def _complete_course(user: User, kit: Kit) -> None:
    """The facilitator took the kit's course: every lesson of its current release completed."""
    if CourseCompletion.objects.filter(enrollment__user=user, enrollment__course=kit.course).exists():
        return
    enrollment = Enrollment.objects.filter(user=user, course=kit.course).first()
    if enrollment is None:
        enrollment = course_services.enrollment_create(user=user, course=kit.course)
    for key in (
        ReleaseLesson.objects.filter(release=enrollment.release)
        .order_by("position")
        .values_list("lesson_key", flat=True)
    ):
        try:
            course_services.lesson_complete(user=user, lesson_key=key, by_activity=True)
        except course_errors.AlreadyCompleted:
            continue


def delivery_demo_ensure(*, password: str) -> list[str]:
    """Create what is missing; returns what was made (nothing on a second run)."""
    made = []
    kits = {kit.course.slug: kit for kit, _created in kits_ensure()}
    terms_ensure()
    kit = kits.get("smart-navigator")
    if kit is None or course_selectors.current_release(kit.course_id) is None:
        raise DemoError("Smart Navigator is not loaded: run `python manage.py load_curricula` first.")
    school = Organisation.objects.filter(name_mn=SCHOOL).first()
    tvet = Organisation.objects.filter(name_mn=TVET).first()
    organiser = User.objects.filter(email=ORGANISER).first()
    if school is None or tvet is None or organiser is None:
        raise DemoError("The demo accounts are missing: run `python manage.py create_demo_accounts` first.")
    roles_by_name = roles.roles_ensure()
    facilitator, created = _account(
        FACILITATOR,
        password=password,
        full_name="Энхжаргал Мөнх",
        role=User.Role.YOUTH_FACILITATOR,
        organisation=school,
        sex=User.Sex.FEMALE,
        birth_year=1994,
        groups=[roles_by_name[roles.LEARNERS]],
    )
    if created:
        made.append(FACILITATOR)
    lead, created = _account(
        LEAD,
        password=password,
        full_name="Оюунчимэг Ганбат",
        role=User.Role.CHILD_RIGHTS_INSPECTOR,
        organisation=None,
        sex=User.Sex.FEMALE,
        birth_year=1982,
        groups=[Group.objects.get(name=roles.SAFEGUARDING_LEADS)],
    )
    if created:
        made.append(LEAD)
    _complete_course(facilitator, kit)
    if Club.objects.filter(facilitator=facilitator).exists():
        return made
    with transaction.atomic():
        made += _clubs_and_meetings(kit, facilitator, organiser, school, tvet)
    return made


# Long on purpose: demo data written as one script to read top to bottom (clubs, a term of logs, two meetings).
def _clubs_and_meetings(kit: Kit, facilitator: User, organiser: User, school, tvet) -> list[str]:
    today = timezone.localdate()
    started = term_for(today - dt.timedelta(days=150)) or term_for(today)
    co = User.objects.filter(email=CO_FACILITATOR).first()
    first = club_services.club_register(
        facilitator=facilitator,
        kit=kit,
        organisation=school,
        region=school.region,
        first_term=started,
        co_facilitators=[co] if co else [],
    )
    second = club_services.club_register(
        facilitator=facilitator, kit=kit, organisation=tvet, region=tvet.region, first_term=term_for(today)
    )
    members = {
        first.pk: {"girls_12_14": 9, "girls_15_17": 5, "boys_12_14": 7, "boys_15_17": 4},
        second.pk: {"girls_15_17": 8, "girls_18_plus": 3, "boys_15_17": 10, "boys_18_plus": 2},
    }
    sessions = kit_sessions(kit)
    logged = 0
    for club, weeks in ((first, range(1, 15, 2)), (second, range(1, 7, 2))):
        for number, week in enumerate(weeks):
            day = today - dt.timedelta(weeks=week)
            term = term_for(day)
            if term is None or day < club.first_term.start:
                continue
            if not club.memberships.filter(term=term).exists():
                club_services.membership_record(club=club, term=term, counts=members[club.pk], by=facilitator)
            session = sessions[number % len(sessions)]
            session_services.session_log_create(
                club=club,
                by=facilitator,
                session=session,
                held_on=day,
                duration_minutes=session.duration_minutes or 60,
                girls=max(
                    1,
                    members[club.pk].get("girls_12_14", 0)
                    + members[club.pk].get("girls_15_17", 0)
                    - number % 3,
                ),
                boys=max(
                    1,
                    members[club.pk].get("boys_12_14", 0)
                    + members[club.pk].get("boys_15_17", 0)
                    - number % 2,
                ),
                needs_support=number == 2,
                note="Хүүхдүүд дүрд тоглох дасгалд идэвхтэй оролцсон." if number == 0 else "",
            )
            logged += 1
    # A review meeting held ten days ago (the facilitator came), and one online in two weeks.
    held = meeting_services.meeting_schedule(
        by=organiser,
        kit=kit,
        region=school.region,
        mode=ReviewMeeting.Mode.IN_PERSON,
        starts_at=timezone.now() + dt.timedelta(days=1),
        venue="Сонгинохайрхан дүүргийн ЗДТГ, 2 давхар, хурлын танхим",
    )
    meeting_services.meeting_invite(meeting=held, by=organiser, people=[facilitator] + ([co] if co else []))
    past = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=10), dt.time(14, 0)))
    ReviewMeeting.objects.filter(pk=held.pk).update(starts_at=past)  # demo history: it took place
    held.refresh_from_db()
    meeting_services.attendance_set(meeting=held, by=organiser, attended_ids={facilitator.pk})
    meeting_services.minutes_save(
        meeting=held,
        by=organiser,
        minutes=(
            "Чиглүүлэгчид 1–4-р уулзалтын туршлагаа хуваалцав. Ажлын саналын дасгалд илүү цаг хэрэгтэй "
            "гэсэн санал гарсан. Дараагийн уулзалтаар мэдээлэх журмыг давтана."
        ),
    )
    upcoming = meeting_services.meeting_schedule(
        by=organiser,
        kit=kit,
        region=school.region,
        mode=ReviewMeeting.Mode.ONLINE,
        starts_at=timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=14), dt.time(15, 0))),
        online_link="https://meet.example.mn/cpc-smart-navigator",
    )
    meeting_services.meeting_invite(
        meeting=upcoming, by=organiser, people=[facilitator] + ([co] if co else [])
    )
    return [f"2 clubs, {logged} sessions, 2 review meetings"]
