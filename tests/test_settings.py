"""Settings: production refuses to start without its secrets; the embedded default needs none."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _import_settings(module: str, **env) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    clean.update(env)
    code = (
        f"import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = '{module}'; django.setup(); "
        "from django.conf import settings; print(settings.DEMO_MODE, settings.DEBUG)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production-xxxxxxxx"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50}, "DATABASE_URL"),
        ({"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@h/db"}, "CELERY_BROKER_URL"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(env, complaint):
    result = _import_settings("lms.settings.production", **env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_never_runs_in_demo_mode():
    result = _import_settings(
        "lms.settings.production",
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://u@h/db",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DEMO_MODE="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_the_embedded_default_needs_no_configuration():
    result = _import_settings("lms.settings.dev")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
