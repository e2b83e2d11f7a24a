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

        from courses import blocks
        from courses.selectors import releases

        from .releases import h5p_block_completes, pin_h5p, pin_quizzes

        for pinner in (pin_quizzes, pin_h5p):
            if pinner not in releases.pinners:
                releases.pinners.append(pinner)
        blocks.block_completes["h5p"] = h5p_block_completes
