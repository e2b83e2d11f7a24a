"""Writes for certificates: issue (exactly once per completion), revoke, reinstate, re-issue.

Issuing renders the PDFs first (slow, outside any transaction), then inserts the certificate
under a unique constraint on (enrolment, release): two workers racing on one completion end
with one certificate, and the loser removes its files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage, Enrollment
from lms import outbox
from lms.accounts.services import audit_record
from lms.i18n import bilingual
from lms.queue import publish

from . import codes, rendering
from .models import Certificate, CertificateEvent, CertificateTemplate

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500


class CertificateError(Exception):
    status = 400

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


# --- what a certificate looks like -------------------------------------------------------------


def template_for(course: CoursePage) -> CertificateTemplate:
    """The course's template, else the default one, else the built-in design (unsaved)."""
    chosen = CertificateTemplate.objects.filter(courses=course).order_by("-updated_at").first()
    if chosen is None:
        chosen = CertificateTemplate.objects.filter(is_default=True).order_by("-updated_at").first()
    return chosen or CertificateTemplate(name="Built-in")


def _image_bytes(image) -> bytes | None:
    if image is None:
        return None
    with image.open_file() as handle:
        return handle.read()


def design_for(
    template: CertificateTemplate, language: str, values: dict[str, str]
) -> rendering.CertificateDesign:
    signatories = template.signatories.all() if template.pk else []
    return rendering.CertificateDesign(
        title=rendering.fill_placeholders(bilingual(template, "title", language), values),
        body=rendering.fill_placeholders(bilingual(template, "body", language), values),
        orientation=template.orientation,
        background_png=_image_bytes(template.background),
        signatories=[
            rendering.Signatory(
                name=bilingual(signatory, "name", language),
                title=bilingual(signatory, "title", language),
                signature_png=_image_bytes(signatory.signature),
            )
            for signatory in signatories
        ],
    )


