"""Offline learning on a phone-size screen, in Chromium, with the connection really cut
(``context.set_offline``): a learner downloads a course, loses the connection in an H5P activity,
reads three lessons, completes two and takes a quiz from the phone; back online, the server holds
exactly that work at the times it was done, and sending it again changes nothing. Signing out
leaves nothing of the person on the phone; a restricted course never reaches an outsider's phone."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import wagtail_factories
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from assessments.h5p.models import H5PAttempt, H5PStatement
from assessments.models import QuizAttempt
from courses import services as course_services
from courses.models import LessonProgress
from lms.accounts import roles
from lms.offline.models import SyncedItem
from tests.assessments import h5p_helpers
from tests.assessments import helpers as quiz_helpers
from tests.courses.test_releases import edit
from tests.factories import UserFactory, build_course, with_two_factor

from .helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("OFFLINE_SCREENSHOTS", "")  # a folder: keep pictures of the steps


def picture(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/offline-{name}.png", full_page=True)


def offline_course(*, h5p: bool = True, **kwargs):
    """Five lessons: 0, 2 and 4 text, 1 an H5P True/False (passed at 100%), 3 a two-question quiz."""
    built = build_course(lessons=5, publish=False, **kwargs)
    quiz = quiz_helpers.quiz(
        [quiz_helpers.question(text="Who may you tell?"), quiz_helpers.question(text="When?")]
    )
    activity = h5p_helpers.import_sample("true-false.h5p", pass_mark=100) if h5p else None
    for lang in ("mn", "en"):
        for position, block in ((1, "h5p"), (3, "quiz")):
            if block == "h5p" and not activity:
                continue
            lesson = built.lessons[lang][position]
            value = {"activity": activity.pk, "completion": "passed"} if block == "h5p" else {"quiz": quiz.pk}
            lesson.body = [
                {"type": "text", "value": "<p>Read, then try it.</p>"},
                {"type": block, "value": value},
            ]
            lesson.save_revision().publish()
            built.lessons[lang][position] = type(lesson).objects.get(pk=lesson.pk)
    built.release = course_services.release_publish(course=built.mn, version="1.0")
    return built, quiz, activity


def wait_until(page, script: str, what: str, arg=None, tries: int = 200):
    for _ in range(tries):
        try:
            if page.evaluate(script, arg):
                return
        except PlaywrightError as error:  # the page was navigating: ask the next one
            assert "context was destroyed" in str(error), error
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}")


def download(page, course_url: str) -> None:
    page.goto(course_url)
    # The service worker installs and takes the page over (it needs no reload).
    wait_until(page, "() => !!navigator.serviceWorker.controller", "the service worker")
    panel = page.locator("[data-offline-download]")
    expect(panel).to_be_visible()
    panel.get_by_role("button", name="Download for offline").click()
    size = panel.locator("[data-offline-part=size]")
    expect(size).to_contain_text(re.compile(r"5 lessons, about \d+\.\d MB"))
    picture(page, "1-size")
    panel.get_by_role("button", name="Download", exact=True).click()
    expect(panel.locator("[data-offline-part=status]")).to_contain_text(
        "opens without a connection", timeout=60_000
    )
    expect(panel.locator("[data-offline-part=summary]")).to_contain_text("version 1.0")
    picture(page, "2-downloaded")


def shown_offline(page, url: str) -> str:
    """The heading a page shows when opened offline ("" when the browser shows its own error)."""
    try:
        page.goto(url)
    except PlaywrightError as error:
        # The browser's own error page: no worker left to answer (or one that answers with an
        # error while the signed-out page clears it away).
        assert re.search(r"ERR_(INTERNET_DISCONNECTED|FAILED|ABORTED)|chrome-error://", str(error)), error
        return ""
    return page.locator("h1").first.inner_text()


def wait_for_sync(page) -> None:
    """Until nothing waits on the phone (the queue was sent and answered)."""
    wait_until(
        page,
        "() => window.cpcOfflineStore.pending(document.body.dataset.offlineUser).then(i => i.length === 0)",
        "the sync",
    )


def pending(page) -> list[dict]:
    return page.evaluate("() => window.cpcOfflineStore.pending(document.body.dataset.offlineUser)")


def snapshot(learner):
    return (
        sorted(
            LessonProgress.objects.filter(enrollment__user=learner).values_list(
                "lesson_key", "completed_at", "time_spent_seconds"
            )
        ),
        sorted(QuizAttempt.objects.filter(user=learner).values_list("pk", "submitted_at", "score")),
        sorted(H5PStatement.objects.filter(user=learner).values_list("pk", "stored_at")),
        SyncedItem.objects.filter(user=learner).count(),
    )


@h5p_helpers.needs_samples
def test_a_course_learned_offline_lands_once_at_the_times_it_was_done(site, live_server, page):
    page.on("dialog", lambda dialog: dialog.accept())
    built, quiz, activity = offline_course(slug="offline-journey")
    lessons = built.lessons["en"]
    learner = UserFactory(email="offline@example.mn")
    enrollment = course_services.enrollment_create(user=learner, course=built.mn)
    sign_in(page, live_server.url, learner.email, prefix="/en")
    download(page, f"{live_server.url}{built.en.url}")
    cache_names = page.evaluate("() => caches.keys()")
    assert any(name.startswith("cpc-copy-") for name in cache_names), cache_names

    # The H5P activity is open when the connection drops: its answer stays on the phone.
    page.goto(f"{live_server.url}{lessons[1].url}")
    player = page.locator(f"#h5p-{activity.pk}")
    expect(player).to_have_class(re.compile("h5p-started"), timeout=30_000)
    # The player says "attempted" as it starts: let that reach the server before the cut.
    for _ in range(100):
        if H5PStatement.objects.filter(user=learner, verb__endswith="/attempted").exists():
            break
        page.wait_for_timeout(100)
    online_statements = set(H5PStatement.objects.filter(user=learner).values_list("pk", flat=True))
    assert online_statements, "the start of the activity was recorded online"
    went_offline = timezone.now()
    page.context.set_offline(True)
    inner = page.frame_locator(f"#h5p-{activity.pk} iframe")
    inner.get_by_role("radio", name="True").click()  # wrong: "Is this false?"
    inner.get_by_role("button", name="Check").click()
    expect(page.locator(f"[data-h5p-status=h5p-{activity.pk}]")).to_contain_text("kept on this phone")
    picture(page, "3-h5p-kept")
    assert any(item["kind"] == "xapi" for item in pending(page))

    # Three lessons read from the phone, two of them completed.
    bar = page.locator("[data-offline-bar]")
    for position in (0, 2, 4):
        page.goto(f"{live_server.url}{lessons[position].url}")
        expect(page.locator("h1")).to_have_text(lessons[position].title)
        expect(bar).to_contain_text("You are offline")
        if position in (0, 2):
            page.get_by_role("button", name="Mark complete").click()
            expect(page.get_by_role("status").filter(has_text="will be sent")).to_be_visible()
            picture(page, f"4-lesson-{position}")
    page.goto(f"{live_server.url}{lessons[0].url}")  # a completed lesson stays completed on the phone
    expect(page.get_by_role("button", name="Mark complete")).to_have_count(0)

    # The quiz: a paper from the download, marked later by the server.
    page.goto(f"{live_server.url}{lessons[3].url}")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.locator("form[data-offline-paper]")).to_be_visible()
    picture(page, "5-paper")
    for fieldset in page.locator("fieldset.question").all():
        fieldset.get_by_label("Right", exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("They will be marked when you are online.")).to_be_visible()
    picture(page, "6-paper-sent")
    queued = pending(page)
    kinds = [item["kind"] for item in queued]
    assert kinds.count("complete") == 2 and kinds.count("quiz") == 1 and "xapi" in kinds, kinds
    visited = {item["lesson"] for item in queued if item["kind"] == "visit"}
    assert {lessons[p].pk for p in (0, 2, 3, 4)} == visited
    expect(bar).to_contain_text(re.compile(r"\d+ waiting to be sent"))
    assert not LessonProgress.objects.filter(enrollment=enrollment, completed_at__isnull=False).exists()
    assert not QuizAttempt.objects.filter(user=learner).exists()
    assert set(H5PStatement.objects.filter(user=learner).values_list("pk", flat=True)) == online_statements
    came_back = timezone.now()

    # Back online: the queue goes in order, the outcomes are shown.
    page.context.set_offline(False)
    wait_for_sync(page)
    expect(bar.locator(".offline-outcomes li").first).to_be_visible()
    expect(bar).to_contain_text("Lesson completed")
    expect(bar).to_contain_text("100%")
    picture(page, "7-synced")

    def key(position):
        return lessons[position].translation_key

    done = {
        row.lesson_key: row
        for row in LessonProgress.objects.filter(enrollment=enrollment, completed_at__isnull=False)
    }
    # Exactly the two lessons marked complete and the quiz lesson (passed); not the H5P lesson.
    assert set(done) == {key(0), key(2), key(3)}
    for row in done.values():
        assert went_offline <= row.completed_at <= came_back, "completed at the time it was done"
    assert done[key(0)].completed_at < done[key(2)].completed_at < done[key(3)].completed_at
    read = LessonProgress.objects.get(enrollment=enrollment, lesson_key=key(4))
    assert read.completed_at is None and went_offline <= read.started_at <= came_back

    attempt = QuizAttempt.objects.get(user=learner)
    assert attempt.score == 100 and attempt.passed
    assert went_offline <= attempt.submitted_at <= came_back

    statements = H5PStatement.objects.filter(user=learner).exclude(pk__in=online_statements)
    assert statements.filter(verb__endswith="/answered").exists(), list(statements)
    assert all(went_offline <= s.stored_at <= came_back for s in statements)
    h5p_attempt = H5PAttempt.objects.get(user=learner, activity=activity)
    assert h5p_attempt.success is False

    # The same work sent again (a phone that never heard the answer): nothing changes.
    before = snapshot(learner)
    answer = page.evaluate(
        """items => fetch(document.body.dataset.offlineSync, {
             method: "POST", credentials: "same-origin",
             headers: {"Content-Type": "application/json", "X-CSRFToken": document.body.dataset.offlineCsrf},
             body: JSON.stringify({items: items.map(({user, seq, ...rest}) => rest)})
           }).then(r => r.json())""",
        queued,
    )
    assert len(answer["results"]) == len(queued)
    assert all(result["repeat"] for result in answer["results"]), answer["results"]
    assert snapshot(learner) == before

    # Signing out removes the person's downloads and queue from the phone: offline, no lesson opens.
    page.goto(f"{live_server.url}{built.en.url}")
    page.locator("form[action$='/accounts/logout/'] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/(en/)?$|/accounts/"))
    wait_until(
        page,
        "() => caches.keys().then(names => !names.some(n => n.startsWith('cpc-copy-')))",
        "the downloads to go",
    )
    page.context.set_offline(True)
    assert shown_offline(page, f"{live_server.url}{lessons[0].url}") != lessons[0].title
    page.context.set_offline(False)


def cached_urls(page) -> list[str]:
    return page.evaluate(
        """() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)
             .then(c => c.keys()).then(keys => keys.map(k => k.url))))).then(all => all.flat())"""
    )


def test_a_restricted_course_never_stays_on_an_outsiders_phone(site, live_server, page):
    built, _quiz, _activity = offline_course(
        h5p=False, slug="investigation", restricted_to=(roles.JUSTICE_LEARNERS,)
    )
    lessons = built.lessons["en"]
    member = UserFactory(email="officer@example.mn")
    member.groups.add(Group.objects.get(name=roles.JUSTICE_LEARNERS))
    secret = with_two_factor(member)
    course_services.enrollment_create(user=member, course=built.mn)
    sign_in(page, live_server.url, member.email, prefix="/en", totp_secret=secret)
    download(page, f"{live_server.url}{built.en.url}")
    assert any(lessons[0].url in url for url in cached_urls(page))

    # The officer leaves the audience: the next page opened online removes the copy.
    member.groups.clear()
    page.goto(f"{live_server.url}/en/learn/")
    wait_until(
        page,
        "path => caches.keys().then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys()))))"
        ".then(all => !all.flat().some(r => r.url.includes(path)))",
        "the restricted copy to go",
        arg=built.en.url,
    )
    # Nor can they download it again; offline, its lessons do not open.
    status = page.evaluate(
        """url => fetch(url, {method: "POST", credentials: "same-origin",
             headers: {"X-CSRFToken": document.body.dataset.offlineCsrf, "X-Requested-With": "fetch"}})
           .then(r => r.status)""",
        f"/en/learn/offline/courses/{built.en.pk}/",
    )
    assert status == 404
    page.context.set_offline(True)
    for lesson in lessons[:2]:
        assert shown_offline(page, f"{live_server.url}{lesson.url}") != lesson.title
    page.context.set_offline(False)
    assert not [url for url in cached_urls(page) if built.en.url in url or built.mn.url in url]


def test_a_release_move_while_offline_is_explained_and_the_copy_follows(site, live_server, page):
    built, _quiz, _activity = offline_course(h5p=False, slug="moving")
    lessons = built.lessons["en"]
    learner = UserFactory(email="mover@example.mn")
    enrollment = course_services.enrollment_create(user=learner, course=built.mn)
    sign_in(page, live_server.url, learner.email, prefix="/en")
    download(page, f"{live_server.url}{built.en.url}")

    # Offline, the learner completes lessons 1 and 2 of version 1.0 ...
    page.context.set_offline(True)
    for lesson in lessons[:2]:
        page.goto(f"{live_server.url}{lesson.url}")
        page.get_by_role("button", name="Mark complete").click()
        expect(page.get_by_role("status").filter(has_text="will be sent")).to_be_visible()
    # ... while 1.1 rewrites lesson 1 and moves them to it.
    edit(lessons[0], "New guidance on referral.")
    edit(built.lessons["mn"][0], "Шинэ заавар.")
    new_release = course_services.release_publish(course=built.mn, version="1.1")
    course_services.enrollment_move(enrollment=enrollment, to=new_release, by=learner)

    page.context.set_offline(False)
    page.goto(f"{live_server.url}{built.en.url}")
    bar = page.locator("[data-offline-bar]")
    expect(bar.locator(".offline-outcomes li.refused")).to_contain_text("changed in version 1.1")
    expect(bar.locator(".offline-outcomes li.done")).to_contain_text("Lesson completed: Lesson 2")
    done = LessonProgress.objects.filter(enrollment=enrollment, completed_at__isnull=False)
    assert [row.lesson_key for row in done] == [lessons[1].translation_key]

    # The copy on the phone is renewed to 1.1: offline, lesson 1 shows the new text.
    expect(page.locator("[data-offline-part=summary]")).to_contain_text("version 1.1", timeout=30_000)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}{lessons[0].url}")
    expect(page.locator("main")).to_contain_text("New guidance on referral.")
    expect(page.get_by_role("button", name="Mark complete")).to_be_visible()
    # The test ends offline: back online, the page and the worker would send this visit while the
    # database is emptied for the next test (PostgreSQL then reports a deadlock).


def test_a_download_stopped_half_way_leaves_nothing_and_says_why(site, live_server, page):
    document = wagtail_factories.DocumentFactory(title="Form", file=ContentFile(b"x" * 5000, name="form.pdf"))
    built = build_course(lessons=3, slug="broken-file", publish=False)
    for lang in ("mn", "en"):
        lesson = built.lessons[lang][2]
        lesson.body = [
            {"type": "text", "value": "<p>Read.</p>"},
            {"type": "download", "value": {"document": document.pk, "label": ""}},
        ]
        lesson.save_revision().publish()
    course_services.release_publish(course=built.mn, version="1.0")
    Path(document.file.path).unlink()  # the file went missing from the storage: its link answers 404
    learner = UserFactory(email="halfway@example.mn")
    course_services.enrollment_create(user=learner, course=built.mn)
    sign_in(page, live_server.url, learner.email, prefix="/en")
    page.goto(f"{live_server.url}{built.en.url}")
    wait_until(page, "() => !!navigator.serviceWorker.controller", "the service worker")
    panel = page.locator("[data-offline-download]")
    panel.get_by_role("button", name="Download for offline").click()
    panel.get_by_role("button", name="Download", exact=True).click()
    expect(panel.locator("[data-offline-part=status]")).to_contain_text("could not be downloaded")
    expect(panel.get_by_role("button", name="Download for offline")).to_be_visible()  # try again
    assert page.evaluate("() => window.cpcOfflineStore.copies(document.body.dataset.offlineUser)") == []
    assert not [url for url in cached_urls(page) if "/broken-file/" in url], "no half-kept lessons"


def helper_frame(page, helper_url: str):
    """The H5P origin's offline helper, in the page (added when the page has none)."""
    for frame in page.frames:
        if frame.url == helper_url:
            return frame
    page.evaluate(
        """url => new Promise(done => {
             const frame = document.createElement("iframe");
             frame.src = url; frame.hidden = true; frame.onload = done;
             document.body.appendChild(frame);
           })""",
        helper_url,
    )
    return next(frame for frame in page.frames if frame.url == helper_url)


