"""Every way in: each URL pattern the project registers is walked with the ids of a restricted
course's pages, quiz, attempt, H5P activity, files and certificate, as an anonymous visitor, an
outsider (a teacher) and a member of the audience without two-factor sign-in. Each must be
refused (404, 403, 405 or a redirect to sign-in or two-factor set-up), show nothing of the
course, and change nothing. A pattern whose parameters this test does not know fails it: a new
URL has to be classified here, so it cannot forget the access decision.

A vetted member with two-factor sign-in walks the same URLs first, to prove the ids are real
(each course pattern answers them with something other than 404 at least once).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import wagtail_factories
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from wagtail.documents import get_document_model

from assessments import services as quiz_services
from assessments.h5p import frame
from assessments.h5p.models import H5PLibrary, H5PStatement, H5PUserState
from assessments.h5p.selectors import player_signature
from assessments.models import QuizAttempt, QuizResponse
from certificates import services as certificate_services
from certificates.models import Certificate
from courses import services as course_services
from courses.models import Enrollment, LessonProgress
from lms.accounts import roles
from lms.offline import selectors as offline_selectors
from lms.offline import services as offline_services
from lms.offline.models import OfflinePaper, SyncedItem
from tests.assessments import helpers
from tests.assessments.h5p_helpers import import_sample, needs_samples
from tests.factories import UserFactory, build_course, with_two_factor

pytestmark = [pytest.mark.django_db, needs_samples]

SECRET = "Restricted lesson text 7Q"
QUESTION = "Restricted question 4K"

# Parameters that name something of a course (a page, lesson, quiz, attempt, activity, file or
# certificate): a pattern taking one must refuse outsiders and members without two-factor sign-in.
COURSE_FIELDS = {
    "player_token",  # an H5P player frame's URL: made for one person, asked again for them
    "paper_token",  # a quiz paper taken offline: drawn for one person, asked again for them
    "page_id",
    "lesson_id",
    "quiz_id",
    "attempt_id",
    "activity_id",
    "name",
    "code",
    "doc_id",
    "page_path",
}
# Parameters that name nothing of a course (sign-in keys, staff objects: the whole admin is staff
# only, which this test checks too), with a value to fill in.
OTHER_FIELDS = {
    "key": "x1-key",
    "uidb36": "1",
    "uidb64": "MQ",
    "token": "set-password",
    "data_type": "state",
    "sub_content_id": "0",
    "language": "mn",
    "restriction_id": "1",
    "page_view_restriction_id": "1",
    "action": "x",
    "action_name": "x",
    "app_label": "courses",
    "app_name": "courses",
    "content_type_app_name": "courses",
    "content_type_model_name": "lessonpage",
    "model_name": "lessonpage",
    "filter_spec": "width-100",
    "job_id": "00000000-0000-0000-0000-000000000000",
    "revision_id_a": "earliest",
    "revision_id_b": "latest",
    "object_id": "1",
    "version": "x",  # the H5P player's runtime files (public, like static files)
    # Club delivery's own objects (clubs, session logs, review meetings, safeguarding alerts): no
    # course's; facilitators reach only their clubs, tested in tests/delivery/test_roles.py.
    "club_id": "1",
    "log_id": "1",
    "meeting_id": "1",
    "alert_id": "1",
}
# Admin parameters that are ids: filled with the restricted lesson's id (and refused anyway).
ADMIN_IDS = {
    "pk",
    "certificate_id",
    "collection_id",
    "destination_id",
    "document_id",
    "image_id",
    "page_pk",
    "page_to_move_id",
    "parent_page_id",
    "question_id",
    "redirect_id",
    "release_id",
    "request_id",
    "revision_id",
    "session_id",
    "task_id",
    "task_state_id",
    "template_id",
    "uploaded_file_id",
    "user_id",
    "workflow_pk",
    "workflow_state_id",
}
# Public by design, though they take a course object's id (each with its reason).
PUBLIC_BY_DESIGN = {
    # Anyone holding a certificate's code may check it (the holder hands it to an employer).
    "certificates/verify/{code}/",
}
# Course patterns that no id of this test can reach, with the reason.
UNREACHABLE = {
    # Wagtail's password form for pages with a view restriction; no page of the project has one.
    "_util/authenticate_with_password/{page_view_restriction_id}/{page_id}/",
}
# The two patterns with unnamed regular-expression groups, by their text.
UNNAMED = {
    r"^(\d+)/(.*)$": "{doc_id}/{doc_filename}",  # Wagtail's document view
    r"^((?:[\w\-]+/)*)$": "{page_path}",  # Wagtail's page serving
}


@dataclass
class Route:
    template: str  # "learn/lessons/{page_id}/complete/"
    fields: set[str]
    name: str | None

    @property
    def is_admin(self) -> bool:
        return self.template.startswith("admin/")

    @property
    def takes_course_object(self) -> bool:
        if self.template in PUBLIC_BY_DESIGN:
            return False
        return bool(self.fields & COURSE_FIELDS) or (self.is_admin and bool(self.fields & ADMIN_IDS))


def _template(text: str) -> str:
    for regex, replacement in UNNAMED.items():
        text = text.replace(regex, replacement)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    if re.search(r"\((?!\?P)", text):
        raise AssertionError(f"teach tests/test_every_way_in.py to build URLs of {text!r}")
    return text.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\", "")


def _routes(resolver=None, prefix: str = "") -> list[Route]:
    routes = []
    for pattern in (resolver or get_resolver()).url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.extend(_routes(pattern, text))
        elif isinstance(pattern, URLPattern):
            template = _template(text)
            routes.append(Route(template, set(re.findall(r"{(\w+)}", template)), pattern.name))
    return routes


@pytest.fixture
def world(site, django_capture_on_commit_callbacks):
    """A restricted course: a lesson with text, an image, a document and an H5P activity; a
    lesson with a quiz. A vetted member enrolled, answered, completed and got a certificate."""
    from courses.services import restricted_files_sync

    quiz = helpers.quiz([helpers.question(text=QUESTION)])
    activity = import_sample("true-false.h5p")
    image = wagtail_factories.ImageFactory(title="Room")
    document = wagtail_factories.DocumentFactory(title="Form", file=ContentFile(b"form", name="form.txt"))
    built = build_course(
        lessons=2, slug="investigation", restricted_to=(roles.JUSTICE_LEARNERS,), publish=False
    )
    for lang in ("mn", "en"):
        first, second = built.lessons[lang]
        first.body = [
            {"type": "text", "value": f"<p>{SECRET}</p>"},
            {"type": "figure", "value": {"image": {"image": image.pk, "alt_text": "x", "decorative": False}}},
            {"type": "download", "value": {"document": document.pk, "label": ""}},
            {"type": "h5p", "value": {"activity": activity.pk}},
        ]
        second.body = [{"type": "quiz", "value": {"quiz": quiz.pk}}]
        first.save_revision().publish()
        second.save_revision().publish()
    built.release = course_services.release_publish(course=built.mn, version="1.0")
    restricted_files_sync()
    image.refresh_from_db()
    document = get_document_model().objects.get(pk=document.pk)
    rendition = image.get_rendition("width-400|format-webp")

    member = UserFactory()
    member.groups.add(Group.objects.get(name=roles.JUSTICE_LEARNERS))
    with_two_factor(member)
    lesson_mn = type(built.lessons["mn"][1]).objects.get(pk=built.lessons["mn"][1].pk)
    with django_capture_on_commit_callbacks(execute=False):
        enrollment = course_services.enrollment_create(user=member, course=built.mn)
        attempt = quiz_services.attempt_start(user=member, quiz=quiz, lesson=lesson_mn)
        for lesson in built.lessons["mn"]:
            course_services.lesson_complete(user=member, lesson_key=lesson.translation_key, by_activity=True)
    certificate = certificate_services.certificate_issue(enrollment_id=enrollment.pk)
    plan = offline_selectors.download_plan(course=built.mn, user=member)
    papers = [paper.token for _lesson, _quiz, paper in offline_services.papers_issue(plan=plan)]
    assert papers, "the member's download has a quiz paper"
    library = H5PLibrary.objects.filter(activities=activity).first()
    lessons = [built.lessons["mn"][0], built.lessons["en"][0]]
    values = {
        "page_id": [
            built.mn.pk,
            built.modules["mn"][0].pk,
            built.lessons["mn"][0].pk,
            built.lessons["en"][1].pk,
        ],
        "quiz_id": [quiz.pk],
        "paper_token": papers,
        "attempt_id": [attempt.pk],
        "code": [certificate.code],
        "name": [image.file.name, rendition.file.name, document.file.name],
        ("doc_id", "doc_filename"): [{"doc_id": document.pk, "doc_filename": document.filename}],
        "page_path": [page.url.lstrip("/") for page in (built.en, *lessons, built.lessons["mn"][1])],
        ("lesson_id", "activity_id", "signature"): [
            {
                "lesson_id": lesson.pk,
                "activity_id": activity.pk,
                "signature": player_signature(lesson_id=lesson.pk, activity_id=activity.pk),
            }
            for lesson in lessons
        ],
        "libraries_token": [activity.libraries_token],
        "library": [f"{library.machine_name}-{library.major}.{library.minor}"],
        "path": ["h5p.json", "library.json"],
        "lesson": built.lessons["mn"][1].pk,  # the quiz start form's field
    }

    def frames_for(user):
        """Player frame tokens are made for one person: each walker gets their own."""
        return {
            "player_token": [
                frame.token_make(
                    user=user, lesson_id=lesson.pk, activity_id=activity.pk, revision=activity.revision
                )
                for lesson in lessons
            ]
        }

    return {"member": member, "values": values, "course": built, "frames_for": frames_for}


def _fill(route: Route, values: dict) -> list[str]:
    """Every URL of a route for the candidate values (ids of the restricted course's objects)."""
    groups = []
    for key, candidates in values.items():
        fields = set(key) if isinstance(key, tuple) else {key}
        if fields & route.fields and isinstance(candidates, list):
            groups.append([c if isinstance(c, dict) else {key: c} for c in candidates])
    urls = []
    for combination in itertools.product(*groups) if groups else [()]:
        filled = {}
        for part in combination:
            filled.update(part)
        for field in route.fields - set(filled):
            if field in OTHER_FIELDS:
                filled[field] = OTHER_FIELDS[field]
            elif field in ADMIN_IDS and route.is_admin:
                filled[field] = values["page_id"][2]
            else:
                raise AssertionError(
                    f"URL pattern {route.template!r} ({route.name}) takes {field!r}, which "
                    "tests/test_every_way_in.py does not know: say what it names (a course object "
                    "must be refused by the access decision) and add it to the tables"
                )
        urls.append("/" + route.template.format(**filled))
    return urls


def _snapshot() -> tuple:
    return (
        Enrollment.objects.count(),
        list(LessonProgress.objects.order_by("pk").values_list("completed_at", "time_spent_seconds")),
        QuizAttempt.objects.count(),
        list(QuizResponse.objects.order_by("pk").values_list("answer", flat=True)),
        list(QuizAttempt.objects.order_by("pk").values_list("status", flat=True)),
        H5PStatement.objects.count(),
        H5PUserState.objects.count(),
        Certificate.objects.count(),
        OfflinePaper.objects.count(),
        SyncedItem.objects.count(),
    )


SIGN_IN = ("/accounts/login/", "/en/accounts/login/", "/admin/login/", "/accounts/2fa/", "/en/accounts/2fa/")


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        return urlsplit(response["Location"]).path.startswith(SIGN_IN)
    return False


def _text(response) -> str:
    if (
        response.streaming
        or "text" not in response.get("Content-Type", "")
        and "json" not in response.get("Content-Type", "")
    ):
        return ""
    return response.content.decode(errors="replace")


def _walk(client, routes, values):
    """(route, method, url, response) for every route, URL and method."""
    data = {"lesson": values["lesson"], "seconds": "600", "data": "{}", "code": "x"}
    for route in routes:
        for url in _fill(route, values):
            yield route, "GET", url, client.get(url)
            yield route, "POST", url, client.post(url, data)


def test_every_url_refuses_outsiders_and_members_without_two_factor(world, learner):
    with translation.override(settings.LANGUAGE_CODE):  # i18n patterns print the active language
        routes = _routes()
    assert len(routes) > 100 and any(r.name == "wagtail_serve" for r in routes)
    course_routes = [r for r in routes if r.takes_course_object]

    # The vetted member first: every course pattern (outside the admin) knows these ids.
    insider = Client()
    insider.force_login(world["member"])
    answered = {}
    member_values = {**world["values"], **world["frames_for"](world["member"])}
    for route, _method, _url, response in _walk(
        insider, [r for r in course_routes if not r.is_admin], member_values
    ):
        assert response.status_code < 500, f"{route.template}: {response.status_code}"
        answered[route.template] = answered.get(route.template, False) or response.status_code != 404
    unknown = [template for template, ok in answered.items() if not ok and template not in UNREACHABLE]
    assert not unknown, f"the test's ids do not reach these patterns (fix the test): {unknown}"

    # Then the member loses two-factor sign-in; and an outsider and an anonymous visitor.
    Authenticator.objects.filter(user=world["member"]).delete()
    lapsed, outsider, anonymous = Client(), Client(), Client()
    lapsed.force_login(world["member"])
    outsider.force_login(learner)
    content = [SECRET, QUESTION]
    titles = [world["course"].mn.title, world["course"].en.title]  # members may know the course exists
    before = _snapshot()
    failures = []
    for who, client, user, markers in (
        ("anonymous", anonymous, AnonymousUser(), content + titles),
        ("outsider", outsider, learner, content + titles),
        ("member without 2FA", lapsed, world["member"], content),
    ):
        values = {**world["values"], **world["frames_for"](user)}
        for route, method, url, response in _walk(client, routes, values):
            if response.status_code >= 500:
                failures.append(f"{who} {method} {url}: {response.status_code}")
            elif route.takes_course_object and not _refused(response):
                failures.append(f"{who} {method} {url}: answered {response.status_code}, not refused")
            shown = [marker for marker in markers if marker in _text(response)]
            if shown and route.template not in PUBLIC_BY_DESIGN:
                failures.append(f"{who} {method} {url}: shows {shown}")
    assert not failures, "\n".join(failures[:40])
    assert _snapshot() == before, "a refused person changed something"
