"""Publishing at once (PostgreSQL): one release becomes current per publish, nothing half-done."""

import threading

import pytest
from django.db import connection, connections

from courses import errors as course_errors
from courses import services as course_services
from courses.models import CourseRelease, ReleaseLesson
from tests.factories import build_course

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _race(count: int, action) -> list[str]:
    barrier = threading.Barrier(count)
    outcomes = []

    def run(n):
        try:
            barrier.wait()
            action(n)
            outcomes.append("published")
        except course_errors.ReleaseError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_ten_reviewers_approving_one_release_at_once_publish_it_once(site):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; run with DATABASE_URL=postgres://…")
    course = build_course(lessons=6, slug="race")
    draft = CourseRelease.objects.create(course=course.mn, version="1.1", live=False)
    outcomes = _race(10, lambda n: course_services.release_finalise(release=draft))
    assert outcomes == ["published"] + ["refused"] * 9
    assert ReleaseLesson.objects.filter(release=draft).count() == 6, "its lessons were frozen once"
    assert list(CourseRelease.objects.filter(course=course.mn, is_current=True)) == [draft]


def test_two_editors_publishing_the_same_version_at_once_make_one_release(site):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; run with DATABASE_URL=postgres://…")
    course = build_course(lessons=3, slug="race-two")
    outcomes = _race(2, lambda n: course_services.release_publish(course=course.mn, version="2.0"))
    assert outcomes == ["published", "refused"]
    assert CourseRelease.objects.filter(course=course.mn, version="2.0").count() == 1
    assert CourseRelease.objects.filter(course=course.mn, is_current=True).get().version == "2.0"
