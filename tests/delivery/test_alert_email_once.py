"""A safeguarding alert's email is marked sent only after it was sent, and a claim left by a
worker that died is sent by the sweep once its lease expires (lms/outbox.py)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from lms.accounts import roles
from lms.delivery import tasks
from lms.delivery.models import SafeguardingAlert
from tests.factories import UserFactory
from tests.mail_backends import StateRecordingBackend

from . import data

YESTERDAY = lambda: timezone.localdate() - dt.timedelta(days=1)  # noqa: E731


@pytest.fixture
def alert(kit, terms, school, trained, site):
    lead = UserFactory(email="lead@example.mn")
    lead.groups.add(Group.objects.get(name=roles.SAFEGUARDING_LEADS))
    club = data.club(kit, trained, school, terms.current)
    # Logged without running on-commit work: the alert's own task never ran (as in an outage).
    entry = data.log(club, trained, kit.sessions[0], YESTERDAY(), safeguarding_concern=True)
    alert = SafeguardingAlert.objects.get(session=entry)
    SafeguardingAlert.objects.filter(pk=alert.pk).update(raised_at=timezone.now() - dt.timedelta(minutes=5))
    return alert


def test_the_alert_is_marked_emailed_only_after_the_mail_server_took_it(alert, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.StateRecordingBackend"
    StateRecordingBackend.seen = []
    StateRecordingBackend.probe = staticmethod(
        lambda: SafeguardingAlert.objects.values_list("emailed_at", flat=True).get(pk=alert.pk)
    )
    assert tasks.safeguarding_alert_email(alert.pk) is True
    assert StateRecordingBackend.seen == [None], "it was marked emailed before it was sent"
    alert.refresh_from_db()
    assert alert.emailed_at is not None and alert.email_claimed_at is None


def test_an_alert_claimed_by_a_worker_that_died_is_sent_once_after_the_lease(alert, settings, mailoutbox):
    SafeguardingAlert.objects.filter(pk=alert.pk).update(email_claimed_at=timezone.now())
    assert tasks.safeguarding_alerts_sweep() == 0, "a live claim is left to its worker"
    expired = timezone.now() - dt.timedelta(seconds=settings.EMAIL_CLAIM_LEASE_SECONDS + 1)
    SafeguardingAlert.objects.filter(pk=alert.pk).update(email_claimed_at=expired)
    assert tasks.safeguarding_alerts_sweep() == 1
    assert [m.to for m in mailoutbox] == [["lead@example.mn"]]
    assert tasks.safeguarding_alerts_sweep() == 0 and len(mailoutbox) == 1
