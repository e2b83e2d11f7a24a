"""Review meetings: scheduling, invitations, attendance (a code at the meeting, or the organiser's
mark), minutes. Attendance also counts toward a course that requires a review meeting."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from courses import services as course_services
from lms.accounts.models import Region, User
from lms.accounts.services import audit_record
from lms.queue import publish_on_commit

from ..errors import Conflict, DeliveryError, NotAllowed
from ..models import Kit, MeetingParticipant, ReviewMeeting
from ..privacy import refuse_contact_details
from ..selectors import meetings as meeting_selectors

# No I, L, O, 0 or 1: codes are read off a screen and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_check_in_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _check_details(*, mode: str, venue: str, online_link: str, duration_minutes: int) -> None:
    if mode not in ReviewMeeting.Mode.values:
        raise DeliveryError(_("Choose in person or online."), field="mode")
    if mode == ReviewMeeting.Mode.IN_PERSON and not venue.strip():
        raise DeliveryError(_("Say where the meeting takes place."), field="venue")
    if mode == ReviewMeeting.Mode.ONLINE and not online_link.strip():
        raise DeliveryError(_("Give the link of the online meeting."), field="online_link")
    if not 15 <= duration_minutes <= 600:
        raise DeliveryError(_("A meeting lasts from 15 minutes to 10 hours."), field="duration_minutes")


def meeting_schedule(
    *,
    by: User,
    kit: Kit,
    region: Region,
    mode: str,
    starts_at: dt.datetime,
    duration_minutes: int = 120,
    venue: str = "",
    online_link: str = "",
) -> ReviewMeeting:
    """Schedule a review meeting for a kit's facilitators in a district (invitations come next)."""
    _check_details(mode=mode, venue=venue, online_link=online_link, duration_minutes=duration_minutes)
    if starts_at < timezone.now() - dt.timedelta(days=1):
        raise DeliveryError(_("This date has passed: schedule meetings ahead."), field="starts_at")
    for _attempt in range(5):  # a code already in use (very unlikely): draw another
        try:
            with transaction.atomic():
                meeting = ReviewMeeting.objects.create(
                    kit=kit,
                    region=region,
                    mode=mode,
                    starts_at=starts_at,
                    duration_minutes=duration_minutes,
                    venue=venue.strip() if mode == ReviewMeeting.Mode.IN_PERSON else "",
                    online_link=online_link.strip() if mode == ReviewMeeting.Mode.ONLINE else "",
                    organiser=by,
                    check_in_code=new_check_in_code(),
                    created_at=timezone.now(),
                )
                audit_record(
                    action="meeting.scheduled",
                    actor=by,
                    obj=meeting,
                    kit=kit.name_mn,
                    region=region.name_mn,
                    starts_at=starts_at.isoformat(),
                    mode=mode,
                )
                return meeting
        except IntegrityError:
            continue
    raise DeliveryError(_("The meeting could not be scheduled just now. Please try again."))


@transaction.atomic
def meeting_update(
    *,
    meeting: ReviewMeeting,
    by: User,
    mode: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    venue: str = "",
    online_link: str = "",
) -> ReviewMeeting:
    """Change when, where or how a meeting happens; people already invited are told."""
    if meeting.is_cancelled:
        raise DeliveryError(_("This meeting was cancelled."))
    _check_details(mode=mode, venue=venue, online_link=online_link, duration_minutes=duration_minutes)
    fields = {
        "mode": mode,
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "venue": venue.strip() if mode == ReviewMeeting.Mode.IN_PERSON else "",
        "online_link": online_link.strip() if mode == ReviewMeeting.Mode.ONLINE else "",
    }
    changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
    if not changed:
        return meeting
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.save(update_fields=list(fields))
    audit_record(action="meeting.changed", actor=by, obj=meeting, fields=changed)
    invited = list(meeting.participants.filter(invited_at__isnull=False).values_list("person", flat=True))
    _queue_emails(meeting.pk, invited, "changed")
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: ReviewMeeting, by: User) -> ReviewMeeting:
    """Cancel a meeting nobody attended; the people invited are told."""
    meeting = ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        raise DeliveryError(_("This meeting is already cancelled."))
    if meeting.participants.filter(attended_at__isnull=False).exists():
        raise Conflict(
            _(
                "People attended this meeting, so it took place and cannot be cancelled. Correct the attendance instead."
            )
        )
    meeting.status, meeting.cancelled_at = ReviewMeeting.Status.CANCELLED, timezone.now()
    meeting.save(update_fields=["status", "cancelled_at"])
    audit_record(action="meeting.cancelled", actor=by, obj=meeting)
    invited = list(meeting.participants.filter(invited_at__isnull=False).values_list("person", flat=True))
    _queue_emails(meeting.pk, invited, "cancelled")
    return meeting


