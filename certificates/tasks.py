"""Background work for certificates. Tasks take plain ids, fetch again, and are safe to repeat."""

from celery import shared_task

from lms.queue import publish

from . import selectors, services


@shared_task(
    name="certificates.issue", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def certificate_issue(enrollment_id: int) -> str | None:
    """Issue the certificate of a completed enrolment (once, whatever happens)."""
    certificate = services.certificate_issue(enrollment_id=enrollment_id)
    return certificate.code if certificate else None


@shared_task(name="certificates.email", acks_late=True)
def certificate_email(certificate_id: int) -> bool:
    """Email the holder their certificate's link, once."""
    return services.certificate_email(certificate_id=certificate_id)


@shared_task(name="certificates.sweep", acks_late=True)
def certificate_sweep() -> int:
    """Queue certificates for completions that have none (a lost task, a broker outage), and the
    emails of certificates not sent yet (a worker died mid-send, a mail outage)."""
    unmailed = selectors.certificate_emails_due()
    for certificate_id in unmailed:
        publish(certificate_email, certificate_id)
    pending = list(services.completions_without_certificate())
    for enrollment_id in pending:
        publish(certificate_issue, enrollment_id)
    return len(pending) + len(unmailed)


@shared_task(name="certificates.rerender", acks_late=True)
def certificate_rerender(certificate_id: int, by_id: int | None = None) -> bool:
    return services.certificate_rerender(certificate_id=certificate_id, by_id=by_id)
