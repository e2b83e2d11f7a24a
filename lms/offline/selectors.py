"""Reads for offline learning: what a course download holds and how big it is, which offline
copies a person may keep, and a quiz paper's questions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Revision

from assessments.h5p import frame as h5p_frame
from assessments.h5p import selectors as h5p_selectors
from assessments.models import H5PActivity, Quiz, QuizAttempt
from courses.models import CoursePage, CourseRelease, Enrollment, LessonPage, ReleaseLesson
from courses.selectors import Access, access_for, course_outline_for_user

# A lesson page as it is sent (HTML with its header and footer, gzip not counted): measured on the
# shipped curricula (median 23 KB, largest 61 KB); used only for the size shown before a download.
PAGE_BYTES = 30_000
RICH_TEXT_IMAGE = re.compile(r'<embed[^>]*embedtype="image"[^>]*>')
RICH_TEXT_DOCUMENT = re.compile(r'<a[^>]*linktype="document"[^>]*>')
ID_ATTRIBUTE = re.compile(r'\bid="(\d+)"')


@dataclass
class BodyParts:
    """What a lesson body uses besides its text."""

    images: set[int] = field(default_factory=set)
    documents: set[int] = field(default_factory=set)
    quizzes: list[int] = field(default_factory=list)
    activities: list[int] = field(default_factory=list)


def _walk(value, parts: BodyParts) -> None:
    """Collect the images, documents, quizzes and H5P activities of stream data (any depth)."""
    if isinstance(value, list):
        for item in value:
            _walk(item, parts)
        return
    if isinstance(value, str):
        for tag in RICH_TEXT_IMAGE.findall(value):
            parts.images.update(int(n) for n in ID_ATTRIBUTE.findall(tag))
        for tag in RICH_TEXT_DOCUMENT.findall(value):
            parts.documents.update(int(n) for n in ID_ATTRIBUTE.findall(tag))
        return
    if not isinstance(value, dict):
        return
    kind, inner = value.get("type"), value.get("value")
    if kind is not None and isinstance(inner, dict):
        if kind == "figure":
            image = inner.get("image")
            image = image.get("image") if isinstance(image, dict) else image
            if isinstance(image, int):
                parts.images.add(image)
        elif kind == "video" and isinstance(inner.get("video"), int):
            parts.documents.add(inner["video"])
        elif kind == "download" and isinstance(inner.get("document"), int):
            parts.documents.add(inner["document"])
        elif kind == "quiz" and isinstance(inner.get("quiz"), int):
            parts.quizzes.append(inner["quiz"])
        elif kind == "h5p" and isinstance(inner.get("activity"), int):
            parts.activities.append(inner["activity"])
    for item in value.values():
        if isinstance(item, (list, dict, str)):
            _walk(item, parts)


def body_parts(content: dict) -> BodyParts:
    """The parts of a lesson revision's body (stream data stored as JSON text or as a list)."""
    body = content.get("body") or "[]"
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            body = []
    parts = BodyParts()
    _walk(body, parts)
    return parts


@dataclass
class DownloadLesson:
    page: LessonPage
    parts: BodyParts


@dataclass
class OfflineActivity:
    """An H5P activity a learner takes offline: the lesson showing it, and the files its frame
    loads (URLs relative to the frame's page, with their bytes)."""

    lesson: LessonPage
    activity: H5PActivity
    files: list[tuple[str, int]]


@dataclass
class DownloadPlan:
    """A course as one learner takes it offline: the lessons of their own release in the page's
    language, with what they use, and the size of it all."""

    course: CoursePage
    enrollment: Enrollment
    release: CourseRelease
    lessons: list[DownloadLesson]
    documents: dict[int, int]  # document id: bytes
    image_bytes: int
    online_only: list[tuple[LessonPage, H5PActivity]]
    timed_quizzes: list[tuple[LessonPage, Quiz]]
    activities: list[OfflineActivity] = field(default_factory=list)
    runtime: list[tuple[str, int]] = field(default_factory=list)  # the player's own files

    @property
    def estimated_bytes(self) -> int:
        pages = (len(self.lessons) + 1) * PAGE_BYTES  # the lessons and the course page
        played = sum(size for item in self.activities for _path, size in item.files)
        runtime = sum(size for _name, size in self.runtime)
        return pages + sum(self.documents.values()) + self.image_bytes + played + runtime


def _stored_size(name: str) -> int:
    try:
        return default_storage.size(name)
    except (OSError, NotImplementedError):
        return 0


def _image_bytes(image_ids: set[int]) -> int:
    """What a lesson's figures cost: the largest WebP rendition the page offers where it has been
    made, else the original (an upper bound)."""
    total = 0
    images = get_image_model().objects.filter(pk__in=image_ids).prefetch_related("renditions")
    for image in images:
        sizes = []
        for rendition in image.renditions.all():
            if "format-webp" in rendition.filter_spec:
                try:
                    sizes.append(default_storage.size(rendition.file.name))
                except (OSError, NotImplementedError):
                    continue
        total += max(sizes) if sizes else (image.file_size or 0)
    return total


