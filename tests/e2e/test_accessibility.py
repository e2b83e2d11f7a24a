"""axe-core (from npm) finds no accessibility violation on the pages learners use, in both languages,
on a phone-size screen: home, catalogue, sign-up, My learning, a course, a real shipped lesson, a
quiz, its result, and every two-factor page (set-up, recovery codes, the sign-in code step).

axe runs with its default rule set (WCAG 2.0/2.1 A and AA plus best practices such as heading order
and landmarks). The script is evaluated in the page through the browser's debugging protocol, so the
site's Content Security Policy stays as it is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings

from courses.models import CoursePage, LessonPage, ReleaseLesson
from courses.selectors import current_release
from curricula.loader import curricula_load
from tests.factories import UserFactory, totp_code

from .conftest import ARTIFACTS
from .helpers import PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def _axe_source() -> str:
    if not AXE.exists():
        pytest.skip(f"needs axe-core from npm at {AXE} (make setup installs it)")
    return AXE.read_text()


def check(page, name: str, found: dict) -> None:
    """Run axe on the page as it is now; record its violations under ``name``."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate("async () => (await window.axe.run(document)).violations")
    found[name] = [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "where": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result
    ]
    page.screenshot(path=str(ARTIFACTS / f"axe-{name}.png"), full_page=True)


def _lesson_urls(course: CoursePage, language: str) -> list[tuple[str, str]]:
    """(key, url) of the course's lessons in release order."""
    keys = list(
        ReleaseLesson.objects.filter(release=current_release(course))
        .order_by("position")
        .values_list("lesson_key", flat=True)
    )
    urls = {
        lesson.translation_key: lesson.url
        for lesson in LessonPage.objects.filter(translation_key__in=keys, locale__language_code=language)
    }
    return [(key, urls[key]) for key in keys]


def _richest_lesson(course: CoursePage, language: str) -> str:
    """The URL of the lesson with the most lists and sub-headings: the hardest one to render well."""
    best, best_url = -1, None
    for lesson in LessonPage.objects.filter(
        translation_key__in=[key for key, _url in _lesson_urls(course, language)],
        locale__language_code=language,
    ):
        raw = json.dumps(list(lesson.body.raw_data), ensure_ascii=False)
        score = raw.count("<li") + raw.count("<h3") + raw.count("<h2")
        if score > best:
            best, best_url = score, lesson.url
    return best_url


@pytest.mark.parametrize("language", ["mn", "en"])
def test_learner_pages_have_no_accessibility_violations(site, live_server, page, language):
    ARTIFACTS.mkdir(exist_ok=True)
    curricula_load(only=["smart-navigator"])
    course = CoursePage.objects.get(slug="smart-navigator", locale__language_code=language)
    prefix = "" if language == "mn" else "/en"
    base = live_server.url + prefix
    found: dict[str, list] = {}

    for name, path in [("home", "/"), ("catalogue", "/courses/"), ("sign-up", "/accounts/signup/")]:
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == language
        check(page, f"{name}-{language}", found)

    learner = UserFactory(email=f"axe.{language}@example.mn", full_name="Болор Дорж")
    sign_in(page, live_server.url, learner.email, prefix=prefix)
    page.goto(live_server.url + course.url)
    check(page, f"course-{language}", found)
    with page.expect_navigation():
        page.locator("form[action$='/enrol/'] button").click()
    page.goto(f"{base}/learn/")
    check(page, f"my-learning-{language}", found)

    page.goto(live_server.url + _richest_lesson(course, language))
    assert page.locator("main li").count() > 0, "the lesson chosen has a list"
    check(page, f"lesson-{language}", found)

    # The first module quiz (after the pre-test): its start page, the attempt, and the result of
    # an unanswered attempt, which fails and offers a retake and the review.
    quizzes = 0
    for _key, url in _lesson_urls(course, language):
        page.goto(live_server.url + url)
        quizzes += page.locator("form[action$='/start/']").count()
        if quizzes == 2:
            break
    check(page, f"quiz-start-{language}", found)
    with page.expect_navigation():
        page.locator("form[action$='/start/'] button").click()
    assert re.search(r"/attempts/\d+/", page.url)
    check(page, f"quiz-{language}", found)
    page.once("dialog", lambda dialog: dialog.accept())  # "some questions are unanswered"
    with page.expect_navigation():
        page.locator("form.quiz-form button[type=submit]").click()
    assert page.url.endswith("/result/")
    assert page.locator(".result-actions form button").count(), "a failed module quiz offers a retake"
    check(page, f"result-{language}", found)

    # Two-factor sign-in: the overview, the set-up page, the recovery codes, the code step.
    page.goto(f"{base}/accounts/2fa/")
    check(page, f"2fa-overview-{language}", found)
    page.goto(f"{base}/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("form.stack-form button[type=submit]").first.click()
    check(page, f"2fa-activate-{language}", found)
    secret = re.sub(r"\s", "", page.locator("#totp-secret").inner_text())
    page.fill("input[name=code]", totp_code(secret))
    with page.expect_navigation():
        page.locator("form.stack-form button[type=submit]").first.click()
    assert Authenticator.objects.filter(user=learner, type=Authenticator.Type.TOTP).exists()
    check(page, f"2fa-recovery-codes-{language}", found)

    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", learner.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form.stack-form button[type=submit]").click()
    assert "/2fa/authenticate/" in page.url
    check(page, f"2fa-code-{language}", found)

    violations = {name: problems for name, problems in found.items() if problems}
    assert len(found) == 13

    # The check itself can fail: an image without a text alternative is reported.
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\\'/x.png\\'>')")
    check(page, "self-check", found)
    assert "image-alt" in {problem["rule"] for problem in found.pop("self-check")}
    assert violations == {}, json.dumps(violations, ensure_ascii=False, indent=1)
