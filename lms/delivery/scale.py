"""Club delivery at programme scale, on top of the reports' scale data set (``generate_scale_data``).

Clubs (by default 100, in the programme's proportions of Smart Navigator, Voice Up for Change and
KCSO) at generated schools and TVET centres, run by generated learners who completed the kit's
course; their membership in each term; sessions (by default 5,000) over the last two school years;
and review meetings with invitations and attendance. Rows are written in bulk. Everything is tied
to the generated people (``@scale.cpclearn.invalid``) and removed with them.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from courses.models import CourseCompletion
from lms.accounts import services as account_services
from lms.accounts.models import Organisation, Region, User
from lms.reports.scale import DOMAIN, ScaleDataError

from .models import (
    MEMBERSHIP_FIELDS,
    Club,
    ClubMembership,
    Kit,
    MeetingParticipant,
    ReviewMeeting,
    SessionLog,
    Term,
)
from .selectors.catalogue import kit_sessions
from .services.meetings import new_check_in_code
from .services.setup import kits_ensure, terms_ensure

# The programme's clubs: 39 Smart Navigator, 45 Voice Up for Change, 16 KCSO; 39 schools, 19 TVET centres.
KIT_SHARES = {"smart-navigator": 39, "voice-up-for-change": 45, "keeping-children-safe-online": 16}
TVET_SHARE = 19 / 58
SCALE_TVET_CENTRES = 19
MANAGER_EMAIL = f"delivery-manager@{DOMAIN}"


def delivery_scale_generate(
    *,
    clubs: int = 100,
    sessions: int = 5000,
    meetings: int = 40,
    seed: int = 2026,
    log: Callable[[str], None] = print,
) -> dict:
    """Generate clubs, memberships, sessions and meetings; refuses to run twice."""
    if Club.objects.filter(facilitator__email__endswith="@" + DOMAIN).exists():
        raise ScaleDataError("Scale clubs are already here; remove the data set with --remove first.")
    rng = random.Random(seed)  # noqa: S311  # nosec B311 - made-up data, not secrets
    started = time.perf_counter()
    kits_ensure()
    terms_ensure(years_back=2)
    kits = [kit for kit in Kit.objects.select_related("course") if kit_sessions(kit)]
    if not kits:
        raise ScaleDataError("No club kit with session plans: run `python manage.py load_curricula` first.")
    trained = _trained_facilitators(kits)
    kits = [kit for kit in kits if trained.get(kit.pk)]
    if not kits:
        raise ScaleDataError("No generated learner completed a kit's course: generate learners first.")
    today = timezone.localdate()
    terms = list(
        Term.objects.filter(start__lte=today, end__gte=today - dt.timedelta(days=730)).order_by("start")
    )
    if not terms:
        raise ScaleDataError("No school terms: run `python manage.py setup_delivery` first.")
    figures: dict[str, float] = {}
    with transaction.atomic():
        places = _places(rng)
        made_clubs = _clubs(rng, clubs, kits, trained, places, terms)
        figures["clubs"] = len(made_clubs)
        members = _memberships(rng, made_clubs, terms, today)
        figures["memberships"] = len(members)
        figures["sessions"] = _sessions(rng, sessions, made_clubs, members, terms, today)
        figures["meetings"], figures["attendances"] = _meetings(rng, meetings, made_clubs, kits, today)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    figures["seconds"] = round(time.perf_counter() - started, 1)
    log(
        f"club delivery: {figures['clubs']:,} clubs, {figures['memberships']:,} memberships, "
        f"{figures['sessions']:,} sessions, {figures['meetings']:,} review meetings in {figures['seconds']} s"
    )
    return figures


def _trained_facilitators(kits: list[Kit]) -> dict[int, list[User]]:
    """Generated teachers and youth facilitators who completed each kit's course."""
    by_course = {kit.course_id: kit.pk for kit in kits}
    rows = (
        CourseCompletion.objects.filter(
            enrollment__course__in=list(by_course),
            enrollment__user__email__endswith="@" + DOMAIN,
            enrollment__user__role__in=[User.Role.TEACHER, User.Role.YOUTH_FACILITATOR],
        )
        .values_list("enrollment__course", "enrollment__user", "enrollment__user__organisation")
        .distinct()
    )
    trained: dict[int, list] = {}
    for course, user, organisation in rows:
        trained.setdefault(by_course[course], []).append((user, organisation))
    for people in trained.values():
        people.sort()
    return trained


