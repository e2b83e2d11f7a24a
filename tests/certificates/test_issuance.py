"""Issuing certificates exactly once, verifying them, downloading them, and the staff actions."""

import io
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate, CertificateEvent, CertificateTemplate
from courses import services as course_services
from courses.models import Enrollment
from lms.accounts import roles
from lms.accounts.models import AuditEvent
from tests.factories import UserFactory, build_course, staff_client

pytestmark = pytest.mark.django_db


def _complete(user, built):
    course_services.enrollment_create(user=user, course=built.mn)
    for lesson in built.lessons["mn"]:
        course_services.lesson_complete(user=user, lesson_key=lesson.translation_key)
    return Enrollment.objects.get(user=user, course=built.mn)


@pytest.fixture
def completed(site, learner, django_capture_on_commit_callbacks, mailoutbox):
    built = build_course(lessons=2, slug="cert")
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = _complete(learner, built)
    return {"course": built, "enrollment": enrollment}


def _text(pdf_field) -> str:
    with pdf_field.open("rb") as handle:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def test_completing_a_course_issues_one_bilingual_certificate_and_emails_it(completed, learner, mailoutbox):
    certificate = Certificate.objects.get()
    assert certificate.enrollment == completed["enrollment"] and certificate.status == "valid"
    assert certificate.release_version == "1.0" and certificate.holder_name == "Сарнай Бат"
    mongolian, english = _text(certificate.pdf_mn), _text(certificate.pdf_en)
    assert "Сарнай Бат" in mongolian and "Сургалт cert" in mongolian and certificate.code in mongolian
    assert "Course cert" in english and "1.0" in english
    assert any(certificate.code in message.body for message in mailoutbox)
    assert "http://127.0.0.1:8000/certificates/verify/" in "".join(m.body for m in mailoutbox)
    assert CertificateEvent.objects.filter(action="issued").count() == 1
    assert AuditEvent.objects.filter(action="certificate.issued", subject=learner).exists()


def test_issuing_again_changes_nothing(completed):
    first = Certificate.objects.get()
    again = services.certificate_issue(enrollment_id=completed["enrollment"].pk)
    assert again.pk == first.pk and Certificate.objects.count() == 1


def test_nothing_is_issued_for_an_unfinished_course(site, learner):
    built = build_course(lessons=2, slug="unfinished")
    course_services.enrollment_create(user=learner, course=built.mn)
    enrollment = Enrollment.objects.get()
    assert services.certificate_issue(enrollment_id=enrollment.pk) is None
    assert services.certificate_issue(enrollment_id=987654) is None
    assert not Certificate.objects.exists()


def test_the_sweep_finds_completions_without_a_certificate(site, learner):
    built = build_course(lessons=1, slug="sweep")
    enrollment = _complete(learner, built)  # no on_commit here: the issuing task never ran
    assert list(services.completions_without_certificate()) == [enrollment.pk]
    from certificates.tasks import certificate_sweep

    assert certificate_sweep() == 1  # eager in tests: queued and issued
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert list(services.completions_without_certificate()) == []


def test_a_newer_release_supersedes_the_older_certificate(completed, learner):
    old = Certificate.objects.get()
    enrollment = completed["enrollment"]
    newer = course_services.release_publish(course=completed["course"].mn, version="1.1")
    Enrollment.objects.filter(pk=enrollment.pk).update(release=newer)  # the releases issue moves people
    new = services.certificate_issue(enrollment_id=enrollment.pk)
    old.refresh_from_db()
    assert (old.status, old.superseded_by) == ("superseded", new)
    assert new.release_version == "1.1" and new.status == "valid"


@pytest.mark.parametrize("shown", ["{code}", "{code_lower}", "{code_spaced}"])
def test_anyone_can_verify_a_code(completed, client, shown):
    certificate = Certificate.objects.get()
    code = certificate.code
    typed = {"{code}": code, "{code_lower}": code.lower(), "{code_spaced}": code.replace("-", " ")}[shown]
    response = client.get("/en/certificates/verify/", {"code": typed})
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "This certificate is valid." in html and "Сарнай Бат" in html
    assert "learner@example.mn" not in html
    data = client.get(f"/certificates/verify/{code}/?format=json").json()
    assert data["status"] == "valid" and data["holder"] == "Сарнай Бат" and data["release"] == "1.0"
    assert "email" not in str(data).lower() and "learner@example.mn" not in str(data)


def test_tampered_malformed_and_unknown_codes_get_the_same_polite_page(completed, client):
    code = Certificate.objects.get().code
    tampered = code[:2] + ("X" if code[2] != "X" else "Y") + code[3:]
    for bad in (tampered, "nonsense", "'); DROP TABLE--", "A" * 200):
        response = client.get(f"/en/certificates/verify/{bad}/")
        assert response.status_code == 404
        assert "No certificate has this code." in response.content.decode()
    assert client.get(f"/certificates/verify/{tampered}/?format=json").json() == {"status": "unknown"}


