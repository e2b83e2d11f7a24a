"""An editor and a reviewer, in the Mongolian admin: the editor adds two sentences to a lesson and an
H5P activity to another, prepares release 1.1 and submits it; the reviewer sees exactly those two
sentences as added words, the H5P block listed by name, approves, and the release list says it is
the current one (issue 16)."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import CourseRelease, LessonPage
from lms.accounts import roles
from tests.assessments.h5p_helpers import import_sample
from tests.factories import build_course

from .conftest import ARTIFACTS
from .test_release_journey import admin_page, approve, shot, staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADDED = "Хүүхдийг буруутгахгүй. Түүний хэлснийг тэмдэглэнэ."


def _add_h5p_block(admin, title: str) -> None:
    """Append an H5P block to the lesson body in the page editor and choose the activity."""
    admin.locator("[data-contentpath='body'] button.c-sf-add-button").last.click()
    admin.locator("[role=option]", has_text="H5P").first.click()
    block = admin.locator("[data-contentpath='body'] [data-contentpath='activity']").last
    block.locator("button.action-choose, button[data-chooser-action-choose]").first.click()
    modal = admin.locator(".modal-dialog")
    with admin.expect_response(re.compile(r"/admin/snippets/choose/")):
        modal.get_by_role("link", name=title).first.click()
    expect(block).to_contain_text(title)


def test_two_sentences_show_as_two_sentences_and_the_h5p_block_is_listed(site, live_server, browser):
    activity = import_sample("true-false.h5p")
    built = build_course(lessons=3, slug="review-journey")
    lessons = built.lessons["mn"]
    editor, editor_secret = staff("editor.mn@example.mn", roles.EDITORS)
    reviewer, reviewer_secret = staff("reviewer.mn@example.mn", roles.REVIEWERS)

    # 1. The editor, in the Mongolian admin, adds two sentences at the end of lesson 1's text ...
    admin = admin_page(browser, live_server, editor, editor_secret, language="mn")
    admin.goto(f"{live_server.url}/admin/pages/{lessons[0].pk}/edit/")
    assert admin.locator("html").get_attribute("lang") == "mn"
    editor_box = admin.locator(".Draftail-Editor [contenteditable=true]").first
    editor_box.click()
    admin.keyboard.press("Control+End")
    admin.keyboard.type(" " + ADDED)
    expect(admin.locator("input[name='body-0-value']")).to_have_value(re.compile("тэмдэглэнэ"))
    with admin.expect_navigation():
        admin.locator("button.action-save").first.click()
    # ... and an H5P activity at the end of lesson 2.
    admin.goto(f"{live_server.url}/admin/pages/{lessons[1].pk}/edit/")
    _add_h5p_block(admin, activity.title)
    with admin.expect_navigation():
        admin.locator("button.action-save").first.click()
    draft = LessonPage.objects.get(pk=lessons[1].pk).get_latest_revision_as_object()
    assert [block.block_type for block in draft.body][-1] == "h5p"

    # 2. Release 1.1: the editor sees what changed and submits it for approval.
    admin.goto(f"{live_server.url}/admin/snippets/courses/courserelease/add/")
    admin.select_option("#id_course", str(built.mn.pk))
    admin.fill("#id_version", "1.1")
    admin.fill("#id_notes_mn", "Нэг хичээлд хоёр өгүүлбэр, нөгөөд H5P дасгал нэмэгдсэн.")
    admin.fill("#id_notes_en", "Two sentences in one lesson, an H5P activity in another.")
    with admin.expect_navigation():
        admin.locator("button.action-save").first.click()
    release = CourseRelease.objects.get(course=built.mn, version="1.1")
    admin.goto(f"{live_server.url}/admin/snippets/courses/courserelease/edit/{release.pk}/")
    with admin.expect_navigation():
        admin.locator("button[name='action-submit']").dispatch_event("click")
    assert CourseRelease.objects.get(pk=release.pk).published_at is None, "submitted, not published"
    admin.context.close()

    # 3. The reviewer sees exactly the two sentences, added, and the H5P block by name.
    review = admin_page(browser, live_server, reviewer, reviewer_secret, language="mn")
    review.goto(f"{live_server.url}/admin/snippets/courses/courserelease/edit/{release.pk}/")
    changes = review.locator(".release-changes")
    first = changes.locator("li.change-changed", has_text=lessons[0].title)
    mongolian = first.locator("details.release-lang").first
    inserted = " ".join(
        text.replace("нэмэгдсэн:", "").strip() for text in mongolian.locator("ins").all_inner_texts()
    )
    assert inserted == ADDED
    expect(mongolian.locator("del")).to_have_count(0)
    second = changes.locator("li.change-changed", has_text=lessons[1].title)
    expect(second.locator(".release-blocks").first).to_contain_text(activity.title)
    expect(changes.locator("li.change-changed:not(.activity-change)")).to_have_count(2)
    changes.screenshot(path=str(ARTIFACTS / "release-review-panel-mn.png"))

    approve(review)
    release.refresh_from_db()
    assert release.is_current and release.published_by == reviewer
    expect(review.locator(".messages")).to_contain_text("1.1")
    review.goto(f"{live_server.url}/admin/snippets/courses/courserelease/")
    row = review.locator("tr", has_text="1.1")
    expect(row).to_contain_text("одоогийн")
    shot(review, "list-mn")
    review.context.close()

    # The learner's lesson now holds the two sentences and the activity.
    lesson = LessonPage.objects.get(pk=lessons[0].pk)
    assert ADDED in lesson.body.render_as_block()
