"""Every real H5P package plays inside a lesson in Chromium; the learner answers the True/False,
Multiple Choice and Question Set ones; attempts, scores and the lesson's completion are stored."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from assessments.models import H5PActivity, H5PAttempt, H5PQuestionResult, H5PStatement, H5PUserState
from courses import services as course_services
from courses.models import LessonProgress
from tests.assessments import h5p_helpers
from tests.factories import UserFactory

from .helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), h5p_helpers.needs_samples]

SAMPLES = ["true-false.h5p", "multiple-choice.h5p", "question-set.h5p", "drag-text.h5p", "lumi-valid2.h5p"]


def content(name: str) -> dict:
    with zipfile.ZipFile(h5p_helpers.sample(name)) as archive:
        return json.loads(archive.read("content/content.json"))


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def frame_of(page, activity):
    return page.frame_locator(f"#h5p-{activity.pk} iframe")


def wait_for_attempts(activity, count: int, page):
    for _ in range(100):
        if H5PAttempt.objects.filter(activity=activity).count() >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no attempt stored for {activity}")


def test_every_sample_plays_and_reports(site, live_server, page, settings):
    settings.H5P_SAVE_SECONDS = 1  # players save the learner's place every second here
    activities = {
        name: h5p_helpers.import_sample(
            name, completion_rule=H5PActivity.CompletionRule.PASSED, pass_mark=100
        )
        for name in SAMPLES
    }
    built = h5p_helpers.course_with_h5p(list(activities.values()), lessons=2)
    learner = UserFactory(email="player@example.mn")
    course_services.enrollment_create(user=learner, course=built.mn)
    lesson = built.lessons["en"][0]

    sign_in(page, live_server.url, learner.email, prefix="/en")
    page.goto(f"{live_server.url}{lesson.url}")
    for activity in activities.values():
        frame = page.locator(f"#h5p-{activity.pk} iframe")
        expect(frame).to_have_attribute("title", activity.title)
        expect(frame_of(page, activity).locator(".h5p-content").first).to_be_visible()

    # True/False: "Is this false?" — the right answer is False.
    tf = activities["true-false.h5p"]
    assert content("true-false.h5p")["correct"] == "false"
    frame = frame_of(page, tf)
    frame.get_by_role("radio", name="False").click()
    frame.get_by_role("button", name="Check").click()
    wait_for_attempts(tf, 1, page)

    # Multiple choice: the right answer, then check.
    mc = activities["multiple-choice.h5p"]
    right = next(text_of(a["text"]) for a in content("multiple-choice.h5p")["answers"] if a["correct"])
    frame = frame_of(page, mc)
    frame.locator("li.h5p-answer").filter(has_text=re.compile(rf"^\s*{re.escape(right)}\s*$")).click()
    frame.get_by_role("button", name="Check").click()
    wait_for_attempts(mc, 1, page)

    # Question set: five of ten questions at random; answer each rightly, then finish.
    qs = activities["question-set.h5p"]
    answers = {
        text_of(q["params"]["question"]): next(
            text_of(a["text"]) for a in q["params"]["answers"] if a["correct"]
        )
        for q in content("question-set.h5p")["questions"]
    }
    frame = frame_of(page, qs)
    frame.get_by_role("button", name="Start Quiz").click()
    for number in range(5):
        shown = frame.locator(".question-container:visible")
        question = shown.locator(".h5p-question-introduction")
        expect(question).to_be_visible()
        right = answers[question.inner_text().strip()]
        # The whole option (li[role=radio]) takes the click; its inner text is exactly the answer.
        shown.locator("li.h5p-answer").filter(has_text=re.compile(rf"^\s*{re.escape(right)}\s*$")).click()
        shown.get_by_role("button", name="Check").click()
        shown.locator(".h5p-question-finish" if number == 4 else ".h5p-question-next").click()
    wait_for_attempts(qs, 1, page)

    tf_attempt = H5PAttempt.objects.get(activity=tf)
    assert (tf_attempt.raw, tf_attempt.max, tf_attempt.scaled, tf_attempt.success) == (1, 1, 1, True)
    mc_attempt = H5PAttempt.objects.get(activity=mc)
    assert (mc_attempt.raw, mc_attempt.max, mc_attempt.success) == (1, 1, True)
    qs_attempt = H5PAttempt.objects.get(activity=qs)
    assert (qs_attempt.raw, qs_attempt.max, qs_attempt.scaled, qs_attempt.success) == (5, 5, 1, True)
    assert qs_attempt.verb == "completed"
    results = H5PQuestionResult.objects.filter(attempt=qs_attempt)
    assert results.count() == 5 and all(r.success for r in results)
    assert set(H5PStatement.objects.values_list("user", flat=True)) == {learner.pk}
    assert (
        LessonProgress.objects.get(enrollment__user=learner, lesson_key=lesson.translation_key).completed_at
        is not None
    )
    expect(page.locator(f'[data-h5p-status="h5p-{qs.pk}"]')).to_contain_text("100%")

    # The players saved the learner's place through H5P's own (CSRF-protected) POSTs, and the
    # page hands it back to the player on the next visit.
    for _ in range(100):
        if H5PUserState.objects.filter(user=learner, activity=mc, data_type="state").exists():
            break
        page.wait_for_timeout(100)
    saved = H5PUserState.objects.get(user=learner, activity=mc, data_type="state", sub_content_id="0")
    page.reload()
    options = json.loads(page.locator(f"#h5p-{mc.pk}-options").text_content())
    assert options["contentUserData"] == [{"state": saved.data}]
    expect(frame_of(page, mc).locator(".h5p-answer[aria-checked=true]")).to_have_count(1)
