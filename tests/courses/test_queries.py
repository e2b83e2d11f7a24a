"""Lesson pages and completion events cost the same number of queries for 5 lessons or 60."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from courses import services
from tests.factories import UserFactory, build_course

pytestmark = pytest.mark.django_db

LESSON_PAGE_LIMIT = 12


def _lesson_page_queries(client, lesson) -> tuple[int, int]:
    """Queries for the first visit (records the start) and for a later visit."""
    with CaptureQueriesContext(connection) as first:
        assert client.get(lesson.url).status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert client.get(lesson.url).status_code == 200
    return len(first), len(again)


def _setup(size: int, client, language: str = "en"):
    built = build_course(lessons=size, modules=4, slug=f"size-{size}")
    user = UserFactory()
    services.enrollment_create(user=user, course=built.mn)
    client.force_login(user)
    client.get(built.lessons[language][0].url)  # warm caches: session, site root paths, catalogue URL
    return built, user


@pytest.mark.parametrize("language", ["mn", "en"])
def test_lesson_page_queries_do_not_grow_with_the_course(site, client, language):
    counts = {}
    for size in (5, 60):
        built, _user = _setup(size, client, language)
        middle = built.lessons[language][size // 2]
        counts[size] = _lesson_page_queries(client, middle)
    assert counts[5] == counts[60], counts
    first, again = counts[60]
    assert first <= LESSON_PAGE_LIMIT and again <= LESSON_PAGE_LIMIT, counts


def test_completion_event_queries_do_not_grow_with_the_course(site, client):
    """Completing a lesson mid-course, and the last one (which completes the course), over HTTP."""
    counts = {}
    for size in (5, 60):
        built, user = _setup(size, client)
        lessons = built.lessons["en"]
        for lesson in lessons[: size - 2]:
            services.lesson_complete(user=user, lesson_key=lesson.translation_key)
        measured = []
        for lesson in lessons[size - 2 :]:
            with translation.override("en"):
                url = reverse("courses:lesson_complete", args=[lesson.pk])
            with CaptureQueriesContext(connection) as ctx:
                assert client.post(url).status_code == 302
            measured.append(len(ctx))
        counts[size] = tuple(measured)
    assert counts[5] == counts[60], counts


def test_completion_service_queries_do_not_grow_with_the_course(site):
    counts = {}
    for size in (5, 60):
        built = build_course(lessons=size, modules=4, slug=f"svc-{size}")
        user = UserFactory()
        services.enrollment_create(user=user, course=built.mn)
        for lesson in built.lessons["mn"][: size - 2]:
            services.lesson_complete(user=user, lesson_key=lesson.translation_key)
        measured = []
        for lesson in built.lessons["mn"][size - 2 :]:
            with CaptureQueriesContext(connection) as ctx:
                services.lesson_complete(user=user, lesson_key=lesson.translation_key)
            measured.append(len(ctx))
        counts[size] = tuple(measured)
    assert counts[5] == counts[60], counts
    assert max(counts[60]) <= 8, counts
