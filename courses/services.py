"""Writes for courses: releases, enrolment, lesson progress and completion.

There is one completion path: every way a lesson gets completed (the Mark complete button,
a passed quiz, an H5P activity) ends in ``lesson_complete``. It decides course completion in
the same transaction, in a constant number of queries, and announces ``course_completed``
after the commit.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from lms import outbox
from lms.accounts.services import audit_record
from lms.storage import RESTRICTED_PREFIX, is_restricted_name

from . import signals
from .models import (
    CourseCompletion,
    CoursePage,
    CourseRelease,
    Enrollment,
    LessonPage,
    LessonProgress,
    ReleaseLesson,
    RestrictedFile,
)

logger = logging.getLogger(__name__)

MAX_TIME_PER_REPORT = 30 * 60  # seconds; longer reports are clipped (a tab left open overnight)
VISIT_RECORD_INTERVAL = timedelta(minutes=1)  # reloads of the same lesson within this are not written


class CourseActionError(Exception):
    """A learner action that cannot be done; carries an HTTP status and a readable message."""

    status = 400
    message = _("This action is not possible.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotEnrolled(CourseActionError):
    status = 403
    message = _("You are not enrolled in the course this lesson belongs to.")


class AlreadyEnrolled(CourseActionError):
    status = 409
    message = _("You are already enrolled in this course.")


class AlreadyCompleted(CourseActionError):
    status = 409
    message = _("You have already completed this lesson.")


class NotPublished(CourseActionError):
    status = 409
    message = _("This course has no published release yet, so it cannot be taken.")


class CompletedByActivity(CourseActionError):
    status = 409
    message = _("This lesson is completed by its activity (for example by passing its quiz), not by a click.")


class NotAllowed(CourseActionError):
    status = 404
    message = _("Page not found.")


def canonical_course(course: CoursePage) -> CoursePage:
    """The course page in the default locale, which learner data is keyed on."""
    default_locale = Locale.get_default()
    if course.locale_id == default_locale.pk:
        return course
    return CoursePage.objects.get(translation_key=course.translation_key, locale=default_locale)


def release_publish(**kwargs):
    """Create and publish a release at once; see ``courses.releases.release_publish``."""
    from .releases import release_publish as publish

    return publish(**kwargs)


def enrollment_create(*, user, course: CoursePage) -> Enrollment:
    """Enrol a learner in the current release of a course (any translation of it)."""
    from .selectors import Access, access_for

    course = canonical_course(course)
    if access_for(user=user, page=course) is not Access.ALLOWED:
        raise NotAllowed()  # views refuse first; this keeps every other caller honest too
    if Enrollment.objects.filter(user=user, course=course).exists():
        raise AlreadyEnrolled()
    release = CourseRelease.objects.filter(course=course, is_current=True).first()
    if release is None:
        raise NotPublished()
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                user=user, course=course, release=release, enrolled_at=timezone.now()
            )
    except IntegrityError:
        # Two clicks raced past the check above; the unique constraint kept one enrolment.
        raise AlreadyEnrolled() from None
    audit_record(
        action="enrollment.created",
        actor=user,
        subject=user,
        obj=enrollment,
        course=course.title,
        release=release.version,
    )
    return enrollment


def lesson_visit(*, enrollment: Enrollment, lesson_key: uuid.UUID, progress: LessonProgress | None) -> None:
    """Record that an enrolled learner opened a lesson: it is started and is where they left off."""
    now = timezone.now()
    if progress is None:
        # A duplicate (two tabs at once) is harmless: the unique constraint keeps one row.
        LessonProgress.objects.bulk_create(
            [LessonProgress(enrollment=enrollment, lesson_key=lesson_key, started_at=now)],
            ignore_conflicts=True,
        )
    recently_here = (
        enrollment.last_lesson_key == lesson_key
        and enrollment.last_activity_at is not None
        and now - enrollment.last_activity_at < VISIT_RECORD_INTERVAL
    )
    if progress is not None and recently_here:
        return  # a reload of the same lesson: nothing new to record, so no write
    updates = {"last_lesson_key": lesson_key, "last_activity_at": now}
    if enrollment.started_at is None:
        updates["started_at"] = now
    Enrollment.objects.filter(pk=enrollment.pk).update(**updates)
    for name, value in updates.items():
        setattr(enrollment, name, value)


def _progress_start(*, enrollment: Enrollment, lesson_key: uuid.UUID, now) -> None:
    """Insert the lesson's progress row; a duplicate (two tabs at once) is harmless."""
    row = LessonProgress(enrollment=enrollment, lesson_key=lesson_key, started_at=now)
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint keeps the caller's transaction usable
                row.save(force_insert=True)
        else:
            row.save(force_insert=True)  # one autocommitted INSERT, no BEGIN/COMMIT round trips
    except IntegrityError:
        pass  # the unique constraint kept the row the other request inserted


