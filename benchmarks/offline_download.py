"""Downloading a shipped course for offline use, as a learner's phone does it.

Loads Smart Navigator as shipped into a throwaway database, serves it with gunicorn on loopback
(with DEBUG on, so that Django serves the image renditions nginx would) and, in Debian's Chromium (Playwright, a 390 × 844 screen, a fresh profile each time), signs an
enrolled learner in, opens the course page, presses *Download for offline* and *Download*, and
times the download to its end. Reported per language and network profile:

- the size the page announces before downloading, and the bytes actually kept on the phone;
- the files kept (pages, quiz papers, images, documents, the page's own styles and scripts);
- the seconds from *Download* to *Downloaded*;
- the SQL queries of the download list request (the server side of the button).

With ``--h5p`` it also downloads a course of three real H5P activities (True/False, Drag the
Words, Question Set from ``../shared/h5p-samples``) with the players on their own origin
(``H5P_ORIGIN``: ``h5p.learn.localhost``, the site on ``learn.localhost``), as a deployment that
lets learners play activities offline does; the activities' files kept on that origin are counted.

Profiles: ``loopback`` (no limit: the server's and the browser's own cost) and ``3g`` (Chromium's
network emulation: 300 ms round trip, 1.6 Mbit/s down, 768 kbit/s up: a prepaid phone in a town).
Written to ``benchmarks/results/offline_download.json``.

    .venv/bin/python benchmarks/offline_download.py [--runs 3] [--h5p]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    ROOT,
    drop_database,
    free_port,
    gunicorn_server,
    prepare_environment,
    session_cookie,
)

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PROFILES = {
    "loopback": None,
    "3g": {"offline": False, "latency": 300, "downloadThroughput": 200_000, "uploadThroughput": 96_000},
}


def _setup_data():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("setup_site", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)  # gunicorn serves them (whitenoise)
    from courses import services
    from courses.models import CoursePage
    from curricula.loader import curricula_load
    from tests.factories import UserFactory

    curricula_load(only=["smart-navigator"])
    user = UserFactory(email="offline-bench@example.mn")
    course = CoursePage.objects.get(slug="smart-navigator", locale__language_code="mn")
    services.enrollment_create(user=user, course=course)
    pages = {
        language: CoursePage.objects.get(slug="smart-navigator", locale__language_code=language)
        for language in ("mn", "en")
    }
    return user, pages


H5P_SAMPLES = ROOT.parent / "shared" / "h5p-samples" / "valid"
H5P_COURSE = ("true-false.h5p", "drag-text.h5p", "question-set.h5p")


def _setup_h5p_course(user):
    """A course of three real activities, one per lesson, released; ``user`` enrolled."""
    from assessments.h5p import services as h5p_services
    from courses import services
    from tests.assessments.h5p_helpers import course_with_one_activity_per_lesson

    activities = [
        h5p_services.activity_import(source=H5P_SAMPLES / name, may_install_libraries=True)
        for name in H5P_COURSE
    ]
    built = course_with_one_activity_per_lesson(activities, slug="offline-h5p-bench")
    services.enrollment_create(user=user, course=built.mn)
    return built.en


def _list_queries(user, page) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    url = reverse("offline:download", args=[page.pk])
    client.post(url, HTTP_X_REQUESTED_WITH="fetch")  # warm
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200, response.content[:200]
    return len(queries)


def _download_once(browser, base: str, cookie: str, path: str, profile: dict | None) -> dict:
    name, _sep, value = cookie.partition("=")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": name, "value": value, "url": base}])
    page = context.new_page()
    page.set_default_timeout(300_000)
    try:
        page.goto(base + path)
        page.wait_for_function("() => !!navigator.serviceWorker.controller", timeout=60_000)
        if profile:
            session = context.new_cdp_session(page)
            session.send("Network.enable")
            session.send("Network.emulateNetworkConditions", profile)
        panel = page.locator("[data-offline-download]")
        panel.locator("[data-offline-action=prepare]").click()
        size_text = panel.locator("[data-offline-part=size]")
        size_text.wait_for(state="visible")
        announced = size_text.inner_text()
        started = time.perf_counter()
        panel.locator("[data-offline-action=go]").click()
        page.wait_for_function(
            """() => !document.querySelector("[data-offline-part=done]").hidden
                     || document.querySelector("[data-offline-part=status]").textContent.trim()"""
        )
        seconds = time.perf_counter() - started
        if panel.locator("[data-offline-part=done]").is_hidden():
            raise RuntimeError(
                "the download failed: " + panel.locator("[data-offline-part=status]").inner_text()
            )
        copy = page.evaluate(
            """() => window.cpcOfflineStore.copies(document.body.dataset.offlineUser).then(c => c[0])"""
        )
        if copy.get("h5pUrls"):
            # Kept on the H5P origin: the activities' frames and files, and the player's runtime.
            copy["h5p_files"] = len(copy["h5pUrls"])
        kinds: dict[str, int] = {}
        for url in copy["urls"]:
            kind = (
                "paper"
                if "/offline/papers/" in url
                else "image"
                if "/images/" in url or re.search(r"\.(webp|png|jpe?g|svg)$", url)
                else "document"
                if "/documents/" in url or "/media-private/" in url
                else "style or script"
                if "/static/" in url
                else "page"
            )
            kinds[kind] = kinds.get(kind, 0) + 1
        megabytes = re.search(r"(\d+(?:[.,]\d+)?)\s*(?:MB|МБ)", announced)
        return {
            "announced_mb": float(megabytes.group(1).replace(",", ".")) if megabytes else None,
            "kept_bytes": copy["bytes"],
            "files": len(copy["urls"]),
            "files_by_kind": kinds,
            "lessons": len(copy["lessons"]),
            "h5p_files": copy.get("h5p_files", 0),
            "online_only": len(copy.get("onlineOnly") or []),
            "seconds": round(seconds, 2),
        }
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="downloads per language and profile")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--h5p", action="store_true", help="also a course of three H5P activities, played offline"
    )
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"needs Chromium at {CHROMIUM} (apt install chromium)", file=sys.stderr)
        return 2
    if args.h5p and not H5P_SAMPLES.is_dir():
        print(f"--h5p needs the H5P samples in {H5P_SAMPLES}", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="cpc-bench-"))
    env = {}
    try:
        env = prepare_environment(tmp)
        user, pages = _setup_data()
        h5p_page = _setup_h5p_course(user) if args.h5p else None
        cookie = session_cookie(user)
        report = {
            "course": "Smart Navigator (as shipped)",
            "database": env["DATABASE_URL"].split(":", 1)[0],
            "download_list_queries": {lang: _list_queries(user, page) for lang, page in pages.items()},
            "runs": {},
        }
        from playwright.sync_api import sync_playwright

        # DEBUG on for the server only: Django then serves /media/ (image renditions), which nginx
        # does in production (see the README's Production section). The site is learn.localhost
        # and, with --h5p, the players come from h5p.learn.localhost (same site, own origin);
        # Chromium resolves *.localhost to this machine by itself.
        port = free_port()
        base = f"http://learn.localhost:{port}"
        server_env = {
            "DEBUG": "true",
            "SITE_URL": base,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,learn.localhost,h5p.learn.localhost",
        }
        if args.h5p:
            server_env["H5P_ORIGIN"] = f"http://h5p.learn.localhost:{port}"
        targets = [(f"{language}", page.url) for language, page in pages.items()]
        if h5p_page is not None:
            targets.append(("h5p-course-en", h5p_page.url))
        with (
            gunicorn_server(env, args.workers, server_env, port=port),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
            )
            for label, path in targets:
                for name, profile in PROFILES.items():
                    runs = [_download_once(browser, base, cookie, path, profile) for _ in range(args.runs)]
                    seconds = [run["seconds"] for run in runs]
                    report["runs"][f"{label}/{name}"] = {
                        **{
                            key: runs[-1][key]
                            for key in (
                                "announced_mb",
                                "kept_bytes",
                                "files",
                                "files_by_kind",
                                "lessons",
                                "h5p_files",
                                "online_only",
                            )
                        },
                        "seconds_median": statistics.median(seconds),
                        "seconds_each": seconds,
                    }
            browser.close()
        report["settings"] = {
            "runs": args.runs,
            "gunicorn_workers": args.workers,
            "cpus": os.cpu_count(),
            "profiles": PROFILES,
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
        out = ROOT / "benchmarks" / "results"
        out.mkdir(exist_ok=True)
        (out / "offline_download.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        drop_database(env)


if __name__ == "__main__":
    sys.exit(main())
