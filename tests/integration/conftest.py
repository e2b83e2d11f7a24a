"""A real Celery worker process on a real broker, for tests marked integration.

Needs CELERY_BROKER_URL (Redis) and a database another process can open (PostgreSQL via
DATABASE_URL): `.ci/run` provides both. Elsewhere these tests skip with the reason.
"""

from __future__ import annotations

import os
import signal
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


def require_real_stack() -> None:
    if not os.environ.get("CELERY_BROKER_URL", ""):
        pytest.skip("needs CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/15) for a real worker")
    if connection.vendor == "sqlite":
        pytest.skip(
            "a worker process cannot open the test SQLite database; run with DATABASE_URL=postgres://…"
        )


def worker_environment(mail_dir: Path, **extra: str) -> dict:
    """The environment of a worker that uses the test database and writes mail to files."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "WORKER_DATABASE_NAME": connection.settings_dict["NAME"],
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        **extra,
    }


def start_worker(
    *, queue: str, node: str, env: dict, log_path: Path, concurrency: int = 2
) -> subprocess.Popen:
    """A real `celery worker` process, in its own process group so that it can be killed whole."""
    with open(log_path, "a") as log:
        return subprocess.Popen(
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
                str(concurrency),
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
            start_new_session=True,
        )


def wait_until_ready(process: subprocess.Popen, node: str, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited: {log_path.read_text()[-2000:]}")
        if celery_app.control.ping(destination=[node], timeout=1):
            return
    pytest.fail(f"the Celery worker did not answer within {timeout} s: {log_path.read_text()[-2000:]}")


def stop_worker(process: subprocess.Popen, *, kill: bool = False) -> None:
    """Stop a worker and its pool processes: politely, or with SIGKILL (as a crash would)."""
    try:
        os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start `celery worker` against the test database on a private queue; yield its details."""
    require_real_stack()
    queue = f"cpc-test-{uuid.uuid4().hex[:10]}"
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    log_path = tmp_path_factory.mktemp("worker-log") / "worker.log"
    node = f"{queue}@{socket.gethostname()}"
    process = start_worker(queue=queue, node=node, env=worker_environment(mail_dir), log_path=log_path)
    try:
        wait_until_ready(process, node, log_path)
        yield {"queue": queue, "node": node, "mail_dir": mail_dir, "log": log_path, "process": process}
    finally:
        stop_worker(process)


@pytest.fixture
def real_worker(celery_worker_process):
    """Send tasks to the worker process instead of running them inline, for one test."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_default_queue
    conf.task_always_eager = False
    conf.task_default_queue = celery_worker_process["queue"]
    try:
        yield celery_worker_process
        # Tasks the test set off (a certificate after a completion, say) must end before the
        # database is emptied for the next test, or the flush and the worker deadlock.
        _wait_until_idle(celery_worker_process["queue"], celery_worker_process["node"])
    finally:
        conf.task_always_eager, conf.task_default_queue = saved


def _wait_until_idle(queue: str, node: str, timeout: float = 60.0) -> None:
    """Until the queue is empty and the worker runs and holds nothing (or the timeout passes)."""
    import redis

    broker = redis.Redis.from_url(celery_app.conf.broker_url)
    inspector = celery_app.control.inspect(destination=[node], timeout=2)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if broker.llen(queue) == 0:
            active = (inspector.active() or {}).get(node)
            reserved = (inspector.reserved() or {}).get(node)
            if active == [] and reserved == []:
                return
        time.sleep(0.3)


def wait_for(check, timeout: float = 30.0, interval: float = 0.2):
    """Poll until check() is truthy; return its value or fail with the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")
