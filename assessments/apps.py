from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Quizzes (question bank, attempts, grading), H5P packages and xAPI statements."""

    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from lms.accounts import personal_data

        from . import personal_data as assessments_personal_data

        personal_data.register(
            "assessments", export=assessments_personal_data.export, erase=assessments_personal_data.erase
        )

        from courses import releases

        from .releases import pin_quizzes

        if pin_quizzes not in releases.pinners:
            releases.pinners.append(pin_quizzes)
