"""Staff screens: quiz results with item analysis, and the regrade preview and apply."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from assessments import services
from assessments.models import QuizAttempt, RegradeLog
from courses import services as course_services
from lms.accounts import roles
from tests.assessments import helpers
from tests.factories import UserFactory, with_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(site, learner):
    questions = [helpers.question(text="One"), helpers.question(text="Two")]
    quiz = helpers.quiz(questions, pass_mark=100)
    built = helpers.course_with_quiz(quiz, lessons=1, quiz_position=0)
    course_services.enrollment_create(user=learner, course=built.mn)
    attempt = services.attempt_start(user=learner, quiz=quiz, lesson=built.lessons["en"][0])
    first = attempt.layout[0]
    key = questions[0].answer_key()
    services.attempt_submit(
        user=learner,
        attempt_id=attempt.pk,
        answers={first["question"]: {"option": next(o["id"] for o in key["options"] if not o["correct"])}},
    )
    return {"quiz": quiz, "questions": questions, "attempt": attempt, "wrong": key}


def _client(group: str) -> Client:
    from wagtail.users.models import UserProfile

    user = UserFactory()
    user.groups.add(Group.objects.get(name=group))
    with_two_factor(user)  # staff must use two-factor sign-in before they reach the admin
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"  # the admin in English, so the assertions can read it
    profile.save()
    client = Client()
    client.force_login(user)
    return client


def test_editors_see_results_and_item_analysis(graded):
    response = _client(roles.EDITORS).get(f"/admin/assessments/quizzes/{graded['quiz'].pk}/results/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Item analysis" in html and "One" in html and "learner@example.mn" in html


@pytest.mark.parametrize(
    "query", ["?since=yesterday", "?since=2026-05-01&until=2026-04-01", "?status=hacked"]
)
def test_impossible_filters_answer_400(graded, query):
    response = _client(roles.EDITORS).get(f"/admin/assessments/quizzes/{graded['quiz'].pk}/results/{query}")
    assert response.status_code == 400


def test_managers_and_learners_cannot_open_staff_screens(graded, learner):
    for client in (_client(roles.MANAGERS), _client(roles.LEARNERS)):
        for path in (
            f"/admin/assessments/quizzes/{graded['quiz'].pk}/results/",
            f"/admin/assessments/questions/{graded['questions'][0].pk}/regrade/",
        ):
            assert client.get(path).status_code in (302, 403), path
    learner_client = Client()
    learner_client.force_login(learner)
    assert learner_client.get(f"/admin/assessments/quizzes/{graded['quiz'].pk}/results/").status_code in (
        302,
        403,
    )


def test_regrade_preview_then_apply_through_the_admin(graded, learner):
    question = graded["questions"][0]
    options = question.options.raw_data
    chosen = next(o["id"] for o in graded["wrong"]["options"] if not o["correct"])
    for block in options:
        block["value"]["correct"] = block["id"] == chosen
    question.options = options
    question.save_revision().publish()
    editor = _client(roles.EDITORS)
    preview = editor.get(f"/admin/assessments/questions/{question.pk}/regrade/")
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "changes 1 result" in html and learner.full_name in html
    assert QuizAttempt.objects.get().score == 0.0, "a preview changes nothing"
    applied = editor.post(f"/admin/assessments/questions/{question.pk}/regrade/", {"expected_changes": "1"})
    assert applied.status_code == 302
    assert QuizAttempt.objects.get().score == 50.0
    assert RegradeLog.objects.count() == 1


def test_a_stale_regrade_confirmation_is_refused(graded):
    question = graded["questions"][0]
    editor = _client(roles.EDITORS)
    response = editor.post(f"/admin/assessments/questions/{question.pk}/regrade/", {"expected_changes": "7"})
    assert response.status_code == 409
    assert not RegradeLog.objects.exists()
    response = editor.post(f"/admin/assessments/questions/{question.pk}/regrade/", {"expected_changes": "x"})
    assert response.status_code == 409


def test_question_bank_and_quizzes_are_in_the_admin(graded):
    editor = _client(roles.EDITORS)
    assert editor.get("/admin/snippets/assessments/question/").status_code == 200
    listing = editor.get("/admin/snippets/assessments/quiz/")
    assert listing.status_code == 200
    assert editor.get(f"/admin/snippets/assessments/quiz/edit/{graded['quiz'].pk}/").status_code == 200
    assert (
        editor.get(f"/admin/snippets/assessments/question/edit/{graded['questions'][0].pk}/").status_code
        == 200
    )
