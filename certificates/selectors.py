"""Reads for certificates: public verification, and a learner's own certificates."""

from __future__ import annotations

from lms import outbox

from .codes import normalise_code
from .models import Certificate


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate a typed or scanned code names (any case, spaces, confusable letters), if any."""
    canonical = normalise_code(code or "")
    if canonical is None:
        return None
    return Certificate.objects.select_related("superseded_by").filter(code=canonical).first()


def public_facts(certificate: Certificate) -> dict:
    """What anyone may learn from a code: no email or other personal data beyond the name."""
    return {
        "code": certificate.code,
        "status": certificate.status,
        "holder": certificate.holder_name,
        "course": {"mn": certificate.course_title_mn, "en": certificate.course_title_en},
        "release": certificate.release_version,
        "completed_on": certificate.completed_on.isoformat(),
        "issued_on": certificate.issued_at.date().isoformat(),
        "revoked_on": certificate.revoked_at.date().isoformat() if certificate.revoked_at else None,
        "superseded_by_release": certificate.superseded_by.release_version
        if certificate.superseded_by
        else None,
    }


def certificates_of(user) -> dict[int, Certificate]:
    """A learner's current (valid or revoked, not superseded) certificates, by enrolment id."""
    if not user.is_authenticated:
        return {}
    certificates = Certificate.objects.filter(user=user).exclude(status=Certificate.Status.SUPERSEDED)
    return {certificate.enrollment_id: certificate for certificate in certificates.order_by("issued_at")}


def certificate_emails_due(limit: int = 500) -> list[int]:
    """Valid certificates whose email was not sent and is not being sent (oldest first): the sweep
    sends them (a worker died mid-send, the mail server was down)."""
    valid = Certificate.objects.filter(status=Certificate.Status.VALID)
    return list(
        outbox.due(valid, sent_field="emailed_at", claimed_field="email_claimed_at")
        .order_by("issued_at")
        .values_list("pk", flat=True)[:limit]
    )
