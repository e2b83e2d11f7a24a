"""Receivers of the courses app's own signals: they queue background work, nothing more."""

from django.dispatch import receiver

from .signals import course_completed


@receiver(course_completed, dispatch_uid="courses.completion_email")
def queue_completion_email(sender, enrollment_id: int, **kwargs):
    from .tasks import enrollment_completion_notify

    enrollment_completion_notify.delay(enrollment_id)