def download_plan(*, course: CoursePage, user) -> DownloadPlan | None:
    """What downloading this course gives this learner; None when they are not enrolled (the
    caller has asked the access decision: nothing of a restricted course for anyone else)."""
    outline = course_outline_for_user(course=course, user=user)
    enrollment = outline.enrollment
    if enrollment is None:
        return None
    language = course.locale.language_code
    lessons = [item.page for module in outline.modules for item in module.lessons]
    rows = {
        row.lesson_key: row
        for row in ReleaseLesson.objects.filter(release_id=enrollment.release_id).only(
            "lesson_key", "revisions"
        )
    }
    revision_ids = {
        lesson.pk: (rows[lesson.translation_key].revisions or {}).get(language)
        for lesson in lessons
        if lesson.translation_key in rows
    }
    contents = dict(
        Revision.objects.filter(pk__in=[pk for pk in revision_ids.values() if pk]).values_list(
            "pk", "content"
        )
    )
    planned = []
    for lesson in lessons:
        content = contents.get(revision_ids.get(lesson.pk))
        if content is None:  # not pinned in this language: the page as it is published
            content = {"body": json.dumps(list(lesson.body.raw_data))}
        planned.append(DownloadLesson(page=lesson, parts=body_parts(content)))
    image_ids = set().union(*(item.parts.images for item in planned)) if planned else set()
    document_ids = set().union(*(item.parts.documents for item in planned)) if planned else set()
    documents = {
        document.pk: document.file_size
        if document.file_size is not None
        else _stored_size(document.file.name)
        for document in get_document_model().objects.filter(pk__in=document_ids).only("file", "file_size")
    }
    activities = H5PActivity.objects.in_bulk({pk for item in planned for pk in item.parts.activities})
    quizzes = Quiz.objects.in_bulk({pk for item in planned for pk in item.parts.quizzes})
    shown = [
        (item.page, activities[pk]) for item in planned for pk in item.parts.activities if pk in activities
    ]
    playable, online_only = _playable_offline(shown, user=user)
    return DownloadPlan(
        course=course,
        enrollment=enrollment,
        release=enrollment.release,
        lessons=planned,
        documents={pk: size or 0 for pk, size in documents.items()},
        image_bytes=_image_bytes(image_ids),
        online_only=online_only,
        activities=playable,
        runtime=h5p_frame.runtime_offline_files() if playable else [],
        timed_quizzes=[
            (item.page, quizzes[pk])
            for item in planned
            for pk in item.parts.quizzes
            if pk in quizzes and quizzes[pk].time_limit_minutes
        ],
    )


def _playable_offline(shown, *, user) -> tuple[list[OfflineActivity], list[tuple[LessonPage, H5PActivity]]]:
    """Which of the activities a download shows can be played offline (with their files), and
    which need a connection. Only frames of the H5P origin can be kept on a phone: without
    ``H5P_ORIGIN`` every activity needs a connection."""
    if not settings.H5P_ORIGIN:
        return [], list(shown)
    playable, online_only, seen = [], [], set()
    for lesson, activity in shown:
        if (lesson.pk, activity.pk) in seen:
            continue
        seen.add((lesson.pk, activity.pk))
        placement = h5p_selectors.activity_placement(user=user, lesson=lesson, activity_id=activity.pk)
        revision = (
            h5p_selectors.package_revision(activity=activity, number=placement.revision)
            if placement
            else None
        )
        if revision is None:
            online_only.append((lesson, activity))
            continue
        playable.append(
            OfflineActivity(lesson=lesson, activity=activity, files=h5p_selectors.offline_files(revision))
        )
    return playable, online_only


def paper_quizzes(plan: DownloadPlan) -> list[tuple[LessonPage, Quiz]]:
    """The quizzes of a download a learner can take offline: live, untimed (a time limit cannot be
    kept on a device), with an attempt left."""
    wanted = {pk for item in plan.lessons for pk in item.parts.quizzes}
    quizzes = Quiz.objects.filter(pk__in=wanted, live=True).in_bulk()
    used = {}
    for quiz_id in QuizAttempt.objects.filter(quiz_id__in=wanted, user=plan.enrollment.user_id).values_list(
        "quiz_id", flat=True
    ):
        used[quiz_id] = used.get(quiz_id, 0) + 1
    found = []
    for item in plan.lessons:
        for pk in item.parts.quizzes:
            quiz = quizzes.get(pk)
            if quiz is None or quiz.time_limit_minutes:
                continue
            if quiz.max_attempts and used.get(pk, 0) >= quiz.max_attempts:
                continue
            found.append((item.page, quiz))
    return found


def offline_courses(*, user) -> dict[int, int]:
    """{course page id (every language): release id} of the courses this person may keep offline:
    enrolled, and let in by the access decision now. A copy of anything else is removed."""
    if not getattr(user, "is_authenticated", False):
        return {}
    enrollments = {
        e.course.translation_key: e.release_id
        for e in Enrollment.objects.filter(user=user).select_related("course")
    }
    allowed = {}
    for course in CoursePage.objects.filter(translation_key__in=list(enrollments)).live():
        if access_for(user=user, page=course) is Access.ALLOWED:
            allowed[course.pk] = enrollments[course.translation_key]
    return allowed
