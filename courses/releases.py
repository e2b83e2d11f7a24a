"""Versioned courses: snapshot, compare, publish and move learners between releases.

A release is a list of Wagtail revision ids, not a copy. Preparing one reads the latest
revision of every lesson (drafts included: editors never publish lessons one by one) in both
languages, and asks the apps above (quizzes) to pin their own revisions through ``pinners``.
Publishing freezes that list, makes those revisions the live pages, and moves learners as the
release's policy says, keeping progress on every lesson whose content hash did not change.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Revision

from lms.accounts.services import audit_record
from lms.queue import publish_on_commit

from . import signals
from .blocks import blocks_complete_lesson
from .models import (
    CourseCompletion,
    CoursePage,
    CourseRelease,
    Enrollment,
    LessonPage,
    LessonProgress,
    ReleaseLesson,
    ReleaseMove,
)
from .services import CourseActionError, canonical_course, completion_rule_met_q

MOVE_CHUNK = 1000

# Apps above courses register functions that pin their own content in a release (quizzes, H5P
# activities): pinner(lesson_bodies: {lesson key: [stream block dicts]}) -> (pins: dict,
# per_lesson: {key: fingerprint}). A pinner's ``release_field`` names the CourseRelease field its
# pins go to (default ``quiz_pins``); with ``all_languages`` it reads every language's body.
pinners: list[Callable[[dict], tuple[dict, dict]]] = []
QUIZ_PINS = "quiz_pins"
PIN_FIELDS = ("h5p_pins",)  # pin fields besides quiz_pins


class ReleaseError(CourseActionError):
    status = 409


# --- reading a course as it stands ----------------------------------------------------------------


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

    def text(self, language: str) -> str:
        content = self.content.get(language) or {}
        return _plain_text(content.get("title", ""), content.get("body"))


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


def _plain_text(title: str, body) -> str:
    """The readable text of a lesson, one paragraph per line, for diffs."""
    lines = [title]

    def walk(value):
        if isinstance(value, str):
            text = html.unescape(TAG.sub("\n", value))
            lines.extend(line.strip() for line in text.splitlines() if line.strip())
        elif isinstance(value, dict):
            for key, inner in value.items():
                if key not in ("id", "type", "image", "kind", "document", "video", "quiz", "decorative"):
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for block in _stream(body):
        walk(block.get("value"))
    return "\n".join(lines)


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
    for snapshot in snapshots:
        printable = {
            language: {
                "title": c.get("title"),
                "body": _without_ids(_stream(c.get("body"))),
                "required": c.get("required"),
            }
            for language, c in sorted(snapshot.content.items())
        }
        digest = hashlib.sha256(json.dumps(printable, sort_keys=True, default=str).encode())
        digest.update(fingerprints.get(snapshot.lesson_key, "").encode())
        snapshot.content_hash = digest.hexdigest()
    return Snapshot(lessons=snapshots, pins=pins, modules=module_revisions, more_pins=more)


def _snapshot_of_release(release: CourseRelease) -> Snapshot:
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


# --- what changed ----------------------------------------------------------------------------------


@dataclass
class LessonChange:
    status: str  # "added" | "removed" | "changed" | "unchanged"
    lesson_key: uuid.UUID
    title: str
    diffs: dict[str, list[str]] = field(default_factory=dict)  # language -> unified diff lines
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
    previous = CourseRelease.objects.filter(course=course, is_current=True).first()
    if release is not None and release.is_published:
        new = _snapshot_of_release(release)
        previous = (
            CourseRelease.objects.filter(course=course, published_at__lt=release.published_at)
            .order_by("-published_at")
            .first()
        )
    elif release is not None and release.source_release_id:
        new = _snapshot_of_release(release.source_release)
    else:
        new = snapshot_course(course)
    old = _snapshot_of_release(previous) if previous else Snapshot(lessons=[])
    old_by_key = {lesson.lesson_key: lesson for lesson in old.lessons}
    new_keys = {lesson.lesson_key for lesson in new.lessons}
    changes = []
    for lesson in new.lessons:
        before = old_by_key.get(lesson.lesson_key)
        title = (lesson.content.get(settings.LANGUAGE_CODE) or {}).get("title", "")
        if before is None:
            changes.append(LessonChange("added", lesson.lesson_key, title))
            continue
        diffs, changed_languages = {}, []
        for language, _name in settings.LANGUAGES:
            a, b = before.text(language).splitlines(), lesson.text(language).splitlines()
            if a != b:
                changed_languages.append(language)
                diffs[language] = list(difflib.unified_diff(a, b, lineterm="", n=1))[2:]
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


# --- publishing ------------------------------------------------------------------------------------


def _publish_pages(snapshot: Snapshot, user) -> None:
    """Make the released revisions the live pages (the public face of the course is its current release)."""
    wanted = {revision for lesson in snapshot.lessons for revision in lesson.revisions.values()}
    wanted.update(revision for revisions in snapshot.modules.values() for revision in revisions.values())
    live = set(Page.objects.filter(live_revision_id__in=wanted).values_list("live_revision_id", flat=True))
    for revision in Revision.objects.filter(pk__in=wanted - live):
        revision.publish(user=user, log_action=False, skip_permission_checks=True)


def _ensure_revisions(course: CoursePage) -> None:
    """Give a revision to lessons and modules made outside the admin, so a release can point at a
    frozen copy."""
    course = canonical_course(course)
    keys = list(Page.objects.descendant_of(course).values_list("translation_key", flat=True))
    for page in Page.objects.filter(translation_key__in=keys, latest_revision__isnull=True).specific():
        page.save_revision(log_action=False, clean=False)


@transaction.atomic
def release_finalise(*, release: CourseRelease, user=None) -> CourseRelease:
    """Freeze a release (a draft just approved, or one made by a service) and make it current.

    Refuses a release that is already published, and serialises two publishers of one course.
    """
    list(CourseRelease.objects.select_for_update().filter(course_id=release.course_id).values_list("pk"))
    release = CourseRelease.objects.select_related("course", "source_release").get(pk=release.pk)
    if release.published_at is not None:
        raise ReleaseError(_("This release is already published; releases cannot be changed."))
    if release.source_release_id:
        snapshot = _snapshot_of_release(release.source_release)
    else:
        _ensure_revisions(release.course)
        snapshot = snapshot_course(release.course)
    if not snapshot.lessons:
        raise ReleaseError(_("The course has no lessons to release."))
    ReleaseLesson.objects.bulk_create(
        ReleaseLesson(
            release=release,
            lesson_key=lesson.lesson_key,
            module_key=lesson.module_key,
            position=lesson.position,
            required=lesson.required,
            completion=lesson.completion,
            revisions=lesson.revisions,
            content_hash=lesson.content_hash,
        )
        for lesson in snapshot.lessons
    )
    CourseRelease.objects.filter(course_id=release.course_id, is_current=True).update(is_current=False)
    now = timezone.now()
    CourseRelease.objects.filter(pk=release.pk).update(
        is_current=True,
        published_at=now,
        published_by=user,
        live=True,
        has_unpublished_changes=False,
        lesson_count=len(snapshot.lessons),
        required_lesson_count=sum(1 for s in snapshot.lessons if s.required),
        quiz_pins=snapshot.pins,
        module_revisions=snapshot.modules,
        **{name: snapshot.more_pins.get(name) or {} for name in PIN_FIELDS},
    )
    release.refresh_from_db()
    _publish_pages(snapshot, user)
    audit_record(
        action="release.published",
        actor=user,
        obj=release,
        version=release.version,
        policy=release.policy,
        rollback_of=release.source_release.version if release.source_release else None,
    )
    if release.policy != CourseRelease.Policy.NOBODY:
        release_id = release.pk
        from .tasks import release_apply_policy

        publish_on_commit(release_apply_policy, release_id)
    return release


@transaction.atomic
def release_publish(
    *,
    course: CoursePage,
    version: str,
    notes_mn: str = "",
    notes_en: str = "",
    user=None,
    policy: str = CourseRelease.Policy.NOBODY,
    source_release: CourseRelease | None = None,
) -> CourseRelease:
    """Create and publish a release at once (the curriculum loader, tests, scripts).

    Editors go through the approval workflow instead, which ends in ``release_finalise``.
    """
    course = canonical_course(course)
    exists = ReleaseError(_("Version %(version)s of this course already exists.") % {"version": version})
    if CourseRelease.objects.filter(course=course, version=version).exists():
        raise exists
    try:
        with transaction.atomic():
            release = CourseRelease.objects.create(
                course=course,
                version=version,
                notes_mn=notes_mn,
                notes_en=notes_en,
                policy=policy,
                source_release=source_release,
                live=False,
            )
    except IntegrityError:  # someone else made this version a moment ago
        raise exists from None
    return release_finalise(release=release, user=user)


def release_rollback(
    *,
    to: CourseRelease,
    version: str,
    user=None,
    notes_mn: str = "",
    notes_en: str = "",
    policy: str = CourseRelease.Policy.NOBODY,
) -> CourseRelease:
    """Publish an earlier release's content again, as a new release (history is never rewritten)."""
    if not to.is_published:
        raise ReleaseError(_("Only a published version can be rolled back to."))
    return release_publish(
        course=to.course,
        version=version,
        notes_mn=notes_mn,
        notes_en=notes_en,
        user=user,
        policy=policy,
        source_release=to,
    )


