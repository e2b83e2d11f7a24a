"""Review meetings: who is invited, who may check in, who attended."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from courses.models import Enrollment
from lms.accounts.models import User

from ..models import Club, MeetingParticipant, ReviewMeeting
from . import access

# The code works from an hour before the start until three hours after the end (people arrive
# early, and an organiser may show the code at the end of the day).
CHECK_IN_BEFORE = dt.timedelta(hours=1)
CHECK_IN_AFTER = dt.timedelta(hours=3)


def check_in_window(meeting: ReviewMeeting) -> tuple[dt.datetime, dt.datetime]:
    return meeting.starts_at - CHECK_IN_BEFORE, meeting.ends_at + CHECK_IN_AFTER


def check_in_open(meeting: ReviewMeeting, now=None) -> bool:
    now = now or timezone.now()
    opens, closes = check_in_window(meeting)
    return not meeting.is_cancelled and opens <= now <= closes


def meeting_for_code(code: str) -> ReviewMeeting | None:
    """The scheduled meeting with this check-in code (as typed: case and spaces forgiven)."""
    code = normalise_code(code)
    if not code:
        return None
    return (
        ReviewMeeting.objects.select_related("kit", "region")
        .filter(check_in_code=code, status=ReviewMeeting.Status.SCHEDULED)
        .first()
    )


def normalise_code(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").upper()[:12]


def may_attend(user, meeting: ReviewMeeting) -> bool:
    """Invited people, and anyone taking the kit's course or running one of its clubs, may check in."""
    if MeetingParticipant.objects.filter(meeting=meeting, person=user).exists():
        return True
    if meeting.kit_id in access.enrolled_kit_ids(user):
        return True
    return access.clubs_of(user).filter(kit_id=meeting.kit_id).exists()


def meetings_for_person(user, *, now=None) -> dict[str, list[MeetingParticipant]]:
    """A facilitator's meetings: upcoming (invited), and the ones they attended."""
    now = now or timezone.now()
    rows = list(
        MeetingParticipant.objects.filter(person=user)
        .select_related("meeting", "meeting__kit", "meeting__region")
        .order_by("meeting__starts_at")
    )
    upcoming = [
        row
        for row in rows
        if not row.meeting.is_cancelled and row.attended_at is None and check_in_window(row.meeting)[1] >= now
    ]
    return {
        "upcoming": upcoming,
        "attended": [row for row in reversed(rows) if row.attended_at is not None],
    }


def meetings_list(*, upcoming: bool | None = None, kit=None, region=None) -> QuerySet[ReviewMeeting]:
    meetings = ReviewMeeting.objects.select_related("kit", "region", "organiser").annotate(
        invited=Count("participants", filter=Q(participants__invited_at__isnull=False)),
        attended=Count("participants", filter=Q(participants__attended_at__isnull=False)),
    )
    now = timezone.now()
    if upcoming is True:
        meetings = meetings.filter(starts_at__gte=now - dt.timedelta(hours=12)).order_by("starts_at")
    elif upcoming is False:
        meetings = meetings.filter(starts_at__lt=now - dt.timedelta(hours=12)).order_by("-starts_at")
    if kit is not None:
        meetings = meetings.filter(kit=kit)
    if region is not None:
        meetings = meetings.filter(region=region)
    return meetings


def participants(meeting: ReviewMeeting) -> list[MeetingParticipant]:
    return list(
        meeting.participants.select_related("person", "person__organisation", "marked_by").order_by(
            "person__full_name", "person__email"
        )
    )


@dataclass
class Candidate:
    person: User
    runs_club: bool  # runs a club of the kit in the district
    enrolled: bool  # takes or took the kit's course and lives in the district


def invite_candidates(meeting: ReviewMeeting) -> list[Candidate]:
    """Facilitators a meeting is for: those running the kit's clubs in its district, and those
    taking the kit's course who give the district as theirs; minus the ones already invited."""
    clubs = Club.objects.filter(kit=meeting.kit, region=meeting.region, status=Club.Status.ACTIVE)
    running = set(clubs.values_list("facilitator", flat=True)) | set(
        clubs.filter(co_facilitators__isnull=False).values_list("co_facilitators", flat=True)
    )
    enrolled = set(
        Enrollment.objects.filter(course_id=meeting.kit.course_id, user__region=meeting.region).values_list(
            "user", flat=True
        )
    )
    already = set(meeting.participants.filter(invited_at__isnull=False).values_list("person", flat=True))
    people = User.objects.filter(pk__in=(running | enrolled) - already, is_active=True).select_related(
        "organisation"
    )
    return sorted(
        (Candidate(person=p, runs_club=p.pk in running, enrolled=p.pk in enrolled) for p in people),
        key=lambda c: (not c.runs_club, (c.person.full_name or c.person.email).lower()),
    )


def attended_meetings(user) -> list[MeetingParticipant]:
    """The review meetings a person attended, oldest first (their transcript)."""
    return list(
        MeetingParticipant.objects.filter(person=user, attended_at__isnull=False)
        .select_related("meeting", "meeting__kit", "meeting__region")
        .order_by("meeting__starts_at")
    )


def first_attendance(user, kit_id: int) -> dt.datetime | None:
    """When the person first attended a (not cancelled) review meeting of a kit: the course keeps it."""
    row = (
        MeetingParticipant.objects.filter(
            person=user,
            meeting__kit_id=kit_id,
            meeting__status=ReviewMeeting.Status.SCHEDULED,
            attended_at__isnull=False,
        )
        .order_by("attended_at")
        .values_list("attended_at", flat=True)
        .first()
    )
    return row
