"""H5P tells the truth (issue 13): signed player URLs are good only where the person's own release
shows the activity; scores must agree with themselves; pathological JSON is a 4xx, never a 500."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import Client

from assessments.h5p import selectors
from assessments.h5p.services import activity_iri
from assessments.h5p.xapi import StatementError, clean_statement
from assessments.models import H5PAttempt, H5PStatement, H5PUserState
from courses import services as course_services
from courses.models import LessonPage, LessonProgress
from lms.accounts import roles
from tests.assessments import h5p_helpers
from tests.assessments.h5p_helpers import import_sample, needs_samples, player_base
from tests.factories import UserFactory, with_two_factor

pytestmark = [pytest.mark.django_db, needs_samples]

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


def answered(activity, user, *, raw=1, maximum=1, scaled=1.0, **score):
    return {
        "actor": {"mbox": f"mailto:{user.email}", "objectType": "Agent"},
        "verb": {"id": ANSWERED},
        "object": {"id": activity_iri(activity.pk), "objectType": "Activity"},
        "result": {"score": {"min": 0, "raw": raw, "max": maximum, "scaled": scaled, **score}},
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def replace_in_lesson(built, position: int, activity) -> None:
    """Editors put another activity in the lesson's place (both languages), as a draft published."""
    for lang in ("mn", "en"):
        lesson = LessonPage.objects.get(pk=built.lessons[lang][position].pk)
        lesson.body = [{"type": "h5p", "value": {"activity": activity.pk}}]
        lesson.save_revision().publish()


@pytest.fixture
def two_releases(site):
    """Release 1.0 shows activity A in lesson 1; release 2.0 replaces A by B. Two learners
    enrolled on 1.0; ``moved`` goes to 2.0, ``stayed`` does not."""
    a = import_sample("true-false.h5p", pass_mark=100)
    b = import_sample("multiple-choice.h5p", pass_mark=100)
    built = h5p_helpers.course_with_h5p([a], lessons=2)
    stayed, moved = UserFactory(), UserFactory()
    for user in (stayed, moved):
        course_services.enrollment_create(user=user, course=built.mn)
    replace_in_lesson(built, 0, b)
    release_2 = course_services.release_publish(course=built.mn, version="2.0")
    enrollment = moved.enrollments.get()
    course_services.enrollment_move(enrollment=enrollment, to=release_2)
    return {"a": a, "b": b, "built": built, "stayed": stayed, "moved": moved}


