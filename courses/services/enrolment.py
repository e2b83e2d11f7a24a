"""Enrolling in a course, and the congratulation email when it is completed."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from lms import outbox
from lms.accounts.services import audit_record

from ..errors import (
    AlreadyEnrolled,
    NotAllowed,
    NotPublished,
)
from ..models import (
    CoursePage,
    CourseRelease,
    Enrollment,
)
from ..selectors import Access, access_for, canonical_course


def enrollment_create(*, user, course: CoursePage) -> Enrollment:
    """Enrol a learner in the current release of a course (any translation of it)."""

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
