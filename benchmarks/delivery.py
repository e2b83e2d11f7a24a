"""Benchmark: the club delivery report at programme scale (issue 19).

On a throwaway database (PostgreSQL: a new database next to the one DATABASE_URL names, dropped
afterwards; SQLite otherwise):
  1. load the curricula, `generate_scale_data --learners N` (default 5,000: enough trained
     facilitators) with `--clubs 100 --sessions 5000` (the programme's 100 clubs);
  2. the delivery report as a programme manager, with no filter and with each filter and
     breakdown: median and worst time over R requests, and the SQL queries of one request;
  3. exporting the largest table (by district) as CSV and XLSX.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/delivery.py
    .venv/bin/python benchmarks/delivery.py --learners 2000 --requests 3     # SQLite, a quick look
Writes benchmarks/results/delivery-<database>.json.
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


def _timing(measured: dict) -> dict:
    measured.pop("response")
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--learners", type=int, default=5_000)
    parser.add_argument("--clubs", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=7)
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
        call_command("load_curricula", verbosity=0)
        call_command("setup_delivery", verbosity=0)
        print(
            f"generating {args.learners:,} learners, {args.clubs} clubs, {args.sessions:,} sessions …",
            flush=True,
        )
        start = time.perf_counter()
        call_command(
            "generate_scale_data",
            "--learners",
            str(args.learners),
            "--clubs",
            str(args.clubs),
            "--sessions",
            str(args.sessions),
        )
        generate_seconds = time.perf_counter() - start

        from django.db.models import Count
        from django.urls import reverse
        from django.utils import timezone

        from lms.accounts import roles
        from lms.delivery.models import (
            Club,
            ClubMembership,
            Kit,
            MeetingParticipant,
            ReviewMeeting,
            SessionLog,
        )
        from lms.reports.periods import fiscal_quarter
        from tests.factories import staff_client

        counts = {
            "clubs": Club.objects.count(),
            "memberships": ClubMembership.objects.count(),
            "sessions": SessionLog.objects.count(),
            "review_meetings": ReviewMeeting.objects.count(),
            "meeting_participants": MeetingParticipant.objects.count(),
        }
        client = staff_client(roles.MANAGERS)
        year, quarter = fiscal_quarter(timezone.localdate())
        last_quarter = f"FY{year}-Q{quarter - 1}" if quarter > 1 else f"FY{year - 1}-Q4"
        busiest = Club.objects.values("region").annotate(n=Count("sessions")).order_by("-n").first()["region"]
        kit = Kit.objects.order_by("sort_order").first()
        scenarios = {
            "no filter (by kit)": {},
            "by fiscal quarter": {"by": "quarter"},
            "by district": {"by": "region"},
            "by organisation type": {"by": "organisation_kind"},
            "a fiscal quarter": {"quarter": last_quarter},
            "a district": {"region": busiest},
            "a kit": {"kit": kit.pk},
            "a year, by quarter": {"start": "2025-01-01", "end": "2025-12-31", "by": "quarter"},
            "small counts hidden": {"suppress": "on", "by": "region"},
        }
        url = reverse("delivery_admin:report")
        report = {}
        for name, query in scenarios.items():
            report[name] = {"query": query, **_timing(timed_requests(client, url, args.requests, data=query))}
            print(
                f"  report {name:<24} {report[name]['median_ms']:>8.1f} ms median, {report[name]['sql_queries']} queries"
            )
        exports = {}
        for fmt in ("csv", "xlsx"):
            data = {"table": "delivery-by-region", "format": fmt, "query": "by=region"}
            exports[fmt] = _timing(
                timed_requests(
                    client, reverse("delivery_admin:export"), args.requests, method="post", data=data
                )
            )
            print(f"  export by district {fmt:<5} {exports[fmt]['median_ms']:>8.1f} ms median")
        result = {
            "database": "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite",
            "learners": args.learners,
            "generate_seconds": round(generate_seconds, 1),
            "counts": counts,
            "report": report,
            "report_slowest_median_ms": max(item["median_ms"] for item in report.values()),
            "report_slowest_max_ms": max(item["max_ms"] for item in report.values()),
            "exports": exports,
        }
        print(json.dumps(result, indent=2))
        out = ROOT / "benchmarks" / "results"
        out.mkdir(exist_ok=True)
        (out / f"delivery-{result['database']}.json").write_text(json.dumps(result, indent=2) + "\n")
        return 0
    finally:
        drop_database(env)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
