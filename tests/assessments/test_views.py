"""Quiz pages over HTTP: the lesson panel, starting, autosave, submitting, results, bad input."""

import pytest
from django.test import Client

from assessments import layout
from assessments.models import Question, QuizAttempt, QuizResponse
from courses import services as course_services
from courses.models import Enrollment
from tests.assessments import helpers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_course(site, learner):
    questions = [
        helpers.question(text="Pick right"),
        helpers.question(Question.Kind.MULTIPLE, text="Pick A and B"),
        helpers.question(Question.Kind.TRUE_FALSE, text="It is true"),
        helpers.question(Question.Kind.SHORT_TEXT, text="The term?"),
        helpers.question(Question.Kind.ORDERING, text="Order them"),
        helpers.question(Question.Kind.MATCHING, text="Match them"),
    ]
    quiz = helpers.quiz(questions, pass_mark=80, max_attempts=2, show_correct_answers="after_attempt")
    built = helpers.course_with_quiz(quiz, lessons=1, quiz_position=0)
    course_services.enrollment_create(user=learner, course=built.mn)
    return {"quiz": quiz, "course": built, "lesson": built.lessons["en"][0], "questions": questions}


def _start(client, quiz_course) -> QuizAttempt:
    response = client.post(
        f"/en/learn/quizzes/{quiz_course['quiz'].pk}/start/", {"lesson": quiz_course["lesson"].pk}
    )
    assert response.status_code == 302
    return QuizAttempt.objects.latest("pk")


def _right_form(attempt: QuizAttempt) -> dict:
    """The whole form filled in correctly, as a browser would post it (options by their tokens)."""
    data = {}
    for entry in attempt.layout:
        question = Question.objects.get(pk=entry["question"])
        key = question.answer_key()
        qid = entry["question"]
        token, match_token = layout.token_of_option(entry), layout.token_of_match(entry)
        if entry["kind"] == "single_choice":
            data[f"q{qid}"] = next(token[o["id"]] for o in key["options"] if o["correct"])
        elif entry["kind"] == "multiple_response":
            data[f"q{qid}"] = [token[o["id"]] for o in key["options"] if o["correct"]]
            data[f"q{qid}-present"] = "1"
        elif entry["kind"] == "true_false":
            data[f"q{qid}"] = "true"
        elif entry["kind"] == "short_text":
            data[f"q{qid}"] = "Digital Footprint!"
        elif entry["kind"] == "ordering":
            for position, option in enumerate(key["options"], 1):
                data[f"q{qid}-{token[option['id']]}"] = str(position)
        elif entry["kind"] == "matching":
            for option in key["options"]:
                data[f"q{qid}-{token[option['id']]}"] = match_token[option["id"]]
    return data


def test_lesson_shows_the_quiz_panel_instead_of_mark_complete(learner_client, quiz_course):
    html = learner_client.get(quiz_course["lesson"].url).content.decode()
    assert "Start the quiz" in html and "Pass mark: 80%" in html
    assert "Mark complete" not in html
    assert "This lesson is complete when you pass its quiz." in html


def test_the_whole_form_posted_correctly_passes_and_completes(learner_client, quiz_course, learner):
    attempt = _start(learner_client, quiz_course)
    page = learner_client.get(f"/en/learn/attempts/{attempt.pk}/")
    assert page.status_code == 200 and "Pick A and B" in page.content.decode()
    response = learner_client.post(f"/en/learn/attempts/{attempt.pk}/submit/", _right_form(attempt))
    assert response.status_code == 302 and response["Location"].endswith("/result/")
    attempt.refresh_from_db()
    assert attempt.score == 100.0 and attempt.passed
    assert Enrollment.objects.get(user=learner).is_completed
    result = learner_client.get(response["Location"]).content.decode()
    assert "100%" in result and "Passed" in result and "Correct answer:" in result


