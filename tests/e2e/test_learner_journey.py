"""The journey that matters most: sign up, confirm the email, enrol, finish a course."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from certificates.models import Certificate
from courses.models import Enrollment
from lms.accounts.models import User
from tests.assessments import helpers
from tests.factories import build_course

from .conftest import ARTIFACTS
from .quiz_answers import answer_correctly, submit, tokens_of_right_options

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "prefix": "/en",
        "sign_up": "Sign up",
        "enrol": "Enrol",
        "complete": "Mark complete",
        "done": "100% done",
    },
    "mn": {"prefix": "", "sign_up": "Бүртгүүлэх", "enrol": None, "complete": None, "done": "100%"},
}


@pytest.mark.parametrize("language", ["mn", "en"])
def test_new_person_signs_up_and_completes_a_course(site, live_server, page, language):
    built = build_course(lessons=3, slug=f"journey-{language}")
    prefix = TEXT[language]["prefix"]
    email = f"new.{language}@example.mn"

    page.goto(f"{live_server.url}{prefix}/accounts/signup/")
    assert page.locator("html").get_attribute("lang") == language
    page.fill("#id_full_name", "Туяа Ганболд")
    page.fill("#id_email", email)
    page.fill("#id_password1", "Uul-us-2026-tal")
    page.fill("#id_password2", "Uul-us-2026-tal")
    page.select_option("#id_role", "teacher")
    page.select_option("#id_region", label="Сонгинохайрхан" if language == "mn" else "Songinokhairkhan")
    page.select_option("#id_sex", "female")
    page.fill("#id_birth_year", "1990")
    page.locator("form.stack-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/confirm-email/" in page.url
    user = User.objects.get(email=email)
    assert user.full_name == "Туяа Ганболд" and user.region.code == "songinokhairkhan"

    # The confirmation email carries the link; opening it and confirming signs the person in.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.locator("form.stack-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/").endswith(f"{prefix}/learn")

    # Enrol from the course page, then complete every lesson with Mark complete.
    page.goto(live_server.url + built.pages[language].url)
    page.locator("form[action$='/enrol/'] button").click()
    page.wait_for_load_state()
    for number, lesson in enumerate(built.lessons[language], 1):
        assert page.url.endswith(lesson.url), f"lesson {number} opens next"
        assert page.locator("h1").inner_text() == lesson.title
        page.locator("form[action$='/complete/'] button").click()
        page.wait_for_load_state()

    # The dashboard shows 100 % and the completion date.
    assert page.url.rstrip("/").endswith(f"{prefix}/learn")
    card = page.locator(".dashboard-list .card").first
    assert card.locator("progress").get_attribute("value") == "100"
    assert TEXT[language]["done"] in card.inner_text()
    enrollment = Enrollment.objects.get(user=user)
    assert enrollment.status == Enrollment.Status.COMPLETED
    today = timezone.localtime(enrollment.completed_at).strftime("%Y-%m-%d")
    assert card.locator("[data-completed-at]").get_attribute("data-completed-at") == today
    assert today in card.inner_text()


def test_new_learner_on_a_phone_fails_then_passes_and_gets_the_certificate(site, live_server, page, settings):
    """Issue 16's learner journey, in Mongolian on a 390 px phone: sign up, confirm, enrol, read the
    lessons, fail the final quiz, retake it and pass; the result page says the course is complete and
    leads to the course page, where the certificate downloads."""
    settings.SITE_URL = live_server.url
    question = helpers.question(text="Хүүхэд хохирсноо хэлбэл юу хийх вэ?")
    quiz = helpers.quiz([question], pass_mark=100, max_attempts=3)
    built = helpers.course_with_quiz(quiz, lessons=3, quiz_position=2, slug="phone-journey")
    email = "shine.surlagch@example.mn"

    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_full_name", "Номин Бат")
    page.fill("#id_email", email)
    page.fill("#id_password1", "Tal-nutag-2026-us")
    page.fill("#id_password2", "Tal-nutag-2026-us")
    page.select_option("#id_role", "teacher")
    page.select_option("#id_region", label="Баянзүрх")
    page.select_option("#id_sex", "female")
    page.fill("#id_birth_year", "1994")
    with page.expect_navigation():
        page.locator("form.stack-form button[type=submit]").click()
    body = mail.outbox[-1].body
    assert "Номин Бат" in body, "the email greets the person by name"
    page.goto(re.search(r"https?://\S+/accounts/confirm-email/\S+/", body).group(0))
    with page.expect_navigation():
        page.locator("form.stack-form button[type=submit]").click()
    learner = User.objects.get(email=email)

    page.goto(live_server.url + built.mn.url)
    with page.expect_navigation():
        page.locator("form[action$='/enrol/'] button").click()
    for lesson in built.lessons["mn"][:2]:
        assert page.url.endswith(lesson.url)
        with page.expect_navigation():
            page.locator("form[action$='/complete/'] button").click()

    # The final quiz: a wrong answer fails; the result offers a retake; the right one passes.
    quiz_lesson = built.lessons["mn"][2]
    assert page.url.endswith(quiz_lesson.url)
    with page.expect_navigation():
        page.locator("form[action$='/start/'] button").click()
    wrong = page.locator("fieldset.question input[type=radio]").all()
    right = tokens_of_right_options(page)
    next(box for box in wrong if box.get_attribute("value") not in right).check()
    expect(page.locator("fieldset.question .save-status")).not_to_have_text("")
    submit(page)
    assert page.locator(".score strong").inner_text() == "0%"
    with page.expect_navigation():
        page.locator(".result-actions").first.get_by_role("button", name="Дахин оролдох").click()
    answer_correctly(page, "mn")
    submit(page)
    assert page.locator(".score strong").inner_text() == "100%"
    page.screenshot(path=str(ARTIFACTS / "phone-journey-passed-mn.png"), full_page=True)

    # The course-complete moment leads to the course page, where the certificate is.
    with page.expect_navigation():
        page.locator(".result-actions a").first.click()
    assert page.url.endswith(built.mn.url)
    expect(page.locator(".course-complete")).to_contain_text("Сургалт дууссан")
    link = page.locator(".certificate-links a[lang=mn]")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.screenshot(path=str(ARTIFACTS / "phone-journey-course-complete-mn.png"), full_page=True)
    enrollment = Enrollment.objects.get(user=learner)
    assert enrollment.status == Enrollment.Status.COMPLETED
    assert Certificate.objects.filter(user=learner, enrollment=enrollment).exists()