@transaction.atomic
def lesson_complete(*, user, lesson_key: uuid.UUID, by_activity: bool = False) -> LessonProgress:
    """Complete a lesson for a learner; completes the course when it was the last required one.

    ``user`` is a user or a user id. Lessons whose completion comes from an activity (a quiz,
    an H5P activity) are completed by that activity (``by_activity=True``), not by the learner's
    click. Raises NotEnrolled when the learner's release does not contain the lesson,
    AlreadyCompleted on a replay and CompletedByActivity; nothing is written in those cases.
    """
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("release")
        .filter(user=user, release__lessons__lesson_key=lesson_key)
        .annotate(
            lesson_required=F("release__lessons__required"),
            lesson_completion=F("release__lessons__completion"),
            course_rule=F("course__completion_rule"),  # a join, not a query
        )
        .first()
    )
    if enrollment is None:
        raise NotEnrolled()
    if enrollment.lesson_completion == ReleaseLesson.Completion.ACTIVITY and not by_activity:
        raise CompletedByActivity()
    now = timezone.now()
    progress = LessonProgress.objects.filter(enrollment=enrollment, lesson_key=lesson_key).first()
    if progress is None:
        progress = LessonProgress.objects.create(
            enrollment=enrollment, lesson_key=lesson_key, started_at=now, completed_at=now
        )
    elif progress.completed_at is not None:
        raise AlreadyCompleted()
    else:
        progress.completed_at = now
        progress.save(update_fields=["completed_at"])

    updates = {"last_activity_at": now, "last_lesson_key": lesson_key}
    if enrollment.started_at is None:
        updates["started_at"] = now
    if enrollment.lesson_required:
        updates["completed_lessons"] = enrollment.completed_lessons + 1
        finished = (
            not enrollment.is_completed
            and updates["completed_lessons"] >= enrollment.release.required_lesson_count
            and _review_meeting_satisfied(enrollment.course_rule, enrollment.review_meeting_attended_at)
        )
        if finished:
            _complete(enrollment, updates, now)
    Enrollment.objects.filter(pk=enrollment.pk).update(**updates)
    for name, value in updates.items():
        setattr(enrollment, name, value)
    if updates.get("status") == Enrollment.Status.COMPLETED:
        enrollment_id = enrollment.pk
        transaction.on_commit(lambda: _announce(signals.course_completed, enrollment_id), robust=True)
    progress.enrollment = enrollment
    return progress


def _review_meeting_satisfied(rule: str, attended_at) -> bool:
    """A course with the review-meeting rule completes only once a meeting was attended."""
    return rule != CoursePage.CompletionRule.WITH_REVIEW_MEETING or attended_at is not None


def completion_rule_met_q():
    """The review-meeting part of the completion rule, as a filter on enrolments (set-based moves)."""
    return ~Q(course__completion_rule=CoursePage.CompletionRule.WITH_REVIEW_MEETING) | Q(
        review_meeting_attended_at__isnull=False
    )


def _complete(enrollment: Enrollment, updates: dict, now) -> None:
    """Add the completion to ``updates`` and record it (the caller holds the enrolment's row lock)."""
    updates["status"] = Enrollment.Status.COMPLETED
    updates["completed_at"] = now
    CourseCompletion.objects.create(enrollment=enrollment, release_id=enrollment.release_id, completed_at=now)


