"""Benchmark: programme reports at national scale (issue: programme reporting).

On a throwaway PostgreSQL database (a new database next to the one DATABASE_URL names, dropped
afterwards; SQLite works too, for small runs):
  1. load the curricula and `generate_scale_data --learners N` (default 50,000): time and rows;
  2. the reports dashboard, as a programme manager, with no filter and with each single filter
     (and a fiscal quarter with a district): median and worst time over R requests, SQL queries;
  3. exporting the whole roster (every enrolment) as CSV and XLSX through the export task, and a
     small roster: rows per second and peak Python memory (tracemalloc), to show it stays flat.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/reports.py
    .venv/bin/python benchmarks/reports.py --learners 2000          # SQLite, a quick look
Writes benchmarks/results/reports-<database>.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    ROOT,
    drop_database,
    prepare_environment,
    timed_requests,
)


def _dashboard(client, scenarios: dict[str, str], requests: int) -> dict:
    result = {}
    for name, query in scenarios.items():
        measured = timed_requests(client, f"/admin/programme-reports/?{query}", requests)
        measured.pop("response")
        count = measured["sql_queries"]
        result[name] = {"query": query, **measured}
        print(
            f"  dashboard {name:<24} {result[name]['median_ms']:>8.1f} ms median, {count} queries", flush=True
        )
    return result


def _export(owner, fmt: str, query: dict) -> dict:
    import datetime as dt

    from django.utils import timezone

    from lms.reports import services
    from lms.reports.models import ExportJob

    def run(measure_memory: bool):
        # The job as export_job_create makes it, without queueing it: it runs in-process here.
        now = timezone.now()
        job = ExportJob.objects.create(
            owner=owner,
            table="roster",
            format=fmt,
            filters=query,
            language="en",
            created_at=now,
            expires_at=now + dt.timedelta(hours=1),
        )
        if measure_memory:
            tracemalloc.start()
        start = time.perf_counter()
        services.export_job_run(job_id=job.pk)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if measure_memory else 0
        tracemalloc.stop()
        job = ExportJob.objects.get(pk=job.pk)
        assert job.status == ExportJob.Status.DONE, job.error
        return job, seconds, peak

    job, seconds, _peak = run(False)  # timed without tracemalloc, which slows Python down
    _job, _seconds, peak = run(True)
    return {
        "rows": job.rows_done,
        "seconds": round(seconds, 1),
        "rows_per_second": round(job.rows_done / seconds) if seconds else None,
        "peak_python_memory_mb": round(peak / 1e6, 1),
        "file_mb": round(job.file.size / 1e6, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--learners", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cpc-bench-"))
    env = {}
    try:
        env = prepare_environment(tmp)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db.models import Count

        settings.DEBUG = False
        call_command("migrate", verbosity=0, interactive=False)
        call_command("setup_site", verbosity=0)
        start = time.perf_counter()
        call_command("load_curricula", verbosity=0)
        curricula_seconds = time.perf_counter() - start
        from lms.reports.scale import scale_data_generate

        print(f"generating {args.learners:,} learners …", flush=True)
        start = time.perf_counter()
        figures = scale_data_generate(learners=args.learners, log=lambda line: print("  " + line, flush=True))
        generate_seconds = time.perf_counter() - start

        from assessments.models import QuizAttempt
        from courses.models import CourseRelease, Enrollment, LessonProgress
        from lms.accounts import roles
        from lms.accounts.models import Organisation, Region
        from lms.reports.periods import fiscal_quarter
        from tests.factories import staff_client

        counts = {
            "learners": args.learners,
            "enrolments": Enrollment.objects.count(),
            "lesson_progress_rows": LessonProgress.objects.count(),
            "quiz_attempts": QuizAttempt.objects.count(),
            "organisations": Organisation.objects.count(),
        }
        client = staff_client(roles.MANAGERS)
        from django.utils import timezone

        year, quarter = fiscal_quarter(timezone.localdate())
        last_quarter = f"FY{year}-Q{quarter - 1}" if quarter > 1 else f"FY{year - 1}-Q4"
        busiest_region = (
            Region.objects.annotate(n=Count("people")).order_by("-n").values_list("pk", flat=True).first()
        )
        district = Region.objects.filter(kind="district").annotate(n=Count("people")).order_by("-n").first()
        organisation = Organisation.objects.annotate(n=Count("members")).order_by("-n").first()
        release = CourseRelease.objects.filter(is_current=True).order_by("pk").first()
        scenarios = {
            "no filter": "",
            "fiscal quarter": f"quarter={last_quarter}",
            "dates (a year)": "start=2025-01-01&end=2025-12-31",
            "course": f"course={release.course_id}",
            "release": f"release={release.pk}",
            "role": "role=teacher",
            "organisation type": "organisation_kind=school",
            "organisation": f"organisation={organisation.pk}",
            "region": f"region={busiest_region}",
            "sex": "sex=female",
            "age band": "age_band=35_44",
            "quarter + district": f"quarter={last_quarter}&region={district.pk}",
            "break down by age": "by=age_band",
            "break down by organisation": "by=organisation",
        }
        dashboard = _dashboard(client, scenarios, args.requests)

        print("exporting the roster …", flush=True)
        exports = {
            "all enrolments csv": _export(client.user, "csv", {}),
            "all enrolments xlsx": _export(client.user, "xlsx", {}),
            "one organisation csv": _export(client.user, "csv", {"organisation": str(organisation.pk)}),
        }
        for name, figure in exports.items():
            print(f"  {name:<22} {figure}", flush=True)
        result = {
            "database": "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite",
            "load_curricula_seconds": round(curricula_seconds, 1),
            "generate_seconds": round(generate_seconds, 1),
            "generated": figures,
            "counts": counts,
            "dashboard": dashboard,
            "dashboard_slowest_median_ms": max(item["median_ms"] for item in dashboard.values()),
            "exports": exports,
        }
        print(json.dumps(result, indent=2))
        out = ROOT / "benchmarks" / "results"
        out.mkdir(exist_ok=True)
        (out / f"reports-{result['database']}.json").write_text(json.dumps(result, indent=2) + "\n")
        return 0
    finally:
        drop_database(env)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
