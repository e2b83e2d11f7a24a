"""On a 360 px phone, in Mongolian: long ordering labels stay beside their own dropdown; a failed
quiz result offers a retake; the two-factor set-up shows the whole key and an app link (issue 16).
Screenshots of each screen are kept in test-artifacts/ for a person to look at."""

import pytest
from playwright.sync_api import expect

from assessments.models import Question
from courses import services as course_services
from tests.assessments import helpers
from tests.factories import UserFactory

from .conftest import ARTIFACTS
from .helpers import PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG = "Хүүхэд хохирсноо хэлэхэд тайван сонсож, түүнд итгэж байгаагаа хэлээд, хариуцлагатай хүнд мэдээлэх"


def test_phone_quiz_result_and_two_factor_screens(site, live_server, browser):
    ordering = helpers.question(
        Question.Kind.ORDERING,
        text="Order",
        options=[helpers.option(f"{LONG} {n}") for n in range(3)],
    )
    quiz = helpers.quiz([ordering], pass_mark=80, max_attempts=3)
    built = helpers.course_with_quiz(quiz, lessons=1, quiz_position=0)
    learner = UserFactory(email="phone@example.mn")
    course_services.enrollment_create(user=learner, course=built.mn)

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="mn-MN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, live_server.url, learner.email)
    page.goto(live_server.url + built.lessons["mn"][0].url)
    with page.expect_navigation():
        page.locator(".quiz-panel button[type=submit]").click()

    rows = page.locator(".order-row").all()
    assert len(rows) == 3
    for row in rows:
        select, label = row.locator("select").bounding_box(), row.locator("label").bounding_box()
        # the label sits to the right of its own dropdown, starting on the same line, inside the row
        assert label["x"] >= select["x"] + select["width"]
        assert abs(label["y"] - select["y"]) < 12
        row_box = row.bounding_box()
        assert label["y"] + label["height"] <= row_box["y"] + row_box["height"] + 1
    page.screenshot(path=str(ARTIFACTS / "phone-ordering-mn.png"), full_page=True)

    page.on("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form.quiz-form button[type=submit]").last.click()
    expect(page.locator(".result-actions").first.get_by_role("button", name="Дахин оролдох")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "phone-result-mn.png"), full_page=True)

    page.goto(f"{live_server.url}/accounts/2fa/totp/activate/?next=/learn/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("form.stack-form button[type=submit]").first.click()
    secret = page.locator("#totp-secret")
    expect(secret).to_be_visible()
    box = secret.bounding_box()
    assert box["x"] + box["width"] <= 360  # the whole key is on screen
    assert page.locator("a[href^='otpauth://totp/']").is_visible()
    page.screenshot(path=str(ARTIFACTS / "phone-2fa-mn.png"), full_page=True)
    context.close()
