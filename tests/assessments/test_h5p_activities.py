"""H5P activities: importing real packages, serving their files, recording statements and state.

Real packages come from ../shared/h5p-samples (skipped with a reason when absent; CI has them).
Statements replayed here have the shapes h5p-standalone 3.8.2 sends (see the samples' README).
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessments.h5p import frame as frame_module
from assessments.h5p import services
from assessments.h5p.services import activity_iri
from assessments.models import (
    H5PActivity,
    H5PAttempt,
    H5PLibrary,
    H5PStatement,
    H5PUserState,
)
from courses import services as course_services
from courses.models import LessonProgress
from lms.accounts import roles
from lms.accounts.models import AuditEvent
from tests.assessments import h5p_helpers
from tests.assessments.h5p_helpers import INVALID, import_sample, needs_samples, player_base
from tests.factories import UserFactory, staff_client

pytestmark = [pytest.mark.django_db, needs_samples]

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"


def statement(
    activity, verb=ANSWERED, *, raw=None, maximum=None, scaled=None, sub=None, actor=None, **result
):
    """A statement shaped like the player's: no id, no timestamp."""
    iri = activity_iri(activity.pk)
    data = {
        "actor": actor or {"name": "Learner", "mbox": "mailto:learner@example.mn", "objectType": "Agent"},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {
            "id": f"{iri}?subContentId={sub}" if sub else iri,
            "objectType": "Activity",
            "definition": {"name": {"en-US": "Question"}, "interactionType": "choice"},
        },
        "context": {"contextActivities": {"category": [{"id": "http://h5p.org/libraries/H5P.X-1.0"}]}},
    }
    if sub:
        data["context"]["contextActivities"]["parent"] = [{"id": iri, "objectType": "Activity"}]
    if raw is not None:
        result["score"] = {"min": 0, "raw": raw, "max": maximum, "scaled": scaled}
        result.setdefault("duration", "PT3.5S")
        result.setdefault("completion", True)
    if result:
        data["result"] = result
    return data


@pytest.fixture
def true_false(site):
    return import_sample("true-false.h5p", pass_mark=100)


@pytest.fixture
def tf_course(true_false):
    return h5p_helpers.course_with_h5p([true_false], lessons=2)


@pytest.fixture
def enrolled(tf_course, learner, learner_client):
    course_services.enrollment_create(user=learner, course=tf_course.mn)
    return learner_client


def post_xapi(client, lesson, activity, payload, raw=False):
    body = payload if raw else json.dumps(payload)
    return client.post(player_base(lesson, activity) + "xapi/", body, content_type="application/json")


# --- importing -------------------------------------------------------------------------------------


def test_every_valid_sample_imports_and_shares_libraries(site):
    names = sorted(path.name for path in h5p_helpers.VALID.glob("*.h5p"))
    assert names, f"no packages in {h5p_helpers.VALID}"
    activities = [import_sample(name) for name in names]
    assert len(activities) == len(names)  # every file in the folder, whatever is added to it
    root = services.h5p_root()
    for activity in activities:
        assert (root / activity.content_folder / "h5p.json").is_file()
        assert (root / activity.content_folder / "content" / "content.json").is_file()
        assert (root / activity.package).is_file()
        assert activity.libraries.filter(pk=activity.main_library_id).exists()
        for library in activity.libraries.all():
            assert (root / library.folder / "library.json").is_file()
    # One row per machine name and major.minor, shared by every package that uses it.
    keys = list(H5PLibrary.objects.values_list("machine_name", "major", "minor"))
    assert len(keys) == len(set(keys))
    shared = H5PLibrary.objects.get(machine_name="H5P.JoubelUI", major=1, minor=3)
    assert shared.activities.count() >= 2
    assert not H5PLibrary.objects.filter(machine_name__startswith="H5PEditor.").exists()
    assert not (root / "tmp").exists() or not any((root / "tmp").iterdir())


# invalid-core-version.h5p asks for core API 1.19, which h5p-standalone 3.8 (1.27) provides: it is
# only invalid for an older player (test_h5p_package.py checks it against one).
REFUSED = (
    [p for p in sorted(INVALID.glob("*.h5p")) if p.name != "invalid-core-version.h5p"]
    if INVALID.is_dir()
    else []
)


