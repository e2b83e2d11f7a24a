"""A real Celery worker process on a real broker, for tests marked integration.

Needs CELERY_BROKER_URL (Redis) and a database another process can open (PostgreSQL via
DATABASE_URL): `.ci/run` provides both. Elsewhere these tests skip with the reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from lms.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start `celery worker` against the test database on a private queue; yield its details."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker:
        pytest.skip("needs CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/15) for a real worker")
    if connection.vendor == "sqlite":
        pytest.skip(
            "a worker process cannot open the test SQLite database; run with DATABASE_URL=postgres://…"
        )
    queue = f"cpc-test-{uuid.uuid4().hex[:10]}"
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    log_path = tmp_path_factory.mktemp("worker-log") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "WORKER_DATABASE_NAME": connection.settings_dict["NAME"],
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    node = f"{queue}@{socket.gethostname()}"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "lms",
                "worker",
                "-P",
                "prefork",
                "-c",
                "2",
                "-Q",
                queue,
                "-n",
                node,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the Celery worker exited: {log_path.read_text()[-2000:]}")
            if celery_app.control.ping(destination=[node], timeout=1):
                break
        else:
            pytest.fail(f"the Celery worker did not answer within 60 s: {log_path.read_text()[-2000:]}")
        yield {"queue": queue, "node": node, "mail_dir": mail_dir, "log": log_path, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def real_worker(celery_worker_process):
    """Send tasks to the worker process instead of running them inline, for one test."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_default_queue
    conf.task_always_eager = False
    conf.task_default_queue = celery_worker_process["queue"]
    try:
        yield celery_worker_process
    finally:
        conf.task_always_eager, conf.task_default_queue = saved


def wait_for(check, timeout: float = 30.0, interval: float = 0.2):
    """Poll until check() is truthy; return its value or fail with the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")
