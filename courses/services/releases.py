"""Publishing releases and moving learners between them.

Publishing freezes a release's list of revisions (read by ``courses.selectors.releases``), makes
those revisions the live pages, and moves learners as the release's policy says, keeping progress
on every lesson whose content hash did not change.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Revision

from lms.accounts.services import audit_record

from .. import signals
from ..errors import (
    ReleaseError,
)
from ..models import (
    CoursePage,
    CourseRelease,
    Enrollment,
    LessonProgress,
    ReleaseLesson,
    ReleaseMove,
)
from ..selectors import canonical_course, changed_keys, movers, snapshot_course, snapshot_of_release
from ..selectors.releases import PIN_FIELDS, Snapshot
from .progress import completion_rule_met_q, completions_record, progress_reopen

MOVE_CHUNK = 1000


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
        snapshot = snapshot_of_release(release.source_release)
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
    # A receiver queues the moves the policy asks for (``courses.receivers``): services never
    # import tasks, so the work still goes through the queue without an import cycle.
    release_id, policy = release.pk, release.policy
    transaction.on_commit(
        lambda: signals.release_published.send(sender=CourseRelease, release_id=release_id, policy=policy),
        robust=True,
    )
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


def _move_group(
    enrollment_ids: list[int], *, from_release_id: int, to: CourseRelease, reason: str, by
) -> int:
    """Move enrolments that are all on one release: set-based SQL, a fixed number of queries."""
    changed = changed_keys(from_release_id, to.pk)
    reopened_by_enrollment = progress_reopen(enrollment_ids=enrollment_ids, lesson_keys=changed)
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
            **completions_record(finished, release_id=to.pk, now=now)
        )
    return len(enrollment_ids)


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