@pytest.mark.parametrize("path", REFUSED, ids=lambda p: p.name)
def test_every_invalid_sample_is_refused_and_nothing_is_stored(site, path):
    with pytest.raises(services.PackageRefused) as refused:
        services.activity_import(source=path, may_install_libraries=True)
    assert refused.value.problems and all(problem for problem in refused.value.problems)
    assert not H5PActivity.objects.exists() and not H5PLibrary.objects.exists()
    root = services.h5p_root()
    assert not any(p.is_file() for p in root.rglob("*")) if root.exists() else True


def test_the_command_prints_the_id_or_a_reason(site, capsys):
    call_command("import_h5p", str(h5p_helpers.sample("true-false.h5p")), "--title", "Үнэн худал")
    activity_id = int(capsys.readouterr().out.strip())
    assert H5PActivity.objects.get(pk=activity_id).title == "Үнэн худал"
    with pytest.raises(CommandError, match="xss.svg"):
        call_command("import_h5p", str(INVALID / "xss-svg.h5p"))
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_h5p", "/no/such/file.h5p")
    assert H5PActivity.objects.count() == 1


def test_only_the_permission_installs_library_code(site):
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name=roles.EDITORS))
    assert not editor.has_perm(services.INSTALL_PERMISSION)
    with pytest.raises(services.PackageRefused, match="H5P.TrueFalse"):
        services.activity_import(
            source=h5p_helpers.sample("true-false.h5p"),
            user=editor,
            may_install_libraries=editor.has_perm(services.INSTALL_PERMISSION),
        )
    assert not H5PLibrary.objects.exists()
    import_sample("true-false.h5p")  # an administrator installs the libraries
    again = services.activity_import(
        source=h5p_helpers.sample("true-false.h5p"), user=editor, may_install_libraries=False
    )
    assert again.main_library.machine_name == "H5P.TrueFalse"
    admin = UserFactory()
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    assert admin.has_perm(services.INSTALL_PERMISSION)
    assert Permission.objects.filter(codename="install_h5plibrary").exists()


def test_replacing_the_file_reextracts_and_forgets_states_that_asked(
    tf_course, true_false, learner, django_capture_on_commit_callbacks
):
    old_folder = services.h5p_root() / true_false.content_folder
    H5PUserState.objects.create(
        activity=true_false,
        user=learner,
        data_type="state",
        sub_content_id="0",
        data="{}",
        invalidate=True,
        saved_at="2026-01-01T00:00:00Z",
    )
    H5PUserState.objects.create(
        activity=true_false,
        user=learner,
        data_type="keep",
        sub_content_id="0",
        data="{}",
        invalidate=False,
        saved_at="2026-01-01T00:00:00Z",
    )
    with django_capture_on_commit_callbacks(execute=True):
        replaced = services.activity_import(
            source=h5p_helpers.sample("true-false.h5p"),
            activity=true_false,
            may_install_libraries=False,
            title="Replaced",
        )
    assert replaced.pk == true_false.pk and replaced.revision == 2 and replaced.title == "Replaced"
    assert (services.h5p_root() / replaced.content_folder / "h5p.json").is_file()
    # Release 1.0 pins the first file: its learners keep playing it.
    assert old_folder.exists()
    assert list(replaced.package_revisions.values_list("number", flat=True)) == [1, 2]
    assert list(H5PUserState.objects.values_list("data_type", flat=True)) == ["keep"]
    assert AuditEvent.objects.filter(action="h5p.replaced").exists()
    # A file no release pins is removed when it is replaced.
    third_old = services.h5p_root() / replaced.content_folder
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_import(
            source=h5p_helpers.sample("true-false.h5p"), activity=replaced, may_install_libraries=False
        )
    assert not third_old.exists()
    assert list(replaced.package_revisions.values_list("number", flat=True)) == [1, 3]


