"""Images and documents of a restricted course are private: stored out of the public media folder
under random names, served only through the access decision; files shared with an open course
stay public."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import wagtail_factories
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from courses import services
from courses.models import RestrictedFile
from lms.accounts import roles
from tests.factories import UserFactory, build_course, staff_client, with_two_factor

pytestmark = pytest.mark.django_db

Image = get_image_model()
Document = get_document_model()


def _figure(image) -> dict:
    return {"type": "figure", "value": {"image": {"image": image.pk, "alt_text": "x", "decorative": False}}}


def _download(document) -> dict:
    return {"type": "download", "value": {"document": document.pk, "label": ""}}


def _show(built, body: list[dict]) -> None:
    for lang in ("mn", "en"):
        lesson = built.lessons[lang][0]
        lesson.body = [{"type": "text", "value": "<p>Read.</p>"}, *body]
        lesson.save_revision().publish()
        built.lessons[lang][0] = type(lesson).objects.get(pk=lesson.pk)


def _build_media():
    only_restricted = wagtail_factories.ImageFactory(title="Interview room layout")
    shared = wagtail_factories.ImageFactory(title="Helpline poster")
    document = wagtail_factories.DocumentFactory(
        title="Interview checklist", file=ContentFile(b"1. Build rapport.", name="interview-checklist.txt")
    )
    restricted = build_course(lessons=1, slug="investigation", restricted_to=(roles.JUSTICE_LEARNERS,))
    open_course = build_course(lessons=1, slug="open-course")
    _show(restricted, [_figure(only_restricted), _figure(shared), _download(document)])
    _show(open_course, [_figure(shared)])
    return only_restricted, shared, document, restricted, open_course


@pytest.fixture
def media(site):
    only_restricted, shared, document, restricted, open_course = _build_media()
    services.restricted_files_sync()  # also runs by itself when a save commits: see the last test
    return {
        "private": Image.objects.get(pk=only_restricted.pk),
        "shared": Image.objects.get(pk=shared.pk),
        "document": Document.objects.get(pk=document.pk),
        "restricted": restricted,
        "open": open_course,
    }


def _member(two_factor=True):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.JUSTICE_LEARNERS))
    if two_factor:
        with_two_factor(user)
    client = Client()
    client.force_login(user)
    return client


def _public_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def test_a_file_only_a_restricted_course_uses_is_moved_out_of_public_media(media):
    private, shared, document = media["private"], media["shared"], media["document"]
    assert private.file.name.startswith("restricted/original_images/")
    assert document.file.name.startswith("restricted/documents/")
    for obj in (private, document):
        stored = Path(obj.file.path)
        assert stored.is_file() and str(stored).startswith(str(Path(settings.PRIVATE_MEDIA_ROOT).resolve()))
        assert not _public_path(obj.file.name).exists()
    assert not any(
        "interview" in name.lower() for name in os.listdir(Path(settings.MEDIA_ROOT) / "original_images")
    )
    # The stored name is random: nothing about it can be derived from public content.
    assert "interview" not in private.file.name.lower() and len(Path(private.file.name).stem) == 32
    # Shared with an open course: stays public media.
    assert not shared.file.name.startswith("restricted/") and _public_path(shared.file.name).is_file()
    assert set(RestrictedFile.objects.values_list("kind", "object_id")) == {
        ("image", private.pk),
        ("document", document.pk),
    }


def test_renditions_of_a_private_image_are_private_too(media):
    private, shared = media["private"], media["shared"]
    rendition = private.get_rendition("width-400|format-webp")
    assert rendition.file.name.startswith("restricted/images/")
    assert Path(rendition.file.path).is_file() and not _public_path(rendition.file.name).exists()
    assert rendition.url.startswith("/media-private/restricted/images/")
    public = shared.get_rendition("width-400|format-webp")
    assert public.file.name.startswith("images/") and public.url.startswith(settings.MEDIA_URL)


def test_private_files_are_served_only_to_the_audience(media, client, learner):
    private = media["private"]
    urls = [private.file.url, private.get_rendition("width-400|format-webp").url, media["document"].url]
    member, no_two_factor = _member(), _member(two_factor=False)
    client.force_login(learner)
    for url in urls:
        assert Client().get(url).status_code == 404, f"anonymous: {url}"
        assert client.get(url).status_code == 404, f"outsider: {url}"
        refused = no_two_factor.get(url)
        assert refused.status_code == 302 and "/2fa/totp/activate/" in refused["Location"], url
        allowed = member.get(url)
        assert allowed.status_code == 200, url
        body = b"".join(allowed.streaming_content) if allowed.streaming else allowed.content
        assert body, url
    image = member.get(urls[0])
    assert image["Cache-Control"] == "private, max-age=3600" and "Cookie" in image["Vary"]


def test_editors_see_private_files_in_the_admin(media):
    editor = staff_client(roles.EDITORS)
    assert editor.get(media["private"].file.url).status_code == 200
    assert editor.get(media["document"].url).status_code == 200


def test_a_public_url_guessed_for_a_private_file_finds_nothing(media, client):
    private = media["private"]
    rendition = private.get_rendition("width-400|format-webp")
    # What /media/ would serve, were the names known: nothing is there.
    for name in (private.file.name, rendition.file.name):
        assert not _public_path(name).exists()
        assert not _public_path(name.removeprefix("restricted/")).exists()
    assert client.get("/media-private/restricted/original_images/" + "0" * 32 + ".png").status_code == 404
    assert client.get("/media-private/../db.sqlite3").status_code == 404


def test_nginx_serves_private_files_when_configured(media, settings):
    settings.ACCEL_REDIRECT_PREFIX = "/_protected/"
    private = media["private"]
    response = _member().get(private.file.url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_protected/private/" + private.file.name
    document = _member().get(media["document"].url)
    assert document["X-Accel-Redirect"] == "/_protected/private/" + media["document"].file.name


def test_a_file_becomes_public_when_an_open_course_uses_it(media, django_capture_on_commit_callbacks):
    private = media["private"]
    old_name = private.file.name
    old_rendition = private.get_rendition("width-400|format-webp").file.name
    _show(media["open"], [_figure(media["shared"]), _figure(private)])
    with django_capture_on_commit_callbacks(execute=True):  # old files are removed once it commits
        services.restricted_files_sync()
    private.refresh_from_db()
    assert not private.file.name.startswith("restricted/") and _public_path(private.file.name).is_file()
    assert not (Path(settings.PRIVATE_MEDIA_ROOT) / old_name).exists(), "the private copy is removed"
    assert not (Path(settings.PRIVATE_MEDIA_ROOT) / old_rendition).exists()
    assert not RestrictedFile.objects.filter(kind="image", object_id=private.pk).exists()
    assert private.get_rendition("width-400|format-webp").file.name.startswith("images/")


def test_restriction_is_sticky_for_older_releases(media):
    """A restricted course that stops using a file keeps it private: its older release may show it."""
    _show(media["restricted"], [])
    services.restricted_files_sync()
    media["private"].refresh_from_db()
    assert media["private"].file.name.startswith("restricted/")


def test_a_replaced_file_of_a_private_image_is_moved_again(media, django_capture_on_commit_callbacks):
    private = media["private"]
    replacement = wagtail_factories.ImageFactory.build(file__filename="replacement-upload.jpg").file
    private.file = replacement
    private.save()  # an editor uploads a new file in the admin
    with django_capture_on_commit_callbacks(execute=True):
        services.restricted_files_sync()
    private.refresh_from_db()
    assert private.file.name.startswith("restricted/original_images/")
    assert not any(
        name.startswith(Path(replacement.name).stem)
        for name in os.listdir(Path(settings.MEDIA_ROOT) / "original_images")
    )


def test_the_sync_is_idempotent_and_reports(media):
    report = services.restricted_files_sync()
    assert report.restricted == 2 and report.made_private == [] and report.made_public == []


@pytest.mark.django_db(transaction=True)
def test_saving_content_moves_files_by_itself_when_it_commits(site):
    """No command to remember: the page saves that commit run the sync (once per transaction)."""
    only_restricted, shared, document, _restricted, _open = _build_media()
    assert Image.objects.get(pk=only_restricted.pk).file.name.startswith("restricted/original_images/")
    assert Document.objects.get(pk=document.pk).file.name.startswith("restricted/documents/")
    assert not Image.objects.get(pk=shared.pk).file.name.startswith("restricted/")
