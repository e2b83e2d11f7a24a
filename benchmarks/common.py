"""What every benchmark shares: a throwaway database, a signed-in session, gunicorn on a free
port, the HTTP load loop, and in-process timing with query counts.

Benchmarks are scripts (``.venv/bin/python benchmarks/<name>.py``); importing this module puts
the project folder on ``sys.path`` so they can import the project and each other.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- a throwaway database ---------------------------------------------------------------------


def prepare_environment(tmp: Path) -> dict[str, str]:
    """Settings for a benchmark run: production-like (no debug, no demo), media in ``tmp``, and a
    fresh database (a new PostgreSQL database when DATABASE_URL names one, else SQLite in ``tmp``).
    Also applied to this process's environment."""
    env = {
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "DEBUG": "false",
        "DEMO_MODE": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
    }
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"] = fresh_postgres_database(os.environ["DATABASE_URL"])
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.update(env)
    return env


def _server_url(url: str, database: str) -> str:
    base, _sep, _name = url.rpartition("/")
    return f"{base}/{database}".replace("postgres://", "postgresql://", 1)


def fresh_postgres_database(url: str, *, name: str = "") -> str:
    """A new, empty database on the same server (the given database is never touched)."""
    import psycopg

    name = name or f"cpc_bench_{os.getpid()}"
    with psycopg.connect(_server_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rpartition("/")[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name = url.rpartition("/")[2]
    with psycopg.connect(_server_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_database(env: dict[str, str]) -> None:
    """Drop the run's PostgreSQL database (a SQLite file goes with its temporary folder)."""
    if env.get("DATABASE_URL", "").startswith("postgres"):
        drop_postgres_database(env["DATABASE_URL"])


# --- serving and loading over HTTP -------------------------------------------------------------


def session_cookie(user) -> str:
    """A ``Cookie`` header value for a signed-in session of ``user``, as a real sign-in makes it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The backend a real sign-in records (the first, django-axes, only guards and never signs in).
    session[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if "axes" not in path.lower()
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn_server(
    env: dict, workers: int, extra_env: dict | None = None, *, app: str = "lms.wsgi", port: int | None = None
):
    """gunicorn serving ``app`` (the project unless told) on a free loopback port (or ``port``)
    until the block ends; yields the port."""
    port = port or free_port()
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    process = subprocess.Popen(
        [
            str(gunicorn) if gunicorn.exists() else "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env, **(extra_env or {})},
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def http_load(port: int, clients: list[tuple[str, str, dict, bytes | None]], seconds: float) -> dict:
    """One keep-alive client per (method, path, headers, body), each sending its request again and
    again for ``seconds``; any answer but 200 counts as an error. Returns the rate and latency."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(method: str, path: str, headers: dict, body: bytes | None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local, bad = [], 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            local.append(time.perf_counter() - start)
        with lock:
            latencies.extend(local)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=spec) for spec in clients]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": round(len(latencies) / elapsed, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1) if latencies else None,
    }


# --- in-process timing -----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def timed_requests(client, url: str, requests: int, *, method: str = "get", data: dict | None = None) -> dict:
    """Time ``requests`` calls of a Django test client (after one warm-up call, which must answer
    200) and count the SQL statements of one call, whatever the connection's query log does.
    Streamed answers are read to the end. The last response is returned as ``response``."""
    from django.db import connection

    call = getattr(client, method)

    def send():
        response = call(url, data) if data is not None else call(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        return response

    response = send()
    assert response.status_code == 200, (url, data, response.status_code)
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = send()
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        send()
        times.append((time.perf_counter() - start) * 1000)
    return {
        "sql_queries": len(executed),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
        "response": response,
    }
