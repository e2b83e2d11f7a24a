"""Emails and links (issue 16): `make run` derives SITE_URL from PORT; allauth's emails greet the
person by name in their language with the site's own address; `make run` answers a missing page
and an error with the site's own pages; the home page title is not doubled."""

import subprocess
from pathlib import Path

import pytest
from django.test import RequestFactory

from lms.error_pages import SiteErrorPagesMiddleware
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[1]


def _make_run_commands(**env) -> str:
    import os

    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")} | env
    return subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    ).stdout


def test_make_run_points_links_at_the_port_it_serves():
    assert "SITE_URL=http://127.0.0.1:8101 .venv/bin/python manage.py runserver 127.0.0.1:8101" in (
        _make_run_commands(PORT="8101")
    )
    assert "SITE_URL=http://127.0.0.1:8000 " in _make_run_commands()
    # an explicit SITE_URL (a tunnel, a LAN address) wins
    assert "SITE_URL=https://learn.example.mn " in _make_run_commands(
        PORT="8101", SITE_URL="https://learn.example.mn"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "greeting", "thanks"),
    [
        ("/en", "Hello Сарнай Бат,", "Thank you for learning with CPC Learn."),
        ("", "Сайн байна уу, Сарнай Бат,", "CPC Learn-ээр суралцаж байгаад баярлалаа."),
    ],
)
def test_account_emails_greet_by_name_and_end_with_the_sites_address(
    site, client, mailoutbox, prefix, greeting, thanks
):
    UserFactory(email="sarnai@example.mn", full_name="Сарнай Бат")
    response = client.post(f"{prefix}/accounts/password/reset/", {"email": "sarnai@example.mn"})
    assert response.status_code == 302
    body = mailoutbox[-1].body
    assert body.startswith(greeting)
    assert "Hello from" not in body and "testserver!" not in body
    lines = body.strip().splitlines()
    assert lines[-2:] == [thanks, "http://testserver/"]


@pytest.mark.django_db
def test_make_run_shows_the_sites_own_404_page_not_the_url_patterns(site, client, settings):
    settings.DEBUG = True
    settings.SITE_ERROR_PAGES = True
    for path, title in (("/en/no-such-page/", "Page not found"), ("/media-private/", "Хуудас олдсонгүй")):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 404
        assert f"<h1>{title}</h1>" in html and "URLconf" not in html and "urlpatterns" not in html


@pytest.mark.django_db
def test_make_run_shows_the_sites_own_500_page(site, settings, caplog):
    settings.DEBUG = True
    settings.SITE_ERROR_PAGES = True
    request = RequestFactory().get("/en/learn/")
    response = SiteErrorPagesMiddleware(lambda r: None).process_exception(request, RuntimeError("boom"))
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
    assert "boom" in caplog.text  # the traceback still reaches the console
    settings.SITE_ERROR_PAGES = False
    assert SiteErrorPagesMiddleware(lambda r: None).process_exception(request, RuntimeError("boom")) is None


@pytest.mark.django_db
def test_the_home_page_title_names_the_site_once(site, client):
    html = client.get("/en/").content.decode()
    assert "<title>CPC Learn</title>" in html
    catalogue = client.get(site["catalogue_en"].url).content.decode()
    assert "<title>Courses · CPC Learn</title>" in catalogue
