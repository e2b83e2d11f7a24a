"""Shared fixtures. Skips become failures when CPC_STRICT_SKIPS=1 (set by .ci/run)."""

from __future__ import annotations

import os

import pytest

from tests.factories import UserFactory, build_course

STRICT_SKIPS = os.environ.get("CPC_STRICT_SKIPS") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI, where everything must run: {reason}"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture
def site(db):
    """The home and catalogue pages in both languages, as `setup_site` makes them."""
    from django.core.cache import cache

    from lms.accounts.models import Region
    from lms.accounts.regions import regions_load
    from lms.home.services import site_ensure

    cache.clear()
    # Transactional tests (browser, worker) start from an emptied database: restore the
    # reference data that migrations normally provide.
    regions_load(Region)
    return site_ensure()


@pytest.fixture
def learner(db):
    return UserFactory(email="learner@example.mn", full_name="Сарнай Бат")


@pytest.fixture
def course(site):
    return build_course(lessons=3)


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def hanging_server():
    """A real TCP server that accepts connections and never answers (see tests/hanging.py)."""
    from tests.hanging import HangingServer

    with HangingServer() as server:
        yield server


@pytest.fixture
def hung_broker(hanging_server):
    """Publishing for real (not inline) to a broker that hangs, for one test.

    The write URL is changed (CELERY_BROKER_URL in the environment would win over broker_url), and
    the app's cached connection and producer pools are dropped before and after, so the test
    publishes to the hanging server and later tests never reuse its connections.
    """
    from lms.celery import app
    from tests.hanging import reset_broker_pools

    conf = app.conf
    saved = conf.task_always_eager, conf.broker_write_url
    reset_broker_pools()
    conf.task_always_eager, conf.broker_write_url = False, hanging_server.url()
    try:
        yield hanging_server
    finally:
        conf.task_always_eager, conf.broker_write_url = saved
        hanging_server.close()  # first: closing the pools then meets closed sockets, not silence
        reset_broker_pools()
