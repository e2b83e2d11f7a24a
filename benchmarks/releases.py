"""Benchmark: versioned releases (issue: versioned course releases).

On a throwaway database, with a 60-lesson course (4 modules):
  1. a lesson page for a learner on an older release against the same lesson for a learner on the
     current one: SQL queries, and median / 95th percentile time over N requests (Django test
     client, no network), with the ratio older / current;
  2. publishing release 1.2 of the course (5 lessons changed) and moving 10,000 enrolments with
     the "everyone moves" policy (half of them midway, 30 lessons done each): time to freeze and
     publish, time to move everyone (the Celery task's work, run here in-process), and queries.

Usage (from the project folder, after `make setup`):
    .venv/bin/python benchmarks/releases.py [--requests 300] [--enrolments 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/releases.py
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    ROOT,
    drop_database,
    prepare_environment,
    timed_requests,
)


def _edit(lesson, text: str) -> None:
    from courses.models import LessonPage

    page = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object()
    page.body = [{"type": "text", "value": f"<p>{text}</p>"}]
    page.save_revision()


def _older_release_lesson(requests: int) -> dict:
    from django.test import Client

    from courses import services
    from tests.factories import UserFactory, build_course

    built = build_course(lessons=60, modules=4, slug="bench-release")
    older, current = UserFactory(email="older@example.mn"), UserFactory(email="current@example.mn")
    services.enrollment_create(user=older, course=built.mn)
    for lesson in built.lessons["mn"] + built.lessons["en"]:
        _edit(lesson, "The text of version 1.1.")
    services.release_publish(course=built.mn, version="1.1")
    services.enrollment_create(user=current, course=built.mn)
    url = built.lessons["en"][30].url
    result = {}
    for name, user in (("current", current), ("older", older)):
        client = Client()
        client.force_login(user)
        result[name] = timed_requests(client, url, requests)
    assert "The text of version 1.1." in result["current"].pop("response").content.decode()
    assert "The text of version 1.1." not in result["older"].pop("response").content.decode(), (
        "the older release's words"
    )
    result["ratio_median"] = round(result["older"]["median_ms"] / result["current"]["median_ms"], 2)
    return result, built


def _publish_and_move(built, enrolments: int) -> dict:
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from courses import services as releases  # publishing is a courses service
    from courses.models import CourseRelease, Enrollment, LessonProgress, ReleaseMove
    from lms.accounts.models import User

    release = CourseRelease.objects.get(course=built.mn, is_current=True)
    keys = [lesson.translation_key for lesson in built.lessons["mn"]]
    now = timezone.now()
    users = User.objects.bulk_create(
        User(email=f"mover{n}@example.mn", full_name=f"Mover {n}") for n in range(enrolments)
    )
    rows = Enrollment.objects.bulk_create(
        Enrollment(
            user=user, course=built.mn, release=release, enrolled_at=now, started_at=now if n % 2 else None
        )
        for n, user in enumerate(users)
    )
    midway = [row for n, row in enumerate(rows) if n % 2]
    LessonProgress.objects.bulk_create(
        (
            LessonProgress(enrollment=row, lesson_key=key, started_at=now, completed_at=now)
            for row in midway
            for key in keys[:30]
        ),
        batch_size=5000,
    )
    Enrollment.objects.filter(pk__in=[row.pk for row in midway]).update(completed_lessons=30)
    for lesson in built.lessons["mn"][20:25]:
        _edit(lesson, "Version 1.2 rewrites this lesson.")

    start = time.perf_counter()
    with CaptureQueriesContext(connection) as publish_queries:
        new = releases.release_publish(course=built.mn, version="1.2", policy=CourseRelease.Policy.NOBODY)
    publish_seconds = time.perf_counter() - start
    publish_query_count = len(publish_queries)
    # The policy is applied by a Celery task after publishing; here the same work runs in-process.
    CourseRelease.objects.filter(pk=new.pk).update(policy=CourseRelease.Policy.EVERYONE)
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as move_queries:
        moved = releases.release_apply_policy(release_id=new.pk)
    move_seconds = time.perf_counter() - start
    move_query_count = len(move_queries)

    # Everyone moves: the 10,000 plus the two learners of the page timing above.
    assert moved == enrolments + 2, moved
    assert Enrollment.objects.filter(release=new).count() == enrolments + 2
    assert ReleaseMove.objects.filter(to_release=new).count() == enrolments + 2
    done = (
        LessonProgress.objects.filter(
            enrollment__in=[row.pk for row in midway[:50]], completed_at__isnull=False
        )
        .values("enrollment")
        .annotate(n=Count("id"))
    )
    assert {row["n"] for row in done} == {25}, "30 done, 5 of them changed and reopened"
    new.refresh_from_db()
    return {
        "lessons": new.lesson_count,
        "enrolments_moved": moved,
        "publish_seconds": round(publish_seconds, 2),
        "publish_queries": publish_query_count,
        "move_seconds": round(move_seconds, 2),
        "move_queries": move_query_count,
        "moves_per_second": round(moved / move_seconds),
        "progress_shown": f"{new.moves_done}/{new.moves_total}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--enrolments", type=int, default=10_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cpc-bench-"))
    env = {}
    try:
        env = prepare_environment(tmp)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.DEBUG = False
        call_command("migrate", verbosity=0, interactive=False)
        call_command("setup_site", verbosity=0)
        pages, built = _older_release_lesson(args.requests)
        result = {
            "database": "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite",
            "lesson_page": pages,
            "publish_and_move": _publish_and_move(built, args.enrolments),
        }
        print(json.dumps(result, indent=2))
        out = ROOT / "benchmarks" / "results"
        out.mkdir(exist_ok=True)
        (out / f"releases-{result['database']}.json").write_text(json.dumps(result, indent=2) + "\n")
        return 0
    finally:
        drop_database(env)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
