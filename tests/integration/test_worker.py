"""The background path on the real stack: a Celery worker process on Redis and PostgreSQL."""

import pytest
from django.test import Client

from courses import services
from courses.models import Enrollment
from lms.celery import app as celery_app
from tests.factories import UserFactory, build_course

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_completing_a_course_emails_the_learner_through_the_worker(site, real_worker):
    built = build_course(lessons=2)
    learner = UserFactory(email="worker-test@example.mn", full_name="Дорж Бат")
    enrollment = services.enrollment_create(user=learner, course=built.mn)
    for lesson in built.lessons["mn"]:
        services.lesson_complete(user=learner, lesson_key=lesson.translation_key)

    def notified():
        enrollment.refresh_from_db()
        return enrollment.completion_notified_at

    wait_for(notified)

    def mails_to_learner():
        texts = [path.read_text(encoding="utf-8") for path in real_worker["mail_dir"].iterdir()]
        return [text for text in texts if "worker-test@example.mn" in text]

    assert wait_for(mails_to_learner), "the worker sent the completion email"
    assert Enrollment.objects.get(pk=enrollment.pk).status == Enrollment.Status.COMPLETED
    assert "courses.enrollment_completion_notify" in real_worker["log"].read_text()


def test_a_task_delivered_twice_sends_one_email(site, real_worker):
    built = build_course(lessons=1)
    learner = UserFactory()
    enrollment = services.enrollment_create(user=learner, course=built.mn)
    services.lesson_complete(user=learner, lesson_key=built.lessons["mn"][0].translation_key)
    wait_for(lambda: list(real_worker["mail_dir"].iterdir()))
    before = len(list(real_worker["mail_dir"].iterdir()))
    result = celery_app.send_task(
        "courses.enrollment_completion_notify", args=[enrollment.pk], queue=real_worker["queue"]
    )
    assert result.id
    wait_for(lambda: "succeeded" in real_worker["log"].read_text().split(result.id, 1)[-1], timeout=30)
    assert len(list(real_worker["mail_dir"].iterdir())) == before


def test_healthz_reports_the_broker_connected(site, real_worker):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["state"] == "connected"