def test_guessing_codes_is_rate_limited(site, client):
    statuses = [
        client.get(f"/en/certificates/verify/AAAA-AAAA-AAAA-AAA{n % 10}-0/").status_code for n in range(35)
    ]
    assert statuses[0] == 404 and statuses[-1] == 429


def test_holders_download_their_own_certificate_in_either_language(completed, learner, learner_client):
    code = Certificate.objects.get().code
    for language in ("mn", "en"):
        response = learner_client.get(f"/en/certificates/{code}/download/{language}/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    dashboard = learner_client.get("/en/learn/").content.decode()
    assert (
        f"/certificates/{code}/download/mn/" in dashboard
        and f"/certificates/{code}/download/en/" in dashboard
    )


def test_nobody_else_can_download_it(completed):
    code = Certificate.objects.get().code
    other = Client()
    other.force_login(UserFactory())
    assert other.get(f"/en/certificates/{code}/download/mn/").status_code == 404
    assert other.get("/en/certificates/NOPE-NOPE-NOPE-NOPE-0/download/mn/").status_code == 404
    assert Client().get(f"/en/certificates/{code}/download/mn/").status_code == 302  # to sign in


def _staff(group=roles.ADMINISTRATORS) -> Client:
    return staff_client(group)


def test_staff_revoke_and_reinstate_with_a_reason_and_verification_follows(completed, client):
    certificate = Certificate.objects.get()
    admin = _staff()
    assert certificate.code in admin.get("/admin/certificates/", {"q": "Сарнай"}).content.decode()
    refused = admin.post(f"/admin/certificates/{certificate.pk}/", {"action": "revoke", "reason": " "})
    assert refused.status_code == 400
    admin.post(f"/admin/certificates/{certificate.pk}/", {"action": "revoke", "reason": "Identity fraud"})
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoked_at
    html = client.get(f"/en/certificates/verify/{certificate.code}/").content.decode()
    assert f"revoked on {certificate.revoked_at.date().isoformat()}" in html
    admin.post(f"/admin/certificates/{certificate.pk}/", {"action": "reinstate", "reason": "Checked again"})
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    assert list(certificate.events.values_list("action", flat=True)) == ["reinstated", "revoked", "issued"]
    assert AuditEvent.objects.filter(action="certificate.revoked").exists()


def test_learners_and_managers_cannot_manage_certificates(completed, learner_client):
    certificate = Certificate.objects.get()
    for client in (learner_client, _staff(roles.MANAGERS)):
        response = client.post(f"/admin/certificates/{certificate.pk}/", {"action": "revoke", "reason": "x"})
        assert response.status_code in (302, 403)
    assert Certificate.objects.get().status == "valid"


def test_a_template_with_an_unknown_placeholder_is_refused(site):
    from django.core.exceptions import ValidationError

    template = CertificateTemplate(name="Typo", body_en="Well done {nmae}!")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "{nmae}" in str(error.value)


def test_reissue_shows_the_count_first_then_prints_again_with_the_same_codes(completed):
    template = CertificateTemplate.objects.create(name="Official", is_default=True, body_en="Done: {name}.")
    certificate = Certificate.objects.get()
    # The certificate was printed from this template before its latest edit.
    Certificate.objects.filter(pk=certificate.pk).update(
        template=template, template_version="2020-01-01T00:00:00Z"
    )
    admin = _staff()
    page = admin.get(f"/admin/certificates/templates/{template.pk}/reissue/")
    assert "1 valid certificate was printed from an older version" in page.content.decode()
    assert (
        admin.post(f"/admin/certificates/templates/{template.pk}/reissue/", {"expected": "5"}).status_code
        == 409
    )
    admin.post(f"/admin/certificates/templates/{template.pk}/reissue/", {"expected": "1"})
    certificate.refresh_from_db()
    assert "Done: Сарнай Бат." in _text(certificate.pdf_en)
    assert Certificate.objects.get().code == certificate.code
    assert services.reissue_candidates(template=template).count() == 0


def test_editors_preview_a_template_with_sample_data(site):
    template = CertificateTemplate.objects.create(name="Preview me")
    response = _staff(roles.EDITORS).get(f"/admin/certificates/templates/{template.pk}/preview/mn/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "Батцэцэг" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_one_enrolment_make_one_certificate(site, learner):
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL; run with DATABASE_URL=postgres://…")
    built = build_course(lessons=1, slug="race")
    enrollment = _complete(learner, built)
    barrier, codes = threading.Barrier(4), []

    def issue():
        try:
            barrier.wait()
            codes.append(services.certificate_issue(enrollment_id=enrollment.pk).code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Certificate.objects.count() == 1
    assert set(codes) == {Certificate.objects.get().code}
