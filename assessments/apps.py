from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Quizzes (question bank, attempts, grading), H5P packages and xAPI statements."""

    name = "assessments"
    verbose_name = _("Assessments")
