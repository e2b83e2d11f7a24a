"""A site that loaded release 1.0 of the shipped courses and then gets 1.1, through the platform's
own release workflow: every enrolment is kept, learners midway move to 1.1 (the release's
policy) and keep their progress on every lesson whose content did not change.

Release 1.0 is read from tests/curricula/release_1_0/, a copy of the content files as they
shipped (no git needed), loaded the way release 1.0 was: its shape checked, the content rules
of later releases not applied.
"""

from pathlib import Path

import pytest

from courses import services as course_services
from courses.models import CoursePage, CourseRelease, Enrollment, LessonProgress, ReleaseLesson, ReleaseMove
from curricula.loader import curricula_load
from curricula.schema import read_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HERE = Path(__file__).resolve().parent
SHIPPED = HERE.parents[1] / "curricula"
APPS = ["smart_navigator", "voice_up", "kcso", "child_friendly_investigation"]
OPEN_COURSES = ["smart-navigator", "voice-up-for-change", "keeping-children-safe-online"]


def _release_10() -> list[tuple[str, Path]]:
    return [(app, HERE / "release_1_0" / app) for app in APPS]


def _release_11() -> list[tuple[str, Path]]:
    return [(app, SHIPPED / app / "content") for app in APPS]


def _manual_lessons(release: CourseRelease) -> dict:
    return dict(
        ReleaseLesson.objects.filter(release=release, completion=ReleaseLesson.Completion.MANUAL)
        .order_by("position")
        .values_list("lesson_key", "content_hash")
    )


def _reading_lessons_by_change(app: str, release: CourseRelease) -> tuple[list, list]:
    """The 1.0 reading lessons (completed by a click) whose files 1.1 leaves as they were, and those
    it edits, by lesson key, read from the two content folders."""
    from courses.models import LessonPage

    old = {lesson.slug: lesson for lesson in read_course(HERE / "release_1_0" / app, rules=False).lessons}
    new = {lesson.slug: lesson for lesson in read_course(SHIPPED / app / "content").lessons}
    keys = {
        page.slug: page.translation_key
        for page in LessonPage.objects.filter(
            translation_key__in=list(_manual_lessons(release)), locale__language_code="mn"
        )
    }
    same, edited = [], []
    for slug, key in keys.items():
        before, after = old[slug], new[slug]
        identical = (before.title, before.minutes, [(b.type, b.value) for b in before.body]) == (
            after.title,
            after.minutes,
            [(b.type, b.value) for b in after.body],
        )
        (same if identical else edited).append(key)
    return same, edited


def test_the_10_fixture_is_the_content_as_it_shipped():
    for app in APPS:
        old = read_course(HERE / "release_1_0" / app, rules=False)
        new = read_course(SHIPPED / app / "content")
        assert (old.version, new.version) == ("1.0", "1.1")
        assert not old.assessment.parallel and new.assessment.parallel
        assert {lesson.slug for lesson in old.lessons} < {lesson.slug for lesson in new.lessons}, (
            "1.1 adds lessons and removes none, so no learner loses a lesson they did"
        )


def test_loading_11_over_10_keeps_every_enrolment_and_the_progress_on_unchanged_lessons(
    site, django_capture_on_commit_callbacks
):
    curricula_load(sources=_release_10(), rules=False)
    courses = {slug: CoursePage.objects.get(slug=slug, locale__language_code="mn") for slug in OPEN_COURSES}
    first = {slug: course.releases.get(is_current=True) for slug, course in courses.items()}
    assert {release.version for release in first.values()} == {"1.0"}

    midway, not_started, progress = {}, {}, {}
    for app, slug in zip(APPS, OPEN_COURSES, strict=False):
        course = courses[slug]
        same, edited = _reading_lessons_by_change(app, first[slug])
        midway[slug] = UserFactory(email=f"midway-{slug}@example.mn")
        not_started[slug] = UserFactory(email=f"new-{slug}@example.mn")
        course_services.enrollment_create(user=midway[slug], course=course)
        course_services.enrollment_create(user=not_started[slug], course=course)
        done = same[:2] + edited[:2]  # midway: some lessons that 1.1 leaves as they were, some it edits
        assert len(done) == 4, (slug, same, edited)
        for key in done:
            course_services.lesson_complete(user=midway[slug], lesson_key=key)
        progress[slug] = done
    enrolments_before = Enrollment.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        report = curricula_load(sources=_release_11())
    assert report.releases == len(APPS)

    for slug, course in courses.items():
        second = course.releases.get(is_current=True)
        assert second.version == "1.1" and second.policy == CourseRelease.Policy.EVERYONE
        assert second.notes_en and second.notes_mn and second.notes_en != second.notes_mn
        assert list(course.releases.order_by("published_at").values_list("version", flat=True)) == [
            "1.0",
            "1.1",
        ]
        old_hashes, new_hashes = _manual_lessons(first[slug]), _manual_lessons(second)
        unchanged = {key for key, digest in old_hashes.items() if new_hashes.get(key) == digest}
        changed = {
            key for key, digest in old_hashes.items() if key in new_hashes and new_hashes[key] != digest
        }
        done = progress[slug]
        assert unchanged & set(done) and changed & set(done), (slug, "the test covers both kinds")

        learner = Enrollment.objects.get(user=midway[slug], course=course)
        assert learner.release == second, "everyone still taking the course moves to 1.1"
        completed = set(
            LessonProgress.objects.filter(enrollment=learner, completed_at__isnull=False).values_list(
                "lesson_key", flat=True
            )
        )
        assert completed == set(done) & unchanged, (slug, "progress kept exactly on unchanged lessons")
        required = set(
            ReleaseLesson.objects.filter(release=second, required=True).values_list("lesson_key", flat=True)
        )
        assert learner.completed_lessons == len(completed & required)
        move = ReleaseMove.objects.get(enrollment=learner)
        assert (move.from_release, move.to_release, move.reopened_lessons) == (
            first[slug],
            second,
            len(set(done) & changed),
        )
        assert Enrollment.objects.get(user=not_started[slug], course=course).release == second

    assert Enrollment.objects.count() == enrolments_before, "every enrolment kept"
    investigation = CoursePage.objects.get(slug="child-friendly-investigation", locale__language_code="mn")
    assert investigation.releases.get(is_current=True).version == "1.1"

    again = curricula_load(sources=_release_11())
    assert (again.releases, again.created, again.updated) == (0, 0, 0), "a second load of 1.1 changes nothing"
