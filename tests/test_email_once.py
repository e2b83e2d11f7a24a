"""Emails tied to a completion (the congratulation, the certificate) are sent exactly once:
claimed, sent, then marked sent; a claim whose worker died is sent by the sweep after its lease.
See lms/outbox.py for the guarantee and its one window."""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from certificates import services as certificate_services
from certificates.models import Certificate
from certificates.tasks import certificate_sweep
from courses import services as course_services
from courses.models import Enrollment
from courses.tasks import completion_emails_sweep
from tests.factories import build_course
from tests.mail_backends import StateRecordingBackend

pytestmark = pytest.mark.django_db

RECORDING = "tests.mail_backends.StateRecordingBackend"


@pytest.fixture
def completed(site, learner):
    """A completed course whose on-commit work never ran: no email, no certificate yet (as after a
    broker outage)."""
    built = build_course(lessons=1, slug="once")
    course_services.enrollment_create(user=learner, course=built.mn)
    course_services.lesson_complete(user=learner, lesson_key=built.lessons["mn"][0].translation_key)
    return Enrollment.objects.get(user=learner)


@pytest.fixture
def certificate(completed, mailoutbox):
    issued = certificate_services.certificate_issue(enrollment_id=completed.pk)
    mailoutbox.clear()
    return issued


def _expired(settings) -> timezone.datetime:
    return timezone.now() - timedelta(seconds=settings.EMAIL_CLAIM_LEASE_SECONDS + 1)


def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connecting is refused
    return port


# --- marked sent only after it was sent ----------------------------------------------------------


def test_the_congratulation_is_marked_sent_only_after_the_mail_server_took_it(completed, settings):
    settings.EMAIL_BACKEND = RECORDING
    StateRecordingBackend.seen = []
    StateRecordingBackend.probe = staticmethod(
        lambda: Enrollment.objects.values_list("completion_notified_at", flat=True).get(pk=completed.pk)
    )
    assert course_services.enrollment_completion_notify(enrollment_id=completed.pk) is True
    assert StateRecordingBackend.seen == [None], "it was marked sent before it was sent"
    completed.refresh_from_db()
    assert completed.completion_notified_at is not None and completed.completion_notify_claimed_at is None


def test_the_certificate_email_is_marked_sent_only_after_the_mail_server_took_it(completed, settings):
    settings.EMAIL_BACKEND = RECORDING
    StateRecordingBackend.seen = []
    StateRecordingBackend.probe = staticmethod(
        lambda: list(Certificate.objects.values_list("emailed_at", flat=True))
    )
    certificate = certificate_services.certificate_issue(enrollment_id=completed.pk)
    assert StateRecordingBackend.seen == [[None]], "it was marked sent before it was sent"
    certificate.refresh_from_db()
    assert certificate.emailed_at is not None and certificate.email_claimed_at is None


# --- a worker killed between claim and mark -------------------------------------------------------


def test_a_congratulation_claimed_by_a_worker_that_died_is_sent_once_after_the_lease(
    completed, settings, mailoutbox
):
    # A worker claimed the email and was killed before it sent it (nothing in the outbox).
    Enrollment.objects.filter(pk=completed.pk).update(completion_notify_claimed_at=timezone.now())
    assert completion_emails_sweep() == 0, "a live claim is left to its worker"
    assert mailoutbox == []
    Enrollment.objects.filter(pk=completed.pk).update(completion_notify_claimed_at=_expired(settings))
    assert completion_emails_sweep() == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [completed.user.email]
    assert completion_emails_sweep() == 0
    assert len(mailoutbox) == 1


def test_a_certificate_email_claimed_by_a_worker_that_died_is_sent_once_after_the_lease(
    certificate, settings, mailoutbox
):
    Certificate.objects.filter(pk=certificate.pk).update(emailed_at=None, email_claimed_at=timezone.now())
    assert certificate_sweep() == 0, "a live claim is left to its worker"
    assert mailoutbox == []
    Certificate.objects.filter(pk=certificate.pk).update(email_claimed_at=_expired(settings))
    assert certificate_sweep() == 1
    assert len(mailoutbox) == 1 and certificate.code in mailoutbox[0].body
    assert certificate_sweep() == 0
    assert len(mailoutbox) == 1
    assert Certificate.objects.count() == 1


def test_a_revoked_certificate_is_not_emailed_by_the_sweep(certificate, mailoutbox):
    Certificate.objects.filter(pk=certificate.pk).update(
        emailed_at=None, status=Certificate.Status.REVOKED, revoked_at=timezone.now()
    )
    assert certificate_sweep() == 0 and mailoutbox == []


# --- the mail server fails or hangs: the claim is given back, the sweep sends it later ------------


def test_a_refused_mail_server_gives_the_claim_back_and_the_sweep_sends_it_later(
    completed, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    with pytest.raises(OSError):
        course_services.enrollment_completion_notify(enrollment_id=completed.pk)
    completed.refresh_from_db()
    assert completed.completion_notified_at is None and completed.completion_notify_claimed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert completion_emails_sweep() == 1 and len(mailoutbox) == 1
    assert completion_emails_sweep() == 0 and len(mailoutbox) == 1


def test_a_hung_mail_server_times_out_and_gives_the_claim_back(completed, settings, hanging_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", hanging_server.port, 1
    with pytest.raises(OSError):  # socket timeout: the server never greets
        course_services.enrollment_completion_notify(enrollment_id=completed.pk)
    completed.refresh_from_db()
    assert completed.completion_notified_at is None and completed.completion_notify_claimed_at is None


def test_old_completions_are_not_congratulated_months_later(completed, mailoutbox):
    Enrollment.objects.filter(pk=completed.pk).update(completed_at=timezone.now() - timedelta(days=90))
    assert completion_emails_sweep() == 0 and mailoutbox == []


def test_the_sweeps_are_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"courses.completion_emails_sweep", "certificates.sweep"} <= tasks
    assert settings.EMAIL_CLAIM_LEASE_SECONDS > settings.CELERY_TASK_TIME_LIMIT
