"""A learner completes a course, downloads the certificate and anyone can check it; staff revoke it."""

import io

import pytest
import zxingcpp
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate
from courses import services as course_services
from tests.factories import UserFactory, build_course

from .helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_complete_download_verify_revoke(site, live_server, page, settings, tmp_path):
    settings.SITE_URL = live_server.url  # the QR code and the email point at this server
    built = build_course(lessons=2, slug="certified")
    learner = UserFactory(email="certified@example.mn", full_name="Өлзийбаяр Үүрийнтуяа")
    course_services.enrollment_create(user=learner, course=built.mn)

    sign_in(page, live_server.url, learner.email)
    for lesson in built.lessons["mn"]:
        page.goto(live_server.url + lesson.url)
        with page.expect_navigation():
            page.locator("form[action$='/complete/'] button").click()
    page.goto(live_server.url + "/learn/")
    link = page.locator(".certificate-links a[lang=mn]")
    link.wait_for()
    with page.expect_download() as download_info:
        link.click()
    path = tmp_path / "certificate.pdf"
    download_info.value.save_as(path)

    certificate = Certificate.objects.get(user=learner)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Өлзийбаяр Үүрийнтуяа" in text
    assert built.mn.title in text and "1.0" in text and certificate.code in text
    decoded = [b.text for image in reader.pages[0].images for b in zxingcpp.read_barcodes(image.image)]
    verify_url = f"{live_server.url}/certificates/verify/{certificate.code}/"
    assert verify_url in decoded

    stranger = page.context.browser.new_context().new_page()
    stranger.goto(verify_url)
    assert "verify-valid" in stranger.locator(".verify-panel").get_attribute("class")
    assert "Өлзийбаяр Үүрийнтуяа" in stranger.content() and "certified@example.mn" not in stranger.content()

    services.certificate_revoke(certificate=certificate, by=None, reason="Issued in error")
    stranger.reload()
    assert "verify-revoked" in stranger.locator(".verify-panel").get_attribute("class")
    stranger.context.close()
