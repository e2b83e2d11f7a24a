from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    """Club delivery: clubs, their session logs (counts only), review meetings and attendance."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "lms.delivery"
    label = "delivery"
    verbose_name = _("Club delivery")

    def ready(self):
        from lms.accounts import personal_data

        from . import personal_data as delivery_personal_data
        from . import tasks  # noqa: F401  (registers the app's Celery tasks by name: lms.queue)

        personal_data.register(
            "delivery", export=delivery_personal_data.export, erase=delivery_personal_data.erase
        )
