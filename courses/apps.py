from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from lms.accounts import personal_data

        from . import personal_data as courses_personal_data
        from . import receivers  # noqa: F401  (connects signal receivers)

        personal_data.register("courses", export=courses_personal_data.export)