def test_autosave_keeps_answers_for_a_dropped_connection(learner_client, quiz_course):
    attempt = _start(learner_client, quiz_course)
    form = _right_form(attempt)
    first = attempt.layout[0]["question"]
    response = learner_client.post(
        f"/en/learn/attempts/{attempt.pk}/answer/",
        {f"q{first}": form[f"q{first}"]},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 200 and response.json() == {"saved": 1}
    # The learner comes back later: the attempt resumes with the answer ticked.
    html = learner_client.get(f"/en/learn/attempts/{attempt.pk}/").content.decode()
    assert f'value="{form[f"q{first}"]}" checked' in html


def test_forged_scores_in_the_post_change_nothing(learner_client, quiz_course):
    attempt = _start(learner_client, quiz_course)
    learner_client.post(
        f"/en/learn/attempts/{attempt.pk}/submit/", {"score": "100", "passed": "true", "points": "99"}
    )
    attempt.refresh_from_db()
    assert attempt.score == 0.0 and attempt.passed is False


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("q999999", "x", 400),  # a question not in the attempt
        ("first", "not-an-option", 400),  # an option that does not exist
        ("tf", "maybe", 400),
        ("order", "x", 400),
    ],
)
def test_bad_answers_are_refused_with_400_and_nothing_saved(
    learner_client, quiz_course, field, value, status
):
    attempt = _start(learner_client, quiz_course)
    by_kind = {entry["kind"]: entry for entry in attempt.layout}
    if field == "first":
        name = f"q{by_kind['single_choice']['question']}"
    elif field == "tf":
        name = f"q{by_kind['true_false']['question']}"
    elif field == "order":
        entry = by_kind["ordering"]
        name = f"q{entry['question']}-{entry['tokens'][0]}"
    else:
        name = field
    response = learner_client.post(
        f"/en/learn/attempts/{attempt.pk}/answer/", {name: value}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == status
    assert "error" in response.json()
    assert not QuizResponse.objects.exists()
    response = learner_client.post(f"/en/learn/attempts/{attempt.pk}/submit/", {name: value})
    assert response.status_code == status
    assert QuizAttempt.objects.get(pk=attempt.pk).status == QuizAttempt.Status.IN_PROGRESS


def test_another_learners_attempt_is_404_everywhere(learner_client, quiz_course):
    attempt = _start(learner_client, quiz_course)
    intruder = Client()
    intruder.force_login(UserFactory())
    for method, path in [("get", ""), ("post", "answer/"), ("post", "submit/"), ("get", "result/")]:
        response = getattr(intruder, method)(f"/en/learn/attempts/{attempt.pk}/{path}")
        assert response.status_code == 404, path
    assert QuizAttempt.objects.get().status == QuizAttempt.Status.IN_PROGRESS


def test_a_second_submit_answers_409(learner_client, quiz_course):
    attempt = _start(learner_client, quiz_course)
    learner_client.post(f"/en/learn/attempts/{attempt.pk}/submit/", {})
    response = learner_client.post(f"/en/learn/attempts/{attempt.pk}/submit/", _right_form(attempt))
    assert response.status_code == 409
    assert QuizAttempt.objects.get().score == 0.0


def test_starting_without_enrolment_or_for_a_foreign_lesson_is_refused(client, quiz_course, site):
    outsider = UserFactory()
    client.force_login(outsider)
    response = client.post(
        f"/en/learn/quizzes/{quiz_course['quiz'].pk}/start/", {"lesson": quiz_course["lesson"].pk}
    )
    assert response.status_code == 403
    other = helpers.course_with_quiz(helpers.quiz([helpers.question()]), lessons=1, quiz_position=0)
    response = client.post(
        f"/en/learn/quizzes/{quiz_course['quiz'].pk}/start/", {"lesson": other.lessons["en"][0].pk}
    )
    assert response.status_code == 404, "the lesson does not show that quiz"
    response = client.post(f"/en/learn/quizzes/{quiz_course['quiz'].pk}/start/", {"lesson": "abc"})
    assert response.status_code == 404
    assert not QuizAttempt.objects.exists()


def test_out_of_attempts_answers_409(learner_client, quiz_course):
    for _ in range(2):
        attempt = _start(learner_client, quiz_course)
        learner_client.post(f"/en/learn/attempts/{attempt.pk}/submit/", {})
    response = learner_client.post(
        f"/en/learn/quizzes/{quiz_course['quiz'].pk}/start/", {"lesson": quiz_course["lesson"].pk}
    )
    assert response.status_code == 409
    assert QuizAttempt.objects.count() == 2
    html = learner_client.get(quiz_course["lesson"].url).content.decode()
    assert "You have used all your attempts." in html


def test_review_follows_the_quiz_settings(learner_client, quiz_course):
    quiz = quiz_course["quiz"]
    quiz.show_feedback = "never"
    quiz.show_correct_answers = "never"
    quiz.save()
    attempt = _start(learner_client, quiz_course)
    learner_client.post(f"/en/learn/attempts/{attempt.pk}/submit/", {})
    html = learner_client.get(f"/en/learn/attempts/{attempt.pk}/result/").content.decode()
    assert "Correct answer:" not in html and "Because." not in html
    assert "1 attempt left." in html


def test_quiz_pages_speak_mongolian(learner_client, quiz_course):
    attempt = _start(learner_client, quiz_course)
    html = learner_client.get(f"/learn/attempts/{attempt.pk}/").content.decode()
    assert "Pick right (mn)" in html and '<html lang="mn">' in html
    assert "Submit answers" not in html
