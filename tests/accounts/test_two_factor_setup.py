"""Two-factor set-up that works on one phone and returns to where the person was going (issue 16)."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.factories import UserFactory, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 42"


def _signed_in(user) -> Client:
    """Signed in through the sign-in form (two-factor set-up asks for a fresh sign-in)."""
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    response = client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    # Turning two-factor on asks for the password again (allauth's reauthentication), keeping `next`.
    asked = client.get("/en/accounts/2fa/totp/activate/", {"next": "/en/learn/"})
    assert asked["Location"].startswith("/en/accounts/reauthenticate/?next=")
    again = client.post(asked["Location"], {"password": PASSWORD})
    assert again["Location"] == "/en/accounts/2fa/totp/activate/?next=%2Fen%2Flearn%2F"
    return client


def test_set_up_shows_the_whole_key_and_an_app_link_and_keeps_next_through_the_recovery_codes(site):
    client = _signed_in(UserFactory())
    page = client.get("/en/accounts/2fa/totp/activate/", {"next": "/en/learn/"})
    assert page.status_code == 200
    html = page.content.decode()
    secret = re.search(r'<code id="totp-secret"[^>]*>([A-Z2-7]+)</code>', html).group(1)
    assert len(secret) >= 16 and "disabled" not in html.split('id="totp-secret"')[1][:40]
    link = unescape(re.search(r'href="(otpauth://totp/[^"]+)"', html).group(1))
    assert f"secret={secret}" in link and "issuer=CPC" in link
    assert 'name="next" value="/en/learn/"' in html

    wrong = client.post(
        "/en/accounts/2fa/totp/activate/?next=/en/learn/", {"code": "000000", "next": "/en/learn/"}
    )
    assert wrong.status_code == 400  # a wrong code is bad input, shown again with its message
    done = client.post(
        "/en/accounts/2fa/totp/activate/?next=/en/learn/", {"code": totp_code(secret), "next": "/en/learn/"}
    )
    assert done.status_code == 302
    assert done["Location"] == "/en/accounts/2fa/recovery-codes/?next=%2Fen%2Flearn%2F"
    codes = client.get(done["Location"]).content.decode()
    assert 'href="/en/learn/"' in codes and "I have saved them: continue" in codes


def test_a_next_to_another_site_is_dropped(site):
    client = _signed_in(UserFactory())
    html = client.get("/en/accounts/2fa/totp/activate/", {"next": "https://evil.example/"}).content.decode()
    form = html[html.index('<form class="stack-form"') :]
    assert 'name="next"' not in form and "evil" not in form.split(">")[0]


def test_staff_see_an_admin_link_in_the_header_and_learners_do_not(site, client):
    learner = UserFactory()
    client.force_login(learner)
    assert 'href="/admin/"' not in client.get("/en/learn/").content.decode()
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Curriculum editors"))
    client.force_login(editor)
    assert 'href="/admin/"' in client.get("/en/learn/").content.decode()
