"""Completing a course queues its certificate (the signal arrives after the commit)."""

from django.dispatch import receiver

from courses.signals import course_completed
from lms.queue import publish


@receiver(course_completed, dispatch_uid="certificates.issue_on_completion")
def queue_certificate(sender, enrollment_id: int, **kwargs):
    """A broker outage must not undo or fail the completion: ``publish`` logs it, the sweep issues it."""
    from .tasks import certificate_issue

    publish(certificate_issue, enrollment_id)
