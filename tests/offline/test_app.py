"""The installable app: the service worker at the root with this site's own Workbox, the manifest
in both languages, the offline page, and signing out that empties the device by every way out."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from lms.accounts import roles
from lms.offline.app import SHELL_FILES, user_key
from tests.factories import UserFactory, staff_client

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_at_the_root_with_its_own_files(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/" and response["Cache-Control"] == "no-cache"
    text = response.content.decode()
    config = json.loads(text[text.index("=") + 1 : text.index(";\nimportScripts")])
    assert "googleapis" not in text and "cdn" not in text.lower()
    for name, url in [("workbox", config["workbox"]), *config["workboxModules"].items()]:
        assert url.startswith("/static/workbox/"), name
        assert finders.find(url.removeprefix("/static/")), f"{url} is not among the static files"
    shell = {entry["url"] for entry in config["shell"]}
    assert {f"/static/{path}" for path in SHELL_FILES} <= shell and {"/offline/", "/en/offline/"} <= shell
    assert all(finders.find(path) for path in SHELL_FILES)


@pytest.mark.parametrize("language, name", [("mn", "CPC Learn"), ("en", "CPC Learn")])
def test_the_manifest_in_both_languages(client, language, name):
    response = client.get("/manifest.webmanifest", {"lang": language})
    manifest = response.json()
    assert response["Content-Type"] == "application/manifest+json"
    assert manifest["lang"] == language and manifest["short_name"] == name
    assert manifest["start_url"] == ("/en/learn/" if language == "en" else "/learn/")
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    assert client.get("/manifest.webmanifest", {"lang": "xx"}).json()["lang"] == "mn"


def test_the_manifest_name_is_translated(client):
    mn = client.get("/manifest.webmanifest", {"lang": "mn"}).json()
    en = client.get("/manifest.webmanifest", {"lang": "en"}).json()
    assert mn["name"] != en["name"] and en["name"] == "CPC Learn: child-protection training"


def test_the_offline_page_shows_nobodys_data(site):
    person = UserFactory(full_name="Болормаа Дорж")
    client = Client()
    client.force_login(person)
    html = client.get("/en/offline/").content.decode()
    assert "You are offline" in html and "Болормаа" not in html and 'data-offline-user=""' in html
    assert "data-offline-fallback" in html


def test_pages_name_the_person_by_a_key_not_their_id(site):
    person = UserFactory()
    client = Client()
    client.force_login(person)
    html = client.get("/en/learn/").content.decode()
    key = user_key(person)
    assert f'data-offline-user="{key}"' in html and len(key) == 24 and str(person.pk) != key
    assert 'rel="manifest"' in html


def test_signing_out_tells_the_browser_to_forget_everything(site):
    person = UserFactory()
    client = Client()
    client.force_login(person)
    response = client.post(reverse("account_logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "Clear-Site-Data" not in client.get("/en/").headers


def test_the_admins_sign_out_clears_too(site):
    client = staff_client(roles.EDITORS)
    assert client.get("/admin/").status_code == 200
    response = client.post("/admin/logout/")
    assert response.status_code == 302 and response["Clear-Site-Data"] == '"cache", "storage"'
