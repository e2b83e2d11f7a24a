"""An administrator, in the Mongolian admin, creates an account for a teacher; the admin is told the
person can sign in now, and the teacher signs in on a phone straight away (issue 16)."""

import pytest
from playwright.sync_api import expect

from lms.accounts import roles
from lms.accounts.models import AuditEvent, User

from .conftest import ARTIFACTS
from .helpers import sign_in
from .test_release_journey import admin_page, staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Bagsh-nar-2026-sургалт"


def test_admin_creates_a_user_who_can_sign_in(site, live_server, browser, page):
    administrator, secret = staff("admin.mn@example.mn", roles.ADMINISTRATORS)
    admin = admin_page(browser, live_server, administrator, secret, language="mn")
    admin.goto(f"{live_server.url}/admin/users/new/")
    assert admin.locator("html").get_attribute("lang") == "mn"
    admin.fill("#id_email", "shine.bagsh@example.mn")
    admin.fill("#id_full_name", "Сарангэрэл Түмэн")
    admin.select_option("#id_role", "teacher")
    admin.select_option("#id_region", label="Хан-Уул")
    admin.select_option("#id_sex", "female")
    admin.fill("#id_password1", PASSWORD)
    admin.fill("#id_password2", PASSWORD)
    with admin.expect_navigation():
        admin.locator("form button[type=submit]").last.click()
    messages = admin.locator(".messages")
    # "… can sign in now with the password you set": the admin is told, in Mongolian.
    expect(messages).to_contain_text("shine.bagsh@example.mn")
    expect(messages).to_contain_text("одоо нэвтэрч болно")
    ARTIFACTS.mkdir(exist_ok=True)
    admin.screenshot(path=str(ARTIFACTS / "admin-created-user-mn.png"))
    admin.context.close()
    user = User.objects.get(email="shine.bagsh@example.mn")
    assert AuditEvent.objects.filter(action="email.confirmed_by_staff", subject=user).exists()

    # The teacher signs in on a phone with the password they were given: no confirmation step.
    sign_in(page, live_server.url, "shine.bagsh@example.mn", password=PASSWORD)
    assert "/confirm-email/" not in page.url and "/login/" not in page.url
    page.goto(f"{live_server.url}/learn/")
    expect(page.locator("header")).to_contain_text("Гарах")  # signed in: "Sign out" shows
