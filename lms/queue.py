"""Handing work to Celery without ever failing, or stalling, the caller.

Every place that queues a task goes through ``publish`` (now) or ``publish_on_commit`` (after the
caller's transaction commits). A broker that is down or hangs costs the caller at most
``CELERY_BROKER_TIMEOUT`` seconds: the failure is logged and ``publish`` returns False; the
periodic sweeps (celery beat) then do the work the task would have done. Tasks are safe to run
twice, so a publish that was given up on but reached the broker after all does no harm.

With tasks inline (no broker, ``CELERY_TASK_ALWAYS_EAGER``), the task runs at once and its own
errors are the caller's, as before (``publish_on_commit`` logs them: ``robust``).

A service names the task it queues (``"reports.export"``) rather than importing it: tasks call
services, so an import the other way would be a cycle. Every app's ``ready`` imports its tasks
module, so each name is registered in the web process as in the worker.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# One quick second try (a pooled connection the broker closed), never a long retry loop.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def publish_timeout() -> float:
    """Seconds a caller waits for the broker to take a task."""
    return float(getattr(settings, "CELERY_BROKER_TIMEOUT", 2.0))


def _task(task):
    """A task, or the task registered under a name (a name unknown is a programming error: KeyError)."""
    if isinstance(task, str):
        from celery import current_app

        return current_app.tasks[task]
    return task


def publish(task, *args, **kwargs) -> bool:
    """Queue ``task(*args, **kwargs)`` (a task, or its registered name); True when the broker
    took it (or it ran inline).

    Never raises for a broker fault and never waits longer than ``CELERY_BROKER_TIMEOUT``.
    """
    task = _task(task)
    if task.app.conf.task_always_eager:
        task.apply_async(args=args, kwargs=kwargs)
        return True
    outcome: dict[str, object] = {}

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
            outcome["sent"] = True
        except Exception as error:  # noqa: BLE001 - reported by the caller's thread below
            outcome["error"] = error

    # The publish runs in its own thread so that the caller's wait has a hard deadline whatever
    # the transport does (DNS, TLS, a half-open connection); the socket timeouts of the broker
    # connection (lms/settings/base.py) end the thread itself soon after.
    timeout = publish_timeout()
    sender = threading.Thread(target=send, name=f"publish {task.name}", daemon=True)
    sender.start()
    sender.join(timeout)
    if outcome.get("sent"):
        return True
    if sender.is_alive():
        logger.error(
            "task %s%r not queued: the broker did not answer within %s s; the periodic sweep will do it",
            task.name,
            args,
            timeout,
        )
    else:
        logger.error(
            "task %s%r not queued: %r; the periodic sweep will do it",
            task.name,
            args,
            outcome.get("error"),
            exc_info=outcome.get("error"),
        )
    return False


def publish_on_commit(task, *args, **kwargs) -> None:
    """Queue the task (or its registered name) once the current transaction commits (at once
    outside a transaction)."""
    task = _task(task)  # an unknown name fails here, in the caller, not silently after the commit
    transaction.on_commit(lambda: publish(task, *args, **kwargs), robust=True)
