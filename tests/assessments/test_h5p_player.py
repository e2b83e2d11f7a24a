"""Issue 15: the isolated player, the external-media policy, every result recorded (containers),
completion rules without dead ends, clear failures, activities pinned per release, clean-up.

Statements replayed here have the shapes H5P sends: a Column's questions report ``answered`` with
the Column as ``context.contextActivities.parent`` and ``object.id`` ending in
``?subContentId=<uuid>``; the Column sends ``progressed`` after each, and ``completed`` with the
summed score once every task has a result (h5p/h5p-column, scripts/h5p-column.js).
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from assessments.h5p import content, services
from assessments.h5p.services import activity_iri
from assessments.h5p.xapi import ACTIVITY_MAX
from assessments.models import (
    H5PActivity,
    H5PAttempt,
    H5PLibrary,
    H5PPackageRevision,
    H5PPlayerError,
    H5PQuestionResult,
)
from courses import selectors as course_selectors
from courses import services as course_services
from courses.models import LessonPage, LessonProgress, ReleaseLesson
from lms.accounts import roles
from tests.assessments import h5p_helpers
from tests.assessments.h5p_helpers import import_sample, needs_samples, player_base
from tests.factories import UserFactory, staff_client

pytestmark = [pytest.mark.django_db, needs_samples]

VERBS = "http://adlnet.gov/expapi/verbs/"


def xapi(activity, verb, *, sub=None, parent=None, raw=None, maximum=None, whole=None, kind="choice"):
    """A statement as h5p-standalone sends it through the frame (no actor, no id, no timestamp)."""
    iri = activity_iri(activity.pk)
    data = {
        "verb": {"id": VERBS + verb, "display": {"en-US": verb}},
        "object": {
            "id": f"{iri}?subContentId={sub}" if sub else iri,
            "objectType": "Activity",
            "definition": {"description": {"en-US": f"Question {sub}"}, "interactionType": kind},
        },
        "context": {"contextActivities": {}},
    }
    if parent is not None:
        parent_iri = iri if parent == "" else f"{iri}?subContentId={parent}"
        data["context"]["contextActivities"]["parent"] = [{"id": parent_iri, "objectType": "Activity"}]
    if whole is not None:
        data["context"]["extensions"] = {ACTIVITY_MAX: whole}
    if raw is not None:
        data["result"] = {
            "score": {
                "min": 0,
                "raw": raw,
                "max": maximum,
                "scaled": round(raw / maximum, 4) if maximum else 0,
            },
            "completion": True,
            "success": raw == maximum,
            "response": "0",
        }
    return data


def learner_in(built, **kwargs):
    user = UserFactory(**kwargs)
    course_services.enrollment_create(user=user, course=built.mn)
    client = Client()
    client.force_login(user)
    return user, client


def send(client, lesson, activity, statements):
    return client.post(
        "/en" + player_base(lesson, activity) + "xapi/",
        json.dumps(statements),
        content_type="application/json",
    )


def completed(user, lesson) -> bool:
    return LessonProgress.objects.filter(
        enrollment__user=user, lesson_key=lesson.translation_key, completed_at__isnull=False
    ).exists()


@pytest.fixture
def column(site):
    """An activity standing for a Column (its statements are replayed): scored, rule passed."""
    activity = import_sample("question-set.h5p", pass_mark=100)
    H5PActivity.objects.filter(pk=activity.pk).update(content_types=["H5P.Column", "H5P.MultiChoice"])
    activity.refresh_from_db()
    return activity


# --- 3. every result recorded ---------------------------------------------------------------------


def test_a_columns_answers_are_an_attempt_with_per_question_results(column):
    built = h5p_helpers.course_with_h5p([column])
    learner, client = learner_in(built)
    lesson = built.lessons["en"][0]
    first = xapi(column, "answered", sub="q1", parent="", raw=1, maximum=1, whole=3)
    assert send(client, lesson, column, [first, xapi(column, "progressed")]).status_code == 200
    attempt = H5PAttempt.objects.get()
    # An attempt from the first answer, scored out of the whole Column (1 of 3), not yet passed.
    assert attempt.open and (attempt.raw, attempt.max, attempt.whole_max) == (1, 3, 3)
    assert attempt.question_results.get().question == "Question q1"
    assert not completed(learner, lesson)
    second = xapi(column, "answered", sub="q2", parent="", raw=2, maximum=2, whole=3)
    ending = xapi(column, "completed", raw=3, maximum=3)
    assert send(client, lesson, column, [second, xapi(column, "progressed")]).status_code == 200
    attempt.refresh_from_db()
    assert (attempt.raw, attempt.max, attempt.scaled) == (3, 3, 1)
    response = send(client, lesson, column, [ending])
    assert response.status_code == 200 and response.json()["attempts"][0]["number"] == 1
    attempt.refresh_from_db()
    assert not attempt.open and attempt.verb == "completed" and attempt.success
    assert attempt.question_results.count() == 2
    assert completed(learner, lesson)
    # Staff see the attempt and each question.
    staff = staff_client(roles.EDITORS)
    page = staff.get(f"/admin/assessments/h5p/{column.pk}/results/").content.decode()
    assert "Question q1" in page and "Question q2" in page and learner.email in page


def test_a_container_that_sends_no_score_is_scored_from_its_questions(column):
    built = h5p_helpers.course_with_h5p([column])
    _learner, client = learner_in(built)
    lesson = built.lessons["en"][0]
    send(
        client,
        lesson,
        column,
        [
            xapi(column, "answered", sub="q1", parent="", raw=1, maximum=2),
            xapi(column, "answered", sub="q2", parent="", raw=2, maximum=2),
            xapi(column, "completed"),  # no result at all
        ],
    )
    attempt = H5PAttempt.objects.get()
    assert not attempt.open and (attempt.raw, attempt.max, attempt.scaled) == (3, 4, 0.75)


def test_a_container_inside_a_container_is_not_counted_twice(column):
    built = h5p_helpers.course_with_h5p([column])
    _learner, client = learner_in(built)
    lesson = built.lessons["en"][0]
    # A Question Set (sub-content "qs") inside the Column: its questions, then its own result.
    send(
        client,
        lesson,
        column,
        [
            xapi(column, "answered", sub="a", parent="qs", raw=1, maximum=1, whole=3),
            xapi(column, "answered", sub="b", parent="qs", raw=0, maximum=1, whole=3),
            xapi(column, "completed", sub="qs", parent="", raw=1, maximum=2, whole=3),
            xapi(column, "answered", sub="c", parent="", raw=1, maximum=1, whole=3),
        ],
    )
    attempt = H5PAttempt.objects.get()
    assert attempt.question_results.count() == 4
    assert (attempt.raw, attempt.max) == (2, 3)  # a + b + c, not the Question Set's own 1/2 again


def test_answering_again_replaces_the_answer_and_a_new_play_is_a_new_attempt(column):
    built = h5p_helpers.course_with_h5p([column])
    _learner, client = learner_in(built)
    lesson = built.lessons["en"][0]
    send(client, lesson, column, [xapi(column, "answered", sub="q1", parent="", raw=0, maximum=1, whole=1)])
    send(client, lesson, column, [xapi(column, "answered", sub="q1", parent="", raw=1, maximum=1, whole=1)])
    send(client, lesson, column, [xapi(column, "completed", raw=1, maximum=1)])
    send(client, lesson, column, [xapi(column, "answered", sub="q1", parent="", raw=0, maximum=1, whole=1)])
    first, second = H5PAttempt.objects.order_by("number")
    assert (first.number, first.open, first.raw, first.question_results.count()) == (1, False, 1, 1)
    assert (second.number, second.open, second.raw) == (2, True, 0)


@pytest.mark.parametrize(
    ("kind", "most"),
    [("answer in a container", 14), ("container's end", 10), ("a standalone answer", 16), ("interacted", 9)],
)
def test_queries_per_statement_are_constant(column, django_assert_max_num_queries, kind, most):
    """Measured on SQLite (the same for a course of 30 lessons as of 2: nothing scans the course);
    the standalone answer includes completing the lesson."""
    built = h5p_helpers.course_with_h5p([column], lessons=30)
    _learner, client = learner_in(built)
    lesson = built.lessons["en"][0]
    statement = {
        "answer in a container": xapi(column, "answered", sub="q2", parent="", raw=1, maximum=1, whole=5),
        "container's end": xapi(column, "completed", raw=1, maximum=5),
        "a standalone answer": xapi(column, "answered", raw=1, maximum=1),
        "interacted": xapi(column, "interacted"),
    }[kind]
    send(client, lesson, column, [xapi(column, "attempted")])  # the session is cached from here on
    if kind == "container's end":
        send(
            client, lesson, column, [xapi(column, "answered", sub="q1", parent="", raw=1, maximum=1, whole=5)]
        )
    with django_assert_max_num_queries(most):
        assert send(client, lesson, column, [statement]).status_code == 200


def test_a_batch_of_answers_costs_two_queries_each(column, django_assert_max_num_queries):
    built = h5p_helpers.course_with_h5p([column])
    _learner, client = learner_in(built)
    batch = [xapi(column, "answered", sub=f"q{i}", parent="", raw=1, maximum=1, whole=20) for i in range(10)]
    send(client, built.lessons["en"][0], column, [xapi(column, "attempted")])
    with django_assert_max_num_queries(12 + 2 * len(batch)):
        assert send(client, built.lessons["en"][0], column, batch).status_code == 200
    assert H5PAttempt.objects.get().question_results.count() == 10


# --- 4. no dead ends ------------------------------------------------------------------------------


def test_the_suggested_rule_follows_the_content_type(site):
    assert import_sample("true-false.h5p").completion_rule == "passed"
    assert import_sample("lumi-valid2.h5p").completion_rule == "viewed"  # a greeting card: no score
    video = import_sample("interactive-video-youtube.h5p")
    assert video.completion_rule == "passed" and "H5P.MultiChoice" in video.content_types
    assert import_sample("true-false.h5p", completion_rule="answered").completion_rule == "answered"
    assert content.default_rule(["H5P.CoursePresentation", "H5P.AdvancedText"]) == "viewed"
    assert content.default_rule(["H5P.CoursePresentation", "H5P.Blanks"]) == "passed"


def test_viewed_and_answered_rules(site):
    card = import_sample("lumi-valid2.h5p")
    quiz = import_sample("true-false.h5p", pass_mark=100)
    quiz.block_rule = "answered"  # the lesson block chooses another rule than the activity's
    built = h5p_helpers.course_with_one_activity_per_lesson([card, quiz])
    learner, client = learner_in(built)
    card_lesson, quiz_lesson = built.lessons["en"]
    seen = {"verb": {"id": VERBS + "experienced"}, "object": {"id": activity_iri(card.pk)}}
    assert send(client, card_lesson, card, [seen]).json()["lesson_completed"] is True
    wrong = xapi(quiz, "answered", raw=0, maximum=1)
    assert send(client, quiz_lesson, quiz, [wrong]).json()["lesson_completed"] is True  # answered, not passed
    assert completed(learner, card_lesson) and completed(learner, quiz_lesson)


def test_mark_complete_stays_when_the_rule_cannot_be_met(site):
    card = import_sample("lumi-valid2.h5p")
    card.block_rule = "passed"  # a greeting card gives no score: it can never be passed
    built = h5p_helpers.course_with_one_activity_per_lesson([card])
    learner, client = learner_in(built)
    lesson = built.lessons["en"][0]
    assert ReleaseLesson.objects.get(release=built.release).completion == ReleaseLesson.Completion.MANUAL
    html = client.get(lesson.url).content.decode()
    assert "Mark complete" in html and "does not report a result" in html
    response = client.post(f"/en/learn/lessons/{lesson.pk}/complete/")
    assert response.status_code in (200, 302) and completed(learner, lesson)


# --- 1. isolation ---------------------------------------------------------------------------------


def test_with_an_h5p_origin_frames_come_from_it_and_it_answers_nothing_else(site, settings):
    settings.H5P_ORIGIN = "http://h5p.testserver"
    settings.SITE_URL = "http://testserver"
    quiz = import_sample("true-false.h5p")
    built = h5p_helpers.course_with_h5p([quiz])
    learner, client = learner_in(built)
    response = client.get(built.lessons["en"][0].url)
    src = re.search(r'<iframe class="h5p-frame" src="([^"]+)"', response.content.decode()).group(1)
    assert src.startswith("http://h5p.testserver/en/learn/h5p/play/")
    assert "frame-src 'self' http://h5p.testserver" in response["Content-Security-Policy"]
    path = src.removeprefix("http://h5p.testserver")
    frame = Client(HTTP_HOST="h5p.testserver").get(path)
    assert frame.status_code == 200
    assert "frame-ancestors http://testserver" in frame["Content-Security-Policy"]
    assert Client(HTTP_HOST="h5p.testserver").get(path + "package/h5p.json").status_code == 200
    for page in ("/", "/en/accounts/login/", "/admin/", player_base(built.lessons["mn"][0], quiz) + "xapi/"):
        assert Client(HTTP_HOST="h5p.testserver").get(page).status_code == 404, page
    assert Client().get("/en/").status_code == 200  # the site itself is unchanged


# --- 2. external media by policy ------------------------------------------------------------------


@translation.override("en")
def test_the_import_says_which_hosts_the_package_needs(site, capsys, settings):
    path = h5p_helpers.sample("interactive-video-youtube.h5p")
    call_command("import_h5p", str(path))
    out = capsys.readouterr()
    activity = H5PActivity.objects.get(pk=int(out.out.strip()))
    assert activity.external_hosts == ["youtu.be"]
    assert "youtu.be (YouTube)" in out.err and "H5P_ALLOWED_HOSTS" in out.err
    assert services.media_report(["www.youtube.com"])[0].startswith("This package loads media from")
    settings.H5P_ALLOWED_HOSTS = ["youtu.be"]
    assert len(services.media_report(["youtu.be"])) == 1  # allowed: nothing more to say
    assert content.media_hosts(
        {"a": {"path": "images/x.png"}, "b": [{"path": "http://Example.org/v.mp4"}]}
    ) == ["example.org"]
    assert content.service_name("www.youtube-nocookie.com") == "YouTube"
    assert content.host_allowed("i.ytimg.com", ["*.ytimg.com"]) and not content.host_allowed(
        "ytimg.com.evil", ["*.ytimg.com"]
    )


def test_the_frame_policy_follows_the_allowed_hosts(site, settings):
    video = import_sample("interactive-video-youtube.h5p")
    built = h5p_helpers.course_with_h5p([video])
    learner, client = learner_in(built)
    base = h5p_helpers.frame_base(learner, built.lessons["en"][0], video, language="en")
    page = client.get(base)
    options = frame_options(page)
    assert [entry["service"] for entry in options["cpc"]["blocked"]] == ["YouTube"]
    assert "YouTube, which this site does not load" in options["cpc"]["blocked"][0]["video"]
    assert (
        "youtube" not in page["Content-Security-Policy"]
        and "frame-src 'none'" in page["Content-Security-Policy"]
    )
    settings.H5P_ALLOWED_HOSTS = ["youtu.be", "www.youtube.com", "*.ytimg.com"]
    page = client.get(base)
    assert b'"blocked": []' in page.content
    policy = page["Content-Security-Policy"]
    assert "frame-src https://youtu.be https://www.youtube.com https://*.ytimg.com" in policy
    assert "script-src 'self' http://testserver 'unsafe-eval' https://youtu.be" in policy
    # Mongolian for a Mongolian learner.
    settings.H5P_ALLOWED_HOSTS = []
    mongolian = client.get(h5p_helpers.frame_base(learner, built.lessons["mn"][0], video))
    assert "YouTube дээр байрладаг" in frame_options(mongolian)["cpc"]["blocked"][0]["video"]


def frame_options(response) -> dict:
    found = re.search(rb'id="h5p-options" type="application/json">(.*?)</script>', response.content)
    return json.loads(found.group(1))


# --- 5. clear failure -----------------------------------------------------------------------------


def _without_constructor(name: str) -> io.BytesIO:
    """The sample with its main library's scripts emptied (they no longer define H5P.<Name>)."""
    source = zipfile.ZipFile(h5p_helpers.sample(name))
    h5p = json.loads(source.read("h5p.json"))
    main = h5p["mainLibrary"]
    library = next(
        n for n in source.namelist() if re.match(rf"^{re.escape(main)}-\d+\.\d+/library\.json$", n)
    )
    folder = library.rsplit("/", 1)[0]
    scripts = {f"{folder}/{item['path']}" for item in json.loads(source.read(library)).get("preloadedJs", [])}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = b"var H5P = H5P || {}; H5P.Nothing = 1;" if item.filename in scripts else source.read(item)
            target.writestr(item, data)
    out.seek(0)
    return out


