"""What learners see: the catalogue, the course outline, the lesson page, the dashboard, search,
and the congratulation emails still to send."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import F, FilteredRelation, JSONField, OuterRef, Q, Subquery
from django.utils import timezone, translation
from wagtail.models import Page, Revision

from lms import outbox

from ..models import (
    CoursePage,
    CourseRelease,
    Enrollment,
    LessonPage,
    LessonProgress,
    ModulePage,
    ReleaseLesson,
)
from .access import hidden_course_paths, visible_courses
from .enrolments import enrollment_for_lesson
from .releases import current_release

# What a learner reads of a lesson; everything else (place in the tree, URL) is the page's own.
RELEASED_FIELDS = ("title", "seo_title", "search_description", "body", "estimated_minutes", "required")


@dataclass
class CatalogueEntry:
    course: CoursePage
    enrollment: Enrollment | None

    @property
    def percent(self) -> int | None:
        return self.enrollment.percent if self.enrollment else None


def _enrollments_by_course_key(user, keys) -> dict[uuid.UUID, Enrollment]:
    if not user.is_authenticated:
        return {}
    enrollments = Enrollment.objects.filter(user=user, course__translation_key__in=keys).select_related(
        "release", "course"
    )
    return {enrollment.course.translation_key: enrollment for enrollment in enrollments}


def catalogue_for_user(*, index_page: Page, user) -> list[CatalogueEntry]:
    """The courses under a catalogue page that the person may see, with their enrolment."""
    courses = list(visible_courses(user=user, queryset=CoursePage.objects.live().child_of(index_page)))
    enrollments = _enrollments_by_course_key(user, [course.translation_key for course in courses])
    return [
        CatalogueEntry(course=course, enrollment=enrollments.get(course.translation_key))
        for course in courses
    ]


@dataclass
class OutlineLesson:
    page: LessonPage
    completed: bool
    started: bool


@dataclass
class OutlineModule:
    page: ModulePage
    lessons: list[OutlineLesson] = field(default_factory=list)


@dataclass
class CourseOutline:
    modules: list[OutlineModule]
    enrollment: Enrollment | None
    resume_lesson: LessonPage | None
    lesson_count: int
    newer_release: CourseRelease | None = None


def course_outline_for_user(*, course: CoursePage, user) -> CourseOutline:
    """Modules and lessons of a course, as the learner's release (else the current one) has them,
    in the page's language, with the learner's progress and any newer release."""
    enrollment = _enrollments_by_course_key(user, [course.translation_key]).get(course.translation_key)
    release = enrollment.release if enrollment else current_release(course)
    rows = list(ReleaseLesson.objects.filter(release=release).order_by("position")) if release else []
    pages = {
        page.translation_key: page
        for page in LessonPage.objects.filter(
            translation_key__in=[r.lesson_key for r in rows], locale_id=course.locale_id
        )
    }
    module_pages = {
        page.translation_key: page
        for page in ModulePage.objects.filter(
            translation_key__in={r.module_key for r in rows}, locale_id=course.locale_id
        )
    }
    _use_released_titles(release, rows, pages, module_pages)
    completed, started = set(), set()
    if enrollment is not None:
        for key, completed_at in LessonProgress.objects.filter(enrollment=enrollment).values_list(
            "lesson_key", "completed_at"
        ):
            started.add(key)
            if completed_at:
                completed.add(key)
    modules: dict[uuid.UUID, OutlineModule] = {}
    lessons, resume = [], None
    for row in rows:
        lesson, module_page = pages.get(row.lesson_key), module_pages.get(row.module_key)
        if lesson is None or module_page is None:
            continue
        module = modules.setdefault(row.module_key, OutlineModule(page=module_page))
        module.lessons.append(
            OutlineLesson(
                page=lesson, completed=row.lesson_key in completed, started=row.lesson_key in started
            )
        )
        lessons.append(lesson)
        if enrollment is not None and row.lesson_key == enrollment.last_lesson_key:
            resume = lesson
    if resume is None and lessons:
        resume = next((lesson for lesson in lessons if lesson.translation_key not in completed), lessons[0])
    newer = None
    if enrollment is not None and not enrollment.release.is_current:
        newer = current_release(enrollment.course_id)
    return CourseOutline(
        modules=list(modules.values()),
        enrollment=enrollment,
        resume_lesson=resume,
        lesson_count=len(lessons),
        newer_release=newer,
    )


def _use_released_titles(release, rows, pages: dict, module_pages: dict) -> None:
    """Give lessons and modules the titles of the viewer's release where it is not what is live
    (a learner on an older release). Nothing to do, and no query, on the current release."""
    if release is None:
        return
    language = translation.get_language() or settings.LANGUAGE_CODE
    stale: dict[int, tuple[dict, object]] = {}
    for row in rows:
        page = pages.get(row.lesson_key)
        revision = row.revisions.get(language) or row.revisions.get(settings.LANGUAGE_CODE)
        if page is not None and revision and revision != page.live_revision_id:
            stale[revision] = (pages, row.lesson_key)
    for key, revisions in (release.module_revisions or {}).items():
        page = module_pages.get(uuid.UUID(key))
        revision = revisions.get(language) or revisions.get(settings.LANGUAGE_CODE)
        if page is not None and revision and revision != page.live_revision_id:
            stale[revision] = (module_pages, page.translation_key)
    if not stale:
        return
    for revision, title in Revision.objects.filter(pk__in=list(stale)).values_list("pk", "content__title"):
        where, key = stale[revision]
        if title:
            where[key] = copy.copy(where[key])
            where[key].title = title


@dataclass
class LessonState:
    """What the lesson page needs to know about the viewer, in a fixed number of queries."""

    enrollment: Enrollment | None = None
    progress: LessonProgress | None = None
    position: int | None = None
    previous_lesson: LessonPage | None = None
    next_lesson: LessonPage | None = None
    translations: dict[str, LessonPage] = field(default_factory=dict)
    revision_id: int | None = None  # the lesson's revision in the viewer's release, in this language
    release: CourseRelease | None = None
    newer_release: CourseRelease | None = None  # for learners on an older release

    @property
    def is_enrolled(self) -> bool:
        return self.enrollment is not None

    @property
    def is_completed(self) -> bool:
        return bool(self.progress and self.progress.completed_at)

    @property
    def number(self) -> int | None:
        return None if self.position is None else self.position + 1

    def release_differs(self, lesson: LessonPage) -> bool:
        """Whether the viewer's release has other words than the live pages (an older release)."""
        return self.revision_id != lesson.live_revision_id or any(
            _released_revision(page) != page.live_revision_id
            for page in (self.previous_lesson, self.next_lesson)
            if page is not None
        )

    def released_page(self, lesson: LessonPage) -> LessonPage:
        """The lesson as the viewer's release has it, keeping the routed page's place; the
        neighbours' titles too. One query."""
        wanted = {self.revision_id}
        wanted.update(_released_revision(page) for page in (self.previous_lesson, self.next_lesson) if page)
        contents = dict(Revision.objects.filter(pk__in=[r for r in wanted if r]).values_list("pk", "content"))
        for attr in ("previous_lesson", "next_lesson"):
            neighbour = getattr(self, attr)
            title = (contents.get(_released_revision(neighbour)) or {}).get("title") if neighbour else None
            if title and title != neighbour.title:
                neighbour = copy.copy(neighbour)
                neighbour.title = title
                setattr(self, attr, neighbour)
        content = contents.get(self.revision_id)
        if content is None:
            return lesson
        page = copy.copy(lesson)  # tree place, URL and route chain stay; only the words are the release's
        for name in RELEASED_FIELDS:
            if name in content:
                setattr(page, name, content[name])
        return page