@transaction.atomic
def meeting_invite(*, meeting: ReviewMeeting, by: User, people) -> int:
    """Invite facilitators (by email, in both languages); returns how many were newly invited."""
    if meeting.is_cancelled:
        raise DeliveryError(_("This meeting was cancelled."))
    if meeting.ends_at < timezone.now():
        raise DeliveryError(_("This meeting is over: there is nobody left to invite."))
    now = timezone.now()
    invited = []
    for person in people:
        if not person.is_active:
            continue
        participant, _created = MeetingParticipant.objects.get_or_create(meeting=meeting, person=person)
        if participant.invited_at is None:
            participant.invited_at = now
            participant.save(update_fields=["invited_at"])
            invited.append(person.pk)
    if invited:
        audit_record(action="meeting.invited", actor=by, obj=meeting, people=invited)
        _queue_emails(meeting.pk, invited, "invitation")
    return len(invited)


def _queue_emails(meeting_id: int, person_ids: list[int], kind: str) -> None:
    if not person_ids:
        return
    publish_on_commit("delivery.meeting_email", meeting_id, person_ids, kind)


EMAIL_KINDS = ("invitation", "changed", "cancelled")


def meeting_email_send(*, meeting_id: int, person_ids: list[int], kind: str) -> int:
    """Email people about a meeting, each in Mongolian and English; returns how many were sent.
    Invitations are claimed one by one, so a repeated task sends nobody twice."""
    if kind not in EMAIL_KINDS:
        raise ValueError(kind)
    meeting = ReviewMeeting.objects.select_related("kit", "region", "organiser").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    sent = 0
    for participant in MeetingParticipant.objects.filter(
        meeting=meeting, person_id__in=person_ids
    ).select_related("person"):
        if kind == "invitation":
            claimed = MeetingParticipant.objects.filter(
                pk=participant.pk, invitation_emailed_at__isnull=True
            ).update(invitation_emailed_at=timezone.now())
            if not claimed:
                continue
        try:
            _meeting_email(meeting, participant.person, kind).send()
        except Exception:
            if kind == "invitation":
                MeetingParticipant.objects.filter(pk=participant.pk).update(invitation_emailed_at=None)
            raise
        sent += 1
    return sent


def _meeting_email(meeting: ReviewMeeting, person: User, kind: str) -> EmailMessage:
    parts, subjects = [], []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            context = {
                "meeting": meeting,
                "person": person,
                "kind": kind,
                "starts_at": timezone.localtime(meeting.starts_at),
                "clubs_url": settings.SITE_URL + reverse("delivery:home"),
            }
            subjects.append(render_to_string("delivery/email/meeting_subject.txt", context).strip())
            parts.append(render_to_string("delivery/email/meeting_body.txt", context).strip())
    return EmailMessage(subject=" / ".join(subjects), body="\n\n— — —\n\n".join(parts), to=[person.email])


def _sync_course(person: User, kit: Kit, by: User | None) -> None:
    """Tell the kit's course when the person first attended one of its review meetings (or none)."""
    course_services.enrollment_review_meeting_set(
        user=person, course=kit.course, attended_at=meeting_selectors.first_attendance(person, kit.pk), by=by
    )


