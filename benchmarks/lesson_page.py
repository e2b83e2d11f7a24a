"""Benchmark: the lesson page and the completion event (issue: foundation).

Measures, on a throwaway database:
  1. SQL queries for a lesson page (enrolled learner) and a completion event, for a course of
     5 lessons and one of 60;
  2. the weight of a lesson page's own HTML, CSS and JS, raw and gzip-compressed;
  3. requests per second under gunicorn on loopback for the lesson page, compared in the same
     run with a plain Wagtail page that has no learner logic.

Usage (from the project folder, after `make setup`):
    .venv/bin/python benchmarks/lesson_page.py [--seconds 10] [--concurrency 8] [--workers 2]
Set DATABASE_URL=postgres://... to run against PostgreSQL instead of a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile
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


def _load(port: int, path: str, cookie: str | None, seconds: float, concurrency: int) -> dict:
    """``concurrency`` keep-alive clients GETting one page."""
    return http_load(port, [("GET", path, {"Cookie": cookie} if cookie else {}, None)] * concurrency, seconds)


def _setup_data():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("setup_site", verbosity=0)
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    from courses import services
    from lms.home.models import HomePage
    from tests.factories import UserFactory, build_course

    courses = {size: build_course(lessons=size, modules=4, slug=f"bench-{size}") for size in (5, 60)}
    user = UserFactory(email="bench@example.mn")
    for built in courses.values():
        services.enrollment_create(user=user, course=built.mn)
    home = HomePage.objects.get(locale__language_code="en")
    plain = home.get_children().filter(slug="plain").first()
    if plain is None:
        plain = Page(
            title="A plain Wagtail page", slug="plain", content_type=ContentType.objects.get_for_model(Page)
        )
        home.add_child(instance=plain)
        plain.save_revision().publish()
    return courses, user, plain


def _measure_queries(courses, user) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import translation

    from courses import services

    client = Client()
    client.force_login(user)

    def count(request, url) -> int:
        # Counted at once: every later request clears the connection's query log.
        with CaptureQueriesContext(connection) as queries:
            response = request(url)
        assert response.status_code in (200, 302), response.status_code
        return len(queries)

    result = {}
    for size, built in courses.items():
        lesson = built.lessons["en"][size // 2]
        client.get(built.lessons["en"][0].url)  # warm caches
        first = count(client.get, lesson.url)
        again = count(client.get, lesson.url)
        for done in built.lessons["en"][: size - 1]:
            if done.pk != lesson.pk:
                services.lesson_complete(user=user, lesson_key=done.translation_key)
        with translation.override("en"):
            url = reverse("courses:lesson_complete", args=[lesson.pk])
        complete_middle = count(client.post, url)
        last = built.lessons["en"][-1]
        with translation.override("en"):
            last_url = reverse("courses:lesson_complete", args=[last.pk])
        complete_last = count(client.post, last_url)
        result[size] = {
            "lesson_page_first_visit": first,
            "lesson_page_again": again,
            "completion_post": complete_middle,
            "completion_post_that_completes_course": complete_last,
        }
    return result


def _measure_weight(courses, user) -> dict:
    from django.contrib.staticfiles import finders
    from django.test import Client

    client = Client()
    client.force_login(user)
    lesson = courses[60].lessons["en"][10]
    response = client.get(lesson.url)
    assert response.status_code == 200
    html = response.content
    files = {"html": html}
    for name in ("css/site.css", "js/lesson.js"):
        files[name] = Path(finders.find(name)).read_bytes()
    weights = {name: {"raw": len(data), "gzip": len(gzip.compress(data, 6))} for name, data in files.items()}
    weights["total"] = {key: sum(item[key] for item in weights.values()) for key in ("raw", "gzip")}
    return weights


def _throughput(env, courses, user, plain, seconds, concurrency, workers) -> dict:
    with gunicorn_server(env, workers) as port:
        cookie = session_cookie(user)
        lesson_path = courses[60].lessons["en"][30].url
        plain_path = plain.url
        for path, cookie_value in ((lesson_path, cookie), (plain_path, None)):
            _load(port, path, cookie_value, 1.5, concurrency)  # warm up every worker
        return {
            "lesson_page": {"path": lesson_path, **_load(port, lesson_path, cookie, seconds, concurrency)},
            "plain_wagtail_page": {"path": plain_path, **_load(port, plain_path, None, seconds, concurrency)},
        }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cpc-bench-"))
    env = {}
    try:
        env = prepare_environment(tmp)
        courses, user, plain = _setup_data()
        report = {
            "database": env["DATABASE_URL"].split(":", 1)[0],
            "queries": _measure_queries(courses, user),
            "weight_bytes": _measure_weight(courses, user),
        }
        # Fresh progress for the throughput run: the learner is mid-course, not finished.
        report["throughput"] = _throughput(
            env, courses, user, plain, args.seconds, args.concurrency, args.workers
        )
        report["throughput"]["settings"] = {
            "seconds": args.seconds,
            "concurrency": args.concurrency,
            "gunicorn_workers": args.workers,
            "cpus": os.cpu_count(),
        }
        lesson, plain_rate = (
            report["throughput"]["lesson_page"]["rps"],
            report["throughput"]["plain_wagtail_page"]["rps"],
        )
        report["throughput"]["lesson_vs_plain"] = round(lesson / plain_rate, 2) if plain_rate else None
        print(json.dumps(report, indent=2))
        out = ROOT / "benchmarks" / "results"
        out.mkdir(exist_ok=True)
        (out / "lesson_page.json").write_text(json.dumps(report, indent=2))
        failed = sum(report["throughput"][name]["errors"] for name in ("lesson_page", "plain_wagtail_page"))
        if failed:
            print(
                f"{failed} requests failed: the figures above do not measure working pages.", file=sys.stderr
            )
            return 1
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        drop_database(env)


if __name__ == "__main__":
    sys.exit(main())
