"""Learner pages and actions over HTTP, including bad input."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from courses import services
from courses.models import Enrollment, LessonProgress
from lms.accounts import roles
from tests.factories import UserFactory, build_course

pytestmark = pytest.mark.django_db


def _url(name, page):
    with translation.override("en"):
        return reverse(name, args=[page.pk])


def test_catalogue_lists_courses_with_the_learners_progress(course, learner, learner_client):
    services.enrollment_create(user=learner, course=course.mn)
    services.lesson_complete(user=learner, lesson_key=course.lessons["mn"][0].translation_key)
    response = learner_client.get("/en/courses/")
    assert response.status_code == 200
    html = response.content.decode()
    assert course.en.title in html
    assert 'value="33"' in html, "one of three lessons done shows 33 %"


def test_course_page_offers_enrolment_then_progress(course, learner, learner_client):
    page = learner_client.get(course.en.url)
    assert page.status_code == 200
    assert _url("courses:enrol", course.en) in page.content.decode()
    response = learner_client.post(_url("courses:enrol", course.en))
    assert response.status_code == 302
    assert response["Location"] == course.lessons["en"][0].url
    assert Enrollment.objects.filter(user=learner, course=course.mn).exists()
    page = learner_client.get(course.en.url).content.decode()
    assert "Lesson 1" in page and "0% done" in page


def test_enrolling_twice_answers_409(course, learner, learner_client):
    learner_client.post(_url("courses:enrol", course.en))
    response = learner_client.post(_url("courses:enrol", course.en))
    assert response.status_code == 409
    assert "already enrolled" in response.content.decode()
    assert Enrollment.objects.count() == 1


def test_enrol_needs_post_and_a_signed_in_learner(client, course):
    assert client.post(_url("courses:enrol", course.en)).status_code == 302  # to sign in
    assert Enrollment.objects.count() == 0
    client.force_login(UserFactory())
    assert client.get(_url("courses:enrol", course.en)).status_code == 405


def test_enrolling_in_something_that_is_not_a_course_is_404(course, learner_client):
    assert learner_client.post(_url("courses:enrol", course.lessons["en"][0])).status_code == 404
    with translation.override("en"):
        assert learner_client.post("/en/learn/courses/999999/enrol/").status_code == 404


def test_mark_complete_moves_to_the_next_lesson(course, learner, learner_client):
    services.enrollment_create(user=learner, course=course.mn)
    first, second = course.lessons["en"][:2]
    response = learner_client.post(_url("courses:lesson_complete", first))
    assert response.status_code == 302 and response["Location"] == second.url
    assert LessonProgress.objects.get().completed_at is not None


def test_replayed_completion_answers_409_and_changes_nothing(course, learner, learner_client):
    services.enrollment_create(user=learner, course=course.mn)
    lesson = course.lessons["en"][0]
    learner_client.post(_url("courses:lesson_complete", lesson))
    before = LessonProgress.objects.get().completed_at
    response = learner_client.post(_url("courses:lesson_complete", lesson))
    assert response.status_code == 409
    assert "already completed" in response.content.decode()
    assert LessonProgress.objects.get().completed_at == before
    assert Enrollment.objects.get().completed_lessons == 1


def test_completing_without_enrolment_answers_403(course, learner_client):
    response = learner_client.post(_url("courses:lesson_complete", course.lessons["en"][0]))
    assert response.status_code == 403
    assert not LessonProgress.objects.exists()


def test_completing_a_lesson_of_another_course_answers_403(site, course, learner, learner_client):
    other = build_course(lessons=1)
    services.enrollment_create(user=learner, course=course.mn)
    response = learner_client.post(_url("courses:lesson_complete", other.lessons["en"][0]))
    assert response.status_code == 403
    assert not LessonProgress.objects.exists()


def test_json_clients_get_json_errors(course, learner_client):
    response = learner_client.post(
        _url("courses:lesson_complete", course.lessons["en"][0]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    assert "not enrolled" in response.json()["error"]


def test_completion_without_csrf_token_is_refused(course, learner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    services.enrollment_create(user=learner, course=course.mn)
    response = strict.post(_url("courses:lesson_complete", course.lessons["en"][0]))
    assert response.status_code == 403
    assert not LessonProgress.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"seconds": "abc"}, {"seconds": "-5"}, {"seconds": "1e9"}])
def test_malformed_time_reports_answer_400(course, learner, learner_client, payload):
    services.enrollment_create(user=learner, course=course.mn)
    learner_client.get(course.lessons["en"][0].url)
    response = learner_client.post(_url("courses:lesson_time", course.lessons["en"][0]), payload)
    assert response.status_code == 400
    assert "error" in response.json()
    assert LessonProgress.objects.get().time_spent_seconds == 0


def test_time_report_is_stored(course, learner, learner_client):
    services.enrollment_create(user=learner, course=course.mn)
    lesson = course.lessons["en"][0]
    learner_client.get(lesson.url)
    LessonProgress.objects.update(started_at=timezone.now() - timedelta(minutes=5))  # read for 5 minutes
    response = learner_client.post(_url("courses:lesson_time", lesson), {"seconds": "75"})
    assert response.status_code == 200 and response.json() == {"added": 75}
    assert LessonProgress.objects.get().time_spent_seconds == 75
    again = learner_client.post(_url("courses:lesson_time", lesson), {"seconds": "1800"})
    assert again.status_code == 200 and again.json()["added"] <= 1, "no more than the clock since the last"


def test_lesson_page_records_start_and_offers_mark_complete(course, learner, learner_client):
    enrollment = services.enrollment_create(user=learner, course=course.mn)
    lesson = course.lessons["en"][1]
    html = learner_client.get(lesson.url).content.decode()
    assert "Mark complete" in html and "Lesson 2 of 3" in html
    assert course.lessons["en"][0].url in html and course.lessons["en"][2].url in html
    enrollment.refresh_from_db()
    assert enrollment.started_at is not None and enrollment.last_lesson_key == lesson.translation_key
    assert LessonProgress.objects.get().completed_at is None


def test_lesson_page_for_visitors_invites_sign_in(client, course):
    html = client.get(course.lessons["en"][0].url).content.decode()
    assert "Sign in to keep track of your progress" in html
    assert "Mark complete" not in html


def test_dashboard_shows_percent_and_completion_date(course, learner, learner_client, site):
    other = build_course(lessons=4)
    services.enrollment_create(user=learner, course=course.mn)
    services.enrollment_create(user=learner, course=other.mn)
    for lesson in course.lessons["mn"]:
        services.lesson_complete(user=learner, lesson_key=lesson.translation_key)
    services.lesson_complete(user=learner, lesson_key=other.lessons["mn"][0].translation_key)
    learner_client.get(other.lessons["en"][1].url)
    html = learner_client.get("/en/learn/").content.decode()
    completed = Enrollment.objects.get(course=course.mn).completed_at.astimezone().strftime("%Y-%m-%d")
    assert f"Completed on {completed}" in html
    assert "25% done" in html
    assert other.lessons["en"][1].url in html, "continue where you left off"


def test_dashboard_requires_sign_in(client, site):
    response = client.get("/en/learn/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_language_switcher_links_the_translation(course, client):
    html = client.get(course.lessons["en"][0].url).content.decode()
    assert f'href="{course.lessons["mn"][0].url}"' in html


def test_restricted_course_is_not_listed_for_teachers(site, learner_client):

    restricted = build_course(lessons=1, restricted_to=(roles.JUSTICE_LEARNERS,))
    assert restricted.en.title not in learner_client.get("/en/courses/").content.decode()
