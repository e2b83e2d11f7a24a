"""Errors of learner and editor actions on courses: each carries an HTTP status and a readable message."""

from django.utils.translation import gettext_lazy as _


class CourseActionError(Exception):
    """A learner action that cannot be done; carries an HTTP status and a readable message."""

    status = 400
    message = _("This action is not possible.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotEnrolled(CourseActionError):
    status = 403
    message = _("You are not enrolled in the course this lesson belongs to.")


class AlreadyEnrolled(CourseActionError):
    status = 409
    message = _("You are already enrolled in this course.")


class AlreadyCompleted(CourseActionError):
    status = 409
    message = _("You have already completed this lesson.")


class NotPublished(CourseActionError):
    status = 409
    message = _("This course has no published release yet, so it cannot be taken.")


class CompletedByActivity(CourseActionError):
    status = 409
    message = _("This lesson is completed by its activity (for example by passing its quiz), not by a click.")


class NotAllowed(CourseActionError):
    status = 404
    message = _("Page not found.")


class ReleaseError(CourseActionError):
    status = 409
