"""Who may see a course: the one access decision and everything that asks it."""

from __future__ import annotations

import enum
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.permissions import policy_registry

from lms.accounts.errors import TwoFactorRequired
from lms.accounts.selectors import has_two_factor

from ..models import (
    CoursePage,
    LessonPage,
    RestrictedFile,
)
from .enrolments import lesson_in_users_release

RESTRICTED_CACHE_KEY = "courses:restricted-courses"


RESTRICTED_CACHE_SECONDS = 60  # changes are also pushed out at once by courses.receivers


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