def h5p_origin_caches(page, helper_url: str) -> dict[str, int]:
    """{cache name: number of files} kept on the H5P origin (for pages of this site)."""
    return helper_frame(page, helper_url).evaluate(
        """() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)
             .then(c => c.keys()).then(keys => [n, keys.length])))).then(Object.fromEntries)"""
    )


@h5p_helpers.needs_samples
def test_with_an_h5p_origin_an_activity_is_downloaded_and_played_offline(site, live_server, page, settings):
    """H5P_ORIGIN set: the activity's frame, package, libraries and the player are kept on that
    origin; offline, the learner starts and answers the activity from the phone; back online its
    statements land at the time they were made; signing out empties that origin's cache."""
    # The H5P origin is another host of the same site (as h5p.learn.example.mn is of
    # learn.example.mn): Chromium answers *.localhost itself, on this machine.
    assert "//localhost:" in live_server.url
    site_url = live_server.url.replace("//localhost:", "//learn.localhost:")
    settings.SITE_URL = site_url
    settings.H5P_ORIGIN = live_server.url.replace("//localhost:", "//h5p.learn.localhost:")
    helper_url = f"{settings.H5P_ORIGIN}/en/learn/h5p/runtime/offline/"
    page.on("dialog", lambda dialog: dialog.accept())
    built, _quiz, activity = offline_course(slug="offline-h5p")
    lessons = built.lessons["en"]
    learner = UserFactory(email="offline-h5p@example.mn")
    enrollment = course_services.enrollment_create(user=learner, course=built.mn)
    sign_in(page, site_url, learner.email, prefix="/en")
    page.goto(f"{site_url}{built.en.url}")
    wait_until(page, "() => !!navigator.serviceWorker.controller", "the service worker")
    panel = page.locator("[data-offline-download]")
    panel.get_by_role("button", name="Download for offline").click()
    size = panel.locator("[data-offline-part=size]")
    expect(size).to_contain_text(re.compile(r"5 lessons, about \d+\.\d MB"))
    expect(size).not_to_contain_text("needs a connection")  # nothing is left online-only
    panel.get_by_role("button", name="Download", exact=True).click()
    expect(panel.locator("[data-offline-part=status]")).to_contain_text(
        "opens without a connection", timeout=60_000
    )
    copy = page.evaluate("() => window.cpcOfflineStore.copies(document.body.dataset.offlineUser)")[0]
    frame_urls = [url for url in copy["h5pUrls"] if re.search(r"/learn/h5p/play/[^/]+/$", url)]
    assert len(frame_urls) == 1 and frame_urls[0].startswith(settings.H5P_ORIGIN), copy["h5pUrls"][:5]
    assert any("/package/content/content.json" in url for url in copy["h5pUrls"])
    assert any("/libraries/" in url and url.endswith("library.json") for url in copy["h5pUrls"])
    kept = h5p_origin_caches(page, helper_url)
    assert kept == {f"cpc-h5p-{copy['user']}": len(copy["h5pUrls"])}, kept

    # Offline: the lesson and its activity open from the phone; the answer waits there.
    went_offline = timezone.now()
    page.context.set_offline(True)
    page.goto(f"{site_url}{lessons[1].url}")
    expect(page.locator("h1")).to_have_text(lessons[1].title)
    player = page.locator(f"#h5p-{activity.pk}")
    expect(player).to_have_class(re.compile("h5p-started"), timeout=30_000)
    expect(player.locator("iframe")).to_be_visible()
    inner = page.frame_locator(f"#h5p-{activity.pk} iframe")
    inner.get_by_role("radio", name="False").click()  # right: "Is this false?"
    inner.get_by_role("button", name="Check").click()
    expect(page.locator(f"[data-h5p-status=h5p-{activity.pk}]")).to_contain_text("kept on this phone")
    if SCREENSHOTS:
        page.wait_for_timeout(1500)  # the frame grows to its new height first
    picture(page, "h5p-origin-offline")
    assert any(item["kind"] == "xapi" for item in pending(page))
    assert not H5PStatement.objects.filter(user=learner).exists()
    came_back = timezone.now()

    # Back online: the statements land at the time they were made; the lesson completes (passed).
    page.context.set_offline(False)
    wait_for_sync(page)
    statements = H5PStatement.objects.filter(user=learner)
    assert statements.filter(verb__endswith="/answered").exists(), list(statements)
    assert all(went_offline <= s.stored_at <= came_back for s in statements)
    assert H5PAttempt.objects.get(user=learner, activity=activity).success is True
    done = LessonProgress.objects.get(enrollment=enrollment, lesson_key=lessons[1].translation_key)
    assert done.completed_at is not None and went_offline <= done.completed_at <= came_back

    # Removing the course from the phone removes its activities' files from the H5P origin.
    page.goto(f"{site_url}{built.en.url}")
    page.get_by_role("button", name="Remove from this phone").click()
    expect(page.locator("[data-offline-part=summary]")).to_contain_text("Removed from this phone")
    assert h5p_origin_caches(page, helper_url) == {f"cpc-h5p-{copy['user']}": 0}

    # Downloaded again, then signing out empties the H5P origin's cache too.
    page.reload()
    panel = page.locator("[data-offline-download]")
    panel.get_by_role("button", name="Download for offline").click()
    panel.get_by_role("button", name="Download", exact=True).click()
    expect(panel.locator("[data-offline-part=status]")).to_contain_text(
        "opens without a connection", timeout=60_000
    )
    assert h5p_origin_caches(page, helper_url)[f"cpc-h5p-{copy['user']}"] > 0
    page.locator("form[action$='/accounts/logout/'] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/(en/)?$|/accounts/"))
    wait_until(
        page,
        "() => caches.keys().then(names => !names.some(n => n.startsWith('cpc-copy-')))",
        "the downloads to go",
    )
    assert h5p_origin_caches(page, helper_url) == {}