def _places(rng: random.Random) -> dict[str, list[tuple[int, int]]]:
    """The generated schools, and TVET centres in Ulaanbaatar's districts (made here)."""
    schools = list(
        Organisation.objects.filter(kind=Organisation.Kind.SCHOOL, name_mn__endswith="[scale]").values_list(
            "pk", "region_id"
        )
    )
    districts = list(Region.objects.filter(kind=Region.Kind.DISTRICT).order_by("code"))
    made = account_services.organisations_bulk_create(
        [
            Organisation(
                kind=Organisation.Kind.TVET,
                region=districts[n % len(districts)],
                name_mn=f"МСҮТ {n + 1} ({districts[n % len(districts)].name_mn}) [scale]",
                name_en=f"TVET centre {n + 1} ({districts[n % len(districts)].name_en}) [scale]",
            )
            for n in range(SCALE_TVET_CENTRES)
        ]
    )
    if not schools:
        raise ScaleDataError("No generated schools: generate learners first.")
    return {"school": schools, "tvet": [(o.pk, o.region_id) for o in made]}


def _clubs(rng, count, kits, trained, places, terms) -> list[Club]:
    shares = [KIT_SHARES.get(kit.course.slug, 10) for kit in kits]
    numbers: dict[tuple[int, int], int] = {}
    clubs = []
    for _n in range(count):
        kit = rng.choices(kits, weights=shares)[0]
        user, _organisation = rng.choice(trained[kit.pk])
        organisation, region = rng.choice(places["tvet"] if rng.random() < TVET_SHARE else places["school"])
        numbers[(kit.pk, organisation)] = numbers.get((kit.pk, organisation), 0) + 1
        first_term = rng.choice(terms[: max(1, len(terms) - 1)])
        created = timezone.make_aware(dt.datetime.combine(first_term.start, dt.time(10)))
        clubs.append(
            Club(
                kit=kit,
                organisation_id=organisation,
                region_id=region,
                facilitator_id=user,
                first_term=first_term,
                number=numbers[(kit.pk, organisation)],
                created_at=created,
                updated_at=created,
            )
        )
    clubs = Club.objects.bulk_create(clubs)
    through = Club.co_facilitators.through
    links = []
    for club in clubs:
        if rng.random() < 0.4:
            partner, _organisation = rng.choice(trained[club.kit_id])
            if partner != club.facilitator_id:
                links.append(through(club_id=club.pk, user_id=partner))
    through.objects.bulk_create(links)
    return clubs


def _memberships(rng, clubs, terms, today) -> dict[tuple[int, int], int]:
    """Each club's membership in every term since it started: (club, term) -> children."""
    rows, totals = [], {}
    for club in clubs:
        for term in terms:
            if term.start < club.first_term.start or term.start > today:
                continue
            counts = dict.fromkeys(MEMBERSHIP_FIELDS, 0)
            for _child in range(rng.randint(12, 32)):
                sex = "girls" if rng.random() < 0.55 else "boys"
                band = rng.choices(["under_12", "12_14", "15_17", "18_plus"], weights=[8, 45, 40, 7])[0]
                counts[f"{sex}_{band}"] += 1
            rows.append(
                ClubMembership(
                    club=club,
                    term=term,
                    recorded_by_id=club.facilitator_id,
                    updated_at=club.created_at,
                    **counts,
                )
            )
            totals[(club.pk, term.pk)] = sum(counts.values())
    ClubMembership.objects.bulk_create(rows, batch_size=2000)
    return totals


