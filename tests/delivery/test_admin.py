"""The managers' meeting pages in the admin: schedule, invite, take attendance, minutes, code screen."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts import roles
from lms.delivery.models import MeetingParticipant, ReviewMeeting
from tests.factories import UserFactory, staff_client

from . import data


@pytest.fixture
def manager(site):
    return staff_client(roles.MANAGERS)


def _schedule(manager, kit, region, **changes):
    when = timezone.localtime(timezone.now() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    values = {
        "kit": kit.kit.pk,
        "region": region.pk,
        "mode": "in_person",
        "starts_at": when,
        "duration_minutes": "120",
        "venue": "District hall",
        "online_link": "",
        **changes,
    }
    return manager.post(reverse("delivery_admin:meeting_new"), values)


def test_a_manager_schedules_invites_and_runs_a_meeting(
    manager, kit, terms, school, trained, mailoutbox, django_capture_on_commit_callbacks
):
    data.club(kit, trained, school, terms.current)
    assert manager.get(reverse("delivery_admin:meeting_new")).status_code == 200
    response = _schedule(manager, kit, school.region)
    meeting = ReviewMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "delivery_admin:meeting", args=[meeting.pk]
    )
    page = manager.get(response["Location"])
    assert page.status_code == 200 and meeting.check_in_code.encode() in page.content
    assert [c.person for c in page.context["candidates"]] == [trained]
    with django_capture_on_commit_callbacks(execute=True):
        invited = manager.post(
            reverse("delivery_admin:meeting_invite", args=[meeting.pk]), {"people": [trained.pk]}
        )
    assert invited.status_code == 302 and len(mailoutbox) == 1
    assert "District hall" in mailoutbox[0].body
    # Attendance is taken at the meeting, not before.
    early = manager.post(
        reverse("delivery_admin:meeting_attendance", args=[meeting.pk]), {"present": [trained.pk]}
    )
    assert early.status_code == 400
    ReviewMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=30))
    marked = manager.post(
        reverse("delivery_admin:meeting_attendance", args=[meeting.pk]), {"present": [trained.pk]}
    )
    assert marked.status_code == 302
    assert MeetingParticipant.objects.get(person=trained).attended_at is not None
    walk_in = UserFactory(email="walkin@example.mn")
    assert (
        manager.post(
            reverse("delivery_admin:meeting_attendee", args=[meeting.pk]), {"email": "WALKIN@example.mn "}
        ).status_code
        == 302
    )
    assert MeetingParticipant.objects.get(person=walk_in).checked_in == "organiser"
    unknown = manager.post(
        reverse("delivery_admin:meeting_attendee", args=[meeting.pk]), {"email": "ghost@example.mn"}
    )
    assert unknown.status_code == 400
    minutes = manager.post(
        reverse("delivery_admin:meeting_minutes", args=[meeting.pk]),
        {"minutes": "Agreed to share materials."},
    )
    assert minutes.status_code == 302
    refused = manager.post(
        reverse("delivery_admin:meeting_minutes", args=[meeting.pk]), {"minutes": "Ring 99112233"}
    )
    assert refused.status_code == 400
    meeting.refresh_from_db()
    assert meeting.minutes == "Agreed to share materials."
    cancel = manager.post(reverse("delivery_admin:meeting_cancel", args=[meeting.pk]))
    assert cancel.status_code == 409  # people attended: it took place


def test_the_code_screen_and_its_qr_code(manager, kit, school):
    _schedule(manager, kit, school.region)
    meeting = ReviewMeeting.objects.get()
    screen = manager.get(reverse("delivery_admin:meeting_code", args=[meeting.pk]))
    assert screen.status_code == 200 and meeting.check_in_code.encode() in screen.content
    qr = manager.get(reverse("delivery_admin:meeting_qr", args=[meeting.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"venue": ""}, "venue"),
        ({"mode": "online", "online_link": ""}, "online_link"),
        ({"mode": "by-pigeon"}, "mode"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"duration_minutes": "5"}, "duration_minutes"),
        ({"online_link": "javascript:alert(1)", "mode": "online"}, "online_link"),
    ],
)
def test_bad_meetings_are_refused_with_the_reason(manager, kit, school, changes, field):
    response = _schedule(manager, kit, school.region, **changes)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ReviewMeeting.objects.exists()


def test_changing_a_meeting_tells_the_invited(
    manager, kit, school, trained, mailoutbox, django_capture_on_commit_callbacks
):
    _schedule(manager, kit, school.region)
    meeting = ReviewMeeting.objects.get()
    MeetingParticipant.objects.create(meeting=meeting, person=trained, invited_at=timezone.now())
    later = timezone.localtime(meeting.starts_at + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            reverse("delivery_admin:meeting_edit", args=[meeting.pk]),
            {
                "mode": "online",
                "starts_at": later,
                "duration_minutes": "90",
                "online_link": "https://meet.example.mn/x",
            },
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.mode == "online" and meeting.venue == "" and meeting.duration_minutes == 90
    assert (
        len(mailoutbox) == 1
        and "Changed" in mailoutbox[0].subject
        and "meet.example.mn/x" in mailoutbox[0].body
    )