@h5p_helpers.needs_samples
def test_a_browser_that_keeps_nothing_for_the_h5p_origin_still_gets_the_course(
    site, live_server, page, settings
):
    """An H5P origin of another site (this Chromium, like a private window, blocks the storage of
    another site in a frame): the course is still downloaded, the learner is told the activity
    needs a connection, and offline the lesson says so in place of a broken frame."""
    settings.SITE_URL = live_server.url
    settings.H5P_ORIGIN = live_server.url.replace("//localhost:", "//127.0.0.1:")
    built, _quiz, activity = offline_course(slug="offline-h5p-blocked")
    lessons = built.lessons["en"]
    learner = UserFactory(email="offline-blocked@example.mn")
    course_services.enrollment_create(user=learner, course=built.mn)
    sign_in(page, live_server.url, learner.email, prefix="/en")
    page.goto(f"{live_server.url}{built.en.url}")
    wait_until(page, "() => !!navigator.serviceWorker.controller", "the service worker")
    panel = page.locator("[data-offline-download]")
    panel.get_by_role("button", name="Download for offline").click()
    panel.get_by_role("button", name="Download", exact=True).click()
    status = panel.locator("[data-offline-part=status]")
    expect(status).to_contain_text("opens without a connection", timeout=60_000)
    expect(status).to_contain_text("1 interactive activity needs a connection")
    copy = page.evaluate("() => window.cpcOfflineStore.copies(document.body.dataset.offlineUser)")[0]
    assert copy["h5pUrls"] == [] and len(copy["onlineOnly"]) == 1

    page.context.set_offline(True)
    page.goto(f"{live_server.url}{lessons[1].url}")
    expect(page.locator("h1")).to_have_text(lessons[1].title)
    player = page.locator(f"#h5p-{activity.pk}")
    expect(player).to_contain_text("This activity needs a connection")
    expect(player.locator("iframe")).to_be_hidden()  # (ends offline: nothing is sent at teardown)