def test_admin_upload_and_replace(site):
    admin = staff_client(roles.ADMINISTRATORS)
    with open(h5p_helpers.sample("multiple-choice.h5p"), "rb") as handle:
        response = admin.post(
            "/admin/snippets/assessments/h5pactivity/add/",
            {
                "title": "",
                "package_file": handle,
                "graded": "on",
                "pass_mark": "80",
                "completion_rule": "passed",
                "grading_method": "last",
            },
        )
    assert response.status_code == 302, response.content[:2000]
    activity = H5PActivity.objects.get()
    assert (activity.title, activity.pass_mark, activity.grading_method) == ("Multiple Choice", 80, "last")
    editor = staff_client(roles.EDITORS)
    with open(INVALID / "xss-svg.h5p", "rb") as handle:
        response = editor.post(
            f"/admin/snippets/assessments/h5pactivity/edit/{activity.pk}/",
            {
                "title": "X",
                "package_file": handle,
                "graded": "on",
                "pass_mark": "80",
                "completion_rule": "passed",
                "grading_method": "last",
            },
        )
    assert response.status_code == 200 and b"xss.svg" in response.content
    activity.refresh_from_db()
    assert activity.title == "Multiple Choice" and activity.revision == 1
    with open(h5p_helpers.sample("true-false.h5p"), "rb") as handle:
        response = editor.post(
            "/admin/snippets/assessments/h5pactivity/add/",
            {
                "title": "TF",
                "package_file": handle,
                "graded": "on",
                "pass_mark": "80",
                "completion_rule": "passed",
                "grading_method": "last",
            },
        )
    assert response.status_code == 200 and b"install H5P libraries" in response.content
    assert H5PActivity.objects.count() == 1


# --- the player on the lesson page and its files ---------------------------------------------------


def test_lesson_page_renders_the_player_with_the_saved_state(tf_course, true_false, enrolled, learner):
    H5PUserState.objects.create(
        activity=true_false,
        user=learner,
        data_type="state",
        sub_content_id="0",
        data='{"answer":true}',
        saved_at="2026-01-01T00:00:00Z",
    )
    response = enrolled.get(tf_course.lessons["en"][0].url)
    html = response.content.decode()
    assert f'id="h5p-{true_false.pk}"' in html
    # The activity plays in a sandboxed frame of its own: no same-origin, no H5P code in the page.
    frame = re.search(r'<iframe class="h5p-frame" src="([^"]+)"[^>]*sandbox="([^"]+)"', html)
    assert frame and "/learn/h5p/play/" in frame.group(1)
    assert "allow-scripts" in frame.group(2) and "allow-same-origin" not in frame.group(2)
    assert "main.bundle.js" not in html and "js/h5p-player.js" in html
    assert '"state": [{"state": "{\\"answer\\":true}"}]' in html  # resume state, handed to the frame
    policy = response["Content-Security-Policy"]
    assert "unsafe-eval" not in policy and "'sha256-" not in policy and "unsafe-inline" not in policy
    assert "Mark complete" not in html
    # The frame's own page: H5P's runtime, a policy of its own that only lesson pages may embed.
    frame_page = enrolled.get(frame.group(1).replace("&amp;", "&"))
    assert frame_page.status_code == 200
    frame_policy = frame_page["Content-Security-Policy"]
    assert "'unsafe-eval'" in frame_policy and "frame-ancestors http://testserver" in frame_policy
    assert "default-src 'none'" in frame_policy and "connect-src 'self' http://testserver;" in frame_policy
    assert "X-Frame-Options" not in frame_page
    assert b"main.bundle.js" in frame_page.content and b"learner@example.mn" not in frame_page.content
    assert b'{\\"answer\\":true}' not in frame_page.content  # the saved place stays with the page


