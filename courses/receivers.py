"""Receivers of the courses app's own signals: they queue background work, nothing more."""

from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

from .models import CoursePage
from .signals import course_completed


@receiver(course_completed, dispatch_uid="courses.completion_email")
def queue_completion_email(sender, enrollment_id: int, **kwargs):
    from .tasks import enrollment_completion_notify

    enrollment_completion_notify.delay(enrollment_id)


def _course_audience_may_have_changed(sender, instance=None, **kwargs):
    from .selectors import restricted_courses_changed

    restricted_courses_changed()


for _signal in (page_published, page_unpublished):
    _signal.connect(
        _course_audience_may_have_changed, sender=CoursePage, dispatch_uid=f"courses.audience.{_signal}"
    )
post_delete.connect(
    _course_audience_may_have_changed, sender=CoursePage, dispatch_uid="courses.audience.delete"
)
post_page_move.connect(_course_audience_may_have_changed, dispatch_uid="courses.audience.move")
