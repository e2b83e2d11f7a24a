"""Reads for courses, shared by pages, views and (later) reports and APIs."""

from __future__ import annotations

import copy
import enum
import json
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, FilteredRelation, JSONField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import translation
from wagtail.models import Page, Revision

from lms.accounts.errors import TwoFactorRequired
from lms.accounts.selectors import has_two_factor

from .models import (
    CoursePage,
    CourseRelease,
    Enrollment,
    LessonPage,
    LessonProgress,
    ModulePage,
    ReleaseLesson,
    RestrictedFile,
)

RESTRICTED_CACHE_KEY = "courses:restricted-courses"
RESTRICTED_CACHE_SECONDS = 60  # changes are also pushed out at once by courses.receivers
# What a learner reads of a lesson; everything else (place in the tree, URL) is the page's own.
RELEASED_FIELDS = ("title", "seo_title", "search_description", "body", "estimated_minutes", "required")


# --- who may see a course: the one place that decides ---------------------------------------


def _restricted() -> tuple[dict[str, uuid.UUID], dict[uuid.UUID, frozenset[int]]]:
    """({tree path of every restricted course page, in every language: its translation key},
    {translation key: audience group ids}), cached: every page view asks."""
    cached = cache.get(RESTRICTED_CACHE_KEY)
    if cached is not None:
        return cached
    canonical = CoursePage.objects.filter(
        locale__language_code=settings.LANGUAGE_CODE, audience=CoursePage.Audience.RESTRICTED
    ).prefetch_related("audience_groups")
    groups = {
        course.translation_key: frozenset(g.pk for g in course.audience_groups.all()) for course in canonical
    }
    paths = dict(
        CoursePage.objects.filter(translation_key__in=list(groups)).values_list("path", "translation_key")
    )
    cache.set(RESTRICTED_CACHE_KEY, (paths, groups), RESTRICTED_CACHE_SECONDS)
    return paths, groups


def restricted_courses() -> dict[str, frozenset[int]]:
    """{tree path of every restricted course page, in every language: its audience group ids}.

    The course's page in the default language decides (its translations follow it).
    """
    paths, groups = _restricted()
    return {path: groups[key] for path, key in paths.items()}


def restricted_course_keys() -> dict[uuid.UUID, frozenset[int]]:
    """{translation key of every restricted course: its audience group ids}."""
    return _restricted()[1]


def restricted_course_key_at(path: str) -> uuid.UUID | None:
    """The translation key of the restricted course a tree path lies in, or None (open)."""
    for course_path, key in _restricted()[0].items():
        if path.startswith(course_path):
            return key
    return None


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
    key = restricted_course_key_at(page.path)
    return None if key is None else restricted_course_keys()[key]


class Access(enum.Enum):
    """The answer of the one access decision (``access_for``)."""

    ALLOWED = "allowed"
    HIDDEN = "hidden"  # outside the audience, or not in the person's release: it does not exist
    NEEDS_TWO_FACTOR = "two_factor"  # in the audience, but two-factor sign-in is not set up yet

    def enforce(self) -> None:
        """Raise what a refused request must answer: the 404 of a page that does not exist, or
        the way to two-factor set-up (``TwoFactorRequired``, answered by the accounts middleware)."""
        if self is Access.HIDDEN:
            raise Http404
        if self is Access.NEEDS_TWO_FACTOR:
            raise TwoFactorRequired


def _audience_access(user, groups: frozenset[int] | None) -> Access:
    if groups is None:
        return Access.ALLOWED
    if not _audience_allows(user, groups):
        return Access.HIDDEN
    if not has_two_factor(user):
        return Access.NEEDS_TWO_FACTOR
    return Access.ALLOWED


def access_for(*, user, page: Page) -> Access:
    """The one access decision: may this person see or act on this page (a course, module or
    lesson, in any language), or on anything under it (quizzes, attempts, H5P, files)?

    - A restricted course and everything under it exists only for its audience (the groups of
      the course in the default language); members must have two-factor sign-in set up.
    - A page that is not live exists only as a lesson of the release the person is enrolled in
      (a lesson removed from the current release stays readable on older ones).
    Every way in asks this: page serving, every learner POST, quizzes, H5P, files, certificates.
    """
    access = _audience_access(user, page_audience(page))
    if access is not Access.ALLOWED:
        return access
    if not page.live and not (
        page.specific_class is LessonPage and lesson_in_users_release(lesson=page, user=user)
    ):
        return Access.HIDDEN
    return Access.ALLOWED


def access_for_course_keys(*, user, course_keys) -> Access:
    """The decision for something used by several courses (an image, a document): allowed when
    any of them allows it; otherwise the mildest refusal (set up two-factor before "hidden")."""
    restricted = restricted_course_keys()
    decisions = {_audience_access(user, restricted.get(key)) for key in course_keys}
    for access in (Access.ALLOWED, Access.NEEDS_TWO_FACTOR):
        if access in decisions:
            return access
    return Access.HIDDEN


