"""Club delivery on a phone: a facilitator who completed Smart Navigator registers her club and
logs a session; a programme manager schedules a review meeting; she checks in with the code shown
there; the manager's report shows the club, the session and the children reached, as the database
has them."""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from courses import services as course_services
from courses.models import CoursePage, Enrollment, ReleaseLesson
from curricula.loader import curricula_load
from lms.accounts import roles
from lms.accounts.models import Organisation, Region, User
from lms.delivery.models import Club, ClubMembership, Kit, MeetingParticipant, ReviewMeeting, SessionLog
from lms.delivery.services.setup import kits_ensure, terms_ensure
from tests.factories import UserFactory, with_two_factor

from .conftest import ARTIFACTS
from .helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, f"{page.url} is {width}px wide on a 390px phone"


def _shot(page, name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / f"delivery-{name}.png"), full_page=True)


def _completed_smart_navigator(user):
    course = CoursePage.objects.get(slug="smart-navigator", locale__language_code="mn")
    enrollment = course_services.enrollment_create(user=user, course=course)
    for key in ReleaseLesson.objects.filter(release=enrollment.release).values_list("lesson_key", flat=True):
        course_services.lesson_complete(user=user, lesson_key=key, by_activity=True)
    assert Enrollment.objects.get(pk=enrollment.pk).is_completed


def test_facilitator_registers_logs_and_checks_in_and_the_report_counts_it(site, live_server, page, browser):
    curricula_load(only=["smart-navigator"])
    kits_ensure()
    terms_ensure()
    kit = Kit.objects.get(course__slug="smart-navigator")
    district = Region.objects.get(code="bayanzurkh")
    school = Organisation.objects.create(
        kind=Organisation.Kind.SCHOOL,
        region=district,
        name_mn="Баянзүрх 14-р сургууль",
        name_en="School No. 14",
    )
    facilitator = UserFactory(
        email="facilitator@example.mn",
        full_name="Энхжаргал Мөнх",
        role=User.Role.YOUTH_FACILITATOR,
        organisation=school,
        region=district,
    )
    _completed_smart_navigator(facilitator)

    # --- the facilitator, on her phone, in Mongolian --------------------------------------------
    sign_in(page, live_server.url, facilitator.email)
    page.goto(f"{live_server.url}/clubs/")
    expect(page.locator("h1")).to_be_visible()
    _no_sideways_scroll(page)
    _shot(page, "phone-home-empty")
    with page.expect_navigation():
        page.locator("a[href='/clubs/register/']").first.click()
    expect(page.locator("#id_organisation")).to_have_value(str(school.pk))  # her school, from her profile
    page.fill("#id_girls_12_14", "8")
    page.fill("#id_boys_12_14", "6")
    page.fill("#id_boys_15_17", "1")
    _no_sideways_scroll(page)
    _shot(page, "phone-register")
    with page.expect_navigation():
        page.locator("form.stack-form button.button:not([name])").click()
    club = Club.objects.get()
    assert page.url.endswith(f"/clubs/{club.pk}/")
    expect(page.locator('[data-figure="members"]')).to_have_text("15")

    with page.expect_navigation():
        page.locator(f"a[href='/clubs/{club.pk}/sessions/new/']").first.click()
    page.select_option("#id_session", index=2)
    expect(page.locator("#id_duration_minutes")).not_to_have_value("")  # suggested from the session plan
    page.fill("#id_girls", "7")
    page.fill("#id_boys", "6")
    page.fill("#id_note", "Дүрд тоглох дасгал сайн болсон.")
    _no_sideways_scroll(page)
    _shot(page, "phone-session")
    with page.expect_navigation():
        page.locator("form.session-form button[type=submit]").click()
    session = SessionLog.objects.get()
    assert (session.girls, session.boys, session.held_on) == (7, 6, timezone.localdate())
    expect(page.locator(".session-item")).to_have_count(1)
    _no_sideways_scroll(page)
    _shot(page, "phone-club")

    # --- the programme manager, in the admin, in English ------------------------------------------
    manager = UserFactory(email="manager@example.mn", full_name="Programme Manager")
    manager.groups.add(Group.objects.get(name=roles.MANAGERS))
    secret = with_two_factor(manager)
    profile = UserProfile.get_for_user(manager)
    profile.preferred_language = "en"
    profile.save()
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    admin = desk.new_page()
    admin.set_default_timeout(15_000)
    sign_in(admin, live_server.url, manager.email, prefix="/en", totp_secret=secret)
    admin.goto(f"{live_server.url}/admin/club-delivery/meetings/new/")
    admin.select_option("#id_kit", str(kit.pk))
    admin.select_option("#id_region", str(district.pk))
    admin.check("input[name=mode][value=in_person]")
    starts = timezone.localtime(timezone.now() - dt.timedelta(minutes=10))
    admin.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    admin.fill("#id_venue", "Bayanzurkh district hall, room 2")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Schedule").click()
    meeting = ReviewMeeting.objects.get()
    code = admin.locator("[data-check-in-code]").inner_text().strip()
    assert code == meeting.check_in_code
    expect(admin.locator(f"input[name=people][value='{facilitator.pk}']")).to_be_checked()
    with admin.expect_navigation():
        admin.get_by_role("button", name="Send invitations").click()
    assert MeetingParticipant.objects.get(person=facilitator).invited_at is not None
    admin.set_viewport_size({"width": 1280, "height": 1800})
    admin.screenshot(path=str(Path(ARTIFACTS) / "delivery-admin-meeting.png"))
    admin.set_viewport_size({"width": 1280, "height": 900})

    # --- the facilitator checks in with the code shown at the meeting -------------------------------
    page.goto(f"{live_server.url}/clubs/")
    expect(page.locator("#meetings + .club-list .card")).to_have_count(1)  # her invitation
    page.goto(f"{live_server.url}/clubs/check-in/")
    page.fill("#id_code", code.lower())
    _shot(page, "phone-check-in")
    with page.expect_navigation():
        page.locator("form.stack-form button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    attendance = MeetingParticipant.objects.get(person=facilitator)
    assert attendance.attended_at is not None and attendance.checked_in == "code"
    _shot(page, "phone-checked-in")

    # --- the manager's report equals the database --------------------------------------------------
    admin.goto(f"{live_server.url}/admin/")
    admin.get_by_role("button", name="Club delivery").click()
    with admin.expect_navigation():
        admin.get_by_role("link", name="Delivery report").click()
    children = sum(m.total for m in ClubMembership.objects.all())
    expect(admin.locator('[data-figure="clubs_active"]')).to_have_text(str(Club.objects.count()))
    expect(admin.locator('[data-figure="sessions"]')).to_have_text(str(SessionLog.objects.count()))
    expect(admin.locator('[data-figure="children"]')).to_have_text(str(children))
    assert children == 15
    expect(admin.locator('[data-figure="meetings_held"]')).to_have_text("1")
    expect(admin.locator('[data-figure="meeting_attendances"]')).to_have_text("1")
    row = admin.locator('table[data-table="delivery-by-kit"] tbody tr').first
    cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
    assert cells[0] == "Smart Navigator" and cells[2:4] == ["1", "1"] and cells[6] == "15"
    admin.set_viewport_size({"width": 1280, "height": 1800})
    admin.screenshot(path=str(Path(ARTIFACTS) / "delivery-admin-report.png"))
    admin.goto(f"{live_server.url}/admin/club-delivery/clubs/")
    expect(admin.locator("table.report-table tbody tr")).to_have_count(1)
    with translation.override("en"):
        expect(admin.locator("table.report-table tbody tr th a")).to_have_text(str(club))
    desk.close()
