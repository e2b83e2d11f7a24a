"""The journey that matters most: sign up, confirm the email, enrol, finish a course."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from courses.models import Enrollment
from lms.accounts.models import User
from tests.factories import build_course

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