def test_the_service_worker_sends_the_queue_by_itself_with_background_sync(site, live_server, page):
    """No page of the site is open when the connection returns: Chromium wakes the service worker
    with the Background Sync event the page registered when it queued the work, and the worker
    alone sends what waits on the phone."""
    built, _quiz, _activity = offline_course(h5p=False, slug="offline-background")
    lessons = built.lessons["en"]
    learner = UserFactory(email="offline-background@example.mn")
    enrollment = course_services.enrollment_create(user=learner, course=built.mn)
    sign_in(page, live_server.url, learner.email, prefix="/en")
    download(page, f"{live_server.url}{built.en.url}")
    went_offline = timezone.now()
    page.context.set_offline(True)
    page.goto(f"{live_server.url}{lessons[0].url}")
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_role("status").filter(has_text="will be sent")).to_be_visible()
    assert [item["kind"] for item in pending(page) if item["kind"] == "complete"] == ["complete"]

    waiting = len(pending(page))
    # No page of the site is left to send it when the connection returns. (Whether Chromium holds
    # the sync event back while DevTools emulates offline is its own business: seen in CI, it can
    # fire at once. Either way only the worker can send it: the page is offline, then gone.)
    page.goto("about:blank")
    page.context.set_offline(False)
    done = None
    for _ in range(150):
        done = LessonProgress.objects.filter(
            enrollment=enrollment, lesson_key=lessons[0].translation_key, completed_at__isnull=False
        ).first()
        if done:
            break
        page.wait_for_timeout(100)
    assert done is not None, "the worker sent the queue"
    assert went_offline <= done.completed_at <= timezone.now()
    for _ in range(150):  # everything it sent has landed (nothing is left in flight)
        if SyncedItem.objects.filter(user=learner).count() == waiting:
            break
        page.wait_for_timeout(100)
    assert SyncedItem.objects.filter(user=learner).count() == waiting