def test_a_url_signed_for_a_replaced_activity_dies_with_the_learners_move(two_releases):
    a, b, built = two_releases["a"], two_releases["b"], two_releases["built"]
    lesson = built.lessons["mn"][0]
    moved = client_for(two_releases["moved"])
    base = player_base(lesson, a)
    # Files, state and statements of A are gone for the moved learner: A is not in their release.
    frame = h5p_helpers.frame_base(two_releases["moved"], lesson, a)
    assert moved.get(frame).status_code == 404
    assert moved.get(frame + "package/h5p.json").status_code == 404
    assert moved.get(h5p_helpers.library_url(frame, a, a.main_library)).status_code == 404
    assert moved.get(base + "state/state/0/").status_code == 404
    assert moved.post(base + "state/state/0/", {"data": "{}"}).status_code == 404
    response = moved.post(
        base + "xapi/",
        json.dumps(answered(a, two_releases["moved"])),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not H5PStatement.objects.filter(user=two_releases["moved"]).exists()
    assert not H5PUserState.objects.exists()
    assert not LessonProgress.objects.filter(
        enrollment__user=two_releases["moved"], completed_at__isnull=False
    ).exists()
    # B, which their release shows, works (and completes the lesson).
    response = moved.post(
        player_base(lesson, b) + "xapi/",
        json.dumps(answered(b, two_releases["moved"])),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["lesson_completed"] is True


def test_a_learner_still_on_the_old_release_keeps_the_activity(two_releases):
    a, b, built = two_releases["a"], two_releases["b"], two_releases["built"]
    lesson = built.lessons["en"][0]
    stayed = client_for(two_releases["stayed"])
    base = player_base(lesson, a)
    frame = h5p_helpers.frame_base(two_releases["stayed"], lesson, a)
    assert stayed.get(frame).status_code == 200
    assert stayed.get(frame + "package/h5p.json").status_code == 200
    assert stayed.post(base + "state/state/0/", {"data": '{"x":1}'}).status_code == 200
    response = stayed.post(
        base + "xapi/", json.dumps(answered(a, two_releases["stayed"])), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["lesson_completed"] is True
    # B is not in their release.
    b_frame = h5p_helpers.frame_base(two_releases["stayed"], lesson, b)
    assert stayed.get(b_frame + "package/h5p.json").status_code == 404


def test_visitors_follow_the_current_release_and_editors_reach_the_draft(two_releases):
    a, b, built = two_releases["a"], two_releases["b"], two_releases["built"]
    lesson = built.lessons["mn"][0]
    visitor = Client()
    anonymous = AnonymousUser()
    assert visitor.get(h5p_helpers.frame_base(anonymous, lesson, a) + "package/h5p.json").status_code == 404
    assert visitor.get(h5p_helpers.frame_base(anonymous, lesson, b) + "package/h5p.json").status_code == 200
    # An editor drafts C in the lesson: the editor's preview plays it, learners cannot.
    c = import_sample("drag-text.h5p")
    page = LessonPage.objects.get(pk=lesson.pk)
    page.body = [{"type": "h5p", "value": {"activity": c.pk}}]
    page.save_revision()
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name=roles.EDITORS))
    with_two_factor(editor)
    assert (
        client_for(editor).get(h5p_helpers.frame_base(editor, lesson, c) + "package/h5p.json").status_code
        == 200
    )
    moved = two_releases["moved"]
    assert (
        client_for(moved).get(h5p_helpers.frame_base(moved, lesson, c) + "package/h5p.json").status_code
        == 404
    )
    assert visitor.get(h5p_helpers.frame_base(anonymous, lesson, c) + "package/h5p.json").status_code == 404


def test_a_lesson_in_no_release_shows_what_is_live(site):
    a = import_sample("true-false.h5p")
    b = import_sample("multiple-choice.h5p")
    built = h5p_helpers.course_with_h5p([a], lessons=2)
    built.release.lessons.all().delete()  # as if the course had never been released
    page = LessonPage.objects.get(pk=built.lessons["mn"][0].pk)
    shown = selectors.activity_shown_to(user=UserFactory(), lesson=page, activity_id=a.pk)
    assert shown is True
    assert not selectors.activity_shown_to(user=UserFactory(), lesson=page, activity_id=b.pk)


def test_the_decision_takes_a_fixed_number_of_queries(two_releases, django_assert_max_num_queries):
    a, built = two_releases["a"], two_releases["built"]
    page = LessonPage.objects.select_related("locale").get(pk=built.lessons["mn"][0].pk)
    user = two_releases["stayed"]
    selectors.activity_shown_to(user=user, lesson=page, activity_id=a.pk)  # fills the cache
    with django_assert_max_num_queries(1):
        assert selectors.activity_shown_to(user=user, lesson=page, activity_id=a.pk)


def test_activity_ids_are_found_at_any_depth_of_a_body():
    body = json.dumps(
        [
            {"type": "text", "value": "<p>h5p</p>"},
            {"type": "h5p", "value": {"activity": 7}},
            {"type": "columns", "value": [{"type": "h5p", "value": {"activity": 9}}]},
            {"type": "h5p", "value": {"activity": "8"}},
        ]
    )
    assert selectors.activity_ids_in_body(body) == {7, 9}
    assert selectors.activity_ids_in_body("not json") == set()


# --- scores that disagree with themselves -------------------------------------------------------


def _clean(score: dict):
    return clean_statement(
        {
            "verb": {"id": ANSWERED},
            "object": {"id": "http://x/h5p/activities/1"},
            "result": {"score": score},
        },
        iri="http://x/h5p/activities/1",
        learner_mbox="mailto:a@b.mn",
    )


@pytest.mark.parametrize(
    "score",
    [
        {"min": 0, "raw": 0, "max": 10, "scaled": 1.0},  # nothing right, "100%"
        {"min": 0, "raw": 10, "max": 10, "scaled": 0.5},
        {"raw": -1, "max": 10},  # below zero with no minimum
        {"raw": -1, "max": 10, "scaled": -0.1},
    ],
)
def test_scores_that_disagree_are_refused(score):
    with pytest.raises(StatementError, match="score"):
        _clean(score)


@pytest.mark.parametrize(
    "score",
    [
        {"min": 0, "raw": 1, "max": 3, "scaled": 0.3333},  # H5P rounds
        {"min": 0, "raw": 2, "max": 3, "scaled": 0.67},
        {"min": 0, "raw": 0, "max": 0, "scaled": 0},  # ungraded
        {"raw": 3, "max": 5},  # no scaled: derived
        {"min": -5, "raw": -1, "max": 10, "scaled": -0.1},  # a minimum allows it
    ],
)
def test_scores_that_agree_pass(score):
    assert _clean(score).score is not None


def test_the_recorded_scaled_comes_from_raw_and_max(site):
    a = import_sample("true-false.h5p", pass_mark=50)
    built = h5p_helpers.course_with_h5p([a], lessons=2)
    learner = UserFactory()
    course_services.enrollment_create(user=learner, course=built.mn)
    client = client_for(learner)
    url = player_base(built.lessons["mn"][0], a) + "xapi/"
    forged = answered(a, learner, raw=0, maximum=10, scaled=1.0, min=0)
    response = client.post(url, json.dumps(forged), content_type="application/json")
    assert response.status_code == 400 and "scaled" in response.json()["error"]
    assert not H5PAttempt.objects.exists() and not H5PStatement.objects.exists()
    # Within H5P's rounding, the server keeps raw/max, not the browser's rounded figure.
    close = answered(a, learner, raw=2, maximum=3, scaled=0.67)
    assert client.post(url, json.dumps(close), content_type="application/json").status_code == 200
    attempt = H5PAttempt.objects.get()
    assert attempt.scaled == pytest.approx(2 / 3)


# --- pathological JSON ---------------------------------------------------------------------------


@pytest.fixture
def enrolled_player(site):
    a = import_sample("true-false.h5p")
    built = h5p_helpers.course_with_h5p([a], lessons=2)
    learner = UserFactory()
    course_services.enrollment_create(user=learner, course=built.mn)
    return client_for(learner), "/en" + player_base(built.lessons["en"][0], a), learner, a  # English errors


@pytest.mark.parametrize("depth", [5_000, 200])
def test_deeply_nested_statements_are_a_400(enrolled_player, depth):
    client, base, learner, activity = enrolled_player
    response = client.post(base + "xapi/", "[" * depth + "]" * depth, content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in response.json()["error"]
    # Deep inside an otherwise good statement (an extension) too.
    statement = answered(activity, learner)
    statement["result"]["extensions"] = {"http://x/e": json.loads("[" * 150 + "]" * 150)}
    response = client.post(base + "xapi/", json.dumps(statement), content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in response.json()["error"]
    assert not H5PStatement.objects.exists()


def test_saved_state_must_be_json_and_not_too_deep(enrolled_player):
    client, base, _learner, _activity = enrolled_player
    url = base + "state/state/0/"
    response = client.post(url, {"data": "[" * 5_000 + "]" * 5_000})
    assert response.status_code == 400 and "nested too deeply" in response.json()["error"]
    response = client.post(url, {"data": "{not json"})
    assert response.status_code == 400 and response.json()["error"]
    assert not H5PUserState.objects.exists()
    assert client.post(url, {"data": '{"progress": [1, 2]}'}).status_code == 200
    assert client.post(url, {"data": "0"}).status_code == 200  # H5P's way to delete
    assert not H5PUserState.objects.exists()
