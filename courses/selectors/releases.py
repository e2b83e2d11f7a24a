"""Reading releases: the current one, a course snapshot, what a release changes, who it moves.

A release is a list of Wagtail revision ids, not a copy. Preparing one reads the latest
revision of every lesson (drafts included: editors never publish lessons one by one) in both
languages, and asks the apps above (quizzes, H5P) to pin their own revisions through ``pinners``.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Revision

from ..blocks import blocks_complete_lesson
from ..models import (
    CoursePage,
    CourseRelease,
    Enrollment,
    LessonPage,
    ReleaseLesson,
)
from .diff import LanguageDiff, language_diff, references_in

# Apps above courses register functions that pin their own content in a release (quizzes, H5P
# activities): pinner(lesson_bodies: {lesson key: [stream block dicts]}) -> (pins: dict,
# per_lesson: {key: fingerprint}). A pinner's ``release_field`` names the CourseRelease field its
# pins go to (default ``quiz_pins``); with ``all_languages`` it reads every language's body.
pinners: list[Callable[[dict], tuple[dict, dict]]] = []


QUIZ_PINS = "quiz_pins"


PIN_FIELDS = ("h5p_pins",)  # pin fields besides quiz_pins


def canonical_course(course: CoursePage) -> CoursePage:
    """The course page in the default locale, which learner data is keyed on."""
    default_locale = Locale.get_default()
    if course.locale_id == default_locale.pk:
        return course
    return CoursePage.objects.get(translation_key=course.translation_key, locale=default_locale)


def current_release(course: CoursePage | int) -> CourseRelease | None:
    """The release learners enrol on now (None before the first): a course page in any language,
    or a course id. One query."""
    if isinstance(course, int):
        return CourseRelease.objects.filter(course_id=course, is_current=True).first()
    return CourseRelease.objects.filter(
        course__translation_key=course.translation_key, is_current=True
    ).first()


@dataclass
class LessonSnapshot:
    lesson_key: uuid.UUID
    module_key: uuid.UUID
    position: int
    required: bool
    completion: str
    revisions: dict[str, int]
    content: dict[str, dict]  # language -> revision content (title, body, ...)
    content_hash: str = ""


@dataclass
class Snapshot:
    lessons: list[LessonSnapshot]
    pins: dict = field(default_factory=dict)
    modules: dict = field(default_factory=dict)  # module key -> {language: revision id}
    more_pins: dict = field(default_factory=dict)  # release field -> pins (h5p_pins)


def _stream(body) -> list[dict]:
    if isinstance(body, str):
        try:
            body = json.loads(body or "[]")
        except ValueError:
            return []
    return list(body or [])


def _without_ids(value):
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


TAG = re.compile(r"<[^>]+>")


def snapshot_course(course: CoursePage) -> Snapshot:
    """The course as it stands now: every lesson's latest revision in every language, in tree order.

    A lesson that was published and later unpublished has been removed; a draft that was never
    published is new and belongs to the next release.
    """
    course = canonical_course(course)
    lessons = [
        lesson
        for lesson in LessonPage.objects.descendant_of(course)
        .order_by("path")
        .only("id", "path", "translation_key", "live", "first_published_at", "latest_revision_id")
        if lesson.live or lesson.first_published_at is None
    ]
    modules = {
        page.path: page.translation_key
        for page in Page.objects.child_of(course).only("path", "translation_key")
    }
    module_revisions: dict[str, dict[str, int]] = {}
    for key, language, revision_id in Page.objects.filter(
        translation_key__in=list(modules.values()), latest_revision_id__isnull=False
    ).values_list("translation_key", "locale__language_code", "latest_revision_id"):
        module_revisions.setdefault(str(key), {})[language] = revision_id
    keys = [lesson.translation_key for lesson in lessons]
    latest, unrevised = {}, {}
    for page_id, key, language, revision_id in LessonPage.objects.filter(
        translation_key__in=keys
    ).values_list("pk", "translation_key", "locale__language_code", "latest_revision_id"):
        if revision_id:
            latest[(key, language)] = revision_id
        else:  # made outside the admin (a script, a fixture): its only version is the page itself
            unrevised[(key, language)] = page_id
    contents = dict(Revision.objects.filter(pk__in=list(latest.values())).values_list("pk", "content"))
    pages = {
        page.pk: page.serializable_data()
        for page in LessonPage.objects.filter(pk__in=list(unrevised.values()))
    }
    snapshots = []
    for position, lesson in enumerate(lessons):
        revisions = {
            language: latest[(lesson.translation_key, language)]
            for language, _name in settings.LANGUAGES
            if latest.get((lesson.translation_key, language))
        }
        content = {language: contents[revision] for language, revision in revisions.items()}
        for language, _name in settings.LANGUAGES:
            if (lesson.translation_key, language) in unrevised:
                content[language] = pages[unrevised[(lesson.translation_key, language)]]
        source = content.get(settings.LANGUAGE_CODE) or next(iter(content.values()))
        blocks = _stream(source.get("body"))
        snapshots.append(
            LessonSnapshot(
                lesson_key=lesson.translation_key,
                module_key=modules.get(lesson.path[: -Page.steplen], uuid.UUID(int=0)),
                position=position,
                required=bool(source.get("required", True)),
                completion=(
                    ReleaseLesson.Completion.ACTIVITY
                    if blocks_complete_lesson(blocks)
                    else ReleaseLesson.Completion.MANUAL
                ),
                revisions=revisions,
                content=content,
            )
        )
    pins, more, fingerprints = _pin(snapshots)
    for snapshot in snapshots:
        snapshot.content_hash = _content_hash(snapshot, fingerprints.get(snapshot.lesson_key, ""))
    return Snapshot(lessons=snapshots, pins=pins, modules=module_revisions, more_pins=more)


def _pin(snapshots: list[LessonSnapshot]) -> tuple[dict, dict, dict[uuid.UUID, str]]:
    """Ask the apps above to pin their content in the release (quizzes, H5P activities):
    (quiz pins, {release field: pins}, {lesson key: fingerprint of what the lesson shows})."""
    pins, more, fingerprints = {}, {}, {}
    bodies = {
        s.lesson_key: _stream((s.content.get(settings.LANGUAGE_CODE) or {}).get("body")) for s in snapshots
    }
    every_language = {
        s.lesson_key: [block for c in s.content.values() for block in _stream(c.get("body"))]
        for s in snapshots
    }
    for pinner in pinners:
        its_pins, more_fingerprints = pinner(
            every_language if getattr(pinner, "all_languages", False) else bodies
        )
        target = getattr(pinner, "release_field", QUIZ_PINS)
        (pins if target == QUIZ_PINS else more.setdefault(target, {})).update(its_pins)
        for key, fingerprint in more_fingerprints.items():
            fingerprints[key] = fingerprints.get(key, "") + fingerprint
    return pins, more, fingerprints


def _content_hash(snapshot: LessonSnapshot, fingerprint: str) -> str:
    """What decides whether a lesson changed between releases: its text and blocks in every
    language (block ids aside) and the fingerprint of the activities it shows."""
    printable = {
        language: {
            "title": c.get("title"),
            "body": _without_ids(_stream(c.get("body"))),
            "required": c.get("required"),
        }
        for language, c in sorted(snapshot.content.items())
    }
    digest = hashlib.sha256(json.dumps(printable, sort_keys=True, default=str).encode())
    digest.update(fingerprint.encode())
    return digest.hexdigest()


def snapshot_of_release(release: CourseRelease) -> Snapshot:
    rows = list(release.lessons.order_by("position"))
    ids = [revision for row in rows for revision in row.revisions.values()]
    contents = dict(Revision.objects.filter(pk__in=ids).values_list("pk", "content"))
    return Snapshot(
        lessons=[
            LessonSnapshot(
                lesson_key=row.lesson_key,
                module_key=row.module_key,
                position=row.position,
                required=row.required,
                completion=row.completion,
                revisions=dict(row.revisions),
                content={
                    language: contents.get(revision, {}) for language, revision in row.revisions.items()
                },
                content_hash=row.content_hash,
            )
            for row in rows
        ],
        pins=dict(release.quiz_pins),
        modules=dict(release.module_revisions),
        more_pins={name: dict(getattr(release, name) or {}) for name in PIN_FIELDS},
    )


@dataclass
class LessonChange:
    status: str  # "added" | "removed" | "changed" | "unchanged"
    lesson_key: uuid.UUID
    title: str
    # language -> the words and blocks that changed (only the languages that did)
    diffs: dict[str, LanguageDiff] = field(default_factory=dict)
    changed_languages: list[str] = field(default_factory=list)
    stale_languages: list[str] = field(default_factory=list)  # translations left behind


@dataclass
class ReleaseChanges:
    previous: CourseRelease | None
    lessons: list[LessonChange]
    quizzes: list[str]  # readable lines about quizzes added, removed or changed
    activities: list[str] = field(default_factory=list)  # H5P activities added, removed, replaced

    def of(self, status: str) -> list[LessonChange]:
        return [change for change in self.lessons if change.status == status]

    @property
    def any(self) -> bool:
        return (
            bool(self.quizzes)
            or bool(self.activities)
            or any(change.status != "unchanged" for change in self.lessons)
        )


def release_changes(*, course: CoursePage, release: CourseRelease | None = None) -> ReleaseChanges:
    """What a release (by default: the course as it stands now) changes since the current release."""
    course = canonical_course(course)
    previous = current_release(course)
    if release is not None and release.is_published:
        new = snapshot_of_release(release)
        previous = (
            CourseRelease.objects.filter(course=course, published_at__lt=release.published_at)
            .order_by("-published_at")
            .first()
        )
    elif release is not None and release.source_release_id:
        new = snapshot_of_release(release.source_release)
    else:
        new = snapshot_course(course)
    old = snapshot_of_release(previous) if previous else Snapshot(lessons=[])
    old_by_key = {lesson.lesson_key: lesson for lesson in old.lessons}
    namer = _namer(old, new)
    new_keys = {lesson.lesson_key for lesson in new.lessons}
    changes = []
    for lesson in new.lessons:
        before = old_by_key.get(lesson.lesson_key)
        title = (lesson.content.get(settings.LANGUAGE_CODE) or {}).get("title", "")
        if before is None:
            changes.append(LessonChange("added", lesson.lesson_key, title))
            continue
        diffs = {}
        if lesson.content_hash != before.content_hash:
            for language, _name in settings.LANGUAGES:
                diff = language_diff(
                    language, _readable(before, language), _readable(lesson, language), namer
                )
                if diff:
                    diffs[language] = diff
        changed_languages = list(diffs)
        status = "changed" if lesson.content_hash != before.content_hash else "unchanged"
        change = LessonChange(status, lesson.lesson_key, title, diffs, changed_languages)
        if changed_languages and len(changed_languages) < len(settings.LANGUAGES):
            change.stale_languages = [
                code for code, _n in settings.LANGUAGES if code not in changed_languages
            ]
        changes.append(change)
    for lesson in old.lessons:
        if lesson.lesson_key not in new_keys:
            title = (lesson.content.get(settings.LANGUAGE_CODE) or {}).get("title", "")
            changes.append(LessonChange("removed", lesson.lesson_key, title))
    return ReleaseChanges(
        previous=previous,
        lessons=changes,
        quizzes=_quiz_changes(old.pins, new.pins),
        activities=_activity_changes(
            old.more_pins.get("h5p_pins") or {}, new.more_pins.get("h5p_pins") or {}
        ),
    )


def _readable(lesson: LessonSnapshot, language: str) -> dict:
    content = lesson.content.get(language) or {}
    return {"title": content.get("title", ""), "body": _stream(content.get("body"))}


def _namer(old: Snapshot, new: Snapshot) -> Callable[[str, int], str]:
    """Names for the objects lesson blocks show, read once for the whole review: images and
    documents by title, quizzes as their pinned revision names them, activities as pinned."""
    bodies = [
        _stream(content.get("body"))
        for snapshot in (old, new)
        for lesson in snapshot.lessons
        for content in lesson.content.values()
    ]
    wanted = references_in(*bodies)
    names: dict[tuple[str, int], str] = {}
    for kind, model in (("image", get_image_model()), ("document", get_document_model())):
        if wanted.get(kind):
            for pk, title in model.objects.filter(pk__in=wanted[kind]).values_list("pk", "title"):
                names[(kind, pk)] = title
    quiz_revisions = {
        int(quiz_id): pin.get("revision") for pins in (old.pins, new.pins) for quiz_id, pin in pins.items()
    }
    revision_names = dict(
        Revision.objects.filter(pk__in=[r for r in quiz_revisions.values() if r]).values_list(
            "pk", "object_str"
        )
    )
    for quiz_id, revision in quiz_revisions.items():
        if revision in revision_names:
            names[("quiz", quiz_id)] = revision_names[revision]
    for pins in (old.more_pins.get("h5p_pins") or {}, new.more_pins.get("h5p_pins") or {}):
        for activity_id, pin in pins.items():
            if pin.get("title"):
                names[("activity", int(activity_id))] = pin["title"]
    return lambda kind, pk: names.get((kind, pk)) or f"#{pk}"


def _activity_changes(old: dict, new: dict) -> list[str]:
    """Readable lines about the H5P activities a release adds, removes or replaces (a new file),
    named as pinned ({activity id: {"revision": n, "title": ...}})."""
    lines = []
    for activity_id in sorted(set(old) | set(new), key=int):
        before, after = old.get(activity_id), new.get(activity_id)
        name = (after or before or {}).get("title") or activity_id
        if before is None:
            lines.append(_("Activity “%(activity)s” added") % {"activity": name})
        elif after is None:
            lines.append(_("Activity “%(activity)s” removed") % {"activity": name})
        elif before.get("revision") != after.get("revision"):
            lines.append(
                _("Activity “%(activity)s” replaced by a new file (version %(old)s → %(new)s)")
                % {"activity": name, "old": before.get("revision"), "new": after.get("revision")}
            )
    return lines


def _quiz_changes(old: dict, new: dict) -> list[str]:
    """Readable lines about the quizzes a release adds, removes or changes, named as the editors
    named them (each revision keeps its object's name)."""
    wanted = set()
    for pins in (old, new):
        for pin in pins.values():
            wanted.add(pin.get("revision"))
            wanted.update(pin.get("questions", {}).values())
    names = dict(Revision.objects.filter(pk__in=[r for r in wanted if r]).values_list("pk", "object_str"))
    lines = []
    for quiz_id in sorted(set(old) | set(new), key=int):
        pin = new.get(quiz_id) or old[quiz_id]
        name = names.get(pin.get("revision")) or quiz_id
        if quiz_id not in old:
            lines.append(_("Quiz “%(quiz)s” added") % {"quiz": name})
        elif quiz_id not in new:
            lines.append(_("Quiz “%(quiz)s” removed") % {"quiz": name})
        elif old[quiz_id] != new[quiz_id]:
            before, after = old[quiz_id].get("questions", {}), new[quiz_id].get("questions", {})
            changed = [names.get(r) or q for q, r in after.items() if before.get(q) != r]
            changed += [names.get(r) or q for q, r in before.items() if q not in after]
            if changed:
                lines.append(
                    _("Quiz “%(quiz)s” changed: %(questions)s")
                    % {"quiz": name, "questions": "; ".join(f"“{text}”" for text in changed)}
                )
            else:
                lines.append(_("Quiz “%(quiz)s” changed (its settings)") % {"quiz": name})
    return lines


def changed_keys(from_release_id: int, to_release_id: int) -> list[uuid.UUID]:
    """Lessons of the new release whose content differs from the same lesson in the old one."""
    old = dict(
        ReleaseLesson.objects.filter(release_id=from_release_id).values_list("lesson_key", "content_hash")
    )
    return [
        key
        for key, digest in ReleaseLesson.objects.filter(release_id=to_release_id).values_list(
            "lesson_key", "content_hash"
        )
        if key in old and old[key] != digest
    ]


def movers(release: CourseRelease):
    """The enrolments a release's policy moves: unfinished learners on other releases of the course."""
    candidates = Enrollment.objects.filter(
        course_id=release.course_id, status=Enrollment.Status.ACTIVE
    ).exclude(release=release)
    if release.policy == CourseRelease.Policy.NOT_STARTED:
        return candidates.filter(started_at__isnull=True)
    if release.policy == CourseRelease.Policy.EVERYONE:
        return candidates
    return candidates.none()


def page_is_in_a_release(page: Page) -> bool:
    """Whether the page is, or contains, a lesson some release (and so some learner) still reads."""

    keys = LessonPage.objects.filter(path__startswith=page.path).values("translation_key")
    return ReleaseLesson.objects.filter(lesson_key__in=keys).exists()
