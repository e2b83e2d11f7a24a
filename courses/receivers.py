"""Receivers of the courses app's own signals: they queue background work, nothing more."""

import functools
import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move, published

from lms.queue import publish

from . import tasks
from .errors import ReleaseError
from .models import CoursePage, CourseRelease
from .selectors import restricted_courses_changed
from .services import release_finalise, restricted_files_sync
from .signals import course_completed, release_published

logger = logging.getLogger(__name__)


@receiver(course_completed, dispatch_uid="courses.completion_email")
def queue_completion_email(sender, enrollment_id: int, **kwargs):
    """Not queued (broker down or hanging): logged, and the completion-email sweep sends it."""
    publish(tasks.enrollment_completion_notify, enrollment_id)


@receiver(release_published, dispatch_uid="courses.release_policy")
def queue_release_moves(sender, release_id: int, policy: str, **kwargs):
    """Move the learners a newly published release's policy names, in the background."""
    if policy != CourseRelease.Policy.NOBODY:
        publish(tasks.release_apply_policy, release_id)


def _course_audience_may_have_changed(sender, instance=None, **kwargs):
    restricted_courses_changed()


for _signal in (page_published, page_unpublished):
    _signal.connect(
        _course_audience_may_have_changed, sender=CoursePage, dispatch_uid=f"courses.audience.{_signal}"
    )
post_delete.connect(
    _course_audience_may_have_changed, sender=CoursePage, dispatch_uid="courses.audience.delete"
)
post_page_move.connect(_course_audience_may_have_changed, dispatch_uid="courses.audience.move")


@receiver(published, sender=CourseRelease, dispatch_uid="courses.release_approved")
def release_approved(sender, instance, revision=None, **kwargs):
    """A release draft approved in its workflow (or published by someone allowed to): freeze it."""
    if instance.published_at is not None:
        return
    from wagtail.models import ModelLogEntry

    from lms.accounts.services import audit_record

    entry = (
        # Wagtail logs the publish itself after this signal; the last action before it is the
        # reviewer's approval, or the admin's save when an admin publishes directly.
        ModelLogEntry.objects.for_instance(instance).order_by("-timestamp", "-pk").first()
    )
    user = entry.user if entry else None
    try:
        release_finalise(release=instance, user=user)
    except ReleaseError as error:
        # The course changed under the approval (its lessons were all removed): the release stays a
        # draft and the refusal is kept in the audit log rather than breaking the reviewer's page.
        CourseRelease.objects.filter(pk=instance.pk).update(live=False, has_unpublished_changes=True)
        audit_record(action="release.refused", actor=user, obj=instance, reason=str(error))
        logger.warning("Release %s was approved but not published: %s", instance.pk, error)


# --- files of restricted courses: kept private whenever content changes --------------------------


def _sync_restricted_files() -> None:
    restricted_files_sync()


def _content_changed(sender, instance=None, raw=False, **kwargs):
    """After a page, image, document or anything else that may use one is saved or deleted, once
    per transaction: Wagtail's reference index (updated in the same transaction) says who uses
    which file, and ``restricted_files_sync`` moves files accordingly."""
    if raw or not _tracked(sender):
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is _sync_restricted_files for _savepoints, callback, _robust in connection.run_on_commit
    ):
        return  # already due when this transaction commits
    transaction.on_commit(_sync_restricted_files, robust=True)


@functools.cache
def _media_models() -> tuple:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    return (get_image_model(), get_document_model())


def _tracked(model) -> bool:
    from wagtail.models import Page, ReferenceIndex

    return model in _media_models() or ReferenceIndex.is_indexed(model) or issubclass(model, Page)


post_save.connect(_content_changed, dispatch_uid="courses.restricted_files.save")
post_delete.connect(_content_changed, dispatch_uid="courses.restricted_files.delete")
