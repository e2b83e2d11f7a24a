"""Writes about shipped curricula beyond the pages and quizzes the loader builds."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from lms.accounts.services import audit_record

from .models import LegalReview


@transaction.atomic
def legal_review_sync(*, lesson_key: uuid.UUID, note: dict[str, str] | None) -> str:
    """Bring a lesson's legal-review mark in line with its content file; return what happened.

    A mark the content adds is opened; one it no longer asks for is removed while still open;
    a reviewer's decision (reviewed) is never undone by a reload.
    """
    review = LegalReview.objects.select_for_update().filter(lesson_key=lesson_key).first()
    if not note:
        if (
            review is not None
            and review.source == LegalReview.Source.CONTENT
            and review.status == LegalReview.Status.OPEN
        ):
            review.delete()
            return "removed"
        return "none"
    if review is None:
        LegalReview.objects.create(
            lesson_key=lesson_key, note_mn=note["mn"], note_en=note["en"], source=LegalReview.Source.CONTENT
        )
        return "opened"
    if review.status == LegalReview.Status.REVIEWED:
        return "kept"
    if (review.note_mn, review.note_en) != (note["mn"], note["en"]):
        LegalReview.objects.filter(pk=review.pk).update(note_mn=note["mn"], note_en=note["en"])
        return "updated"
    return "unchanged"


@transaction.atomic
def legal_review_mark(*, review: LegalReview, status: str, user, review_note: str = "") -> LegalReview:
    """Record a reviewer's decision on a lesson's legal content (who, when, and their note)."""
    review = LegalReview.objects.select_for_update().get(pk=review.pk)
    review.status = status
    review.review_note = review_note
    if status == LegalReview.Status.REVIEWED:
        review.reviewed_by, review.reviewed_at = user, timezone.now()
    else:
        review.reviewed_by, review.reviewed_at = None, None
    review.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit_record(action="lesson.legal_review", actor=user, obj=review, status=status)
    return review
