"""Twenty submits of one attempt at once: one grades it, nineteen are refused (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from assessments import services
from assessments.models import QuizAttempt
from courses import services as course_services
from courses.models import LessonProgress
from tests.assessments import helpers

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_twenty_simultaneous_submits_grade_once(site, learner):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; run with DATABASE_URL=postgres://…")
    questions = [helpers.question() for _ in range(5)]
    quiz = helpers.quiz(questions, pass_mark=60)
    built = helpers.course_with_quiz(quiz, lessons=1, quiz_position=0)
    course_services.enrollment_create(user=learner, course=built.mn)
    attempt = services.attempt_start(user=learner, quiz=quiz, lesson=built.lessons["mn"][0])
    answers = {}
    for entry in attempt.layout:
        key = next(q for q in questions if q.pk == entry["question"]).answer_key()
        answers[entry["question"]] = {"option": next(o["id"] for o in key["options"] if o["correct"])}

    barrier = threading.Barrier(20)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            services.attempt_submit(user=learner, attempt_id=attempt.pk, answers=answers)
            outcomes.append("graded")
        except services.AttemptClosed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["graded"] + ["refused"] * 19
    attempt = QuizAttempt.objects.get(pk=attempt.pk)
    assert attempt.is_submitted and attempt.score == 100.0
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 1