def _released_revision(page: LessonPage) -> int | None:
    """The revision of a neighbouring lesson in the viewer's release, in the page's language."""
    revisions = getattr(page, "release_revisions", None) or {}
    if isinstance(revisions, str):
        revisions = json.loads(revisions)
    language = page.locale.language_code if "locale" in page._state.fields_cache else settings.LANGUAGE_CODE
    return revisions.get(language) or revisions.get(settings.LANGUAGE_CODE) or page.live_revision_id


def _lesson_and_neighbours(key: uuid.UUID, state: LessonState):
    """The lesson's pages in every language and its neighbours in the viewer's release (any
    language: the caller keeps the page's own), with their place in that release. One query."""
    if state.release is None:
        pages = LessonPage.objects.filter(translation_key=key)
    else:
        # This lesson and its neighbours in the viewer's release, by translation key (indexed).
        pages = LessonPage.objects.filter(
            translation_key__in=ReleaseLesson.objects.filter(
                release=state.release.pk,
                position__in=[state.position - 1, state.position, state.position + 1],
            ).values("lesson_key")
        ).annotate(
            release_position=Subquery(
                ReleaseLesson.objects.filter(release=state.release.pk, lesson_key=OuterRef("translation_key"))
                .order_by()
                .values("position")[:1]
            ),
            release_revisions=Subquery(
                ReleaseLesson.objects.filter(release=state.release.pk, lesson_key=OuterRef("translation_key"))
                .order_by()
                .values("revisions")[:1],
                output_field=JSONField(),
            ),
        )
    return (
        pages.select_related("locale")
        .only(
            "id",
            "title",
            "url_path",
            "translation_key",
            "locale__language_code",
            "depth",
            "path",
            "live",
            "live_revision_id",
        )
        .order_by()
    )


