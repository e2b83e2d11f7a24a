"""Certificates on the real stack: a worker killed mid-batch, a broker outage, racing workers."""

import socket
import subprocess
import sys
import time
import uuid

import pytest
from django.db.models import Count

from certificates.models import Certificate
from certificates.tasks import certificate_issue, certificate_sweep
from courses import services as course_services
from courses.models import Enrollment
from lms.celery import app as celery_app
from tests.factories import UserFactory, build_course

from .conftest import ROOT, start_worker, stop_worker, wait_for, wait_until_ready, worker_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _completed_enrollments(count: int, slug: str) -> list[int]:
    """Completed enrolments with no certificate (completion signals run eagerly: nothing queued)."""
    built = build_course(lessons=1, slug=slug)
    ids = []
    for n in range(count):
        user = UserFactory(email=f"{slug}{n}@example.mn", full_name=f"Суралцагч {n}")
        course_services.enrollment_create(user=user, course=built.mn)
        course_services.lesson_complete(user=user, lesson_key=built.lessons["mn"][0].translation_key)
        ids.append(Enrollment.objects.get(user=user).pk)
    Certificate.objects.all().delete()  # only the worker may issue them in this test
    return ids


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(site, tmp_path):
    from .conftest import require_real_stack

    require_real_stack()
    enrollments = _completed_enrollments(40, "killed")
    queue = f"cpc-kill-{uuid.uuid4().hex[:8]}"
    # A task a dead worker held comes back after this many seconds (Redis visibility timeout).
    env = worker_environment(
        tmp_path / "mail",
        CELERY_VISIBILITY_TIMEOUT="6",
        CELERY_RESTORE_INTERVAL="2",
        CELERY_RESTORE_THROTTLE="1",
    )
    (tmp_path / "mail").mkdir()
    log = tmp_path / "worker.log"
    conf = celery_app.conf
    saved = conf.task_always_eager
    conf.task_always_eager = False
    try:
        for enrollment_id in enrollments:
            certificate_issue.apply_async(args=[enrollment_id], queue=queue)
        first = start_worker(queue=queue, node=f"first-{queue}@{socket.gethostname()}", env=env, log_path=log)
        wait_for(lambda: Certificate.objects.count() >= 6, timeout=60, interval=0.05)
        stop_worker(first, kill=True)  # SIGKILL, mid-batch
        issued_when_killed = Certificate.objects.count()
        assert issued_when_killed < len(enrollments), "the batch was still running"
        second_node = f"second-{queue}@{socket.gethostname()}"
        second = start_worker(queue=queue, node=second_node, env=env, log_path=log)
        try:
            wait_until_ready(second, second_node, log)
            wait_for(lambda: Certificate.objects.count() >= len(enrollments), timeout=120)
            time.sleep(8)  # anything redelivered late must not make a second certificate
        finally:
            stop_worker(second)
    finally:
        conf.task_always_eager = saved
    per_enrollment = Certificate.objects.values("enrollment").annotate(n=Count("id"))
    assert {row["enrollment"] for row in per_enrollment} == set(enrollments)
    assert all(row["n"] == 1 for row in per_enrollment)
    assert Certificate.objects.values("code").distinct().count() == len(enrollments)


def complete_lesson_while_the_broker_is_down(
    *, user_id: int, lesson_key, tmp_path
) -> subprocess.CompletedProcess:
    """Complete a lesson in another process whose broker is unreachable (nothing listens there)."""
    env = worker_environment(
        tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_TASK_ALWAYS_EAGER="false"
    )
    code = (
        "import django, uuid; django.setup(); from courses import services; "
        f"services.lesson_complete(user={user_id}, lesson_key=uuid.UUID('{lesson_key}')); print('completed')"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_broker_outage_delays_the_certificate_but_never_loses_it(site, real_worker, tmp_path):
    built = build_course(lessons=1, slug="outage")
    learner = UserFactory(email="outage@example.mn")
    course_services.enrollment_create(user=learner, course=built.mn)
    result = complete_lesson_while_the_broker_is_down(
        user_id=learner.pk, lesson_key=built.lessons["mn"][0].translation_key, tmp_path=tmp_path
    )
    assert result.returncode == 0 and "completed" in result.stdout, result.stderr[-2000:]
    assert "certificates.issue" in result.stderr and "not queued" in result.stderr
    enrollment = Enrollment.objects.get(user=learner)
    assert enrollment.is_completed, "the completion is saved whatever the broker does"
    time.sleep(2)
    assert not Certificate.objects.filter(enrollment=enrollment).exists()
    # The broker is back: the periodic sweep (celery beat) finds the completion and issues it.
    certificate_sweep.delay()
    certificate = wait_for(lambda: Certificate.objects.filter(enrollment=enrollment).first(), timeout=60)
    assert certificate.status == "valid"
    certificate_sweep.delay()
    time.sleep(3)
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1


def test_two_workers_given_the_same_completion_issue_one_certificate(site, real_worker, tmp_path):
    enrollment_id = _completed_enrollments(1, "twice")[0]
    queue = real_worker["queue"]
    node = f"twin-{queue}@{socket.gethostname()}"
    (tmp_path / "mail").mkdir()
    twin = start_worker(
        queue=queue, node=node, env=worker_environment(tmp_path / "mail"), log_path=tmp_path / "l"
    )
    try:
        wait_until_ready(twin, node, tmp_path / "l")
        for _ in range(6):
            certificate_issue.delay(enrollment_id)
        wait_for(lambda: Certificate.objects.filter(enrollment_id=enrollment_id).exists(), timeout=60)
        time.sleep(5)
    finally:
        stop_worker(twin)
    assert Certificate.objects.filter(enrollment_id=enrollment_id).count() == 1
