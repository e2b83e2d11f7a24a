"""Versioned releases in a real browser: an editor changes two lessons and a quiz answer, a
reviewer approves version 1.1 ("everyone moves"); a learner midway keeps the lessons that did not
change and must redo the ones that did; a later "nobody moves" release leaves a learner on the text
they had."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from courses import services as course_services
from courses.models import CourseRelease, Enrollment, LessonPage, LessonProgress, ReleaseMove
from lms.accounts import roles
from tests.assessments import helpers
from tests.factories import UserFactory, with_two_factor

from .conftest import ARTIFACTS
from .helpers import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def staff(email: str, group: str):
    user = UserFactory(email=email)
    user.groups.add(Group.objects.get(name=group))
    return user, with_two_factor(user)


def admin_page(browser, live_server, user, secret, *, language: str = "en"):
    """A desktop browser signed in as a staff member, through the site's sign-in in ``language``."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB" if language == "en" else "mn-MN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    prefix = "/en" if language == "en" else ""
    sign_in(page, live_server.url, user.email, prefix=prefix, totp_secret=secret)
    return page


def approve(page) -> None:
    """The reviewer's Approve on a release's edit page (the one without a comment dialog)."""
    button = page.locator("button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])")
    with page.expect_navigation():
        button.dispatch_event("click")


def learner_page(browser, live_server, user):
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="mn-MN").new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, user.email)
    return page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / f"release-{name}.png"), full_page=True)


