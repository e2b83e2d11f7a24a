"""An editor opens /admin/ in a real browser: the site's own sign-in page (in Mongolian) takes the
password and the two-factor code, then the admin opens; the admin's old login form signs nobody in."""

from urllib.parse import unquote

import pytest
from django.contrib.auth.models import Group

from lms.accounts import roles
from tests.factories import UserFactory, totp_code, with_two_factor

from .conftest import ARTIFACTS
from .helpers import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_sign_in_goes_through_the_sites_sign_in_page(site, live_server, page):
    editor = UserFactory(email="editor.e2e@example.mn")
    editor.groups.add(Group.objects.get(name=roles.EDITORS))
    secret = with_two_factor(editor)

    page.goto(f"{live_server.url}/admin/pages/")
    assert unquote(page.url) == f"{live_server.url}/accounts/login/?next=/admin/pages/"
    assert page.locator("html").get_attribute("lang") == "mn"
    assert page.locator("h1").inner_text().strip() == "Нэвтрэх"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-sign-in-mn.png"), full_page=True)

    page.fill("input[name=login]", editor.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form.stack-form button[type=submit]").click()
    assert "/accounts/2fa/authenticate/" in page.url, "the two-factor code is asked for"
    page.fill("input[name=code]", totp_code(secret))
    with page.expect_navigation():
        page.locator("form.stack-form button[type=submit]:not([form])").click()
    assert page.url == f"{live_server.url}/admin/pages/"
    assert page.locator("#wagtail-sidebar, [data-side-panel-toggle], .sidebar").count() > 0
    page.screenshot(path=str(ARTIFACTS / "admin-after-sign-in.png"), full_page=True)


def test_the_admins_old_login_address_only_points_the_way(site, live_server, page):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/reports/")
    assert unquote(page.url) == f"{live_server.url}/accounts/login/?next=/admin/reports/"
    assert page.locator("input[name=login]").is_visible()
