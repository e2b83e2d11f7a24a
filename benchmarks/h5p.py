"""Benchmark: H5P activities (issue 4).

Measures, on a throwaway database:
  1. the time to import the Question Set sample (first import: its libraries are installed;
     second import: they are reused);
  2. SQL queries for one xAPI request (a top-level `answered` statement that opens an attempt
     and completes the lesson, and an `interacted` one), for a course of 5 lessons and one of 60;
  3. statements stored per second on the xAPI endpoint under gunicorn on loopback: every
     request is one top-level `answered` statement with a score (the heaviest kind: it opens an
     attempt and checks completion), one `interacted` statement per request (stored only), and
     `interacted` statements ten to a request (the page batches what queued up); each client
     thread is a different learner.

Needs ../shared/h5p-samples/valid/question-set.h5p and true-false.h5p.

Usage (from the project folder, after `make setup`):
    .venv/bin/python benchmarks/h5p.py [--seconds 10] [--concurrency 8] [--workers 2]
Set DATABASE_URL=postgres://... to run against PostgreSQL instead of a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    ROOT,
    drop_database,
    gunicorn_server,
    http_load,
    prepare_environment,
    session_cookie,
)

SAMPLES = ROOT.parent / "shared" / "h5p-samples" / "valid"
CSRF = "h5pbenchmarkcsrfsecret0123456789"  # 32 characters: an unmasked CSRF secret
BATCH = 10  # the page sends what the player queued while a request was in flight, as one list


def _setup():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("setup_site", verbosity=0)


def _import_times() -> dict:
    from assessments.h5p import services

    times = {}
    for label in ("first_import_seconds", "second_import_seconds"):
        began = time.perf_counter()
        services.activity_import(source=SAMPLES / "question-set.h5p", may_install_libraries=True)
        times[label] = round(time.perf_counter() - began, 3)
    times["package_bytes"] = (SAMPLES / "question-set.h5p").stat().st_size
    return times


def _statement(activity, verb: str, user, *, score: bool) -> dict:
    from assessments.h5p.services import activity_iri

    data = {
        "actor": {"name": "Bench", "mbox": f"mailto:{user.email}", "objectType": "Agent"},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
        "object": {"id": activity_iri(activity.pk), "objectType": "Activity"},
        "context": {
            "contextActivities": {"category": [{"id": "http://h5p.org/libraries/H5P.TrueFalse-1.6"}]}
        },
    }
    if score:
        data["result"] = {
            "score": {"min": 0, "max": 1, "raw": 1, "scaled": 1},
            "completion": True,
            "success": True,
            "duration": "PT4.2S",
        }
    return data


def _courses():
    from assessments.h5p import services
    from tests.assessments.h5p_helpers import course_with_h5p

    activity = services.activity_import(source=SAMPLES / "true-false.h5p", may_install_libraries=True)
    built = {size: course_with_h5p([activity], lessons=size, slug=f"h5p-bench-{size}") for size in (5, 60)}
    return activity, built


def _queries(activity, courses) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from courses import services as course_services
    from tests.assessments.h5p_helpers import player_base
    from tests.factories import UserFactory

    result = {}
    for size, built in courses.items():
        user = UserFactory(email=f"queries-{size}@example.mn")
        course_services.enrollment_create(user=user, course=built.mn)
        client = Client()
        client.force_login(user)
        url = player_base(built.lessons["mn"][0], activity) + "xapi/"
        counts = {}
        for name, verb, score in (
            ("interacted", "interacted", False),
            ("answered_completes_lesson", "answered", True),
        ):
            body = json.dumps(_statement(activity, verb, user, score=score))
            with CaptureQueriesContext(connection) as queries:
                response = client.post(url, body, content_type="application/json")
            assert response.status_code == 200, response.content
            counts[name] = len(queries)
        body = json.dumps(_statement(activity, "answered", user, score=True))
        with CaptureQueriesContext(connection) as queries:
            client.post(url, body, content_type="application/json")
        counts["answered_again"] = len(queries)
        result[size] = counts
    return result


def _post_load(
    port: int, targets: list[tuple[str, str, bytes]], seconds: float, per_request: int = 1
) -> dict:
    """Keep-alive POSTs, one client per (path, cookie, body); rate in statements per second."""
    clients = [
        (
            "POST",
            path,
            {
                "Cookie": f"{cookie}; csrftoken={CSRF}",
                "X-CSRFToken": CSRF,
                "Content-Type": "application/json",
                "Referer": f"http://127.0.0.1:{port}/",
            },
            body,
        )
        for path, cookie, body in targets
    ]
    measured = http_load(port, clients, seconds)
    return {
        "requests": measured["requests"],
        "statements": measured["requests"] * per_request,
        "errors": measured["errors"],
        "statements_per_second": round(measured["rps"] * per_request, 1),
        "median_ms": measured["median_ms"],
        "p95_ms": measured["p95_ms"],
    }


def _throughput(env, activity, courses, seconds: float, concurrency: int, workers: int) -> dict:
    """Statements per second for the heaviest statement (a scored top-level `answered`: a new
    attempt each time) and for the most common one (`interacted`: stored only)."""
    from courses import services as course_services
    from tests.assessments.h5p_helpers import player_base
    from tests.factories import UserFactory

    built = courses[60]
    lesson = built.lessons["mn"][0]
    path = player_base(lesson, activity) + "xapi/"
    answered, interacted, batched = [], [], []
    for n in range(concurrency):
        user = UserFactory(email=f"load-{n}@example.mn")
        course_services.enrollment_create(user=user, course=built.mn)
        cookie = session_cookie(user)
        answered.append(
            (path, cookie, json.dumps(_statement(activity, "answered", user, score=True)).encode())
        )
        one = _statement(activity, "interacted", user, score=False)
        interacted.append((path, cookie, json.dumps(one).encode()))
        batched.append((path, cookie, json.dumps([one] * BATCH).encode()))
    with gunicorn_server(env, workers, {"ALLOWED_HOSTS": "127.0.0.1,localhost"}) as port:
        _post_load(port, interacted, 1.5)  # warm up every worker
        return {
            "path": path,
            "answered_with_score": _post_load(port, answered, seconds),
            "interacted": _post_load(port, interacted, seconds),
            f"interacted_in_batches_of_{BATCH}": _post_load(port, batched, seconds, per_request=BATCH),
        }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8, help="client threads, one learner each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    if not (SAMPLES / "question-set.h5p").exists():
        print(f"needs the H5P samples in {SAMPLES}", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="cpc-bench-h5p-"))
    env = {}
    try:
        env = prepare_environment(tmp)
        os.environ["PRIVATE_MEDIA_ROOT"] = env["PRIVATE_MEDIA_ROOT"] = str(tmp / "private-media")
        _setup()
        report = {"database": env["DATABASE_URL"].split(":", 1)[0], "import": _import_times()}
        activity, courses = _courses()
        report["queries_per_request"] = _queries(activity, courses)
        report["xapi_throughput"] = _throughput(
            env, activity, courses, args.seconds, args.concurrency, args.workers
        )
        report["xapi_throughput"]["settings"] = {
            "seconds": args.seconds,
            "concurrency": args.concurrency,
            "gunicorn_workers": args.workers,
            "cpus": os.cpu_count(),
        }
        print(json.dumps(report, indent=2))
        out = ROOT / "benchmarks" / "results"
        out.mkdir(exist_ok=True)
        (out / "h5p.json").write_text(json.dumps(report, indent=2))
        if any(isinstance(v, dict) and v.get("errors") for v in report["xapi_throughput"].values()):
            print("some requests failed: the figures above do not measure working requests.", file=sys.stderr)
            return 1
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        drop_database(env)


if __name__ == "__main__":
    sys.exit(main())