def verify_url(code: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse("certificates:verify", args=[code])


@dataclass
class PrintedFacts:
    holder_name: str
    course_titles: dict[str, str]
    release: str
    completed_on: object  # date
    hours: str
    review_meeting_on: object = None  # date of the review meeting the course required, if it did


def _printed_facts(enrollment: Enrollment) -> PrintedFacts:
    titles = dict(
        CoursePage.objects.filter(translation_key=enrollment.course.translation_key).values_list(
            "locale__language_code", "title"
        )
    )
    hours = enrollment.course.estimated_hours
    return PrintedFacts(
        holder_name=enrollment.user.full_name or enrollment.user.email,
        course_titles={
            lang: titles.get(lang) or enrollment.course.title for lang, _name in settings.LANGUAGES
        },
        release=enrollment.release.version,
        completed_on=timezone.localtime(enrollment.completed_at).date(),
        hours=f"{hours:g}" if hours else "",
        review_meeting_on=(
            timezone.localtime(enrollment.review_meeting_attended_at).date()
            if enrollment.course.requires_review_meeting and enrollment.review_meeting_attended_at
            else None
        ),
    )


def render_pdfs(*, template: CertificateTemplate, facts: PrintedFacts, code: str) -> dict[str, bytes]:
    """The certificate in every language."""
    pdfs = {}
    for language, _name in settings.LANGUAGES:
        date = facts.completed_on.isoformat()
        values = {
            "name": facts.holder_name,
            "course": facts.course_titles[language],
            "release": facts.release,
            "date": date,
            "hours": facts.hours,
            "code": code,
        }
        pdfs[language] = rendering.render_certificate_pdf(
            design_for(template, language, values),
            rendering.CertificateFacts(
                holder_name=facts.holder_name,
                course_title=facts.course_titles[language],
                release=facts.release,
                completed_on=date,
                hours=facts.hours,
                code=code,
                verify_url=verify_url(code),
                language=language,
                review_meeting=facts.review_meeting_on.isoformat() if facts.review_meeting_on else "",
            ),
        )
    return pdfs


def template_preview(*, template: CertificateTemplate, language: str) -> bytes:
    """A certificate from this template with sample data, for editors."""
    from datetime import date

    facts = PrintedFacts(
        holder_name="Батцэцэг Өлзийбаяр",
        course_titles={"mn": "Ухаалаг хөтөч", "en": "Smart Navigator"},
        release="1.0",
        completed_on=date.today(),
        hours="6",
    )
    return render_pdfs(template=template, facts=facts, code="SAMP-LE00-0000-0000-0")[language]


# --- issuing -------------------------------------------------------------------------------------


def certificate_issue(*, enrollment_id: int) -> Certificate | None:
    """Issue the certificate of a completed enrolment's release, once; returns it (None if not due)."""
    enrollment = (
        Enrollment.objects.select_related("user", "course", "release").filter(pk=enrollment_id).first()
    )
    if enrollment is None or not enrollment.is_completed:
        return None
    existing = Certificate.objects.filter(enrollment=enrollment, release=enrollment.release).first()
    if existing is not None:
        certificate_email(certificate_id=existing.pk)  # a retry after the email failed: send it now
        return existing
    template = template_for(enrollment.course)
    facts = _printed_facts(enrollment)
    code = codes.new_code()
    pdfs = render_pdfs(template=template, facts=facts, code=code)
    certificate = Certificate(
        code=code,
        enrollment=enrollment,
        release=enrollment.release,
        user=enrollment.user,
        course=enrollment.course,
        holder_name=facts.holder_name,
        course_title_mn=facts.course_titles["mn"],
        course_title_en=facts.course_titles["en"],
        release_version=facts.release,
        completed_on=facts.completed_on,
        hours=facts.hours,
        review_meeting_on=facts.review_meeting_on,
        template=template if template.pk else None,
        template_version=template.updated_at,
        issued_at=timezone.now(),
    )
    stem = code.replace("-", "")
    certificate.pdf_mn.save(f"{stem}-mn.pdf", ContentFile(pdfs["mn"]), save=False)
    certificate.pdf_en.save(f"{stem}-en.pdf", ContentFile(pdfs["en"]), save=False)
    try:
        with transaction.atomic():
            certificate.save()
            _log(certificate, "issued")
            older = Certificate.objects.filter(
                enrollment=enrollment, status=Certificate.Status.VALID
            ).exclude(pk=certificate.pk)
            for previous in older:
                previous.status, previous.superseded_by = Certificate.Status.SUPERSEDED, certificate
                previous.save(update_fields=["status", "superseded_by"])
                _log(previous, "superseded", reason=f"release {certificate.release_version}")
            audit_record(
                action="certificate.issued",
                subject=enrollment.user,
                obj=certificate,
                code=code,
                release=facts.release,
            )
    except IntegrityError:
        # Another worker issued it first: keep theirs, drop our files.
        certificate.pdf_mn.delete(save=False)
        certificate.pdf_en.delete(save=False)
        return Certificate.objects.get(enrollment=enrollment, release=enrollment.release)
    certificate_email(certificate_id=certificate.pk)
    return certificate


def certificate_email(*, certificate_id: int) -> bool:
    """Email the holder a link to their valid certificate, once (in Mongolian and English).

    Claimed, sent, then marked sent (``lms.outbox``): safe to run twice and from the sweep; a
    claim whose worker died is sent by the sweep once its lease expires.
    """
    return outbox.send_once(
        model=Certificate,
        pk=certificate_id,
        sent_field="emailed_at",
        claimed_field="email_claimed_at",
        only=Q(status=Certificate.Status.VALID),
        build=lambda: _certificate_email(Certificate.objects.select_related("user").get(pk=certificate_id)),
    )


def _certificate_email(certificate: Certificate) -> EmailMessage:
    parts, subjects = [], []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            context = {
                "name": certificate.holder_name,
                "course": certificate.course_title(language),
                "code": certificate.code,
                "verify_url": verify_url(certificate.code),
                "dashboard_url": settings.SITE_URL + reverse("courses:dashboard"),
            }
            subjects.append(render_to_string("certificates/email/issued_subject.txt", context).strip())
            parts.append(render_to_string("certificates/email/issued_body.txt", context).strip())
    return EmailMessage(
        subject=" / ".join(subjects), body="\n\n— — —\n\n".join(parts), to=[certificate.user.email]
    )


def completions_without_certificate(limit: int = SWEEP_BATCH):
    """Completed enrolments whose current release has no certificate yet (oldest first)."""
    issued = Certificate.objects.filter(enrollment=OuterRef("pk"), release=OuterRef("release"))
    return (
        Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
        .filter(~Exists(issued))
        .order_by("completed_at")
        .values_list("pk", flat=True)[:limit]
    )


# --- staff actions -------------------------------------------------------------------------------


def _log(certificate: Certificate, action: str, *, by=None, reason: str = "") -> None:
    CertificateEvent.objects.create(
        certificate=certificate, action=action, by=by, at=timezone.now(), reason=reason
    )


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give a reason for revoking the certificate."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == Certificate.Status.REVOKED:
        raise CertificateError(_("This certificate is already revoked."))
    certificate.status, certificate.revoked_at, certificate.status_reason = (
        Certificate.Status.REVOKED,
        timezone.now(),
        reason[:500],
    )
    certificate.save(update_fields=["status", "revoked_at", "status_reason"])
    _log(certificate, "revoked", by=by, reason=reason)
    audit_record(
        action="certificate.revoked", actor=by, subject=certificate.user, obj=certificate, reason=reason
    )
    return certificate


@transaction.atomic
def certificate_reinstate(*, certificate: Certificate, by, reason: str) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give a reason for reinstating the certificate."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != Certificate.Status.REVOKED:
        raise CertificateError(_("Only a revoked certificate can be reinstated."))
    newer = certificate.superseded_by_id
    certificate.status = Certificate.Status.SUPERSEDED if newer else Certificate.Status.VALID
    certificate.revoked_at, certificate.status_reason = None, reason[:500]
    certificate.save(update_fields=["status", "revoked_at", "status_reason"])
    _log(certificate, "reinstated", by=by, reason=reason)
    audit_record(
        action="certificate.reinstated", actor=by, subject=certificate.user, obj=certificate, reason=reason
    )
    return certificate


def reissue_candidates(*, template: CertificateTemplate):
    """Valid certificates printed from an older version of this template."""
    return Certificate.objects.filter(
        template=template, status=Certificate.Status.VALID, template_version__lt=template.updated_at
    )


def reissue_start(*, template: CertificateTemplate, expected: int, by) -> int:
    """Queue the re-rendering of the certificates the editor was shown; refuse if the count moved."""
    ids = list(reissue_candidates(template=template).values_list("pk", flat=True))
    if len(ids) != expected:
        raise CertificateError(_("The number of certificates changed since you looked. Check again."))
    audit_record(action="certificate.reissue_started", actor=by, obj=template, count=len(ids))
    for certificate_id in ids:
        publish("certificates.rerender", certificate_id, by.pk if by else None)
    return len(ids)


def certificate_rerender(*, certificate_id: int, by_id: int | None = None) -> bool:
    """Print a certificate again from its template's current version: same code, same facts."""
    certificate = Certificate.objects.select_related("template").filter(pk=certificate_id).first()
    if certificate is None or certificate.template is None:
        return False
    template = certificate.template
    if certificate.template_version and certificate.template_version >= template.updated_at:
        return False  # already current: safe to run twice
    facts = PrintedFacts(
        holder_name=certificate.holder_name,
        course_titles={"mn": certificate.course_title_mn, "en": certificate.course_title_en},
        release=certificate.release_version,
        completed_on=certificate.completed_on,
        hours=certificate.hours,
        review_meeting_on=certificate.review_meeting_on,
    )
    pdfs = render_pdfs(template=template, facts=facts, code=certificate.code)
    old_files = [certificate.pdf_mn.name, certificate.pdf_en.name]
    stem = certificate.code.replace("-", "")
    certificate.pdf_mn.save(f"{stem}-mn.pdf", ContentFile(pdfs["mn"]), save=False)
    certificate.pdf_en.save(f"{stem}-en.pdf", ContentFile(pdfs["en"]), save=False)
    certificate.template_version = template.updated_at
    certificate.save(update_fields=["pdf_mn", "pdf_en", "template_version"])
    for name in old_files:
        if name not in (certificate.pdf_mn.name, certificate.pdf_en.name):
            certificate.pdf_mn.storage.delete(name)
    CertificateEvent.objects.create(
        certificate=certificate, action="reissued", by_id=by_id, at=timezone.now()
    )
    return True
