"""H5P activities offline: only frames of the H5P origin can be kept on a phone (a frame of the
site itself is sandboxed into an opaque origin that no service worker may serve). With
``H5P_ORIGIN`` a download lists each activity's files, which that origin's player views answer;
its worker and helper exist only there; lesson pages let its frames keep their own origin."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from assessments.h5p import frame
from assessments.h5p.models import H5PLibrary
from assessments.h5p.selectors import offline_files, package_revision, played_libraries
from courses import services as course_services
from lms.offline.selectors import PAGE_BYTES
from tests.assessments import h5p_helpers
from tests.factories import UserFactory

from .helpers import download

pytestmark = [pytest.mark.django_db, h5p_helpers.needs_samples]
H5P = "http://h5p.testserver"


@pytest.fixture
def h5p_origin(settings):
    settings.H5P_ORIGIN = H5P
    settings.SITE_URL = "http://testserver"
    return settings


def course_with(sample: str):
    activity = h5p_helpers.import_sample(sample)
    built = h5p_helpers.course_with_h5p([activity], lessons=2)
    learner = UserFactory()
    course_services.enrollment_create(user=learner, course=built.mn)
    client = Client()
    client.force_login(learner)
    return activity, built, client


def frame_url(client, lesson) -> str:
    html = client.get(lesson.url).content.decode()
    return re.search(r'<iframe class="h5p-frame" src="([^"]+)"', html).group(1)


@pytest.mark.parametrize("sample", ["true-false.h5p", "question-set.h5p"])
def test_every_file_a_download_lists_is_answered_by_the_frame_views(site, h5p_origin, sample):
    activity, built, client = course_with(sample)
    revision = package_revision(activity=activity, number=None)
    files = offline_files(revision)
    paths = [path for path, _size in files]
    assert "package/h5p.json" in paths and "package/content/content.json" in paths
    main = revision.main_library
    assert f"libraries/{revision.libraries_token}/{main.key}/library.json" in paths
    for script in main.library_json.get("preloadedJs") or []:
        assert f"libraries/{revision.libraries_token}/{main.key}/{script['path']}" in paths
    # What the player never loads stays off the phone: the editor's form and translations.
    assert not any(p.endswith("/semantics.json") or "/language/" in p for p in paths), paths
    # One format of each font: the best the library has (browsers take the first they read).
    assert not any(p.endswith((".eot", "webfont.svg", "webfont.ttf", "webfont.woff")) for p in paths)
    assert any(p.endswith("/FontAwesome-4.5/fontawesome-webfont.woff2") for p in paths)
    assert any(p.endswith("/H5P.FontIcons-1.0/fonts/h5p.woff") for p in paths)  # its best
    assert all(size > 0 for _path, size in files)
    # Each file is served to the frame's URL on the H5P origin, with the bytes announced.
    with translation.override("en"):
        src = frame_url(client, built.lessons["en"][0])
    h5p_client = Client(HTTP_HOST="h5p.testserver")
    base = src.removeprefix(H5P)
    for path, size in files:
        response = h5p_client.get(base + path)
        assert response.status_code == 200, path
        assert len(b"".join(response.streaming_content) if response.streaming else response.content) == size


def test_only_the_libraries_the_player_loads_are_kept(site):
    activity = h5p_helpers.import_sample("question-set.h5p")
    other = h5p_helpers.import_sample("true-false.h5p")
    revision = package_revision(activity=activity, number=None)
    installed = set(revision.libraries.all())
    played = played_libraries(revision)
    assert revision.main_library in played and set(played) == installed  # all reachable here
    # A library the revision holds but nothing in it depends on (as editor libraries are) is
    # not played, and none of its files goes to the phone.
    stray = package_revision(activity=other, number=None).main_library
    assert stray not in installed
    revision.libraries.add(stray)
    assert stray not in played_libraries(revision)
    assert not any(f"/{stray.key}/" in path for path, _size in offline_files(revision))


def test_with_an_h5p_origin_a_download_lists_the_activity_and_the_player(site, h5p_origin):
    activity, built, client = course_with("true-false.h5p")
    with translation.override("en"):
        listing = download(client, built.en)
    assert listing["online_only"] == []
    h5p = listing["h5p"]
    assert h5p["origin"] == H5P and h5p["helper"] == f"{H5P}/en/learn/h5p/runtime/offline/"
    assert h5p["runtime"] and all(url.startswith(f"{H5P}/en/learn/h5p/runtime/") for url in h5p["runtime"])
    assert any(url.endswith("/h5p-standalone/frame.bundle.js") for url in h5p["runtime"])
    assert not any("offline-helper" in url for url in h5p["runtime"])  # the frame never loads it
    (item,) = h5p["activities"]
    assert item["activity"] == activity.pk and item["lesson"] == built.lessons["en"][0].pk
    revision = package_revision(activity=activity, number=None)
    assert item["files"] == [path for path, _size in offline_files(revision)]
    runtime_bytes = sum(size for _name, size in frame.runtime_offline_files())
    assert listing["estimated_bytes"] == 3 * PAGE_BYTES + item["bytes"] + runtime_bytes
    # Every runtime file is answered on the H5P origin.
    h5p_client = Client(HTTP_HOST="h5p.testserver")
    for url in h5p["runtime"]:
        assert h5p_client.get(url.removeprefix(H5P)).status_code == 200, url


def test_without_an_h5p_origin_the_activity_needs_a_connection(site, settings):
    settings.H5P_ORIGIN = ""
    activity, built, client = course_with("true-false.h5p")
    with translation.override("en"):
        listing = download(client, built.en)
        html = client.get(built.lessons["en"][0].url).content.decode()
    assert listing["h5p"] is None
    assert listing["online_only"] == [{"lesson": built.lessons["en"][0].pk, "title": activity.title}]
    assert listing["estimated_bytes"] == 3 * PAGE_BYTES
    # The frame stays sandboxed into an opaque origin, and no helper is offered.
    assert 'sandbox="allow-scripts allow-popups' in html and "allow-same-origin" not in html
    assert "data-offline-h5p" not in html and "data-frame-origin" not in html


def test_with_an_h5p_origin_its_frames_keep_that_origin(site, h5p_origin):
    _activity, built, client = course_with("true-false.h5p")
    with translation.override("en"):
        html = client.get(built.lessons["en"][0].url).content.decode()
    assert 'sandbox="allow-scripts allow-same-origin allow-popups' in html
    assert f'data-frame-origin="{H5P}"' in html
    assert f'data-offline-h5p="{H5P}/en/learn/h5p/runtime/offline/"' in html
    # Signed out, the page still names the helper: it empties that origin's cache on this phone.
    anonymous = Client().get("/en/").content.decode()
    assert f'data-offline-h5p="{H5P}/en/learn/h5p/runtime/offline/"' in anonymous


def test_the_worker_and_helper_exist_only_on_the_h5p_origin(site, settings):
    settings.SITE_URL = "http://testserver"
    settings.H5P_ORIGIN = ""
    h5p_client, site_client = Client(HTTP_HOST="h5p.testserver"), Client()
    for path in ("/en/learn/h5p/runtime/sw.js", "/en/learn/h5p/runtime/offline/"):
        assert site_client.get(path).status_code == 404, path  # no H5P origin: nothing to keep
    settings.H5P_ORIGIN = H5P
    for path in ("/en/learn/h5p/runtime/sw.js", "/en/learn/h5p/runtime/offline/"):
        assert site_client.get(path).status_code == 404, path  # not on the site's own host
    worker = h5p_client.get("/en/learn/h5p/runtime/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/" and b"cpc-h5p-" in worker.content
    helper = h5p_client.get("/en/learn/h5p/runtime/offline/")
    assert helper.status_code == 200
    policy = helper["Content-Security-Policy"]
    assert "frame-ancestors http://testserver" in policy and "script-src 'self'" in policy
    assert "'unsafe" not in policy
    # Bad methods are refused, not failed.
    assert h5p_client.post("/en/learn/h5p/runtime/offline/").status_code == 405
    assert H5PLibrary.objects.count() == 0  # nothing imported here: the views need no data