def test_files_are_served_with_types_caching_and_ranges(tf_course, true_false, enrolled, learner):
    lesson = tf_course.lessons["mn"][0]
    base = h5p_helpers.frame_base(learner, lesson, true_false)
    h5p_json = Client().get(base + "package/h5p.json")  # no cookie: the frame's URL is the key
    assert h5p_json.status_code == 200 and h5p_json["Content-Type"] == "application/json"
    assert h5p_json["X-Content-Type-Options"] == "nosniff"
    assert h5p_json["Access-Control-Allow-Origin"] == "*"
    assert h5p_json["Cache-Control"].startswith("private")
    library = true_false.main_library
    response = enrolled.get(h5p_helpers.library_url(base, true_false, library))
    assert response.status_code == 200 and "immutable" in response["Cache-Control"]
    assert json.loads(b"".join(response.streaming_content))["machineName"] == "H5P.TrueFalse"
    script = library.library_json["preloadedJs"][0]["path"]
    js = enrolled.get(h5p_helpers.library_url(base, true_false, library, script))
    assert js["Content-Type"].startswith("text/javascript")
    size = int(js["Content-Length"])
    part = enrolled.get(h5p_helpers.library_url(base, true_false, library, script), HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 10-19/{size}"
    assert len(b"".join(part.streaming_content)) == 10
    tail = enrolled.get(h5p_helpers.library_url(base, true_false, library, script), HTTP_RANGE="bytes=-5")
    assert tail.status_code == 206 and tail["Content-Range"] == f"bytes {size - 5}-{size - 1}/{size}"
    bad = enrolled.get(
        h5p_helpers.library_url(base, true_false, library, script), HTTP_RANGE=f"bytes={size}-"
    )
    assert bad.status_code == 416 and bad["Content-Range"] == f"bytes */{size}"
    stale = enrolled.get(f"{base}libraries/oldtoken/{library.key}/library.json")
    assert "immutable" not in stale["Cache-Control"]
    for path in (
        "package/../h5p.json",
        "package/content/../../h5p.json",
        "package/secret.txt",
        "package/content",
        f"libraries/x/{library.key}/../../../h5p.json",
        "libraries/x/H5P.Other-1.0/library.json",
    ):
        assert enrolled.get(base + path).status_code == 404, path
    runtime = enrolled.get(
        f"/learn/h5p/runtime/{frame_module.runtime_version()}/h5p-standalone/main.bundle.js"
    )
    assert runtime.status_code == 200 and runtime["Access-Control-Allow-Origin"] == "*"
    assert enrolled.get("/learn/h5p/runtime/x/../settings.py").status_code == 404
    assert enrolled.get("/learn/h5p/runtime/x/js/lesson.js").status_code == 404  # only the player's


def test_files_are_404_for_outsiders_and_forged_urls(site, true_false, client):
    built = h5p_helpers.course_with_h5p(
        [true_false], slug="restricted", restricted_to=(roles.JUSTICE_LEARNERS,)
    )
    lesson = built.lessons["mn"][0]
    base = player_base(lesson, true_false)
    teacher = UserFactory()
    client.force_login(teacher)
    assert (
        client.get(h5p_helpers.frame_base(teacher, lesson, true_false) + "package/h5p.json").status_code
        == 404
    )
    assert client.get(h5p_helpers.frame_base(teacher, lesson, true_false)).status_code == 404
    assert client.post(base + "xapi/", "{}", content_type="application/json").status_code == 404
    assert client.get(base + "state/state/0/").status_code == 404
    assert Client().get(h5p_helpers.frame_base(AnonymousUser(), lesson, true_false)).status_code == 404
    open_course = h5p_helpers.course_with_h5p([true_false], slug="open")
    open_lesson = open_course.lessons["mn"][0]
    good = h5p_helpers.frame_base(teacher, open_lesson, true_false)
    assert Client().get(good + "package/h5p.json").status_code == 200
    forged = good.replace("/play/", "/play/x")
    assert client.get(forged + "package/h5p.json").status_code == 404
    # A token for one activity does not open another, nor another file of it.
    other = import_sample("multiple-choice.h5p")
    assert (
        client.get(h5p_helpers.frame_base(teacher, open_lesson, other) + "package/h5p.json").status_code
        == 404
    )
    stale = h5p_helpers.frame_base(teacher, open_lesson, true_false, revision=7)
    assert client.get(stale + "package/h5p.json").status_code == 404
    # A changed password ends the person's frame URLs.
    teacher.set_password("another-Strong-pass-9")
    teacher.save()
    assert Client().get(good + "package/h5p.json").status_code == 404


# --- statements --------------------------------------------------------------------------------------


def test_true_false_statements_open_an_attempt_and_complete_the_lesson(
    tf_course, true_false, enrolled, learner
):
    lesson = tf_course.lessons["en"][0]
    response = post_xapi(
        enrolled,
        lesson,
        true_false,
        [
            statement(true_false, ATTEMPTED),
            statement(true_false, "http://adlnet.gov/expapi/verbs/interacted"),
        ],
    )
    assert response.status_code == 200 and response.json()["attempts"] == []
    response = post_xapi(
        enrolled, lesson, true_false, statement(true_false, raw=1, maximum=1, scaled=1, success=True)
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stored"] == 1 and body["lesson_completed"] is True
    attempt = H5PAttempt.objects.get()
    assert (attempt.number, attempt.raw, attempt.max, attempt.scaled, attempt.success) == (1, 1, 1, 1, True)
    assert attempt.duration_seconds == 3.5 and attempt.verb == "answered"
    stored = H5PStatement.objects.order_by("pk").last().data
    assert stored["actor"]["account"]["name"] == str(learner.pk) and "mbox" not in stored["actor"]
    assert stored["id"] and stored["timestamp"]
    assert LessonProgress.objects.get(lesson_key=lesson.translation_key).completed_at is not None


def test_success_is_decided_on_the_server_and_grading_methods(tf_course, true_false, enrolled):
    lesson = tf_course.lessons["en"][0]
    true_false.pass_mark, true_false.grading_method = 60, H5PActivity.Grading.AVERAGE
    true_false.save()
    # The browser claims success; the server says 50% is below the 60% pass mark.
    post_xapi(enrolled, lesson, true_false, statement(true_false, raw=1, maximum=2, scaled=0.5, success=True))
    attempt = H5PAttempt.objects.get()
    assert attempt.success is False
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    post_xapi(enrolled, lesson, true_false, statement(true_false, raw=2, maximum=2, scaled=1, success=True))
    # Average of 0.5 and 1.0 is 75% >= 60%: the lesson completes.
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 1
    assert services.activity_grade({1: 0.5, 2: 1.0}, "first") == 0.5
    assert services.activity_grade({1: 0.5, 2: 1.0}, "last") == 1.0
    assert services.activity_grade({1: 0.5, 2: 1.0}, "highest") == 1.0
    assert services.activity_grade({}, "highest") is None


def test_ungraded_content_stores_no_score(tf_course, true_false, enrolled):
    true_false.completion_rule = H5PActivity.CompletionRule.COMPLETED
    true_false.save()
    post_xapi(
        enrolled,
        tf_course.lessons["en"][0],
        true_false,
        statement(true_false, COMPLETED, raw=0, maximum=0, scaled=0),
    )
    attempt = H5PAttempt.objects.get()
    assert (attempt.raw, attempt.max, attempt.scaled, attempt.success) == (None, None, None, None)
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 1


def test_question_set_children_become_per_question_results(site, learner, learner_client):
    qs = import_sample("question-set.h5p", pass_mark=60)
    built = h5p_helpers.course_with_h5p([qs])
    course_services.enrollment_create(user=learner, course=built.mn)
    lesson = built.lessons["mn"][0]
    children = [
        statement(
            qs, raw=1 if n < 3 else 0, maximum=1, scaled=1 if n < 3 else 0, sub=f"uuid-{n}", response="0"
        )
        for n in range(5)
    ]
    for child in children:
        assert post_xapi(learner_client, lesson, qs, child).status_code == 200
    # Answering question 0 again before finishing replaces the earlier answer.
    assert post_xapi(learner_client, lesson, qs, children[0]).status_code == 200
    # The answers are an attempt already (not finished), scored from its questions.
    open_attempt = H5PAttempt.objects.get()
    assert open_attempt.open and open_attempt.question_results.count() == 5
    assert (open_attempt.raw, open_attempt.max, open_attempt.scaled) == (3, 5, 0.6)
    response = post_xapi(
        learner_client, lesson, qs, statement(qs, COMPLETED, raw=3, maximum=5, scaled=0.6, success=True)
    )
    attempt = H5PAttempt.objects.get()
    assert (attempt.raw, attempt.max, attempt.scaled, attempt.success) == (3, 5, 0.6, True)
    assert attempt.question_results.count() == 5
    assert attempt.question_results.filter(success=True).count() == 3
    assert response.json()["lesson_completed"] is True
    staff = staff_client(roles.EDITORS)
    page = staff.get(f"/admin/assessments/h5p/{qs.pk}/results/")
    assert page.status_code == 200 and learner.email.encode() in page.content
    detail = staff.get(f"/admin/assessments/h5p/attempts/{attempt.pk}/")
    assert detail.status_code == 200 and b"Question" in detail.content
    assert staff_client(roles.MANAGERS).get(f"/admin/assessments/h5p/{qs.pk}/results/").status_code in (
        302,
        403,
    )


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ("{not json", 400),
        ("[]", 400),
        (json.dumps({"verb": {"id": ANSWERED}}), 400),
        (json.dumps("a string"), 400),
    ],
)
def test_malformed_statements_are_refused(tf_course, true_false, enrolled, payload, status):
    response = post_xapi(enrolled, tf_course.lessons["en"][0], true_false, payload, raw=True)
    assert response.status_code == status and response.json()["error"]
    assert not H5PStatement.objects.exists()