@translation.override("en")
def test_the_import_refuses_a_main_library_without_its_constructor(site):
    with pytest.raises(services.PackageRefused, match=r"does not define its constructor \(H5P.TrueFalse\)"):
        services.activity_import(source=_without_constructor("true-false.h5p"), may_install_libraries=True)
    assert not H5PActivity.objects.exists() and not H5PLibrary.objects.exists()


def test_a_player_that_failed_in_the_browser_is_shown_to_staff(site):
    quiz = import_sample("true-false.h5p")
    built = h5p_helpers.course_with_h5p([quiz])
    learner, client = learner_in(built)
    url = player_base(built.lessons["mn"][0], quiz) + "failure/"
    for _ in range(2):
        assert (
            client.post(url, {"message": "TypeError: H5P.TrueFalse is not a constructor"}).status_code == 200
        )
    error = H5PPlayerError.objects.get()
    assert (error.count, error.user, error.package_revision) == (2, learner, 1)
    assert client.post(url, {"message": "  "}).status_code == 400
    assert Client().post(url, {"message": "x"}).status_code == 401
    page = staff_client(roles.EDITORS).get(f"/admin/assessments/h5p/{quiz.pk}/results/").content.decode()
    assert "Players that failed to start" in page and "is not a constructor" in page


# --- 6. pinned per release ------------------------------------------------------------------------


