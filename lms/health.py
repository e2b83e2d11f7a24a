"""Health checks for /healthz: database, cache and broker, each usable or not.

The checks run side by side, each in its own thread with a deadline (``HEALTHZ_TIMEOUT``), so a
part that hangs (it accepts connections and never answers) is reported as failed in time and
the whole answer comes within that deadline. The drivers' own timeouts (lms/settings/base.py)
end a hung check's thread soon after.
"""

from __future__ import annotations

import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"vendor": connection.vendor}
    finally:
        connections.close_all()  # this thread's own connections; the thread ends here


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

    timeout = health_timeout()
    with app.connection_for_write(connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
    return {"state": "connected", "transport": app.conf.broker_url.split(":", 1)[0]}


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def health_timeout() -> float:
    return float(getattr(settings, "HEALTHZ_TIMEOUT", 1.5))


def _run(check, result: dict) -> None:
    start = time.perf_counter()
    try:
        result.update(check() or {})
        result["ok"] = True
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable"; report it
        result.update(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    result["ms"] = round((time.perf_counter() - start) * 1000, 1)


def health_report() -> tuple[bool, dict]:
    """Run every check at once, each for at most ``HEALTHZ_TIMEOUT`` s; healthy when all pass."""
    timeout = health_timeout()
    started = time.monotonic()
    running = {}
    for name, check in CHECKS.items():
        result: dict = {}
        thread = threading.Thread(target=_run, args=(check, result), name=f"healthz {name}", daemon=True)
        thread.start()
        running[name] = (thread, result)
    checks = {}
    for name, (thread, result) in running.items():
        thread.join(max(0.0, started + timeout - time.monotonic()))
        if thread.is_alive() or "ok" not in result:
            # It hangs: report it now; the thread ends on its own (driver timeouts) and is dropped.
            checks[name] = {
                "ok": False,
                "ms": round((time.monotonic() - started) * 1000, 1),
                "error": f"no answer within {timeout:g} s",
            }
        else:
            checks[name] = {"ok": result.pop("ok"), "ms": result.pop("ms"), **result}
    failed = [name for name, check in checks.items() if not check["ok"]]
    return not failed, {"status": "unavailable" if failed else "ok", "failed": failed, "checks": checks}