def test_bad_statements_refuse_the_whole_request(tf_course, true_false, enrolled):
    lesson = tf_course.lessons["en"][0]
    other = import_sample("multiple-choice.h5p")
    good = statement(true_false, ATTEMPTED)
    cases = {
        "another activity": (statement(other, raw=1, maximum=1, scaled=1), 400),
        "another learner": (statement(true_false, actor={"mbox": "mailto:someone@example.mn"}), 403),
        "raw over max": (statement(true_false, raw=3, maximum=1, scaled=1), 400),
        "scaled out of range": (statement(true_false, raw=1, maximum=1, scaled=7), 400),
        "bad duration": (statement(true_false, raw=1, maximum=1, scaled=1, duration="soon"), 400),
        "score is text": (statement(true_false, raw="1", maximum=1, scaled=1), 400),
    }
    for name, (bad, status) in cases.items():
        response = post_xapi(enrolled, lesson, true_false, [good, bad])
        assert response.status_code == status, name
        assert response.json()["error"], name
    wrong_parent = statement(true_false, sub="abc")
    wrong_parent["context"]["contextActivities"]["parent"] = [{"id": activity_iri(other.pk)}]
    assert post_xapi(enrolled, lesson, true_false, wrong_parent).status_code == 400
    assert post_xapi(enrolled, lesson, true_false, [good] * 51).status_code == 413
    assert not H5PStatement.objects.exists() and not H5PAttempt.objects.exists()


