"""Review meetings: scheduling, invitations, check-in by code or by the organiser, minutes, and
attendance counting toward a course that requires a review meeting (blended training)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.models import CourseCompletion, CoursePage, Enrollment, ReleaseLesson
from lms.accounts.models import AuditEvent
from lms.delivery.errors import DeliveryError, NotAllowed
from lms.delivery.models import MeetingParticipant, ReviewMeeting
from lms.delivery.selectors import meetings as meeting_selectors
from lms.delivery.services import meetings as meeting_services
from tests.factories import UserFactory, staff_client

from . import data


def _meeting(kit, region, organiser, *, starts_in=dt.timedelta(minutes=30), **fields):
    meeting = meeting_services.meeting_schedule(
        by=organiser,
        kit=kit.kit,
        region=region,
        mode=fields.pop("mode", ReviewMeeting.Mode.IN_PERSON),
        starts_at=timezone.now() + dt.timedelta(days=2),
        venue=fields.pop("venue", "District hall, room 2"),
        **fields,
    )
    ReviewMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + starts_in)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def organiser(site):
    return data.manager()


def test_scheduling_draws_a_readable_code_and_checks_the_details(kit, school, organiser):
    meeting = meeting_services.meeting_schedule(
        by=organiser,
        kit=kit.kit,
        region=school.region,
        mode=ReviewMeeting.Mode.ONLINE,
        starts_at=timezone.now() + dt.timedelta(days=3),
        online_link="https://meet.example.mn/abc",
    )
    assert len(meeting.check_in_code) == 6 and not set(meeting.check_in_code) & set("ILO01")
    assert AuditEvent.objects.filter(action="meeting.scheduled", object_id=str(meeting.pk)).exists()
    with pytest.raises(DeliveryError) as refused:
        meeting_services.meeting_schedule(
            by=organiser,
            kit=kit.kit,
            region=school.region,
            mode="online",
            starts_at=timezone.now() + dt.timedelta(days=1),
        )
    assert refused.value.field == "online_link"
    with pytest.raises(DeliveryError, match="passed"):
        meeting_services.meeting_schedule(
            by=organiser,
            kit=kit.kit,
            region=school.region,
            mode="in_person",
            venue="Hall",
            starts_at=timezone.now() - dt.timedelta(days=3),
        )


def test_invitations_go_to_the_kits_facilitators_of_the_district_once(
    kit, terms, school, trained, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    data.club(kit, trained, school, terms.current)
    elsewhere = data.facilitator(
        kit, "far@example.mn", region=data.place("Far", region_code="chingeltei").region
    )
    meeting = _meeting(kit, school.region, organiser, starts_in=dt.timedelta(days=2))
    candidates = meeting_selectors.invite_candidates(meeting)
    assert [c.person for c in candidates] == [trained]
    assert candidates[0].runs_club
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            meeting_services.meeting_invite(meeting=meeting, by=organiser, people=[trained, elsewhere]) == 2
        )
    assert sorted(m.to[0] for m in mailoutbox) == ["far@example.mn", "trained@example.mn"]
    assert meeting.check_in_code not in mailoutbox[0].body  # the code is shown at the meeting only
    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_services.meeting_invite(meeting=meeting, by=organiser, people=[trained]) == 0
    assert len(mailoutbox) == 2
    assert meeting_selectors.invite_candidates(meeting) == []


def test_check_in_with_the_code_during_the_meeting_only(kit, terms, school, trained, organiser):
    data.club(kit, trained, school, terms.current)
    early = _meeting(kit, school.region, organiser, starts_in=dt.timedelta(hours=3))
    with pytest.raises(DeliveryError, match="opens an hour before"):
        meeting_services.meeting_check_in(code=early.check_in_code, person=trained)
    over = _meeting(kit, school.region, organiser, starts_in=-dt.timedelta(hours=8))
    with pytest.raises(DeliveryError, match="closed"):
        meeting_services.meeting_check_in(code=over.check_in_code, person=trained)
    with pytest.raises(DeliveryError, match="does not match"):
        meeting_services.meeting_check_in(code="ZZZZZZ", person=trained)
    now = _meeting(kit, school.region, organiser)
    participant = meeting_services.meeting_check_in(
        code=f" {now.check_in_code.lower()[:3]}-{now.check_in_code[3:]} ", person=trained
    )
    assert (
        participant.checked_in == MeetingParticipant.CheckIn.CODE and participant.invited_at is None
    )  # walked in
    with pytest.raises(DeliveryError, match="already checked in"):
        meeting_services.meeting_check_in(code=now.check_in_code, person=trained)


def test_someone_with_nothing_to_do_with_the_kit_cannot_check_in(kit, school, organiser):
    stranger = UserFactory(email="stranger@example.mn")
    meeting = _meeting(kit, school.region, organiser)
    with pytest.raises(NotAllowed):
        meeting_services.meeting_check_in(code=meeting.check_in_code, person=stranger)
    assert not MeetingParticipant.objects.exists()


def test_check_in_page_is_rate_limited(client, kit, school, trained, organiser):
    client.force_login(trained)
    statuses = [client.post(reverse("delivery:check_in"), {"code": "WRONG1"}).status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429


def test_the_organiser_marks_and_unmarks_attendance(kit, terms, school, trained, organiser):
    other = data.facilitator(kit, "other@example.mn")
    meeting = _meeting(kit, school.region, organiser, starts_in=-dt.timedelta(minutes=10))
    MeetingParticipant.objects.create(meeting=meeting, person=trained, invited_at=timezone.now())
    MeetingParticipant.objects.create(meeting=meeting, person=other, invited_at=timezone.now())
    assert meeting_services.attendance_set(
        meeting=meeting, by=organiser, attended_ids={trained.pk, other.pk}
    ) == {
        "marked": 2,
        "unmarked": 0,
    }
    assert meeting_services.attendance_set(meeting=meeting, by=organiser, attended_ids={trained.pk}) == {
        "marked": 0,
        "unmarked": 1,
    }
    row = MeetingParticipant.objects.get(person=trained)
    assert row.checked_in == MeetingParticipant.CheckIn.ORGANISER and row.marked_by == organiser
    assert AuditEvent.objects.filter(action="meeting.marked_absent", subject=other).count() == 1
    walk_in = UserFactory(email="walkin@example.mn")
    meeting_services.attendance_add(meeting=meeting, by=organiser, person=walk_in)
    with pytest.raises(DeliveryError, match="already marked present"):
        meeting_services.attendance_add(meeting=meeting, by=organiser, person=walk_in)
    with pytest.raises(DeliveryError, match="cannot be cancelled"):
        meeting_services.meeting_cancel(meeting=meeting, by=organiser)
    future = _meeting(kit, school.region, organiser, starts_in=dt.timedelta(days=5))
    with pytest.raises(DeliveryError, match="not started"):
        meeting_services.attendance_set(meeting=future, by=organiser, attended_ids={trained.pk})


def test_minutes_keep_no_contact_details(kit, school, organiser):
    meeting = _meeting(kit, school.region, organiser, starts_in=-dt.timedelta(minutes=10))
    with pytest.raises(DeliveryError, match="phone number"):
        meeting_services.minutes_save(
            meeting=meeting, by=organiser, minutes="Call the girl's aunt on 8811 2233"
        )
    meeting_services.minutes_save(meeting=meeting, by=organiser, minutes="Shared experience of sessions 1–3.")
    meeting.refresh_from_db()
    assert meeting.minutes.startswith("Shared") and meeting.minutes_updated_at


def test_cancelling_tells_the_invited(
    kit, school, trained, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = _meeting(kit, school.region, organiser, starts_in=dt.timedelta(days=4))
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_invite(meeting=meeting, by=organiser, people=[trained])
        meeting_services.meeting_cancel(meeting=meeting, by=organiser)
    assert len(mailoutbox) == 2 and "Cancelled" in mailoutbox[1].subject
    with pytest.raises(
        DeliveryError, match="does not match"
    ):  # a cancelled meeting's code is like a wrong one
        meeting_services.meeting_check_in(code=meeting.check_in_code, person=trained)


# --- a course that requires a review meeting ------------------------------------------------------


@pytest.fixture
def blended(site):
    return data.build_kit(slug="blended", name="Blended", rule=CoursePage.CompletionRule.WITH_REVIEW_MEETING)


def _finish_lessons(user, built):
    course_services.enrollment_create(user=user, course=built.course.mn)
    for key in ReleaseLesson.objects.filter(release=built.course.release).values_list(
        "lesson_key", flat=True
    ):
        course_services.lesson_complete(user=user, lesson_key=key)
    return Enrollment.objects.get(user=user, course=built.course.mn)


def test_lessons_alone_do_not_complete_a_course_that_requires_a_meeting(blended, school, organiser):
    learner = UserFactory(email="blended@example.mn")
    enrollment = _finish_lessons(learner, blended)
    assert not enrollment.is_completed and enrollment.awaits_review_meeting
    assert enrollment.completed_lessons == blended.course.release.required_lesson_count
    meeting = _meeting(blended, school.region, organiser)
    meeting_services.meeting_check_in(code=meeting.check_in_code, person=learner)  # enrolled: may attend
    enrollment.refresh_from_db()
    assert enrollment.is_completed and enrollment.review_meeting_attended_at is not None
    assert CourseCompletion.objects.filter(enrollment=enrollment).count() == 1


def test_a_meeting_attended_first_lets_the_last_lesson_complete_the_course(blended, school, organiser):
    learner = UserFactory(email="early@example.mn")
    course_services.enrollment_create(user=learner, course=blended.course.mn)
    meeting = _meeting(blended, school.region, organiser)
    meeting_services.meeting_check_in(code=meeting.check_in_code, person=learner)
    enrollment = Enrollment.objects.get(user=learner)
    assert enrollment.review_meeting_attended_at is not None and not enrollment.is_completed
    enrollment = _finish_lessons_after_enrolment(learner, blended)
    assert enrollment.is_completed


def _finish_lessons_after_enrolment(user, built):
    for key in ReleaseLesson.objects.filter(release=built.course.release).values_list(
        "lesson_key", flat=True
    ):
        course_services.lesson_complete(user=user, lesson_key=key)
    return Enrollment.objects.get(user=user, course=built.course.mn)


def test_removing_the_attendance_it_rested_on_takes_the_completion_back(blended, school, organiser):
    learner = UserFactory(email="mistake@example.mn")
    enrollment = _finish_lessons(learner, blended)
    meeting = _meeting(blended, school.region, organiser, starts_in=-dt.timedelta(minutes=5))
    meeting_services.attendance_add(meeting=meeting, by=organiser, person=learner)
    enrollment.refresh_from_db()
    assert enrollment.is_completed
    meeting_services.attendance_set(meeting=meeting, by=organiser, attended_ids=set())
    enrollment.refresh_from_db()
    assert not enrollment.is_completed and enrollment.review_meeting_attended_at is None
    assert not CourseCompletion.objects.filter(enrollment=enrollment).exists()
    assert AuditEvent.objects.filter(action="enrollment.review_meeting", subject=learner).count() == 2


def test_an_ordinary_course_records_the_meeting_but_completes_by_lessons(kit, school, trained, organiser):
    enrollment = Enrollment.objects.get(user=trained)
    assert enrollment.is_completed and enrollment.review_meeting_attended_at is None
    meeting = _meeting(kit, school.region, organiser)
    meeting_services.meeting_check_in(code=meeting.check_in_code, person=trained)
    enrollment.refresh_from_db()
    assert enrollment.is_completed and enrollment.review_meeting_attended_at is not None


def test_the_certificate_names_the_review_meeting_a_course_required(blended, school, organiser):
    from certificates.services import certificate_issue

    learner = UserFactory(email="certified@example.mn", full_name="Оюун Бат")
    enrollment = _finish_lessons(learner, blended)
    meeting = _meeting(blended, school.region, organiser)
    meeting_services.meeting_check_in(code=meeting.check_in_code, person=learner)
    certificate = certificate_issue(enrollment_id=enrollment.pk)
    assert certificate.review_meeting_on == timezone.localdate()
    from pypdf import PdfReader

    text = PdfReader(certificate.pdf_en.open("rb")).pages[0].extract_text()
    assert "Review meeting" in text and timezone.localdate().isoformat() in text
    mn = PdfReader(certificate.pdf_mn.open("rb")).pages[0].extract_text()
    assert "Хяналтын уулзалт" in mn


def test_the_transcript_shows_meetings_attended_and_clubs(kit, terms, school, trained, organiser):
    data.club(kit, trained, school, terms.current)
    meeting = _meeting(kit, school.region, organiser)
    meeting_services.meeting_check_in(code=meeting.check_in_code, person=trained)
    client = staff_client("Programme managers")
    page = client.get(reverse("reports_admin:transcript", args=[trained.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-section="club-delivery"' in html and "data-review-meeting-attended" in html
    assert "data-review-meeting" in html  # on the kit course's enrolment too
    assert kit.kit.name_en in html  # the admin speaks English to this manager