def restricted_file_owner(name: str) -> tuple[str, int] | None:
    """(kind, id) of the image or document a restricted stored name belongs to (an original, a
    rendition or a document file), or None."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    Image = get_image_model()
    if name.startswith("restricted/images/"):
        found = Image.get_rendition_model().objects.filter(file=name).values_list("image_id", flat=True)
        kind = RestrictedFile.Kind.IMAGE
    elif name.startswith("restricted/original_images/"):
        found = Image.objects.filter(file=name).values_list("pk", flat=True)
        kind = RestrictedFile.Kind.IMAGE
    elif name.startswith("restricted/documents/"):
        found = get_document_model().objects.filter(file=name).values_list("pk", flat=True)
        kind = RestrictedFile.Kind.DOCUMENT
    else:
        return None
    object_id = found.first()
    return None if object_id is None else (kind, object_id)


def _may_manage_media(user, kind: str) -> bool:
    """Staff who may choose or change images (documents) in the admin see every file (thumbnails,
    previews), once signed in with two-factor."""
    if not user.is_authenticated or not has_two_factor(user):
        return False
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.permissions import policy_registry

    model = get_image_model() if kind == RestrictedFile.Kind.IMAGE else get_document_model()
    label, name = model._meta.app_label, model._meta.model_name
    return any(user.has_perm(f"{label}.{action}_{name}") for action in ("choose", "change")) or (
        policy_registry.get_by_type(model).user_has_any_permission(user, ["choose", "change"])
    )


def file_access(*, user, kind: str, object_id: int, stored_private: bool = False) -> Access:
    """The access decision for an image or document: open files are for everyone; a restricted
    file (used only in restricted courses) for the audiences of those courses and media staff.
    A file stored privately but no longer listed as restricted (the moment before it is made
    public again) is for staff only."""
    course_keys = (
        RestrictedFile.objects.filter(kind=kind, object_id=object_id)
        .values_list("course_keys", flat=True)
        .first()
    )
    if course_keys is None:
        if not stored_private or _may_manage_media(user, kind):
            return Access.ALLOWED
        return Access.HIDDEN
    access = access_for_course_keys(user=user, course_keys=[uuid.UUID(key) for key in course_keys])
    if access is not Access.ALLOWED and _may_manage_media(user, kind):
        return Access.ALLOWED
    return access


def page_is_visible_to(*, user, page: Page) -> bool:
    """Whether a person may know that a page exists (lists, search): its audience, no more."""
    groups = page_audience(page)
    return groups is None or _audience_allows(user, groups)


def course_is_visible_to(*, user, course: CoursePage) -> bool:
    """Whether a course may be listed for a person. Outside its audience it does not exist."""
    return page_is_visible_to(user=user, page=course)


def hidden_course_paths(*, user) -> list[str]:
    """Tree paths of the courses this person may not see (everything under them is hidden too)."""
    return [path for path, groups in restricted_courses().items() if not _audience_allows(user, groups)]


def visible_courses(*, user, queryset: QuerySet[CoursePage]) -> QuerySet[CoursePage]:
    """Filter a queryset of course pages down to those the person may see."""
    hidden = hidden_course_paths(user=user)
    return queryset.exclude(path__in=hidden) if hidden else queryset


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
    newer_release: CourseRelease | None = None


def course_outline_for_user(*, course: CoursePage, user) -> CourseOutline:
    """Modules and lessons of a course, as the learner's release (else the current one) has them,
    in the page's language, with the learner's progress and any newer release."""
    enrollment = _enrollments_by_course_key(user, [course.translation_key]).get(course.translation_key)
    release = (
        enrollment.release
        if enrollment
        else CourseRelease.objects.filter(
            course__translation_key=course.translation_key, is_current=True
        ).first()
    )
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
        newer = CourseRelease.objects.filter(course_id=enrollment.course_id, is_current=True).first()
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


# --- lesson page ---------------------------------------------------------------------------


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


def lesson_state_for_user(*, lesson: LessonPage, user) -> LessonState:
    """The learner's enrolment, progress and release revision, the neighbouring lessons of their
    release, and the lesson's translations (for the language switcher): three queries at most."""
    key = lesson.translation_key
    state = LessonState()
    release_lesson = None
    if user.is_authenticated:
        enrollment = (
            Enrollment.objects.select_related("release")
            .filter(user=user, release__lessons__lesson_key=key)
            .annotate(
                own_progress=FilteredRelation("progress", condition=Q(progress__lesson_key=key)),
                lesson_position=F("release__lessons__position"),
                lesson_revisions=F("release__lessons__revisions"),
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
                state.newer_release = CourseRelease.objects.filter(
                    course_id=enrollment.course_id, is_current=True
                ).first()
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
    pages = (
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


def lesson_in_users_release(*, lesson: LessonPage, user) -> bool:
    """Whether a (no longer live) lesson belongs to the release the person is enrolled in."""
    return (
        user.is_authenticated
        and Enrollment.objects.filter(user=user, release__lessons__lesson_key=lesson.translation_key).exists()
    )


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


def page_is_in_a_release(page: Page) -> bool:
    """Whether the page is, or contains, a lesson some release (and so some learner) still reads."""
    from .models import ReleaseLesson

    keys = LessonPage.objects.filter(path__startswith=page.path).values("translation_key")
    return ReleaseLesson.objects.filter(lesson_key__in=keys).exists()


# --- emails the sweep sends ----------------------------------------------------------------------

# A congratulation is sent late by the sweep only for completions this recent; older ones (from
# before the sweep existed, or generated test data) are not congratulated months later.
COMPLETION_EMAIL_SWEEP_DAYS = 30


def completion_emails_due(limit: int = 500) -> list[int]:
    """Recent completions whose congratulation email was not sent and is not being sent (oldest
    first): the sweep sends them (the broker was down, a worker died mid-send, SMTP failed)."""
    from datetime import timedelta

    from django.utils import timezone

    from lms import outbox

    recent = Enrollment.objects.filter(
        status=Enrollment.Status.COMPLETED,
        completed_at__gte=timezone.now() - timedelta(days=COMPLETION_EMAIL_SWEEP_DAYS),
    )
    return list(
        outbox.due(recent, sent_field="completion_notified_at", claimed_field="completion_notify_claimed_at")
        .order_by("completed_at")
        .values_list("pk", flat=True)[:limit]
    )