@transaction.atomic
def enrollment_review_meeting_set(*, user, course: CoursePage, attended_at, by=None) -> Enrollment | None:
    """Record when a learner first attended a review meeting for a course (None: they attended none).

    Called by lms.delivery whenever a learner's meeting attendance changes. Under the rule
    "lessons and a review meeting" this completes the course when every required lesson is done
    (announcing ``course_completed``), and takes a completion back when the attendance it rested on
    was removed (announcing ``course_reopened``). Returns the enrolment, or None when the person is
    not enrolled in the course.
    """
    course = canonical_course(course)
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("release", "course")
        .filter(user=user, course=course)
        .first()
    )
    if enrollment is None or enrollment.review_meeting_attended_at == attended_at:
        return enrollment
    now = timezone.now()
    updates = {"review_meeting_attended_at": attended_at}
    announce = None
    requires = enrollment.course.requires_review_meeting
    if (
        requires
        and attended_at is not None
        and not enrollment.is_completed
        and enrollment.completed_lessons >= enrollment.release.required_lesson_count
    ):
        _complete(enrollment, updates, now)
        announce = signals.course_completed
    elif requires and attended_at is None and enrollment.is_completed:
        # The attendance was recorded by mistake: the completion that rested on it is taken back
        # (the audit log keeps the history), so programme reports stop counting it.
        updates.update(status=Enrollment.Status.ACTIVE, completed_at=None)
        CourseCompletion.objects.filter(enrollment=enrollment, release_id=enrollment.release_id).delete()
        announce = signals.course_reopened
    Enrollment.objects.filter(pk=enrollment.pk).update(**updates)
    for name, value in updates.items():
        setattr(enrollment, name, value)
    audit_record(
        action="enrollment.review_meeting",
        actor=by,
        subject=enrollment.user,
        obj=enrollment,
        attended_at=attended_at.isoformat() if attended_at else "",
        course_completed=announce is signals.course_completed,
        course_reopened=announce is signals.course_reopened,
    )
    if announce is not None:
        enrollment_id = enrollment.pk
        transaction.on_commit(lambda: _announce(announce, enrollment_id), robust=True)
    return enrollment


@transaction.atomic
def lesson_reopen(*, enrollment_id: int, lesson_key: uuid.UUID, by=None, reason: str = "") -> bool:
    """Undo a lesson's completion (after a regrade took a pass away); reopens the course if needed.

    Returns False when the lesson was not complete. Announces ``course_reopened`` after commit
    when the course was complete.
    """
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(pk=enrollment_id, release__lessons__lesson_key=lesson_key)
        .annotate(lesson_required=F("release__lessons__required"))
        .first()
    )
    if enrollment is None:
        return False
    reopened = LessonProgress.objects.filter(
        enrollment=enrollment, lesson_key=lesson_key, completed_at__isnull=False
    ).update(completed_at=None)
    if not reopened:
        return False
    updates = {}
    if enrollment.lesson_required:
        updates["completed_lessons"] = max(0, enrollment.completed_lessons - 1)
    was_completed = enrollment.is_completed
    if was_completed:
        updates.update(status=Enrollment.Status.ACTIVE, completed_at=None)
    if updates:
        Enrollment.objects.filter(pk=enrollment.pk).update(**updates)
    audit_record(
        action="lesson.reopened",
        actor=by,
        subject=enrollment.user,
        obj=enrollment,
        lesson=str(lesson_key),
        reason=reason or None,
        course_reopened=was_completed,
    )
    if was_completed:
        transaction.on_commit(lambda: _announce(signals.course_reopened, enrollment_id), robust=True)
    return True


def _announce(signal, enrollment_id: int) -> None:
    """Send a course signal; a failing receiver is logged and never undoes the committed change."""
    for receiver, result in signal.send_robust(sender=Enrollment, enrollment_id=enrollment_id):
        if isinstance(result, Exception):
            logger.error("receiver %r failed for enrollment %s: %r", receiver, enrollment_id, result)