# --- moving learners ---------------------------------------------------------------------------------


def _changed_keys(from_release_id: int, to_release_id: int) -> list[uuid.UUID]:
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


def _move_group(
    enrollment_ids: list[int], *, from_release_id: int, to: CourseRelease, reason: str, by
) -> int:
    """Move enrolments that are all on one release: set-based SQL, a fixed number of queries."""
    changed = _changed_keys(from_release_id, to.pk)
    reopened = (
        LessonProgress.objects.filter(
            enrollment_id__in=enrollment_ids, lesson_key__in=changed, completed_at__isnull=False
        )
        .values("enrollment_id")
        .annotate(n=Count("id"))
    )
    reopened_by_enrollment = {row["enrollment_id"]: row["n"] for row in reopened}
    LessonProgress.objects.filter(
        enrollment_id__in=enrollment_ids, lesson_key__in=changed, completed_at__isnull=False
    ).update(completed_at=None)
    required_done = (
        LessonProgress.objects.filter(
            enrollment_id=OuterRef("pk"),
            completed_at__isnull=False,
            lesson_key__in=ReleaseLesson.objects.filter(release=to, required=True).values("lesson_key"),
        )
        .order_by()
        .values("enrollment_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    Enrollment.objects.filter(pk__in=enrollment_ids).update(
        release=to,
        completed_lessons=Coalesce(Subquery(required_done), 0),
        status=Enrollment.Status.ACTIVE,
        completed_at=None,
    )
    now = timezone.now()
    ReleaseMove.objects.bulk_create(
        ReleaseMove(
            enrollment_id=pk,
            from_release_id=from_release_id,
            to_release=to,
            moved_at=now,
            by=by,
            reason=reason,
            reopened_lessons=reopened_by_enrollment.get(pk, 0),
        )
        for pk in enrollment_ids
    )
    # Nothing left to redo (no required lesson changed): the course is complete on the new release too.
    finished = (
        list(
            Enrollment.objects.filter(
                completion_rule_met_q(),  # a course that also asks for a review meeting waits for it
                pk__in=enrollment_ids,
                completed_lessons__gte=to.required_lesson_count,
            ).values_list("pk", flat=True)
        )
        if to.required_lesson_count
        else []
    )
    if finished:
        Enrollment.objects.filter(pk__in=finished).update(
            status=Enrollment.Status.COMPLETED, completed_at=now
        )
        CourseCompletion.objects.bulk_create(
            [CourseCompletion(enrollment_id=pk, release=to, completed_at=now) for pk in finished],
            ignore_conflicts=True,
        )
        for pk in finished:
            transaction.on_commit(lambda pk=pk: _announce_completed(pk), robust=True)
    return len(enrollment_ids)


def _announce_completed(enrollment_id: int) -> None:
    from .services import _announce

    _announce(signals.course_completed, enrollment_id)


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


def release_apply_policy(*, release_id: int, progress: Callable[[int, int], None] | None = None) -> int:
    """Move the learners the release's policy names, in chunks (safe to run again: moved people
    are on the release and no longer match)."""
    release = CourseRelease.objects.get(pk=release_id)
    rows = list(movers(release).values_list("pk", "release_id"))
    CourseRelease.objects.filter(pk=release.pk).update(moves_total=F("moves_done") + len(rows))
    moved = 0
    by_release: dict[int, list[int]] = {}
    for pk, from_release in rows:
        by_release.setdefault(from_release, []).append(pk)
    for from_release, ids in by_release.items():
        for start in range(0, len(ids), MOVE_CHUNK):
            chunk = ids[start : start + MOVE_CHUNK]
            with transaction.atomic():
                moved += _move_group(
                    chunk, from_release_id=from_release, to=release, reason="policy", by=None
                )
                CourseRelease.objects.filter(pk=release.pk).update(moves_done=F("moves_done") + len(chunk))
            if progress:
                progress(moved, len(rows))
    if rows:
        audit_record(action="release.learners_moved", obj=release, count=moved, policy=release.policy)
    return moved


@transaction.atomic
def enrollment_move(*, enrollment: Enrollment, to: CourseRelease, by=None) -> Enrollment:
    """Move one learner to another release of their course (the learner's own choice, or staff)."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if to.course_id != enrollment.course_id:
        raise ReleaseError(_("That release belongs to another course."))
    if not to.is_published:
        raise ReleaseError(_("That release is not published."))
    if to.pk == enrollment.release_id:
        raise ReleaseError(_("You are already on this version."))
    _move_group([enrollment.pk], from_release_id=enrollment.release_id, to=to, reason="learner", by=by)
    audit_record(
        action="enrollment.moved", actor=by, subject=enrollment.user, obj=enrollment, to_release=to.version
    )
    return Enrollment.objects.select_related("release").get(pk=enrollment.pk)


def changed_lessons_for(enrollment: Enrollment, to: CourseRelease) -> list[uuid.UUID]:
    """The lessons a learner would redo by moving to ``to`` (changed, and completed on their release)."""
    changed = _changed_keys(enrollment.release_id, to.pk)
    new = set(
        ReleaseLesson.objects.filter(release=to)
        .exclude(
            lesson_key__in=ReleaseLesson.objects.filter(release_id=enrollment.release_id).values("lesson_key")
        )
        .values_list("lesson_key", flat=True)
    )
    return list(dict.fromkeys([*changed, *new]))


def current_release(course: CoursePage) -> CourseRelease | None:
    return CourseRelease.objects.filter(course=canonical_course(course), is_current=True).first()
