"""Publishing through lms.queue to a real Redis: the broker timeouts leave the normal path alone."""

import os
import time
import uuid

import pytest
import redis

from courses.tasks import enrollment_completion_notify
from lms.celery import app as celery_app
from lms.queue import publish
from tests.hanging import reset_broker_pools

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def real_broker():
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("needs CELERY_BROKER_URL on Redis (e.g. redis://127.0.0.1:6379/15)")
    conf = celery_app.conf
    queue = f"cpc-publish-{uuid.uuid4().hex[:10]}"
    saved = conf.task_always_eager, conf.task_default_queue

    reset_broker_pools()
    conf.task_always_eager, conf.task_default_queue = False, queue
    client = redis.Redis.from_url(url)
    try:
        yield client, queue
    finally:
        conf.task_always_eager, conf.task_default_queue = saved
        client.delete(queue)
        reset_broker_pools()


def test_a_task_published_to_a_real_redis_lands_in_its_queue(real_broker):
    client, queue = real_broker
    started = time.monotonic()
    assert publish(enrollment_completion_notify, 4242) is True
    assert time.monotonic() - started < 5
    assert client.llen(queue) == 1
    assert b"courses.enrollment_completion_notify" in client.lindex(queue, 0)


def test_healthz_sees_the_real_broker(client, real_broker):
    broker = client.get("/healthz").json()["checks"]["broker"]
    assert broker["ok"] is True and broker["state"] == "connected"
