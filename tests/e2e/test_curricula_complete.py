"""Every shipped course can be completed end to end in a browser: lessons, module quizzes,
the pre-test and the final assessment."""

import pytest
from django.contrib.auth.models import Group

from courses.models import CoursePage, Enrollment, LessonPage, ReleaseLesson
from curricula.loader import curricula_load
from lms.accounts import roles
from tests.factories import UserFactory, with_two_factor

from .helpers import sign_in
from .quiz_answers import answer_correctly, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COURSES = [
    ("smart-navigator", "mn"),
    ("voice-up-for-change", "en"),
    ("keeping-children-safe-online", "mn"),
    ("child-friendly-investigation", "en"),
]


@pytest.mark.parametrize(("slug", "language"), COURSES)
def test_course_can_be_completed_in_a_browser(site, live_server, page, slug, language):
    curricula_load(only=[slug])
    course = CoursePage.objects.get(slug=slug, locale__language_code=language)
    learner = UserFactory(email=f"{slug}@example.mn")
    secret = None
    if course.is_restricted:
        learner.groups.add(Group.objects.get(name=roles.JUSTICE_LEARNERS))
        secret = with_two_factor(learner)
    prefix = "" if language == "mn" else "/en"
    sign_in(page, live_server.url, learner.email, prefix=prefix, totp_secret=secret)

    page.goto(live_server.url + course.url)
    with page.expect_navigation():
        page.locator("form[action$='/enrol/'] button").click()
    enrollment = Enrollment.objects.get(user=learner)
    keys = list(
        ReleaseLesson.objects.filter(release=enrollment.release)
        .order_by("position")
        .values_list("lesson_key", flat=True)
    )
    urls = {
        lesson.translation_key: lesson.url
        for lesson in LessonPage.objects.filter(translation_key__in=keys, locale__language_code=language)
    }
    quizzes = 0
    for key in keys:
        page.goto(live_server.url + urls[key])
        if page.locator("form[action$='/complete/']").count():
            with page.expect_navigation():
                page.locator("form[action$='/complete/'] button").click()
        else:
            with page.expect_navigation():
                page.locator("form[action$='/start/'] button").click()
            answer_correctly(page, language)
            submit(page)
            assert page.url.endswith("/result/")
            assert page.locator(".score strong").inner_text() == "100%"
            quizzes += 1
    assert quizzes >= 6, "module quizzes, the pre-test and the final assessment"
    enrollment.refresh_from_db()
    assert enrollment.is_completed
    page.goto(f"{live_server.url}{prefix}/learn/")
    assert page.locator(".dashboard-list progress").first.get_attribute("value") == "100"
