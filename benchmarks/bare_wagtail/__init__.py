"""A bare Wagtail project, as `wagtail start` would make it, for side-by-side benchmarks.

No project code: Wagtail's own apps, Django's standard middleware and one plain page. It uses the
same database engine as the run it sits beside (its own SQLite file, or its own PostgreSQL database
on the same server).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WSGI = "benchmarks.bare_wagtail.wsgi"


@contextlib.contextmanager
def bare_project(env: dict, tmp: Path):
    """Build the bare project's database beside the project's; yields (environment for gunicorn,
    path of its plain page). Its database is dropped at the end."""
    from benchmarks.common import drop_postgres_database, fresh_postgres_database

    project_url = env["DATABASE_URL"]
    if project_url.startswith("postgres"):
        url = fresh_postgres_database(project_url, name=f"cpc_bench_bare_{os.getpid()}")
    else:
        url = f"sqlite:///{tmp / 'bare.sqlite3'}"
    bare_env = {"BARE_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "benchmarks.bare_wagtail.settings"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.bare_wagtail.prepare"],
            cwd=ROOT,
            env={**os.environ, **bare_env},
            check=True,
            capture_output=True,
            text=True,
        )
        yield bare_env, done.stdout.strip().splitlines()[-1]
    finally:
        if url.startswith("postgres"):
            drop_postgres_database(url)
