"""A course download: only for an enrolled learner the access decision lets in, in their release
and language, with its size; fetching it records no visit. What a device may keep follows access."""

from __future__ import annotations

import pytest
import wagtail_factories
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from wagtail.documents import get_document_model

from courses import services as course_services
from courses.models import LessonProgress
from lms.accounts import roles
from lms.offline.models import OfflinePaper
from lms.offline.selectors import PAGE_BYTES
from tests.assessments import helpers as quiz_helpers
from tests.factories import UserFactory, build_course, with_two_factor

from .helpers import download

pytestmark = pytest.mark.django_db


def test_the_list_holds_the_learners_release_in_their_language_with_its_size(site, client):
    document = wagtail_factories.DocumentFactory(title="Form", file=ContentFile(b"x" * 5000, name="form.pdf"))
    document = get_document_model().objects.get(pk=document.pk)
    timed = quiz_helpers.quiz([quiz_helpers.question()], time_limit_minutes=10)
    built = build_course(lessons=2, slug="with-files", publish=False)
    for lang in ("mn", "en"):
        lesson = built.lessons[lang][0]
        lesson.body = [
            {"type": "text", "value": "<p>Read.</p>"},
            {"type": "download", "value": {"document": document.pk, "label": ""}},
            {"type": "quiz", "value": {"quiz": timed.pk}},
        ]
        lesson.save_revision().publish()
    release = course_services.release_publish(course=built.mn, version="1.0")
    learner = UserFactory()
    course_services.enrollment_create(user=learner, course=built.mn)
    client.force_login(learner)
    with translation.override("en"):
        listing = download(client, built.en)
    assert listing["release"] == release.pk and listing["version"] == "1.0" and listing["language"] == "en"
    assert listing["pages"] == [built.en.url] + [lesson.url for lesson in built.lessons["en"]]
    assert [lesson["id"] for lesson in listing["lessons"]] == [lesson.pk for lesson in built.lessons["en"]]
    assert listing["documents"] == [{"url": document.url, "bytes": 5000}]
    assert listing["estimated_bytes"] == 3 * PAGE_BYTES + 5000
    assert listing["papers"] == []  # a timed quiz cannot be kept on a phone: it stays online only


def test_fetching_pages_for_a_download_records_no_visit(course, client, learner):
    enrollment = course_services.enrollment_create(user=learner, course=course.mn)
    client.force_login(learner)
    lesson = course.lessons["en"][1]
    assert client.get(lesson.url, HTTP_X_CPC_OFFLINE="download").status_code == 200
    assert not LessonProgress.objects.filter(enrollment=enrollment).exists()
    client.get(lesson.url)  # opened by the learner: recorded
    assert LessonProgress.objects.filter(enrollment=enrollment, lesson_key=lesson.translation_key).exists()


def test_nobody_but_an_enrolled_member_of_the_audience_gets_a_restricted_course(site, client, learner):
    quiz = quiz_helpers.quiz([quiz_helpers.question(text="Restricted question")])
    built = build_course(
        lessons=2, slug="investigation", restricted_to=(roles.JUSTICE_LEARNERS,), publish=False
    )
    for lang in ("mn", "en"):
        lesson = built.lessons[lang][1]
        lesson.body = [{"type": "quiz", "value": {"quiz": quiz.pk}}]
        lesson.save_revision().publish()
    course_services.release_publish(course=built.mn, version="1.0")
    url = reverse("offline:download", args=[built.mn.pk])
    # Signed out, an outsider (enrolled before the course was restricted or not), a member who has
    # not set up two-factor sign-in: no list, no paper.
    assert client.post(url).status_code == 401
    client.force_login(learner)
    assert client.post(url).status_code == 404
    member = UserFactory()
    member.groups.add(Group.objects.get(name=roles.JUSTICE_LEARNERS))
    client.force_login(member)
    response = client.post(url)
    assert response.status_code == 403 and b"two-factor" in response.content.lower()
    assert OfflinePaper.objects.count() == 0
    assert client.get(reverse("offline:status")).json()["courses"] == {}
    with_two_factor(member)
    assert client.post(url, HTTP_X_REQUESTED_WITH="fetch").status_code == 403  # not enrolled yet
    course_services.enrollment_create(user=member, course=built.mn)
    listing = client.post(url, HTTP_X_REQUESTED_WITH="fetch").json()
    assert len(listing["papers"]) == 1 and OfflinePaper.objects.get().user == member
    assert set(client.get(reverse("offline:status")).json()["courses"]) == {
        str(built.mn.pk),
        str(built.en.pk),
    }
    # Out of the audience: the status tells the phone to remove its copy, and the paper is closed.
    member.groups.clear()
    assert client.get(reverse("offline:status")).json()["courses"] == {}
    assert client.get(listing["papers"][0]["url"]).status_code == 404


def test_download_refuses_bad_requests(course, client, learner):
    client.force_login(learner)
    assert client.get(reverse("offline:download", args=[course.mn.pk])).status_code == 405
    assert client.post(reverse("offline:download", args=[999999])).status_code == 404
    assert client.post(reverse("offline:download", args=[course.lessons["mn"][0].pk])).status_code == 404
    assert client.get(reverse("offline:paper", args=["nothing"])).status_code == 404
