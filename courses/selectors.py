"""Reads for courses, shared by pages, views and (later) reports and APIs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from wagtail.models import Page

from .models import CoursePage, Enrollment, LessonPage, LessonProgress, ModulePage, ReleaseLesson

RESTRICTED_CACHE_KEY = "courses:restricted-paths"
RESTRICTED_CACHE_SECONDS = 60  # changes are also pushed out at once by courses.receivers


# --- who may see a course: the one place that decides ---------------------------------------


def restricted_courses() -> dict[str, frozenset[int]]:
    """{tree path of every restricted course page, in every language: its audience group ids}.

    The course's page in the default language decides (its translations follow it). Cached:
    every page view asks, and there are only a handful of restricted courses.
    """
    cached = cache.get(RESTRICTED_CACHE_KEY)
    if cached is not None:
        return cached
    canonical = CoursePage.objects.filter(
        locale__language_code=settings.LANGUAGE_CODE, audience=CoursePage.Audience.RESTRICTED
    ).prefetch_related("audience_groups")
    groups = {
        course.translation_key: frozenset(g.pk for g in course.audience_groups.all()) for course in canonical
    }
    result = {
        path: groups[key]
        for path, key in CoursePage.objects.filter(translation_key__in=list(groups)).values_list(
            "path", "translation_key"
        )
    }
    cache.set(RESTRICTED_CACHE_KEY, result, RESTRICTED_CACHE_SECONDS)
    return result


def restricted_courses_changed() -> None:
    cache.delete(RESTRICTED_CACHE_KEY)


def _group_ids(user) -> frozenset[int]:
    if not hasattr(user, "_cpc_group_ids"):
        user._cpc_group_ids = frozenset(user.groups.values_list("pk", flat=True))
    return user._cpc_group_ids


def _audience_allows(user, groups: frozenset[int]) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(_group_ids(user) & groups)


def page_audience(page: Page) -> frozenset[int] | None:
    """The audience groups of the restricted course a page belongs to, or None when it is open."""
    for path, groups in restricted_courses().items():
        if page.path.startswith(path):
            return groups
    return None


def page_is_visible_to(*, user, page: Page) -> bool:
    """Whether a person may see a page (a course, module or lesson, in any language)."""
    groups = page_audience(page)
    return groups is None or _audience_allows(user, groups)


def course_is_visible_to(*, user, course: CoursePage) -> bool:
    """Whether a person may see and take a course. Outside its audience it does not exist."""
    return page_is_visible_to(user=user, page=course)


def hidden_course_paths(*, user) -> list[str]:
    """Tree paths of the courses this person may not see (everything under them is hidden too)."""
    return [path for path, groups in restricted_courses().items() if not _audience_allows(user, groups)]


def visible_courses(*, user, queryset: QuerySet[CoursePage]) -> QuerySet[CoursePage]:
    """Filter a queryset of course pages down to those the person may see."""
    hidden = hidden_course_paths(user=user)
    return queryset.exclude(path__in=hidden) if hidden else queryset


def hide_restricted(*, user, pages):
    """Drop, from any iterable of pages, those inside a course the person may not see."""
    hidden = tuple(hidden_course_paths(user=user))
    return [page for page in pages if not (hidden and page.path.startswith(hidden))]


def needs_two_factor(*, user, page: Page) -> bool:
    """A restricted page asks its audience to have set up two-factor sign-in first."""
    if page_audience(page) is None or not user.is_authenticated:
        return False
    from lms.accounts.selectors import has_two_factor

    return not has_two_factor(user)


# --- catalogue and course page --------------------------------------------------------------


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


def course_outline_for_user(*, course: CoursePage, user) -> CourseOutline:
    """Modules and lessons of a course (in the page's language) with the learner's progress."""
    modules = {
        module.path: OutlineModule(page=module) for module in ModulePage.objects.live().child_of(course)
    }
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path"))
    enrollment = _enrollments_by_course_key(user, [course.translation_key]).get(course.translation_key)
    completed, started = set(), set()
    if enrollment is not None:
        for key, completed_at in LessonProgress.objects.filter(enrollment=enrollment).values_list(
            "lesson_key", "completed_at"
        ):
            started.add(key)
            if completed_at:
                completed.add(key)
    resume = None
    for lesson in lessons:
        module = modules.get(lesson.path[: -Page.steplen])
        if module is None:
            continue
        module.lessons.append(
            OutlineLesson(
                page=lesson,
                completed=lesson.translation_key in completed,
                started=lesson.translation_key in started,
            )
        )
        if enrollment is not None and lesson.translation_key == enrollment.last_lesson_key:
            resume = lesson
    if resume is None and lessons:
        resume = next((lesson for lesson in lessons if lesson.translation_key not in completed), lessons[0])
    return CourseOutline(
        modules=list(modules.values()), enrollment=enrollment, resume_lesson=resume, lesson_count=len(lessons)
    )


# --- lesson page ---------------------------------------------------------------------------


@dataclass
class LessonState:
    """What the lesson page needs to know about the learner, in a fixed number of queries."""

    enrollment: Enrollment | None = None
    progress: LessonProgress | None = None
    position: int | None = None
    previous_lesson: LessonPage | None = None
    next_lesson: LessonPage | None = None
    translations: dict[str, LessonPage] = field(default_factory=dict)

    @property
    def is_enrolled(self) -> bool:
        return self.enrollment is not None

    @property
    def is_completed(self) -> bool:
        return bool(self.progress and self.progress.completed_at)

    @property
    def number(self) -> int | None:
        return None if self.position is None else self.position + 1


def lesson_state_for_user(*, lesson: LessonPage, user) -> LessonState:
    """The learner's enrolment and progress, the neighbouring lessons of their release, and the
    lesson's translations (for the language switcher): three queries at most."""
    key = lesson.translation_key
    state = LessonState()
    if user.is_authenticated:
        enrollment = (
            Enrollment.objects.select_related("release")
            .filter(user=user, release__lessons__lesson_key=key)
            .annotate(
                own_progress=FilteredRelation("progress", condition=Q(progress__lesson_key=key)),
                lesson_position=F("release__lessons__position"),
                progress_id=F("own_progress__id"),
                progress_started_at=F("own_progress__started_at"),
                progress_completed_at=F("own_progress__completed_at"),
            )
            .order_by()
            .first()
        )
        if enrollment is not None:
            state.enrollment = enrollment
            state.position = enrollment.lesson_position
            if enrollment.progress_id is not None:
                state.progress = LessonProgress(
                    pk=enrollment.progress_id,
                    enrollment=enrollment,
                    lesson_key=key,
                    started_at=enrollment.progress_started_at,
                    completed_at=enrollment.progress_completed_at,
                )
    if state.enrollment is None:
        pages = LessonPage.objects.filter(translation_key=key)
    else:
        # This lesson and its neighbours in the learner's release, by translation key (indexed).
        pages = LessonPage.objects.filter(
            translation_key__in=ReleaseLesson.objects.filter(
                release=state.enrollment.release_id,
                position__in=[state.position - 1, state.position, state.position + 1],
            ).values("lesson_key")
        ).annotate(
            release_position=Subquery(
                ReleaseLesson.objects.filter(
                    release=state.enrollment.release_id, lesson_key=OuterRef("translation_key")
                )
                .order_by()
                .values("position")[:1]
            )
        )
    pages = (
        pages.live()
        .select_related("locale")
        .only("id", "title", "url_path", "translation_key", "locale__language_code", "depth", "path")
        .order_by()
    )
    for page in pages:
        if page.translation_key == key:
            state.translations[page.locale.language_code] = page
        elif page.locale_id != lesson.locale_id:
            continue
        elif page.release_position == state.position - 1:
            state.previous_lesson = page
        elif page.release_position == state.position + 1:
            state.next_lesson = page
    return state


# --- dashboard -----------------------------------------------------------------------------


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
        for page in LessonPage.objects.live()
        .filter(translation_key__in=[key for key in resume_keys.values() if key], locale=locale)
        .only("id", "title", "url_path", "translation_key", "locale_id", "depth", "path")
    }
    return [
        DashboardEntry(
            enrollment=enrollment,
            course=courses.get(enrollment.course.translation_key, enrollment.course),
            resume_lesson=lessons.get(resume_keys[enrollment.pk]),
        )
        for enrollment in enrollments
    ]


# --- search --------------------------------------------------------------------------------------

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