def lesson_state_for_user(*, lesson: LessonPage, user) -> LessonState:
    """The learner's enrolment, progress and release revision, the neighbouring lessons of their
    release, and the lesson's translations (for the language switcher): three queries at most."""
    key = lesson.translation_key
    state = LessonState()
    release_lesson = None
    if user.is_authenticated:
        enrollment = (
            enrollment_for_lesson(user=user, lesson_key=key)
            .select_related("release")
            .annotate(
                own_progress=FilteredRelation("progress", condition=Q(progress__lesson_key=key)),
                progress_id=F("own_progress__id"),
                progress_started_at=F("own_progress__started_at"),
                progress_completed_at=F("own_progress__completed_at"),
            )
            .order_by()
            .first()
        )
        if enrollment is not None:
            state.enrollment = enrollment
            state.release = enrollment.release
            release_lesson = (enrollment.lesson_position, enrollment.lesson_revisions)
            if not enrollment.release.is_current:
                state.newer_release = current_release(enrollment.course_id)
            if enrollment.progress_id is not None:
                state.progress = LessonProgress(
                    pk=enrollment.progress_id,
                    enrollment=enrollment,
                    lesson_key=key,
                    started_at=enrollment.progress_started_at,
                    completed_at=enrollment.progress_completed_at,
                )
    if release_lesson is None:
        # Not enrolled: the lesson as the course's current release has it.
        row = (
            ReleaseLesson.objects.filter(release__is_current=True, lesson_key=key)
            .select_related("release")
            .only("position", "revisions", "release")
            .first()
        )
        if row is not None:
            state.release = row.release
            release_lesson = (row.position, row.revisions)
    if release_lesson is not None:
        state.position, revisions = release_lesson
        revisions = json.loads(revisions) if isinstance(revisions, str) else revisions
        # The page's language is the request's (Wagtail routes /en/... to the English tree).
        state.revision_id = revisions.get(translation.get_language()) or revisions.get(settings.LANGUAGE_CODE)
    pages = _lesson_and_neighbours(key, state)
    for page in pages:
        if page.translation_key == key:
            if page.live or state.enrollment is not None:
                state.translations[page.locale.language_code] = page
        elif page.locale_id != lesson.locale_id:
            continue
        elif page.release_position == state.position - 1:
            state.previous_lesson = page
        elif page.release_position == state.position + 1:
            state.next_lesson = page
    return state


@dataclass
class DashboardEntry:
    enrollment: Enrollment
    course: Page
    resume_lesson: Page | None


def dashboard_for_user(*, user, locale) -> list[DashboardEntry]:
    """Every enrolment of a learner with the course and the lesson to continue, in one language."""
    enrollments = list(
        Enrollment.objects.filter(user=user)
        .select_related("release", "course")
        .order_by("status", "-last_activity_at", "-enrolled_at")
    )
    if not enrollments:
        return []
    course_keys = [enrollment.course.translation_key for enrollment in enrollments]
    courses = {
        page.translation_key: page
        for page in CoursePage.objects.filter(translation_key__in=course_keys, locale=locale).only(
            "id", "title", "url_path", "translation_key", "locale_id", "depth", "path", "summary"
        )
    }
    first_lessons = dict(
        ReleaseLesson.objects.filter(release__in=[e.release_id for e in enrollments], position=0).values_list(
            "release_id", "lesson_key"
        )
    )
    resume_keys = {e.pk: e.last_lesson_key or first_lessons.get(e.release_id) for e in enrollments}
    lessons = {
        page.translation_key: page
        for page in LessonPage.objects.filter(
            translation_key__in=[key for key in resume_keys.values() if key], locale=locale
        ).only("id", "title", "url_path", "translation_key", "locale_id", "depth", "path")
    }
    return [
        DashboardEntry(
            enrollment=enrollment,
            course=courses.get(enrollment.course.translation_key, enrollment.course),
            resume_lesson=lessons.get(resume_keys[enrollment.pk]),
        )
        for enrollment in enrollments
    ]


SEARCH_LIMIT = 30


def search_pages(*, query: str, user, locale) -> list[Page]:
    """Courses and lessons in one language matching a query, without anything the person may not see."""
    query = " ".join(query.split())[:100]
    if not query:
        return []
    hidden = tuple(hidden_course_paths(user=user))
    results = []
    for model in (CoursePage, LessonPage):
        for page in model.objects.live().filter(locale=locale).search(query)[: SEARCH_LIMIT * 2]:
            if not (hidden and page.path.startswith(hidden)):
                results.append(page)
    return results[:SEARCH_LIMIT]


# A congratulation is sent late by the sweep only for completions this recent; older ones (from
# before the sweep existed, or generated test data) are not congratulated months later.
COMPLETION_EMAIL_SWEEP_DAYS = 30


def completion_emails_due(limit: int = 500) -> list[int]:
    """Recent completions whose congratulation email was not sent and is not being sent (oldest
    first): the sweep sends them (the broker was down, a worker died mid-send, SMTP failed)."""

    recent = Enrollment.objects.filter(
        status=Enrollment.Status.COMPLETED,
        completed_at__gte=timezone.now() - timedelta(days=COMPLETION_EMAIL_SWEEP_DAYS),
    )
    return list(
        outbox.due(recent, sent_field="completion_notified_at", claimed_field="completion_notify_claimed_at")
        .order_by("completed_at")
        .values_list("pk", flat=True)[:limit]
    )
