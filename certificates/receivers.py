"""Completing a course queues its certificate (the signal arrives after the commit)."""

import logging

from django.dispatch import receiver

from courses.signals import course_completed

logger = logging.getLogger(__name__)


@receiver(course_completed, dispatch_uid="certificates.issue_on_completion")
def queue_certificate(sender, enrollment_id: int, **kwargs):
    from .tasks import certificate_issue

    try:
        certificate_issue.delay(enrollment_id)
    except Exception:  # noqa: BLE001 - a broker outage must not undo or fail the completion
        logger.warning(
            "certificate for enrollment %s not queued; the sweep will issue it", enrollment_id, exc_info=True
        )