def lesson_time_add(*, user, lesson: LessonPage, seconds: int) -> int:
    """Add reading time reported by the lesson page; returns the seconds actually added.

    A report never counts more than the wall-clock time since the previous one (or since the
    lesson was first opened), nor more than ``MAX_TIME_PER_REPORT``: repeating or inflating
    reports, or two tabs at once, cannot record more time than has passed.
    """
    seconds = max(0, min(int(seconds), MAX_TIME_PER_REPORT))
    progress = (
        LessonProgress.objects.filter(
            enrollment__user=user,
            enrollment__release__lessons__lesson_key=lesson.translation_key,
            lesson_key=lesson.translation_key,
        )
        .values("pk", "started_at", "last_beat_at")
        .first()
    )
    if progress is None:
        raise NotEnrolled()
    now = timezone.now()
    since = progress["last_beat_at"] or progress["started_at"]
    seconds = max(0, min(seconds, int((now - since).total_seconds())))
    # Only the report that still sees the previous beat counts; a concurrent one adds nothing.
    updated = LessonProgress.objects.filter(pk=progress["pk"], last_beat_at=progress["last_beat_at"]).update(
        time_spent_seconds=F("time_spent_seconds") + seconds, last_beat_at=now
    )
    return seconds if updated else 0


def enrollment_completion_notify(*, enrollment_id: int) -> bool:
    """Email the learner that they completed the course, once; returns whether it sent now.

    Claimed, sent, then marked sent (``lms.outbox``): safe to run twice and from the sweep; a
    claim whose worker died is sent by the sweep once its lease expires.
    """
    return outbox.send_once(
        model=Enrollment,
        pk=enrollment_id,
        sent_field="completion_notified_at",
        claimed_field="completion_notify_claimed_at",
        only=Q(status=Enrollment.Status.COMPLETED),
        build=lambda: _completion_email(
            Enrollment.objects.select_related("user", "course", "release").get(pk=enrollment_id)
        ),
    )


def _completion_email(enrollment: Enrollment) -> EmailMessage:
    titles = dict(
        CoursePage.objects.filter(translation_key=enrollment.course.translation_key).values_list(
            "locale__language_code", "title"
        )
    )
    parts, subjects = [], []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            context = {
                "name": enrollment.user.get_full_name(),
                "course": titles.get(language, enrollment.course.title),
                "release": enrollment.release.version,
                "completed_at": enrollment.completed_at,
                "dashboard_url": settings.SITE_URL + reverse("courses:dashboard"),
            }
            subjects.append(render_to_string("courses/email/completed_subject.txt", context).strip())
            parts.append(render_to_string("courses/email/completed_body.txt", context).strip())
    return EmailMessage(
        subject=" / ".join(subjects),
        body="\n\n— — —\n\n".join(parts),
        to=[enrollment.user.email],
    )


# --- files of restricted courses -------------------------------------------------------------


@dataclass
class RestrictedFilesReport:
    made_private: list[tuple[str, int]] = field(default_factory=list)
    made_public: list[tuple[str, int]] = field(default_factory=list)
    restricted: int = 0


