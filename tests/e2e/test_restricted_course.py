"""The demo teacher never meets the investigation course; the demo investigator sets up
two-factor sign-in in the browser and then takes it."""

from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.management import call_command

from courses.models import CoursePage, Enrollment, LessonPage
from curricula.loader import curricula_load
from tests.factories import totp_code

from .helpers import sign_in
from .quiz_answers import answer_correctly, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(site, settings):
    settings.DEMO_MODE = True
    settings.DEMO_PASSWORD = "demo-password-1"
    curricula_load(only=["child-friendly-investigation", "keeping-children-safe-online"])
    call_command("create_demo_accounts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return CoursePage.objects.get(slug="child-friendly-investigation", locale__language_code="en")


def test_teacher_never_sees_it_investigator_takes_it(demo, live_server, browser):
    course = demo
    lesson_urls = [lesson.url for lesson in LessonPage.objects.live().descendant_of(course)[:3]]

    teacher = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    teacher.set_default_timeout(15_000)
    sign_in(teacher, live_server.url, "teacher@demo.cpclearn.mn", prefix="/en", password="demo-password-1")
    for path in (
        "/en/",
        "/en/courses/",
        "/en/learn/",
        "/en/search/?q=interview",
        "/en/search/?q=NICHD",
        "/sitemap.xml",
        "/courses/",
    ):
        teacher.goto(live_server.url + path)
        text = teacher.content()
        assert "child-friendly-investigation" not in text, path
        assert course.title not in text, path
    for url in [course.url, *lesson_urls]:
        response = teacher.goto(live_server.url + url)
        assert response.status == 404, url
    teacher.context.close()

    investigator = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    investigator.set_default_timeout(15_000)
    investigator.on("dialog", lambda dialog: dialog.accept())
    sign_in(
        investigator,
        live_server.url,
        "investigator@demo.cpclearn.mn",
        prefix="/en",
        password="demo-password-1",
    )
    investigator.goto(live_server.url + course.url)
    assert "/accounts/2fa/totp/activate/" in unquote(investigator.url), "two-factor sign-in comes first"
    if "/accounts/reauthenticate/" in investigator.url:  # allauth asks for the password again first
        investigator.fill("input[name=password]", "demo-password-1")
        with investigator.expect_navigation():
            investigator.locator("form.stack-form button[type=submit]").click()
    assert "/accounts/2fa/totp/activate/" in investigator.url
    secret = investigator.locator("#totp-secret").inner_text().strip()  # the key, shown in full to copy
    investigator.fill("input[name=code]", totp_code(secret))
    with investigator.expect_navigation():
        investigator.locator("form.stack-form button[type=submit]").click()
    investigator.goto(live_server.url + course.url)
    assert investigator.locator("h1").inner_text() == course.title
    with investigator.expect_navigation():
        investigator.locator("form[action$='/enrol/'] button").click()
    # The pre-test, then the first lesson.
    with investigator.expect_navigation():
        investigator.locator("form[action$='/start/'] button").click()
    answer_correctly(investigator, "en")
    submit(investigator)
    assert investigator.url.endswith("/result/")
    enrollment = Enrollment.objects.get(user__email="investigator@demo.cpclearn.mn")
    assert enrollment.course.slug == "child-friendly-investigation"
    assert settings.DEMO_MODE
