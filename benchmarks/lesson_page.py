"""Benchmark: the lesson page and the completion event (issue: foundation).

Measures, on a throwaway database:
  1. SQL queries for a lesson page (enrolled learner) and a completion event, for a course of
     5 lessons and one of 60;
  2. the weight of a lesson page's own HTML, CSS and JS, raw and gzip-compressed;
  3. requests per second under gunicorn on loopback, side by side in one run: a plain Wagtail page
     of a bare Wagtail project (benchmarks/bare_wagtail: Wagtail's apps and Django's standard
     middleware, no project code, same database engine), a plain Wagtail page served by this
     project, and the lesson page and course page of a real shipped course (Smart Navigator, the
     learner enrolled and midway). The pages take turns, ``--rounds`` times; the report gives each
     figure's median and spread and the ratios (lesson / plain, plain / bare) per round.

Usage (from the project folder, after `make setup`):
    .venv/bin/python benchmarks/lesson_page.py [--seconds 10] [--concurrency 8] [--workers 2] [--rounds 3]
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

from benchmarks.bare_wagtail import WSGI as BARE_WSGI  # noqa: E402
from benchmarks.bare_wagtail import bare_project  # noqa: E402
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
    courses["shipped"] = _shipped_course(user)
    home = HomePage.objects.get(locale__language_code="en")
    plain = home.get_children().filter(slug="plain").first()
    if plain is None:
        plain = Page(
            title="A plain Wagtail page", slug="plain", content_type=ContentType.objects.get_for_model(Page)
        )
        home.add_child(instance=plain)
        plain.save_revision().publish()
    return courses, user, plain


def _shipped_course(user) -> dict:
    """Smart Navigator as shipped, in English; the learner enrolled and a third of the way in.
    Returns the paths of its course page and of the next lesson (a reading lesson)."""
    from courses import selectors, services
    from courses.models import CoursePage, LessonPage, ReleaseLesson
    from curricula.loader import curricula_load

    curricula_load(only=["smart-navigator"])
    course = CoursePage.objects.get(slug="smart-navigator", locale__language_code="en")
    services.enrollment_create(user=user, course=course)
    keys = list(
        ReleaseLesson.objects.filter(release=selectors.current_release(course))
        .order_by("position")
        .values_list("lesson_key", flat=True)
    )
    lessons = {
        page.translation_key: page
        for page in LessonPage.objects.filter(translation_key__in=keys, locale__language_code="en")
    }
    for key in keys[: len(keys) // 3]:
        if not any(block.block_type in ("quiz", "h5p") for block in lessons[key].body):
            services.lesson_complete(user=user, lesson_key=key)  # quiz lessons stay to do
    reading = next(
        lessons[key]
        for key in keys[len(keys) // 3 :]
        if not any(block.block_type in ("quiz", "h5p") for block in lessons[key].body)
    )
    return {"course": course.url, "lesson": reading.url}


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
        if size == "shipped":
            continue
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


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _throughput(env, tmp, courses, user, plain, *, seconds, concurrency, workers, rounds) -> dict:
    """Both servers run at once (each with ``workers`` workers) but only one page is loaded at a
    time; the pages take turns, so a slower moment of the machine hits every page alike."""
    cookie = session_cookie(user)
    shipped = courses["shipped"]
    with (
        bare_project(env, tmp) as (bare_env, bare_path),
        gunicorn_server(env, workers) as port,
        gunicorn_server(env, workers, bare_env, app=BARE_WSGI) as bare_port,
    ):
        pages = {
            "bare_wagtail_plain_page": (bare_port, bare_path, None),
            "plain_wagtail_page": (port, plain.url, None),
            "lesson_page": (port, shipped["lesson"], cookie),
            "course_page": (port, shipped["course"], cookie),
        }
        for page_port, path, page_cookie in pages.values():
            _load(page_port, path, page_cookie, 1.5, concurrency)  # warm up every worker
        runs = []
        for _ in range(rounds):
            runs.append(
                {
                    name: _load(page_port, path, page_cookie, seconds, concurrency)
                    for name, (page_port, path, page_cookie) in pages.items()
                }
            )
    report = {}
    for name, (_port, path, _cookie) in pages.items():
        rates = [run[name]["rps"] for run in runs]
        report[name] = {
            "path": path,
            "rps_median": round(_median(rates), 1),
            "rps_runs": rates,
            "errors": sum(run[name]["errors"] for run in runs),
        }
    ratios = {
        "lesson_vs_plain": ("lesson_page", "plain_wagtail_page"),
        "course_vs_plain": ("course_page", "plain_wagtail_page"),
        "plain_vs_bare": ("plain_wagtail_page", "bare_wagtail_plain_page"),
    }
    report["ratios"] = {}
    for label, (top, bottom) in ratios.items():
        per_run = [round(run[top]["rps"] / run[bottom]["rps"], 2) for run in runs if run[bottom]["rps"]]
        report["ratios"][label] = {
            "median": round(_median(per_run), 2) if per_run else None,
            "spread": [min(per_run), max(per_run)] if per_run else None,
            "runs": per_run,
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--rounds", type=int, default=3, help="turns of the four pages")
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
            env,
            tmp,
            courses,
            user,
            plain,
            seconds=args.seconds,
            concurrency=args.concurrency,
            workers=args.workers,
            rounds=args.rounds,
        )
        report["throughput"]["settings"] = {
            "seconds": args.seconds,
            "concurrency": args.concurrency,
            "gunicorn_workers": args.workers,
            "rounds": args.rounds,
            "cpus": os.cpu_count(),
        }
        print(json.dumps(report, indent=2))
        out = ROOT / "benchmarks" / "results"
        out.mkdir(exist_ok=True)
        (out / "lesson_page.json").write_text(json.dumps(report, indent=2))
        failed = sum(
            report["throughput"][name]["errors"]
            for name in ("lesson_page", "course_page", "plain_wagtail_page", "bare_wagtail_plain_page")
        )
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