def _sessions(rng, count, clubs, members, terms, today) -> int:
    catalogues = {}
    rows, seen = [], set()
    weights = [1 + (club.pk % 5) for club in clubs]  # some clubs meet more often than others
    attempts = 0
    while len(rows) < count and attempts < count * 5:
        attempts += 1
        club = rng.choices(clubs, weights=weights)[0]
        first = club.first_term.start
        day = first + dt.timedelta(days=rng.randrange(max(1, (today - first).days)))
        term = next((t for t in terms if t.start <= day <= t.end), None)
        if term is None or (club.pk, term.pk) not in members:
            continue
        if club.kit_id not in catalogues:
            catalogues[club.kit_id] = kit_sessions(club.kit)
        plan = rng.choice(catalogues[club.kit_id])
        key = (club.pk, day, plan.lesson_key, plan.plan_index)
        if key in seen:
            continue
        seen.add(key)
        size = members[(club.pk, term.pk)]
        came = max(1, round(size * rng.uniform(0.55, 1.0)))
        girls = min(came, round(came * rng.uniform(0.4, 0.7)))
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(17)))
        rows.append(
            SessionLog(
                club=club,
                term=term,
                release_id=plan.release_id,
                lesson_key=plan.lesson_key,
                plan_index=plan.plan_index,
                held_on=day,
                duration_minutes=plan.duration_minutes or 60,
                girls=girls,
                boys=came - girls,
                needs_support=rng.random() < 0.06,
                logged_by_id=club.facilitator_id,
                logged_at=at,
                updated_at=at,
            )
        )
    SessionLog.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _meetings(rng, count, clubs, kits, today) -> tuple[int, int]:
    manager = account_services.generated_person_ensure(
        email=MANAGER_EMAIL, full_name="Scale delivery manager"
    )
    places = sorted({(club.kit_id, club.region_id) for club in clubs})
    runners: dict[tuple[int, int], set[int]] = {}
    for club in clubs:
        runners.setdefault((club.kit_id, club.region_id), set()).add(club.facilitator_id)
    made, attendances = [], 0
    for _n in range(count):
        kit, region = rng.choice(places)
        day = today - dt.timedelta(days=rng.randint(7, 700))
        made.append(
            ReviewMeeting(
                kit_id=kit,
                region_id=region,
                mode=rng.choice([ReviewMeeting.Mode.IN_PERSON, ReviewMeeting.Mode.ONLINE]),
                starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(14))),
                venue="Scale venue",
                organiser=manager,
                check_in_code=new_check_in_code() + f"{_n:04d}"[-2:],
                created_at=timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=14), dt.time(9))),
            )
        )
    made = ReviewMeeting.objects.bulk_create(made)
    participants = []
    for meeting in made:
        for person in sorted(runners[(meeting.kit_id, meeting.region_id)]):
            attended = rng.random() < 0.8
            attendances += attended
            participants.append(
                MeetingParticipant(
                    meeting=meeting,
                    person_id=person,
                    invited_at=meeting.created_at,
                    invitation_emailed_at=meeting.created_at,
                    attended_at=meeting.starts_at + dt.timedelta(minutes=5) if attended else None,
                    checked_in=MeetingParticipant.CheckIn.CODE if attended else "",
                )
            )
    MeetingParticipant.objects.bulk_create(participants, batch_size=2000)
    return len(made), attendances


def delivery_scale_remove(*, log: Callable[[str], None] = print) -> int:
    """Remove the generated clubs, sessions and meetings (before their people are removed)."""
    with transaction.atomic():
        clubs = Club.objects.filter(facilitator__email__endswith="@" + DOMAIN)
        count = SessionLog.objects.filter(club__in=clubs).count()
        SessionLog.objects.filter(club__in=clubs).delete()
        ClubMembership.objects.filter(club__in=clubs).delete()
        Club.co_facilitators.through.objects.filter(club__in=clubs).delete()
        clubs.delete()
        MeetingParticipant.objects.filter(person__email__endswith="@" + DOMAIN).delete()
        ReviewMeeting.objects.filter(organiser__email=MANAGER_EMAIL).delete()
        account_services.people_bulk_remove(User.objects.filter(email=MANAGER_EMAIL))
    log(f"removed the generated club delivery ({count:,} sessions)")
    return count
