"""The quiz result page and the course-complete moment (issue 16): retake, back, next step,
"course complete" with the certificate on the course page and in My learning, pre-test wording."""

import re

import pytest

from assessments.models import Question, QuizAttempt
from courses import services as course_services
from courses.models import Enrollment
from tests.assessments import helpers
from tests.assessments.test_views import _right_form, _start

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_course(site, learner):
    questions = [helpers.question(text="Pick right"), helpers.question(Question.Kind.ORDERING, text="Order")]
    quiz = helpers.quiz(questions, pass_mark=80, max_attempts=2, show_correct_answers="after_attempt")
    built = helpers.course_with_quiz(quiz, lessons=2, quiz_position=1)
    course_services.enrollment_create(user=learner, course=built.mn)
    return {"quiz": quiz, "course": built, "lesson": built.lessons["en"][1], "first": built.lessons["en"][0]}


def _submit(client, attempt, data):
    response = client.post(f"/en/learn/attempts/{attempt.pk}/submit/", data)
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_a_failed_attempt_offers_a_retake_and_the_way_back_and_the_retake_works(learner_client, quiz_course):
    attempt = _start(learner_client, quiz_course)
    html = _submit(learner_client, attempt, {})
    assert "Not passed this time" in html
    retake = re.findall(
        rf'<form method="post" action="/en/learn/quizzes/{quiz_course["quiz"].pk}/start/"', html
    )
    # under the score and again after the long review
    assert len(retake) == 2 and "Try again" in html
    assert html.count(f'href="{quiz_course["lesson"].url}"') >= 2  # back to the lesson
    response = learner_client.post(
        f"/en/learn/quizzes/{quiz_course['quiz'].pk}/start/", {"lesson": quiz_course["lesson"].pk}
    )
    assert response.status_code == 302 and QuizAttempt.objects.filter(quiz=quiz_course["quiz"]).count() == 2
    # the last attempt used: no retake any more, and the page says so
    second = QuizAttempt.objects.latest("pk")
    html = _submit(learner_client, second, {})
    assert "Try again" not in html and "You have used all your attempts." in html


def test_passing_the_last_requirement_is_a_course_complete_moment_with_the_certificate(
    learner_client, quiz_course, learner, django_capture_on_commit_callbacks
):
    learner_client.post(f"/en/learn/lessons/{quiz_course['first'].pk}/complete/")
    attempt = _start(learner_client, quiz_course)
    with django_capture_on_commit_callbacks(execute=True):
        response = learner_client.post(f"/en/learn/attempts/{attempt.pk}/submit/", _right_form(attempt))
    assert Enrollment.objects.get(user=learner).is_completed
    result = learner_client.get(response["Location"]).content.decode()
    course_url = quiz_course["course"].pages["en"].url
    assert "You have completed the course." in result and f'href="{course_url}"' in result
    assert "Try again" not in result

    course_page = learner_client.get(course_url).content.decode()
    assert "Course complete" in course_page and "Continue where you left off" not in course_page
    assert "/certificates/" in course_page and "Монгол (PDF)" in course_page
    dashboard = learner_client.get("/en/learn/").content.decode()
    assert "Course complete" in dashboard and "Монгол (PDF)" in dashboard


def test_a_pre_test_lesson_says_taking_it_completes_it(learner_client, site, learner):
    quiz = helpers.quiz([helpers.question(text="Pick right")], kind="pre_test", pass_mark=50)
    built = helpers.course_with_quiz(quiz, lessons=1, quiz_position=0)
    course_services.enrollment_create(user=learner, course=built.mn)
    html = learner_client.get(built.lessons["en"][0].url).content.decode()
    assert "complete once you have taken the pre-test, whatever your score" in html
    assert "when you pass its quiz" not in html
    mn = learner_client.get(built.lessons["mn"][0].url).content.decode()
    assert "оноо ямар ч байсан" in mn