@transaction.atomic
def meeting_check_in(*, code: str, person: User) -> MeetingParticipant:
    """A facilitator checks in at a meeting with the code shown there."""
    meeting = meeting_selectors.meeting_for_code(code)
    # A wrong code and a cancelled meeting's code get the same answer.
    if meeting is None:
        raise DeliveryError(_("This code does not match a meeting. Check it and try again."), field="code")
    now = timezone.now()
    opens, closes = meeting_selectors.check_in_window(meeting)
    if now < opens:
        raise DeliveryError(
            _("Check-in opens an hour before the meeting starts (%(when)s).")
            % {"when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")},
            field="code",
        )
    if now > closes:
        raise DeliveryError(
            _("Check-in for this meeting has closed. Ask the organiser to mark you."), field="code"
        )
    if not meeting_selectors.may_attend(person, meeting):
        raise NotAllowed(
            _("This meeting is for facilitators of %(kit)s. Ask the organiser if you should be there.")
            % {"kit": meeting.kit.name}
        )
    participant, _created = MeetingParticipant.objects.select_for_update().get_or_create(
        meeting=meeting, person=person
    )
    if participant.attended_at is not None:
        raise Conflict(_("You are already checked in at this meeting."), field="code")
    participant.attended_at, participant.checked_in, participant.marked_by = (
        now,
        MeetingParticipant.CheckIn.CODE,
        None,
    )
    participant.save(update_fields=["attended_at", "checked_in", "marked_by"])
    audit_record(action="meeting.checked_in", actor=person, subject=person, obj=meeting, how="code")
    _sync_course(person, meeting.kit, person)
    return participant


def _require_started(meeting: ReviewMeeting) -> None:
    if meeting.is_cancelled:
        raise DeliveryError(_("This meeting was cancelled."))
    if timezone.now() < meeting_selectors.check_in_window(meeting)[0]:
        raise DeliveryError(_("The meeting has not started yet: attendance is taken at the meeting."))


@transaction.atomic
def attendance_set(*, meeting: ReviewMeeting, by: User, attended_ids: set[int]) -> dict[str, int]:
    """The organiser's attendance list: marks the ticked people present and the others absent."""
    _require_started(meeting)
    now = timezone.now()
    marked = unmarked = 0
    for participant in meeting.participants.select_for_update().select_related("person"):
        present = participant.person_id in attended_ids
        if present and participant.attended_at is None:
            participant.attended_at, participant.checked_in, participant.marked_by = (
                now,
                MeetingParticipant.CheckIn.ORGANISER,
                by,
            )
            marked += 1
            action = "meeting.marked_present"
        elif not present and participant.attended_at is not None:
            participant.attended_at, participant.checked_in, participant.marked_by = None, "", by
            unmarked += 1
            action = "meeting.marked_absent"
        else:
            continue
        participant.save(update_fields=["attended_at", "checked_in", "marked_by"])
        audit_record(action=action, actor=by, subject=participant.person, obj=meeting)
        _sync_course(participant.person, meeting.kit, by)
    return {"marked": marked, "unmarked": unmarked}


@transaction.atomic
def attendance_add(*, meeting: ReviewMeeting, by: User, person: User) -> MeetingParticipant:
    """Mark someone present who was not on the list (they came without an invitation)."""
    _require_started(meeting)
    participant, _created = MeetingParticipant.objects.select_for_update().get_or_create(
        meeting=meeting, person=person
    )
    if participant.attended_at is not None:
        raise DeliveryError(_("%(person)s is already marked present.") % {"person": person}, field="email")
    participant.attended_at, participant.checked_in, participant.marked_by = (
        timezone.now(),
        MeetingParticipant.CheckIn.ORGANISER,
        by,
    )
    participant.save(update_fields=["attended_at", "checked_in", "marked_by"])
    audit_record(action="meeting.marked_present", actor=by, subject=person, obj=meeting)
    _sync_course(person, meeting.kit, by)
    return participant


@transaction.atomic
def minutes_save(*, meeting: ReviewMeeting, by: User, minutes: str) -> ReviewMeeting:
    """Keep the minutes of a meeting (about the meeting, never about a child)."""
    _require_started(meeting)
    minutes = (minutes or "").strip()
    try:
        refuse_contact_details(minutes)
    except ValidationError as error:
        raise DeliveryError(error.messages[0], field="minutes") from None
    if minutes == meeting.minutes:
        return meeting
    meeting.minutes, meeting.minutes_updated_at = minutes, timezone.now()
    meeting.save(update_fields=["minutes", "minutes_updated_at"])
    audit_record(action="meeting.minutes_saved", actor=by, obj=meeting, characters=len(minutes))
    return meeting
