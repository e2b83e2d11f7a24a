"""GET /healthz: the state of database, cache and broker."""

import pytest

from lms.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy_in_the_embedded_default(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    assert body["checks"]["broker"]["state"] == "not used"


def test_unreachable_broker_gives_503(client):
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_write_url
    # Nothing listens on port 1. (The write URL, because CELERY_BROKER_URL in the environment
    # would win over a changed broker_url.)
    conf.task_always_eager, conf.broker_write_url = False, "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        conf.task_always_eager, conf.broker_write_url = saved
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False and "error" in body["checks"]["broker"]
    assert body["checks"]["database"]["ok"] is True


def test_broken_cache_gives_503(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


# --- a part that hangs: it accepts the connection and never answers ------------------------------

HEALTHZ_BOUND = 5.0  # seconds: generous; the configured deadline (HEALTHZ_TIMEOUT) is 1.5


def _timed_healthz(client):
    import time

    started = time.monotonic()
    response = client.get("/healthz")
    return response, time.monotonic() - started


def test_a_hung_cache_answers_503_in_time_and_names_the_cache(client, settings, hanging_server):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": hanging_server.url(path="/11"),
        }
    }
    response, elapsed = _timed_healthz(client)
    assert elapsed < HEALTHZ_BOUND, f"/healthz took {elapsed:.1f} s with a hung cache"
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["failed"] == ["cache"]
    assert body["checks"]["cache"]["ok"] is False and body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["ok"] is True and body["checks"]["broker"]["ok"] is True
    assert hanging_server.connections >= 1, "the check really talked to the hung server"


def test_a_hung_broker_answers_503_in_time_and_names_the_broker(client, hung_broker):
    response, elapsed = _timed_healthz(client)
    assert elapsed < HEALTHZ_BOUND, f"/healthz took {elapsed:.1f} s with a hung broker"
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["broker"]["error"]
    assert body["checks"]["cache"]["ok"] is True and body["checks"]["database"]["ok"] is True
    assert hung_broker.connections >= 1


def test_each_check_has_its_own_deadline(client, settings, hung_broker):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": hung_broker.url(path="/11"),
        }
    }
    settings.HEALTHZ_TIMEOUT = 0.5
    response, elapsed = _timed_healthz(client)
    assert elapsed < HEALTHZ_BOUND  # both hang, side by side: not one deadline after the other
    assert response.status_code == 503
    assert sorted(response.json()["failed"]) == ["broker", "cache"]
