from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lms.reports"
    label = "reports"
    verbose_name = _("Programme reports")

    def ready(self):
        from . import tasks  # noqa: F401  (registers the app's Celery tasks by name: lms.queue)
