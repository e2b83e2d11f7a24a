"""The one sync endpoint: work done offline lands once, at the time it was done; conflicts are
resolved on the server and explained; bad input is refused with a 4xx, nothing changed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.h5p.models import H5PAttempt, H5PStatement
from assessments.h5p.selectors import player_signature
from assessments.models import QuizAttempt
from courses import services as course_services
from courses.models import Enrollment, LessonProgress
from lms.offline.models import OfflinePaper, SyncedItem
from tests.assessments import h5p_helpers
from tests.assessments import helpers as quiz_helpers
from tests.assessments.h5p_helpers import import_sample, needs_samples
from tests.assessments.test_h5p_activities import statement as h5p_statement
from tests.courses.test_releases import edit
from tests.factories import UserFactory, build_course

from .helpers import download, enrol, item, right_answers, sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_course(site):
    quiz = quiz_helpers.quiz(
        [quiz_helpers.question(text="Who may you tell?"), quiz_helpers.question(text="When?")]
    )
    return quiz_helpers.course_with_quiz(quiz, lessons=3, quiz_position=2, slug="offline-quiz"), quiz


@pytest.fixture
def enrolled(quiz_course, client):
    built, quiz = quiz_course
    learner = UserFactory()
    enrollment = enrol(learner, built.mn)
    client.force_login(learner)
    return built, quiz, learner, enrollment


def progress(enrollment, lesson):
    return LessonProgress.objects.filter(enrollment=enrollment, lesson_key=lesson.translation_key).first()


def test_lessons_completed_offline_count_once_at_the_time_they_were_done(enrolled, client):
    built, _quiz, learner, enrollment = enrolled
    first, second = built.lessons["en"][0], built.lessons["en"][1]
    done_at = timezone.now() - timedelta(hours=3)
    items = [
        item("visit", done_at - timedelta(minutes=10), lesson=first.pk),
        item("time", done_at - timedelta(minutes=1), lesson=first.pk, seconds=420),
        item("complete", done_at, lesson=first.pk, release=enrollment.release_id),
        item("complete", done_at + timedelta(minutes=20), lesson=second.pk, release=enrollment.release_id),
    ]
    status, answer = sync(client, *items)
    assert status == 200
    assert [r["status"] for r in answer["results"]] == ["done"] * 4
    assert answer["results"][2]["message"] == "Lesson completed: Lesson 1"
    assert progress(enrollment, first).completed_at == done_at
    assert progress(enrollment, first).started_at == done_at - timedelta(minutes=10)
    assert progress(enrollment, first).time_spent_seconds == 420
    assert progress(enrollment, second).completed_at == done_at + timedelta(minutes=20)
    assert answer["courses"] == {
        str(built.mn.pk): enrollment.release_id,
        str(built.en.pk): enrollment.release_id,
    }

    # The same items again (a phone that lost the answer): the same outcomes, nothing changed.
    before = list(LessonProgress.objects.values_list("pk", "completed_at", "time_spent_seconds"))
    status, again = sync(client, *items)
    assert status == 200 and all(result["repeat"] for result in again["results"])
    assert [r["message"] for r in again["results"]] == [r["message"] for r in answer["results"]]
    assert list(LessonProgress.objects.values_list("pk", "completed_at", "time_spent_seconds")) == before
    assert Enrollment.objects.get(pk=enrollment.pk).completed_lessons == 2
    assert SyncedItem.objects.filter(user=learner).count() == 4


def test_the_course_is_completed_at_the_time_of_its_last_lesson(site, client):
    built = build_course(lessons=2, slug="short")
    learner = UserFactory()
    enrollment = enrol(learner, built.mn)
    client.force_login(learner)
    at = timezone.now() - timedelta(days=1)
    status, answer = sync(
        client,
        *[
            item("complete", at + timedelta(minutes=n), lesson=lesson.pk, release=enrollment.release_id)
            for n, lesson in enumerate(built.lessons["mn"])
        ],
        language_prefix="",
    )
    assert status == 200 and answer["results"][1]["course_complete"] is True
    enrollment.refresh_from_db()
    assert enrollment.is_completed and enrollment.completed_at == at + timedelta(minutes=1)
    assert "Сургалт" in answer["results"][1]["message"] or "Хичээл" in answer["results"][1]["message"]


def test_a_quiz_taken_offline_is_marked_on_sync_and_counts_as_one_attempt(enrolled, client):
    built, quiz, learner, enrollment = enrolled
    listing = download(client, built.en)
    (paper,) = listing["papers"]
    assert paper["quiz"] == quiz.pk and paper["lesson"] == built.lessons["en"][2].pk
    assert QuizAttempt.objects.filter(user=learner).count() == 0  # drawing a paper uses no attempt
    page = client.get(paper["url"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Who may you tell?" in html and "correct" not in html.lower()
    started, submitted = timezone.now() - timedelta(hours=2, minutes=5), timezone.now() - timedelta(hours=2)
    taken = item(
        "quiz",
        submitted,
        paper=paper["token"],
        lesson=paper["lesson"],
        answers=right_answers(html),
        started=started.isoformat(),
    )
    assert len(taken["answers"]) == 2
    status, answer = sync(client, taken)
    (result,) = answer["results"]
    assert status == 200 and result["status"] == "done" and result["passed"] is True
    attempt = QuizAttempt.objects.get(user=learner)
    assert (attempt.started_at, attempt.submitted_at, attempt.score, attempt.number) == (
        started,
        submitted,
        100.0,
        1,
    )
    assert result["result_url"] == reverse("assessments:result", args=[attempt.pk])
    assert progress(enrollment, built.lessons["en"][2]).completed_at == submitted  # the quiz completed it
    assert client.get(result["result_url"]).status_code == 200

    status, again = sync(client, taken)
    assert again["results"][0]["repeat"] and QuizAttempt.objects.filter(user=learner).count() == 1
    # The same paper sent as new work: it was used, so it is refused, and explained.
    status, reused = sync(client, {**taken, "id": item("quiz", submitted)["id"]})
    assert reused["results"][0]["status"] == "refused"
    assert reused["results"][0]["message"] == "These quiz answers were already marked."
    assert QuizAttempt.objects.filter(user=learner).count() == 1
    # The next download draws a fresh paper for another try.
    assert download(client, built.en)["papers"][0]["token"] != paper["token"]


def test_a_quiz_out_of_attempts_is_refused_and_explained(site, client):
    quiz = quiz_helpers.quiz([quiz_helpers.question()], max_attempts=1)
    built = quiz_helpers.course_with_quiz(quiz, lessons=2, quiz_position=1, slug="one-try")
    learner = UserFactory()
    enrol(learner, built.mn)
    client.force_login(learner)
    (paper,) = download(client, built.en)["papers"]
    html = client.get(paper["url"]).content.decode()
    # Meanwhile, online on another device, the learner used the one attempt.
    from assessments import services as quiz_services

    attempt = quiz_services.attempt_start(user=learner, quiz=quiz, lesson=built.lessons["en"][1])
    quiz_services.attempt_submit(user=learner, attempt_id=attempt.pk)
    status, answer = sync(
        client, item("quiz", timezone.now(), paper=paper["token"], answers=right_answers(html))
    )
    (result,) = answer["results"]
    assert status == 200 and result["status"] == "refused"
    assert "attempt" in result["message"].lower()
    assert QuizAttempt.objects.filter(user=learner).count() == 1
    assert download(client, built.en)["papers"] == []  # no attempt left: no paper to take offline


def test_a_release_move_while_offline_keeps_unchanged_lessons_and_explains_changed_ones(site, client):
    built = build_course(lessons=3, slug="moving")
    learner = UserFactory()
    enrollment = enrol(learner, built.mn)
    client.force_login(learner)
    old_release = enrollment.release_id
    changed, same = built.lessons["en"][0], built.lessons["en"][1]
    # While the learner reads the downloaded 1.0 offline, 1.1 changes the first lesson and they move.
    edit(changed, "New guidance on referral.")
    edit(built.lessons["mn"][0], "Шинэ заавар.")
    new_release = course_services.release_publish(course=built.mn, version="1.1")
    course_services.enrollment_move(enrollment=enrollment, to=new_release, by=learner)
    at = timezone.now() - timedelta(hours=1)
    status, answer = sync(
        client,
        item("complete", at, lesson=changed.pk, release=old_release),
        item("complete", at, lesson=same.pk, release=old_release),
    )
    refused, applied = answer["results"]
    assert status == 200 and refused["status"] == "refused" and refused["code"] == "changed"
    assert refused["message"] == (
        "“Lesson 1” changed in version 1.1 after you read it offline. Read it again and mark it complete."
    )
    assert applied["status"] == "done"
    enrollment.refresh_from_db()
    assert progress(enrollment, changed) is None or progress(enrollment, changed).completed_at is None
    assert progress(enrollment, same).completed_at == at
    assert answer["courses"][str(built.en.pk)] == new_release.pk  # the phone renews its copy


@pytest.mark.parametrize(
    "body, status",
    [
        (b"not json", 400),
        (b'{"items": "x"}', 400),
        (b"[]", 400),
        (json.dumps({"items": [{}] * 101}).encode(), 400),
    ],
)
def test_bad_requests_are_refused_with_a_message(enrolled, client, body, status):
    response = client.post(reverse("offline:sync"), data=body, content_type="application/json")
    assert response.status_code == status and response.json()["error"]
    assert SyncedItem.objects.count() == 0


def test_bad_items_are_refused_one_by_one_and_the_rest_applied(enrolled, client):
    built, _quiz, _learner, enrollment = enrolled
    lesson = built.lessons["en"][0]
    now = timezone.now()
    status, answer = sync(
        client,
        {"kind": "complete"},
        item("dance", now, lesson=lesson.pk),
        {**item("complete", now, lesson=lesson.pk), "at": "yesterday"},
        item("complete", now + timedelta(days=2), lesson=lesson.pk),
        item("time", now, lesson=lesson.pk, seconds=-5),
        item("complete", now, lesson=999999),
        item("quiz", now, paper="not-a-paper", answers=[]),
        item("complete", now, lesson=lesson.pk, release=enrollment.release_id),
    )
    codes = [result.get("code") for result in answer["results"]]
    assert status == 200
    assert codes == [
        "invalid",
        "invalid",
        "invalid",
        "clock",
        "invalid",
        "invalid",
        "unknown_paper",
        "completed",
    ]
    assert answer["results"][3]["message"].startswith("The clock on your device is ahead")
    assert progress(enrollment, lesson).completed_at is not None


def test_signed_out_and_other_peoples_things_are_refused(enrolled, client):
    built, _quiz, learner, enrollment = enrolled
    (paper,) = download(client, built.en)["papers"]
    client.logout()
    status, answer = sync(client, item("complete", timezone.now(), lesson=built.lessons["en"][0].pk))
    assert status == 401 and "Sign in" in answer["error"]
    assert client.get(reverse("offline:sync")).status_code in (401, 405)
    other = UserFactory()
    enrol(other, built.mn)
    client.force_login(other)
    assert client.get(paper["url"]).status_code == 404  # a paper is its owner's alone
    status, answer = sync(client, item("quiz", timezone.now(), paper=paper["token"], answers=[]))
    assert answer["results"][0]["code"] == "unknown_paper"
    assert OfflinePaper.objects.get(token=paper["token"]).attempt_id is None


@needs_samples
def test_h5p_statements_kept_on_the_phone_are_recorded_at_their_time(site, client):
    activity = import_sample("true-false.h5p", pass_mark=100)
    built = h5p_helpers.course_with_h5p([activity], lessons=2)
    learner = UserFactory()
    enrollment = enrol(learner, built.mn)
    client.force_login(learner)
    lesson = built.lessons["en"][0]
    actor = {"name": "Learner", "mbox": f"mailto:{learner.email}", "objectType": "Agent"}
    answered = h5p_statement(activity, raw=1, maximum=1, scaled=1, success=True, actor=actor)
    at = timezone.now() - timedelta(minutes=30)
    signature = player_signature(lesson_id=lesson.pk, activity_id=activity.pk)
    kept = item(
        "xapi", at, lesson=lesson.pk, activity=activity.pk, signature=signature, statements=[answered]
    )
    status, answer = sync(client, kept)
    (result,) = answer["results"]
    assert status == 200 and result["status"] == "done", result["message"]
    assert result["message"] == "Lesson completed: Lesson 1"
    attempt = H5PAttempt.objects.get(user=learner)
    assert attempt.finished_at == at and attempt.success is True
    assert H5PStatement.objects.get(user=learner).stored_at == at
    assert progress(enrollment, lesson).completed_at == at
    sync(client, kept)
    assert H5PStatement.objects.filter(user=learner).count() == 1
    forged = item(
        "xapi", at, lesson=lesson.pk, activity=activity.pk, signature="forged", statements=[answered]
    )
    assert sync(client, forged)[1]["results"][0]["status"] == "refused"


def test_work_is_never_dated_before_what_it_needed_existed(quiz_course, client):
    """A phone whose clock was set back cannot move work into an earlier reporting period: a
    lesson is not completed before its enrolment, a paper not answered before it was drawn."""
    built, _quiz = quiz_course
    learner = UserFactory()
    enrollment = course_services.enrollment_create(user=learner, course=built.mn)  # just now
    client.force_login(learner)
    response = client.post(reverse("offline:download", args=[built.en.pk]), HTTP_X_REQUESTED_WITH="fetch")
    (paper,) = response.json()["papers"]
    drawn = OfflinePaper.objects.get(token=paper["token"]).created_at
    html = client.get(paper["url"]).content.decode()
    last_year = timezone.now() - timedelta(days=365)
    status, answer = sync(
        client,
        item("complete", last_year, lesson=built.lessons["en"][0].pk, release=enrollment.release_id),
        item(
            "quiz",
            last_year,
            paper=paper["token"],
            lesson=paper["lesson"],
            answers=right_answers(html),
            started=(last_year - timedelta(minutes=5)).isoformat(),
        ),
    )
    assert status == 200 and [r["status"] for r in answer["results"]] == ["done", "done"]
    assert progress(enrollment, built.lessons["en"][0]).completed_at == enrollment.enrolled_at
    attempt = QuizAttempt.objects.get(user=learner)
    assert attempt.started_at == attempt.submitted_at == drawn
    enrollment.refresh_from_db()
    assert enrollment.started_at is None or enrollment.started_at >= enrollment.enrolled_at


def test_an_impossible_date_is_refused_not_a_server_error(enrolled, client):
    built, _quiz, _learner, enrollment = enrolled
    bad = {
        **item("complete", timezone.now(), lesson=built.lessons["en"][0].pk),
        "at": "2026-13-45T10:00:00+08:00",
    }
    status, answer = sync(client, bad)
    assert status == 200 and answer["results"][0]["status"] == "refused"
    assert progress(enrollment, built.lessons["en"][0]) is None