@translation.override("en")
def test_a_release_pins_the_file_its_learners_play(site, django_capture_on_commit_callbacks):
    quiz = import_sample("true-false.h5p")
    built = h5p_helpers.course_with_h5p([quiz], lessons=2)
    assert built.release.h5p_pins == {str(quiz.pk): {"revision": 1, "title": quiz.title}}
    old, _client = learner_in(built)
    first_folder = quiz.content_folder
    with django_capture_on_commit_callbacks(execute=True):
        replaced = services.activity_import(
            source=h5p_helpers.sample("true-false.h5p"),
            activity=quiz,
            may_install_libraries=False,
            title="TF 2",
        )
    changes = course_selectors.release_changes(course=built.mn)
    assert changes.activities == ["Activity “TF 2” replaced by a new file (version 1 → 2)"]
    assert changes.any and changes.of("changed")  # the lesson changed with its activity's file
    release_2 = course_services.release_publish(course=built.mn, version="2.0")
    assert release_2.h5p_pins[str(quiz.pk)]["revision"] == 2
    new, _client = learner_in(built)
    lesson = built.lessons["mn"][0]
    # The learner on 1.0 keeps playing the first file; the one on 2.0 plays the second.
    assert (
        Client().get(h5p_helpers.frame_base(old, lesson, quiz, revision=1) + "package/h5p.json").status_code
        == 200
    )
    assert (
        Client().get(h5p_helpers.frame_base(old, lesson, quiz, revision=2) + "package/h5p.json").status_code
        == 404
    )
    assert (
        Client().get(h5p_helpers.frame_base(new, lesson, quiz, revision=2) + "package/h5p.json").status_code
        == 200
    )
    assert (services.h5p_root() / first_folder / "h5p.json").is_file()
    assert replaced.content_folder != first_folder
    # Removing the activity from the lesson is listed too.
    for lang in ("mn", "en"):
        page = LessonPage.objects.get(pk=built.lessons[lang][0].pk)
        page.body = [{"type": "text", "value": "<p>No activity now.</p>"}]
        page.save_revision()
    with translation.override("en"):  # the test client's requests left Mongolian active
        removed = course_selectors.release_changes(course=built.mn)
        assert removed.activities == ["Activity “TF 2” removed"]
        # The lesson's review names the block it lost, in each language, by the pinned title.
        [lesson_change] = removed.of("changed")
        assert {code: diff.blocks for code, diff in lesson_change.diffs.items()} == {
            "mn": ["H5P activity “TF 2” removed"],
            "en": ["H5P activity “TF 2” removed"],
        }


