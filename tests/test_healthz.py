"""GET /healthz: the state of database, cache and broker."""

import pytest

from lms.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy_in_the_embedded_default(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
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
