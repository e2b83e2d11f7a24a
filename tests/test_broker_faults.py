"""A broker that hangs never turns a learner's action into an error, and nothing is lost.

The broker here is a real TCP server that accepts connections and never answers (tests/hanging.py).
Tasks are published for real (not inline) for the request; then the broker "comes back" (tasks
inline again) and celery beat's sweeps do what the lost tasks would have done, exactly once.
"""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from assessments import layout
from assessments.models import Question, QuizAttempt
from certificates.models import Certificate
from certificates.tasks import certificate_sweep
from courses import services as course_services
from courses.models import Enrollment
from courses.tasks import completion_emails_sweep, enrollment_completion_notify
from lms.celery import app as celery_app
from lms.queue import publish, publish_on_commit
from tests.assessments import helpers
from tests.factories import build_course

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def bound() -> float:
    """Generous: a completion publishes two tasks (certificate, congratulation), each given up on
    after CELERY_BROKER_TIMEOUT (2 s by default); the server under test gives up after 30 s."""
    return 2 * settings.CELERY_BROKER_TIMEOUT + 6


def _completed_through(how: str, client, learner) -> object:
    if how == "mark complete":
        built = build_course(lessons=1, slug="hung")
        course_services.enrollment_create(user=learner, course=built.mn)
        with translation.override("en"):
            url = reverse("courses:lesson_complete", args=[built.lessons["en"][0].pk])
        return lambda: client.post(url)
    quiz = helpers.quiz([helpers.question(text="Pick right")], pass_mark=50)
    built = helpers.course_with_quiz(quiz, lessons=1, quiz_position=0, slug="hungquiz")
    course_services.enrollment_create(user=learner, course=built.mn)
    lesson = built.lessons["en"][0]

    def submit():
        client.post(f"/en/learn/quizzes/{quiz.pk}/start/", {"lesson": lesson.pk})
        attempt = QuizAttempt.objects.latest("pk")
        page = client.get(f"/en/learn/attempts/{attempt.pk}/").content.decode()
        entry = attempt.layout[0]
        key = Question.objects.get(pk=entry["question"]).answer_key()
        # The page shows each option by its token only; post the right one, as a browser would.
        token = layout.token_of_option(entry)[next(o["id"] for o in key["options"] if o["correct"])]
        assert token in page
        return client.post(f"/en/learn/attempts/{attempt.pk}/submit/", {f"q{entry['question']}": token})

    return submit


@pytest.mark.parametrize("how", ["mark complete", "quiz passed"])
def test_completing_a_course_with_a_hung_broker_answers_and_the_sweeps_send_each_email_once(
    how, site, learner, learner_client, hung_broker, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    act = _completed_through(how, learner_client, learner)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):  # on_commit work runs as in a real request
        response = act()
    elapsed = time.monotonic() - started
    assert response.status_code in (200, 302), response.content[:500]
    assert elapsed < bound(), f"the completion took {elapsed:.1f} s with a hung broker"
    assert hung_broker.connections >= 1, "the tasks were really offered to the hung broker"
    enrollment = Enrollment.objects.get(user=learner)
    assert enrollment.is_completed, "the completion is saved whatever the broker does"
    assert "courses.enrollment_completion_notify" in caplog.text and "not queued" in caplog.text
    assert "certificates.issue" in caplog.text
    assert mailoutbox == [] and not Certificate.objects.exists()

    # The broker is back; celery beat runs the sweeps (tasks inline here).
    celery_app.conf.task_always_eager = True
    assert completion_emails_sweep() == 1
    assert certificate_sweep() == 1
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert len(mailoutbox) == 2 and all(message.to == [learner.email] for message in mailoutbox)
    assert sum(certificate.code in message.body for message in mailoutbox) == 1
    enrollment.refresh_from_db()
    certificate.refresh_from_db()
    assert enrollment.completion_notified_at and certificate.emailed_at
    # Later runs (and the original tasks, should they arrive after all) send nothing more.
    assert completion_emails_sweep() == 0 and certificate_sweep() == 0
    assert enrollment_completion_notify(enrollment.pk) is False
    assert len(mailoutbox) == 2


def test_publish_gives_up_in_time_and_logs(site, hung_broker, caplog):
    started = time.monotonic()
    assert publish(enrollment_completion_notify, 12345) is False
    assert time.monotonic() - started < settings.CELERY_BROKER_TIMEOUT + 3
    assert "courses.enrollment_completion_notify(12345,) not queued" in caplog.text


def test_publish_on_commit_never_raises_into_the_caller(
    site, hung_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish_on_commit(enrollment_completion_notify, 12345)
    assert len(callbacks) == 1  # it ran, gave up, and raised nothing


def test_a_broker_that_refuses_connections_fails_fast(site, hung_broker, caplog):
    hung_broker.close()  # nothing listens there any more: connections are refused
    started = time.monotonic()
    assert publish(enrollment_completion_notify, 1) is False
    assert time.monotonic() - started < settings.CELERY_BROKER_TIMEOUT + 3
    assert "not queued" in caplog.text


def test_every_task_is_published_through_lms_queue():
    """One way to queue work (lms.queue), with its deadline; no direct .delay()/.apply_async()."""
    direct = re.compile(r"\.(delay|apply_async)\(")
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if (
            relative.startswith((".venv/", "tests/", "benchmarks/", "node_modules/"))
            or relative == "lms/queue.py"
        ):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if direct.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
