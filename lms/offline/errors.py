"""Why a piece of offline work was not applied: each says so in words the learner understands."""

from django.utils.translation import gettext_lazy as _

from courses.errors import CourseActionError


class OfflineItemRefused(CourseActionError):
    status = 409
    code = "refused"


class BadItem(OfflineItemRefused):
    status = 400
    code = "invalid"
    message = _("This item from your device could not be read, so it was not applied.")


class ClockAhead(OfflineItemRefused):
    status = 400
    code = "clock"
    message = _("The clock on your device is ahead of the real time. Set the date and time, then try again.")


class LessonChanged(OfflineItemRefused):
    code = "changed"


class QuizChanged(OfflineItemRefused):
    code = "quiz_changed"


class PaperUnknown(OfflineItemRefused):
    status = 404
    code = "unknown_paper"
    message = _("This offline quiz is not known here. Take the quiz again when you are online.")


class PaperUsed(OfflineItemRefused):
    code = "paper_used"
    message = _("These quiz answers were already marked.")
