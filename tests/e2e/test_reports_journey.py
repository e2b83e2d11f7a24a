"""The demo programme manager filters the reports by a fiscal quarter and a district, sees the
chart and the table, exports the table as XLSX, and the file's numbers are the screen's."""

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from lms.accounts import roles
from tests.factories import UserFactory, with_two_factor
from tests.reports.data import build_programme

from .conftest import ARTIFACTS
from .helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _number(text: str):
    text = text.strip()
    if text in ("", "–"):
        return None
    try:
        return float(text)
    except ValueError:
        return text


def test_manager_filters_by_quarter_and_district_and_exports_what_they_see(site, live_server, browser):
    programme = build_programme()
    manager = UserFactory(email="manager@demo.cpclearn.mn", full_name="Programme manager")
    manager.groups.add(Group.objects.get(name=roles.MANAGERS))
    secret = with_two_factor(manager)
    profile = UserProfile.get_for_user(manager)
    profile.preferred_language = "en"  # the admin speaks Mongolian unless a person chooses otherwise
    profile.save()

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, manager.email, prefix="/en", totp_secret=secret)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Programme reports").click()
    expect(page.get_by_role("heading", name="Programme reports", level=1)).to_be_visible()

    page.select_option("#id_quarter", "FY2026-Q1")
    page.select_option("#id_region", str(programme.district.pk))
    page.select_option("#id_by", "sex")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert "quarter=FY2026-Q1" in page.url

    # Worked out by hand: in fiscal 2026 Q1, in the district, three people completed course A.
    expect(page.locator('[data-figure="people_trained"]')).to_have_text("3")
    expect(page.locator("#chart-courses")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#chart-breakdown")).to_have_attribute("data-drawn", "true")
    table = page.locator('table[data-table="courses"]')
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    screen = [
        [_number(cell) for cell in row.locator("th, td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]
    course_a = next(row for row in screen if row[0] == programme.a.mn.title)
    assert course_a[1:4] == [2, 2, 2]  # u1 and u2 enrolled, started and completed
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 2600})  # the admin scrolls inside its own pane
    page.screenshot(path=str(Path(ARTIFACTS) / "reports-dashboard.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    section = page.locator("section", has=page.locator("#courses-heading"))
    with page.expect_download() as download_info:
        section.get_by_role("button", name="Courses as XLSX").click()
    download = download_info.value
    # The file says what it holds: the table, the quarter and the district filtered on.
    assert download.suggested_filename == "cpc-learn-courses-fy2026-q1-test-district.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [str(h) for h in rows[0]] == headers
    exported = [
        [None if v in (None, "") else (float(v) if isinstance(v, int | float) else v) for v in row]
        for row in rows[1:]
    ]
    assert exported == screen

    # On a phone the filters stack and the tables scroll sideways; nothing overflows the page.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    mobile = phone.new_page()
    mobile.context.add_cookies(context.cookies())
    mobile.goto(page.url)
    expect(mobile.locator('[data-figure="people_trained"]')).to_have_text("3")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    mobile.screenshot(path=str(Path(ARTIFACTS) / "reports-dashboard-phone.png"), full_page=True)
