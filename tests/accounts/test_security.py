"""Restricted courses, two-factor sign-in, throttling, invitations and the attacks of issue 8."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import QuizAttempt
from courses import services as course_services
from courses.models import Enrollment, LessonProgress
from lms.accounts import roles, services
from lms.accounts.models import AccessRequest, AuditEvent, Invitation, User
from tests.assessments import helpers
from tests.factories import UserFactory, build_course, totp_code, with_two_factor

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def restricted(site):
    """A justice-sector course whose second lesson holds a quiz."""
    quiz = helpers.quiz([helpers.question(text="Restricted question")])
    built = build_course(
        lessons=2, slug="investigation", restricted_to=(roles.JUSTICE_LEARNERS,), publish=False
    )
    for lang in ("mn", "en"):
        lesson = built.lessons[lang][1]
        lesson.body = [{"type": "quiz", "value": {"quiz": quiz.pk}}]
        lesson.save_revision().publish()
    built.release = course_services.release_publish(course=built.mn, version="1.0")
    built.extra["quiz"] = quiz
    return built


@pytest.fixture
def teacher_client(client, learner):
    client.force_login(learner)
    return client


def _investigator(*, two_factor=True) -> User:
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.JUSTICE_LEARNERS))
    if two_factor:
        with_two_factor(user)
    return user


def _en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


# --- a teacher never finds the restricted course ---------------------------------------------------


def test_every_page_of_a_restricted_course_is_404_like_a_missing_page(restricted, teacher_client, client):
    missing = teacher_client.get("/en/courses/no-such-course/")
    urls = [
        restricted.en.url,
        restricted.mn.url,
        restricted.modules["en"][0].url,
        restricted.lessons["en"][0].url,
        restricted.lessons["mn"][1].url,
    ]
    for url in urls:
        for who in (teacher_client, Client()):
            response = who.get(url)
            assert response.status_code == 404, url
            assert response.content == missing.content or response.status_code == missing.status_code


def test_restricted_course_is_in_no_listing_search_or_sitemap(restricted, teacher_client):
    for url in ("/", "/en/", "/courses/", "/en/courses/", "/en/learn/"):
        assert restricted.en.title not in teacher_client.get(url).content.decode(), url
        assert restricted.mn.title not in teacher_client.get(url).content.decode(), url
    found = teacher_client.get("/en/search/?q=Lesson").content.decode()
    assert restricted.lessons["en"][0].url not in found
    sitemap = Client().get("/sitemap.xml").content.decode()
    assert "/investigation/" not in sitemap and "/courses/" in sitemap


def test_guessing_ids_of_restricted_things_gets_404(restricted, teacher_client, learner):
    quiz = restricted.extra["quiz"]
    lesson = restricted.lessons["en"][0]
    posts = {
        _en("courses:enrol", restricted.en.pk): {},
        _en("courses:lesson_complete", lesson.pk): {},
        _en("courses:lesson_time", lesson.pk): {"seconds": "5"},
        _en("assessments:start", quiz.pk): {"lesson": restricted.lessons["en"][1].pk},
    }
    for url, data in posts.items():
        assert teacher_client.post(url, data).status_code == 404, url
    assert teacher_client.post(_en("courses:lesson_complete", 987654), {}).status_code == 404
    assert not Enrollment.objects.exists() and not QuizAttempt.objects.exists()


def test_a_vetted_investigator_with_two_factor_sees_and_takes_the_course(restricted):
    investigator = _investigator()
    client = Client()
    client.force_login(investigator)
    assert restricted.en.title in client.get("/en/courses/").content.decode()
    assert client.get(restricted.lessons["en"][0].url).status_code == 200
    assert client.post(_en("courses:enrol", restricted.en.pk)).status_code == 302
    assert client.post(_en("courses:lesson_complete", restricted.lessons["en"][0].pk)).status_code == 302
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 1


def test_an_investigator_must_set_up_two_factor_first(restricted):
    investigator = _investigator(two_factor=False)
    client = Client()
    client.force_login(investigator)
    response = client.get(restricted.lessons["en"][0].url)
    assert response.status_code == 302 and "/accounts/2fa/totp/activate/" in response["Location"]


# --- staff ------------------------------------------------------------------------------------------


def test_staff_must_set_up_two_factor_before_the_admin(site):
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name=roles.EDITORS))
    client = Client()
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/accounts/2fa/totp/activate/" in response["Location"]
    with_two_factor(editor)
    editor = User.objects.get(pk=editor.pk)
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


def test_sign_in_asks_staff_for_their_code(site, client):
    editor = UserFactory(email="editor2@example.mn")
    editor.groups.add(Group.objects.get(name=roles.EDITORS))
    secret = with_two_factor(editor)
    response = client.post("/en/accounts/login/", {"login": editor.email, "password": "a-Strong-pass-42"})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert client.post("/en/accounts/2fa/authenticate/", {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session
    client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_a_programme_manager_cannot_edit_or_publish_pages(site, restricted):
    manager = UserFactory()
    manager.groups.add(Group.objects.get(name=roles.MANAGERS))
    with_two_factor(manager)
    client = Client()
    client.force_login(manager)
    lesson = build_course(lessons=1, slug="open-course").lessons["mn"][0]
    edit = f"/admin/pages/{lesson.pk}/edit/"
    assert client.get(edit).status_code in (302, 403)
    response = client.post(edit, {"title": "Hacked", "slug": lesson.slug, "action-publish": "1"})
    assert response.status_code in (302, 403)
    lesson.refresh_from_db()
    assert lesson.title != "Hacked"


# --- throttling and rate limits ---------------------------------------------------------------------


def test_sign_in_is_locked_after_five_wrong_passwords(site, client):
    user = UserFactory(email="target@example.mn")
    for _ in range(5):
        client.post("/en/accounts/login/", {"login": user.email, "password": "wrong-password"})
    response = client.post("/en/accounts/login/", {"login": user.email, "password": "a-Strong-pass-42"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_up_and_password_reset_are_rate_limited(site, client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/m/ip", "reset_password": "2/m/ip"}
    statuses = [
        client.post("/en/accounts/signup/", {"email": f"x{n}@example.mn"}).status_code for n in range(4)
    ]
    assert statuses[-1] == 429
    user = UserFactory(email="forgetful@example.mn")
    resets = [
        client.post("/en/accounts/password/reset/", {"email": user.email}).status_code for _ in range(4)
    ]
    assert resets[:2] == [302, 302] and resets[-1] == 429


# --- CSRF and escaping ------------------------------------------------------------------------------


def test_posts_without_a_csrf_token_are_refused(site, learner):
    course = build_course(lessons=1, slug="csrf")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    for url, data in [
        (_en("courses:enrol", course.en.pk), {}),
        ("/en/accounts/profile/", {"full_name": "X", "role": "teacher"}),
        ("/en/accounts/join/", {"code": "ABCD-EFGH-JKMN"}),
        ("/en/accounts/delete/", {"password": "a-Strong-pass-42", "confirm": "on"}),
    ]:
        assert strict.post(url, data).status_code == 403, url
    assert not Enrollment.objects.exists()
    assert User.objects.get(pk=learner.pk).is_active


def test_script_in_names_and_titles_is_shown_as_text(site, client):
    evil = "<script>alert('x')</script>"
    user = UserFactory(full_name=evil)
    course = build_course(lessons=1, slug="xss")
    lesson = course.lessons["en"][0]
    lesson.title = evil
    lesson.save_revision()
    course_services.release_publish(course=course.mn, version="1.1")  # learners read released words
    course_services.enrollment_create(user=user, course=course.mn)
    client.force_login(user)
    for url in ("/en/accounts/profile/", lesson.url, "/en/learn/", course.en.url):
        html = client.get(url).content.decode()
        assert evil not in html, url
    assert "&lt;script&gt;" in client.get(lesson.url).content.decode()


# --- invitations and access requests ----------------------------------------------------------------


def _invitation(**overrides) -> Invitation:
    values = {
        "group": Group.objects.get(name=roles.JUSTICE_LEARNERS),
        "expires_at": timezone.now() + timedelta(days=7),
        "max_uses": 1,
    }
    values.update(overrides)
    return services.invitation_create(**values)


def test_an_invitation_opens_the_restricted_course(restricted, learner, teacher_client):
    invitation = _invitation(note="Police unit 3")
    response = teacher_client.post("/en/accounts/join/", {"code": invitation.code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert learner.groups.filter(name=roles.JUSTICE_LEARNERS).exists()
    assert AuditEvent.objects.filter(action="group.granted", subject=learner).exists()
    assert Invitation.objects.get(pk=invitation.pk).uses == 1


@pytest.mark.parametrize("problem", ["expired", "used_up", "revoked", "unknown", "malformed"])
def test_bad_invitation_codes_get_one_answer(restricted, teacher_client, learner, problem):
    if problem == "expired":
        code = _invitation(expires_at=timezone.now() - timedelta(minutes=1)).code
    elif problem == "used_up":
        invitation = _invitation(max_uses=1)
        services.invitation_redeem(user=UserFactory(), code=invitation.code)
        code = invitation.code
    elif problem == "revoked":
        invitation = _invitation()
        services.invitation_revoke(invitation=invitation, by=None)
        code = invitation.code
    elif problem == "unknown":
        code = "ZZZZ-ZZZZ-ZZZZ"
    else:
        code = "<script>"
    response = teacher_client.post("/en/accounts/join/", {"code": code})
    assert response.status_code == 400
    assert "This invitation code is not valid" in response.content.decode()
    assert not learner.groups.filter(name=roles.JUSTICE_LEARNERS).exists()


def test_guessing_invitation_codes_is_rate_limited(restricted, teacher_client):
    statuses = [
        teacher_client.post("/en/accounts/join/", {"code": f"AAAA-BBBB-CC{n:02d}"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [400] * 10 and statuses[-1] == 429


def test_invitations_never_grant_staff_roles(site):
    with pytest.raises(services.AccessError):
        _invitation(group=Group.objects.get(name=roles.ADMINISTRATORS))
    assert not Invitation.objects.exists()


def test_an_administrator_approves_an_access_request(restricted, teacher_client, learner):
    justice = Group.objects.get(name=roles.JUSTICE_LEARNERS)
    response = teacher_client.post(
        "/en/accounts/request-access/", {"group": justice.pk, "message": "Police, unit 3"}
    )
    assert response.status_code == 302
    assert teacher_client.post("/en/accounts/request-access/", {"group": justice.pk}).status_code == 400
    admin = UserFactory()
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    with_two_factor(admin)
    admin_client = Client()
    admin_client.force_login(admin)
    listing = admin_client.get("/admin/access-requests/")
    assert listing.status_code == 200 and "Police, unit 3" in listing.content.decode()
    request = AccessRequest.objects.get()
    admin_client.post(
        f"/admin/access-requests/{request.pk}/decide/", {"decision": "approve", "note": "checked"}
    )
    request.refresh_from_db()
    assert request.status == AccessRequest.Status.APPROVED and request.decided_by == admin
    assert learner.groups.filter(pk=justice.pk).exists()
    assert AuditEvent.objects.filter(action="access_request.approved", actor=admin, subject=learner).exists()
    assert teacher_client.get(restricted.lessons["en"][0].url).status_code == 302, "now asks for two-factor"


def test_learners_cannot_decide_requests(site, teacher_client, learner):
    request = services.access_request_create(
        user=learner, group=Group.objects.get(name=roles.JUSTICE_LEARNERS)
    )
    response = teacher_client.post(f"/admin/access-requests/{request.pk}/decide/", {"decision": "approve"})
    assert response.status_code in (302, 403)
    assert AccessRequest.objects.get().status == AccessRequest.Status.PENDING


# --- personal data -----------------------------------------------------------------------------------


def test_a_learner_downloads_everything_stored_about_them(site, learner, teacher_client):
    course = build_course(lessons=2, slug="data")
    course_services.enrollment_create(user=learner, course=course.mn)
    course_services.lesson_complete(user=learner, lesson_key=course.lessons["mn"][0].translation_key)
    response = teacher_client.get("/en/accounts/my-data/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == learner.email and data["account"]["full_name"] == learner.full_name
    assert data["courses"]["enrolments"][0]["lessons"][0]["completed_at"]
    assert "quiz_attempts" in data["assessments"]


def test_deleting_an_account_anonymises_and_keeps_the_counts(site, learner, teacher_client):
    from assessments import services as quiz_services
    from assessments.models import Question, QuizResponse

    question = helpers.question(Question.Kind.SHORT_TEXT, text="Your village?")
    quiz = helpers.quiz([question], pass_mark=0)
    course = helpers.course_with_quiz(quiz, lessons=1, quiz_position=0, slug="erase")
    course_services.enrollment_create(user=learner, course=course.mn)
    attempt = quiz_services.attempt_start(user=learner, quiz=quiz, lesson=course.lessons["mn"][0])
    quiz_services.attempt_submit(
        user=learner, attempt_id=attempt.pk, answers={question.pk: {"text": "Khanbogd"}}
    )
    assert (
        teacher_client.post("/en/accounts/delete/", {"password": "wrong", "confirm": "on"}).status_code == 400
    )
    response = teacher_client.post("/en/accounts/delete/", {"password": "a-Strong-pass-42", "confirm": "on"})
    assert response.status_code == 302
    user = User.objects.get(pk=learner.pk)
    assert user.full_name == "" and "example.mn" not in user.email and not user.is_active
    assert (user.role, user.region.code) == ("teacher", "bayanzurkh")
    assert Enrollment.objects.filter(user=user, status="completed").count() == 1, "counts stay intact"
    assert QuizResponse.objects.get().answer["text"] != "Khanbogd"
    assert (
        Client()
        .post("/en/accounts/login/", {"login": learner.email, "password": "a-Strong-pass-42"})
        .status_code
        != 302
    )
    assert AuditEvent.objects.filter(action="user.anonymised", subject=user).exists()


def test_administrators_see_the_audit_log(site, learner):
    course_services.enrollment_create(user=learner, course=build_course(lessons=1, slug="audit").mn)
    admin = UserFactory()
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    with_two_factor(admin)
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/audit_log/")
    assert response.status_code == 200
    assert "enrollment.created" in response.content.decode(), response.content.decode()[-3000:]
    assert "add/" not in response.content.decode().split("audit_log/")[-1][:50]
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name=roles.EDITORS))
    with_two_factor(editor)
    client.force_login(editor)
    assert client.get("/admin/audit_log/").status_code in (302, 403)


# --- headers and deployment checks ------------------------------------------------------------------


def test_pages_carry_a_content_security_policy(site, client):
    response = client.get("/en/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("style-src")[1].split(";")[0]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_check_deploy_is_clean_with_production_settings():
    import secrets

    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "learn.example.mn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
