"""Benchmark: certificate PDFs per second in one process, and 1,000 certificates through a real
Celery worker on Redis, with the worker's peak memory (issue: certificates).

Usage (from the project folder, after `make setup`):
    .venv/bin/python benchmarks/certificates.py --render-only            # any machine (SQLite)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python benchmarks/certificates.py [--certificates 1000] [--concurrency 2]
The PostgreSQL run uses a new database next to the one named and drops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    ROOT,
    drop_database,
    prepare_environment,
)


def _group_rss_kb(pgid: int) -> int:
    """Resident memory of every process in a process group (the worker and its pool), in KB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ProcessLookupError, ValueError):
            continue
    return total


def render_rate(samples: int) -> dict:
    from certificates import codes, rendering, services
    from certificates.models import CertificateTemplate

    template = CertificateTemplate(name="Built-in")
    facts = services.PrintedFacts(
        holder_name="Батцэцэг Өлзийбаяр",
        course_titles={"mn": "Ухаалаг хөтөч", "en": "Smart Navigator"},
        release="1.0",
        completed_on=__import__("datetime").date(2026, 11, 28),
        hours="6",
    )
    services.render_pdfs(template=template, facts=facts, code=codes.new_code())  # warm up fonts and caches
    single = []
    for _ in range(samples):
        code = codes.new_code()
        start = time.perf_counter()
        rendering.render_certificate_pdf(
            services.design_for(
                template,
                "mn",
                {
                    "name": facts.holder_name,
                    "course": "Ухаалаг хөтөч",
                    "release": "1.0",
                    "date": "2026-11-28",
                    "hours": "6",
                    "code": code,
                },
            ),
            rendering.CertificateFacts(
                holder_name=facts.holder_name,
                course_title="Ухаалаг хөтөч",
                release="1.0",
                completed_on="2026-11-28",
                hours="6",
                code=code,
                verify_url=services.verify_url(code),
                language="mn",
            ),
        )
        single.append(time.perf_counter() - start)
    return {
        "pdfs_per_second": round(1 / statistics.mean(single), 1),
        "median_ms": round(statistics.median(single) * 1000, 2),
        "certificates_per_second": round(
            1 / (2 * statistics.mean(single)), 1
        ),  # each is printed in mn and en
    }


def through_worker(count: int, concurrency: int, env: dict) -> dict:
    from django.utils import timezone

    from certificates.models import Certificate
    from certificates.tasks import certificate_issue
    from courses.models import Enrollment
    from lms.accounts.models import User
    from lms.celery import app
    from tests.factories import build_course

    built = build_course(lessons=1, slug="bench-certificates")
    now = timezone.now()
    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.mn", full_name=f"Суралцагч {n}", password="!") for n in range(count)
    )
    Enrollment.objects.bulk_create(
        Enrollment(
            user=user,
            course=built.mn,
            release=built.release,
            enrolled_at=now,
            started_at=now,
            completed_at=now,
            status=Enrollment.Status.COMPLETED,
            completed_lessons=1,
        )
        for user in users
    )
    ids = list(Enrollment.objects.filter(course=built.mn).values_list("pk", flat=True))
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    node = f"{queue}@{socket.gethostname()}"
    app.conf.task_always_eager = False
    log = open(Path(tempfile.gettempdir()) / f"{queue}.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms",
            "worker",
            "-P",
            "prefork",
            "-c",
            str(concurrency),
            "-Q",
            queue,
            "-n",
            node,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            **env,
            "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
            "DEBUG": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while not app.control.ping(destination=[node], timeout=1):
            if worker.poll() is not None:
                raise SystemExit("the worker did not start")
        idle_kb = _group_rss_kb(worker.pid)
        start = time.monotonic()
        for enrollment_id in ids:
            certificate_issue.apply_async(args=[enrollment_id], queue=queue)
        peak_kb = idle_kb
        while (done := Certificate.objects.count()) < count:
            peak_kb = max(peak_kb, _group_rss_kb(worker.pid))
            if time.monotonic() - start > 1800:
                raise SystemExit(f"only {done} of {count} after 30 minutes")
            time.sleep(0.5)
        elapsed = time.monotonic() - start
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        log.close()
    return {
        "certificates": count,
        "worker_processes": concurrency,
        "seconds": round(elapsed, 1),
        "certificates_per_second": round(count / elapsed, 1),
        "worker_memory_mb": {"idle": round(idle_kb / 1024, 1), "peak": round(peak_kb / 1024, 1)},
        "duplicates": Certificate.objects.count()
        - Certificate.objects.values("enrollment").distinct().count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--render-only", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cpc-bench-"))
    env = {}
    try:
        env = prepare_environment(tmp)
        env["PRIVATE_MEDIA_ROOT"] = str(tmp / "private")
        os.environ["PRIVATE_MEDIA_ROOT"] = env["PRIVATE_MEDIA_ROOT"]
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        call_command("setup_site", verbosity=0)
        report = {"database": env["DATABASE_URL"].split(":", 1)[0], "render": render_rate(args.samples)}
        if not args.render_only:
            if not os.environ.get("CELERY_BROKER_URL") or not env["DATABASE_URL"].startswith("postgres"):
                raise SystemExit(
                    "the worker run needs DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://…"
                )
            env["CELERY_BROKER_URL"] = os.environ["CELERY_BROKER_URL"]
            report["worker"] = through_worker(args.certificates, args.concurrency, env)
        print(json.dumps(report, indent=2))
        out = ROOT / "benchmarks" / "results"
        out.mkdir(exist_ok=True)
        (out / "certificates.json").write_text(json.dumps(report, indent=2))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        drop_database(env)


if __name__ == "__main__":
    sys.exit(main())