def _file_uses() -> dict[tuple[str, int], set]:
    """{(kind, id): the restricted course keys using it, and None for any use outside them} for
    every image and document something refers to, from Wagtail's reference index (which follows
    each page's latest saved content, drafts included, and every other model that points at one)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page, ReferenceIndex

    from .selectors import restricted_course_key_at

    kinds = {
        ContentType.objects.get_for_model(get_image_model()).pk: RestrictedFile.Kind.IMAGE,
        ContentType.objects.get_for_model(get_document_model()).pk: RestrictedFile.Kind.DOCUMENT,
    }
    page_type = ContentType.objects.get_for_model(Page).pk
    rows = list(
        ReferenceIndex.objects.filter(to_content_type_id__in=list(kinds)).values_list(
            "base_content_type_id", "object_id", "to_content_type_id", "to_object_id"
        )
    )
    paths = dict(
        Page.objects.filter(
            pk__in={int(source) for base, source, *_ in rows if base == page_type}
        ).values_list("pk", "path")
    )
    uses: dict[tuple[str, int], set] = {}
    for base, source, to_type, to_id in rows:
        path = paths.get(int(source)) if base == page_type else None
        key = restricted_course_key_at(path) if path else None
        uses.setdefault((kinds[to_type], int(to_id)), set()).add(key)
    return uses


def restricted_files_sync() -> RestrictedFilesReport:
    """Keep the files of restricted courses private, and every other file public.

    A file used only inside restricted courses is moved out of the public media folder (to
    ``PRIVATE_MEDIA_ROOT``, under a random name) and served only through the access decision;
    as soon as anything outside them uses it (an open course, any other page or model), it is
    public again. Restriction is sticky: a file that a restricted course stops using stays
    restricted, because learners on older releases of that course may still see it. Safe to run
    at any time and concurrently (each move locks the file's row); run after every page save.
    """
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    models_by_kind = {
        RestrictedFile.Kind.IMAGE: get_image_model(),
        RestrictedFile.Kind.DOCUMENT: get_document_model(),
    }
    report = RestrictedFilesReport()
    known = {(row.kind, row.object_id): row for row in RestrictedFile.objects.all()}
    for (kind, object_id), keys in _file_uses().items():
        row = known.get((kind, object_id))
        restricted_keys = sorted(str(key) for key in keys if key is not None)
        if None in keys:
            if row is not None:
                row.delete()
                report.made_public.append((kind, object_id))
            continue
        if row is None:
            RestrictedFile.objects.create(kind=kind, object_id=object_id, course_keys=restricted_keys)
            report.made_private.append((kind, object_id))
        elif not set(restricted_keys) <= set(row.course_keys):
            row.course_keys = sorted(set(row.course_keys) | set(restricted_keys))
            row.save(update_fields=["course_keys", "updated_at"])
    # Files are moved to where their row says, including any an editor re-uploaded since.
    rows = {(kind, object_id) for kind, object_id in RestrictedFile.objects.values_list("kind", "object_id")}
    report.restricted = len(rows)
    for kind, model in models_by_kind.items():
        restricted_ids = {object_id for row_kind, object_id in rows if row_kind == kind}
        public_ids = {object_id for row_kind, object_id in report.made_public if row_kind == kind}
        misplaced = model.objects.filter(pk__in=restricted_ids).exclude(file__startswith=RESTRICTED_PREFIX)
        for object_id in misplaced.values_list("pk", flat=True):
            _file_move(model=model, kind=kind, object_id=object_id, private=True)
        stored_private = model.objects.filter(pk__in=public_ids, file__startswith=RESTRICTED_PREFIX)
        for object_id in stored_private.values_list("pk", flat=True):
            _file_move(model=model, kind=kind, object_id=object_id, private=False)
    return report


def _file_name(kind: str, name: str, *, private: bool, title: str) -> str:
    """A new stored name: random (not derivable from anything public) when private; readable
    (the title's slug) when public."""
    extension = PurePosixPath(name).suffix.lower()
    if kind == RestrictedFile.Kind.DOCUMENT:
        basename = PurePosixPath(name).name
        return (
            f"{RESTRICTED_PREFIX}documents/{secrets.token_hex(16)}/{basename}"
            if private
            else f"documents/{basename}"
        )
    if private:
        return f"{RESTRICTED_PREFIX}original_images/{secrets.token_hex(16)}{extension}"
    return f"original_images/{(slugify(title) or 'image')[:40]}{extension}"


def _file_move(*, model, kind: str, object_id: int, private: bool) -> None:
    """Move one file between public and private storage; its renditions are made again on demand
    (in the matching place: see ``lms.storage.rendition_upload_to``)."""
    with transaction.atomic():
        obj = model.objects.select_for_update().filter(pk=object_id).first()
        if obj is None or is_restricted_name(obj.file.name) == private:
            return  # gone, or another run moved it already
        storage, old_name = obj.file.storage, obj.file.name
        new_name = _file_name(kind, old_name, private=private, title=obj.title)
        try:
            with storage.open(old_name, "rb") as source:
                new_name = storage.save(new_name, source)
        except FileNotFoundError:
            logger.warning("%s %s has no file at %s; only its name is moved", kind, object_id, old_name)
        model.objects.filter(pk=object_id).update(file=new_name)
        transaction.on_commit(lambda: storage.delete(old_name))
    if kind == RestrictedFile.Kind.IMAGE:
        for rendition in obj.renditions.all():
            rendition.delete()  # Wagtail's signal handlers remove the file and the cached entry
