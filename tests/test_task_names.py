"""Services name the tasks they queue (``lms.queue``); every name used in the code is registered."""

import re
from pathlib import Path

import pytest
from celery import current_app

from lms.queue import _task

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"publish(?:_on_commit)?\(\s*\"([\w.]+)\"")


def _names_in_the_code() -> set[str]:
    names = set()
    for package in ("lms", "courses", "assessments", "certificates", "curricula", "glossary"):
        for path in (ROOT / package).rglob("*.py"):
            names.update(NAMED.findall(path.read_text()))
    return names


def test_every_task_name_the_services_queue_is_registered():
    names = _names_in_the_code()
    assert {"reports.export", "certificates.rerender", "delivery.meeting_email"} <= names
    for name in names:
        assert _task(name) is current_app.tasks[name], name


def test_an_unknown_name_fails_in_the_caller():
    with pytest.raises(KeyError):
        _task("reports.no_such_task")
