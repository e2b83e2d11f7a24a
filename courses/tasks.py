"""Background work for courses. Tasks take plain ids, fetch again, and are safe to repeat."""

from celery import shared_task

from lms.queue import publish

from . import selectors, services


@shared_task(name="courses.enrollment_completion_notify", acks_late=True)
def enrollment_completion_notify(enrollment_id: int) -> bool:
    """Email the learner, in Mongolian and English, that they completed a course."""
    return services.enrollment_completion_notify(enrollment_id=enrollment_id)


@shared_task(name="courses.completion_emails_sweep", acks_late=True)
def completion_emails_sweep() -> int:
    """Queue the congratulation emails not sent yet (a lost task, a dead worker, a mail outage)."""
    due = selectors.completion_emails_due()
    for enrollment_id in due:
        publish(enrollment_completion_notify, enrollment_id)
    return len(due)


@shared_task(name="courses.release_apply_policy", acks_late=True)
def release_apply_policy(release_id: int) -> int:
    """Move the learners a newly published release's policy names (progress kept on the release)."""
    return services.release_apply_policy(release_id=release_id)