def test_an_approved_release_moves_learners_and_a_later_one_leaves_them(site, live_server, browser):
    question = helpers.question(text="Who can a child tell?")
    quiz = helpers.quiz([question], pass_mark=100)
    built = helpers.course_with_quiz(quiz, lessons=4, quiz_position=3, slug="release-journey")
    lessons = built.lessons["mn"]
    keys = [lesson.translation_key for lesson in lessons]
    midway, steady = UserFactory(email="midway@example.mn"), UserFactory(email="steady@example.mn")
    for learner in (midway, steady):
        course_services.enrollment_create(user=learner, course=built.mn)
    for key in keys[:3]:
        course_services.lesson_complete(user=midway, lesson_key=key)
    editor, editor_secret = staff("editor@example.mn", roles.EDITORS)
    reviewer, reviewer_secret = staff("reviewer@example.mn", roles.REVIEWERS)

    # 1. The editor changes lesson 2's title, adds a sentence to lesson 3, fixes the quiz's answer.
    admin = admin_page(browser, live_server, editor, editor_secret)
    admin.goto(f"{live_server.url}/admin/pages/{lessons[1].pk}/edit/")
    admin.fill("#id_title", "Итгэлтэй насанд хүрэгчид (шинэчилсэн)")
    with admin.expect_navigation():
        admin.locator("button.action-save").first.click()
    admin.goto(f"{live_server.url}/admin/pages/{lessons[2].pk}/edit/")
    editor_box = admin.locator(".Draftail-Editor [contenteditable=true]").first
    editor_box.click()
    admin.keyboard.press("Control+End")
    admin.keyboard.type(" Шинэ зөвлөмж нэмэгдсэн.")
    # Draftail writes the editor's state into its hidden field a moment after typing.
    expect(admin.locator("input[name='body-0-value']")).to_have_value(re.compile("Шинэ зөвлөмж"))
    with admin.expect_navigation():
        admin.locator("button.action-save").first.click()
    draft = LessonPage.objects.get(pk=lessons[2].pk).get_latest_revision_as_object()
    assert "Шинэ зөвлөмж" in draft.body.render_as_block()
    admin.goto(f"{live_server.url}/admin/snippets/assessments/question/edit/{question.pk}/")
    boxes = admin.locator("input[type=checkbox][name$='-value-correct']")
    boxes.nth(0).uncheck(force=True)
    boxes.nth(1).check(force=True)
    with admin.expect_navigation():
        admin.locator("button[name='action-publish']").dispatch_event("click")
    assert LessonPage.objects.get(pk=lessons[1].pk).title != "Итгэлтэй насанд хүрэгчид (шинэчилсэн)", (
        "a saved draft is not live until its release is"
    )

    # 2. The editor prepares release 1.1, sees what changed, and submits it for approval.
    admin.goto(f"{live_server.url}/admin/snippets/courses/courserelease/add/")
    admin.select_option("#id_course", str(built.mn.pk))
    admin.fill("#id_version", "1.1")
    admin.fill("#id_notes_mn", "Хоёр хичээл шинэчлэгдсэн.")
    admin.fill("#id_notes_en", "Two lessons were updated and a quiz answer corrected.")
    admin.check(f"input[name=policy][value={CourseRelease.Policy.EVERYONE}]")
    with admin.expect_navigation():
        admin.locator("button.action-save").first.click()
    release = CourseRelease.objects.get(course=built.mn, version="1.1")
    assert release.published_at is None
    admin.goto(f"{live_server.url}/admin/snippets/courses/courserelease/edit/{release.pk}/")
    changes = admin.locator(".release-changes")
    expect(changes).to_contain_text("Итгэлтэй насанд хүрэгчид (шинэчилсэн)")
    expect(changes).to_contain_text("Шинэ зөвлөмж нэмэгдсэн.")
    expect(changes.locator(".stale")).to_have_count(2)  # their English pages are now out of date
    expect(changes.locator("li.change-changed:not(.quiz-change)")).to_have_count(3)  # + the quiz's lesson
    expect(changes.locator(".quiz-change")).to_contain_text(str(question))
    shot(admin, "changes")
    changes.screenshot(path=str(Path(ARTIFACTS) / "release-changes-panel.png"))
    with admin.expect_navigation():
        admin.locator("button[name='action-submit']").dispatch_event("click")
    assert CourseRelease.objects.get(pk=release.pk).published_at is None, "submitted, not published"
    admin.context.close()

    # 3. The reviewer approves it.
    review = admin_page(browser, live_server, reviewer, reviewer_secret)
    review.goto(f"{live_server.url}/admin/snippets/courses/courserelease/edit/{release.pk}/")
    approve(review)
    release.refresh_from_db()
    assert release.is_current and release.published_by == reviewer
    review.goto(f"{live_server.url}/admin/releases/{release.pk}/")
    expect(review.locator("main")).to_contain_text("1.1")
    shot(review, "published")
    review.context.close()

    # 4. Everyone moved: the midway learner keeps lesson 1 and must redo lessons 2 and 3.
    enrollment = Enrollment.objects.get(user=midway)
    assert enrollment.release == release
    done = set(
        LessonProgress.objects.filter(enrollment=enrollment, completed_at__isnull=False).values_list(
            "lesson_key", flat=True
        )
    )
    assert done == {keys[0]}
    assert ReleaseMove.objects.get(enrollment=enrollment).reopened_lessons == 2
    page = learner_page(browser, live_server, midway)
    page.goto(live_server.url + built.mn.url)
    outline = page.locator(".lesson-list li")
    expect(outline).to_have_count(4)
    expect(outline.nth(0)).to_have_class("is-done")
    expect(outline.nth(1)).not_to_have_class("is-done")
    expect(outline.nth(1)).to_contain_text("(шинэчилсэн)")
    expect(outline.nth(2)).not_to_have_class("is-done")
    shot(page, "midway-outline")
    page.goto(live_server.url + lessons[2].url)
    expect(page.locator("main")).to_contain_text("Шинэ зөвлөмж нэмэгдсэн.")
    page.context.close()

    # 5. Release 1.2 ("nobody moves"): the steady learner keeps reading 1.1's words.
    page_of_lesson_3 = LessonPage.objects.get(pk=lessons[2].pk).get_latest_revision_as_object()
    page_of_lesson_3.body = [{"type": "text", "value": "<p>Гуравдугаар хувилбарын текст.</p>"}]
    page_of_lesson_3.save_revision()
    newest = course_services.release_publish(
        course=built.mn, version="1.2", notes_mn="Гурав дахь хичээл дахин бичигдсэн."
    )
    assert Enrollment.objects.get(user=steady).release == release
    page = learner_page(browser, live_server, steady)
    page.goto(live_server.url + lessons[2].url)
    main = page.locator("main")
    expect(main).to_contain_text("Шинэ зөвлөмж нэмэгдсэн.")
    expect(main).not_to_contain_text("Гуравдугаар хувилбарын текст.")
    expect(page.locator(".newer-release")).to_contain_text("Гурав дахь хичээл дахин бичигдсэн.")
    shot(page, "steady-older")
    # They may choose to move; then the newest words are theirs.
    with page.expect_navigation():
        page.locator(".newer-release button[type=submit]").click()
    assert Enrollment.objects.get(user=steady).release == newest
    page.goto(live_server.url + lessons[2].url)
    expect(page.locator("main")).to_contain_text("Гуравдугаар хувилбарын текст.")
    expect(page.locator(".newer-release")).to_have_count(0)
    page.context.close()
