"""Background work for courses. Tasks take plain ids, fetch again, and are safe to repeat."""

from celery import shared_task

from . import services


@shared_task(name="courses.enrollment_completion_notify", acks_late=True)
def enrollment_completion_notify(enrollment_id: int) -> bool:
    """Email the learner, in Mongolian and English, that they completed a course."""
    return services.enrollment_completion_notify(enrollment_id=enrollment_id)