def test_statements_need_a_signed_in_enrolled_learner(tf_course, true_false, client):
    lesson = tf_course.lessons["en"][0]
    assert post_xapi(client, lesson, true_false, statement(true_false)).status_code == 401
    client.force_login(UserFactory())  # signed in, not enrolled
    response = post_xapi(client, lesson, true_false, statement(true_false, raw=1, maximum=1, scaled=1))
    assert response.status_code == 403
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(UserFactory())
    assert post_xapi(csrf_client, lesson, true_false, statement(true_false)).status_code == 403
    assert not H5PStatement.objects.exists()


def test_queries_per_statement_do_not_grow_with_the_course(site):
    tf = import_sample("true-false.h5p")
    counts = []
    for lessons in (2, 40):
        built = h5p_helpers.course_with_h5p([tf], lessons=lessons, slug=f"c{lessons}")
        user = UserFactory()
        course_services.enrollment_create(user=user, course=built.mn)
        client = Client()
        client.force_login(user)
        lesson = built.lessons["mn"][0]
        body = statement(tf, raw=1, maximum=1, scaled=1, actor={"mbox": f"mailto:{user.email}"})
        post_xapi(client, lesson, tf, statement(tf, ATTEMPTED, actor={"mbox": f"mailto:{user.email}"}))
        with CaptureQueriesContext(connection) as queries:
            assert post_xapi(client, lesson, tf, body).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 25, counts


# --- saved state -------------------------------------------------------------------------------------


def test_state_is_saved_read_and_deleted(tf_course, true_false, enrolled):
    url = player_base(tf_course.lessons["mn"][0], true_false) + "state/state/0/"
    assert enrolled.get(url).json() == {"success": True, "data": False}
    assert enrolled.post(url, {"data": '{"answers":[1]}', "preload": "1", "invalidate": "1"}).json() == {
        "success": True
    }
    assert enrolled.get(url).json() == {"success": True, "data": '{"answers":[1]}'}
    state = H5PUserState.objects.get()
    assert state.preload and state.invalidate
    assert enrolled.post(url, {"data": "0"}).status_code == 200
    assert not H5PUserState.objects.exists()


def test_bad_state_is_refused(tf_course, true_false, enrolled, settings, client):
    base = player_base(tf_course.lessons["mn"][0], true_false)
    settings.H5P_MAX_STATE_BYTES = 100
    response = enrolled.post(base + "state/state/0/", {"data": "x" * 101})
    assert response.status_code == 413 and response.json()["error"]
    assert enrolled.post(base + "state/state/0/", {}).status_code == 400
    assert enrolled.post(base + "state/bad$type/0/", {"data": "{}"}).status_code == 400
    client.force_login(UserFactory())
    assert client.post(base + "state/state/0/", {"data": "{}"}).status_code == 403
    assert not H5PUserState.objects.exists()


def test_package_member_limits_come_from_settings(site, settings):
    settings.H5P_MAX_FILES = 3
    with pytest.raises(services.PackageRefused, match="limit of 3"):
        services.activity_import(source=h5p_helpers.sample("true-false.h5p"), may_install_libraries=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.txt", "x")
    with pytest.raises(services.PackageRefused):
        services.activity_import(source=buffer, may_install_libraries=True)
    assert not H5PActivity.objects.exists()
