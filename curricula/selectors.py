"""Reads about shipped curricula that the admin screens share: lessons marked for legal review."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from courses.models import CourseRelease, LessonPage, ReleaseLesson

from .models import LegalReview


@dataclass
class FlaggedLesson:
    review: LegalReview
    title: str
    lesson: LessonPage | None


def legal_review_for_lesson(*, lesson_key: uuid.UUID) -> LegalReview | None:
    """The open legal review of a lesson, if it has one."""
    return LegalReview.objects.filter(lesson_key=lesson_key, status=LegalReview.Status.OPEN).first()


def _titled(reviews: list[LegalReview], language: str) -> list[FlaggedLesson]:
    pages = {
        page.translation_key: page
        for page in LessonPage.objects.filter(
            translation_key__in=[review.lesson_key for review in reviews], locale__language_code=language
        )
    }
    return [
        FlaggedLesson(
            review=review,
            title=pages[review.lesson_key].title if review.lesson_key in pages else str(review.lesson_key),
            lesson=pages.get(review.lesson_key),
        )
        for review in reviews
    ]


def legal_reviews_in_release(*, release: CourseRelease, language: str) -> list[FlaggedLesson]:
    """Every lesson of a release that is marked for legal review (open or reviewed), in course order."""
    order = dict(ReleaseLesson.objects.filter(release=release).values_list("lesson_key", "position"))
    reviews = sorted(
        LegalReview.objects.filter(lesson_key__in=list(order)), key=lambda r: order[r.lesson_key]
    )
    return _titled(reviews, language)
