"""Whatever is typed or pasted into the certificates app's addresses and forms, the answer is a
clear 4xx (or the page itself), never a 500."""

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client

from certificates import services
from certificates.codes import new_code
from certificates.models import Certificate
from courses import services as course_services
from courses.models import Enrollment
from lms.accounts import roles
from tests.factories import UserFactory, build_course, staff_client

pytestmark = pytest.mark.django_db

MALFORMED = [
    "a/b",
    "/",
    "a/b/c/../d",
    "../../etc/passwd",
    "A" * 5000,
    "Гэрчилгээ",
    "\x00",
    "7KQ2\x00M9XT",
    "abc\ndef",
    "\r\nSet-Cookie: x=y",
    "%00%2F",
    "?#&=",
    "\u202eedoc",
    "🙂" * 30,
    "<script>alert(1)</script>",
    "a\\b",
    "\ud800",  # a lone surrogate cannot even be encoded: the client sends it as '?'
]


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()  # the verify page is rate-limited per address; each case starts afresh


def _query(value: str) -> str:
    return quote(value.encode("utf-8", "replace"), safe="")


@pytest.mark.parametrize("typed", MALFORMED)
def test_a_malformed_code_in_the_form_gets_a_clear_400_page(site, typed):
    client = Client()
    response = client.get(f"/en/certificates/verify/?code={_query(typed)}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "This is not a certificate code." in html and 'name="code"' in html
    assert "\x00" not in html and "<script>alert" not in html
    as_json = client.get(f"/en/certificates/verify/?code={_query(typed)}&format=json")
    assert as_json.status_code == 400 and as_json.json()["status"] == "malformed"


def test_the_form_page_speaks_mongolian_too(site):
    response = Client().get(f"/certificates/verify/?code={_query('a/b')}")
    assert response.status_code == 400
    assert "Энэ нь гэрчилгээний код биш байна." in response.content.decode()


def test_a_blank_code_shows_the_form_and_a_valid_one_goes_to_its_page(site):
    client = Client()
    assert client.get("/en/certificates/verify/", {"code": "   "}).status_code == 200
    code = new_code()
    response = client.get("/en/certificates/verify/", {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302 and response["Location"].endswith(f"/certificates/verify/{code}/")
    assert client.get(response["Location"]).status_code == 404  # well formed, but nobody holds it


@pytest.mark.parametrize("typed", [t for t in MALFORMED if "/" not in t and t != "\ud800"])
def test_a_malformed_code_in_the_address_is_not_found(site, typed):
    client = Client()
    response = client.get(f"/en/certificates/verify/{_query(typed)}/")
    assert response.status_code == 404
    assert "No certificate has this code." in response.content.decode()
    as_json = client.get(f"/en/certificates/verify/{_query(typed)}/?format=json")
    assert as_json.status_code == 404 and as_json.json() == {"status": "unknown"}


@pytest.mark.parametrize("accept", ["text/html;q=abc", "application/json;q=", "*/*;;;", "\x00", "a/b/c"])
def test_odd_accept_headers_are_not_an_error(site, accept):
    response = Client().get(f"/en/certificates/verify/{new_code()}/", HTTP_ACCEPT=accept)
    assert response.status_code == 404


@pytest.fixture
def issued(site):
    built = build_course(lessons=1, slug="odd")
    holder = UserFactory(email="holder@example.mn", full_name="Сарнай Бат")
    course_services.enrollment_create(user=holder, course=built.mn)
    course_services.lesson_complete(user=holder, lesson_key=built.lessons["mn"][0].translation_key)
    certificate = services.certificate_issue(enrollment_id=Enrollment.objects.get(user=holder).pk)
    return holder, certificate


@pytest.mark.parametrize(
    ("code", "language"),
    [("a%00b", "mn"), ("{code}", "xx"), ("{code}", "%00"), ("A" * 3000, "en"), ("Гэрчилгээ", "mn")],
)
def test_downloads_with_odd_addresses_are_not_found(issued, code, language):
    holder, certificate = issued
    client = Client()
    client.force_login(holder)
    response = client.get(f"/en/certificates/{code.format(code=certificate.code)}/download/{language}/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Сарнай\x00"},
        {"q": "\x00" * 10},
        {"q": "x" * 5000},
        {"status": "<b>"},
        {"page": "abc"},
        {"page": "99999999999999999999"},
        {"page": "-1"},
    ],
)
def test_the_staff_list_takes_any_query(issued, params):
    response = staff_client(roles.ADMINISTRATORS).get("/admin/certificates/", params)
    assert response.status_code == 200


def test_a_reason_with_control_characters_is_stored_without_them(issued):
    _holder, certificate = issued
    admin = staff_client(roles.ADMINISTRATORS)
    response = admin.post(
        f"/admin/certificates/{certificate.pk}/", {"action": "revoke", "reason": "Fraud\x00 found"}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED and certificate.status_reason == "Fraud found"
    refused = admin.post(f"/admin/certificates/{certificate.pk}/", {"action": "reinstate", "reason": "\x00"})
    assert refused.status_code == 400  # nothing left once the NUL is gone: a reason is required


@pytest.mark.parametrize("expected", ["", "abc", "1e9", "9" * 5000, "\x00"])
def test_reissue_with_an_odd_count_is_refused_politely(issued, expected):
    from certificates.models import CertificateTemplate

    template = CertificateTemplate.objects.create(name="Odd", is_default=True)
    response = staff_client(roles.ADMINISTRATORS).post(
        f"/admin/certificates/templates/{template.pk}/reissue/", {"expected": expected}
    )
    assert response.status_code == 409
