"""Health checks for /healthz: database, cache and broker, each usable or not."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def _timed(check) -> dict:
    start = time.perf_counter()
    try:
        result = check() or {}
        ok = True
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable"; report it
        result, ok = {"error": f"{type(exc).__name__}: {exc}"[:300]}, False
    return {"ok": ok, "ms": round((time.perf_counter() - start) * 1000, 1), **result}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache():
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _broker():
    from lms.celery import app

    if app.conf.task_always_eager:
        return {"state": "not used", "detail": "tasks run inline (CELERY_TASK_ALWAYS_EAGER)"}

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return {"state": "connected", "transport": app.conf.broker_url.split(":", 1)[0]}


def health_report() -> tuple[bool, dict]:
    """Run every check; healthy only when all of them pass."""
    checks = {"database": _timed(_database), "cache": _timed(_cache), "broker": _timed(_broker)}
    healthy = all(check["ok"] for check in checks.values())
    return healthy, {"status": "ok" if healthy else "unavailable", "checks": checks}