# --- 7. clean-up ----------------------------------------------------------------------------------


def test_cleanup_is_a_dry_run_unless_asked(site, capsys, django_capture_on_commit_callbacks):
    quiz = import_sample("true-false.h5p")
    other = import_sample("drag-text.h5p")
    root = services.h5p_root()
    orphan = root / "libraries" / "H5P.Gone-1.0.0-abcd1234"
    orphan.mkdir(parents=True)
    (orphan / "library.json").write_text("{}")
    drag_only = set(other.libraries.values_list("pk", flat=True)) - set(
        quiz.libraries.values_list("pk", flat=True)
    )
    other.delete()  # its libraries are now used by nothing
    H5PPackageRevision.objects.filter(activity_id=other.pk).delete()
    call_command("h5p_cleanup")
    out = capsys.readouterr().out
    assert "Would remove" in out and "H5P.Gone-1.0.0-abcd1234" in out and "H5P.DragText" in out
    assert orphan.exists() and H5PLibrary.objects.filter(pk__in=drag_only).count() == len(drag_only)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("h5p_cleanup", "--delete")
    assert not orphan.exists() and not H5PLibrary.objects.filter(pk__in=drag_only).exists()
    assert (root / quiz.main_library.folder / "library.json").is_file()  # what is used stays
    call_command("h5p_cleanup")
    assert "Nothing to remove." in capsys.readouterr().out
    assert H5PQuestionResult.objects.count() == 0
