from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    """Learning offline on a phone: the installable app (manifest, service worker), course
    downloads, quiz papers taken offline, and the one sync endpoint for work done offline."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "lms.offline"
    label = "offline"
    verbose_name = _("Offline learning")

    def ready(self):
        from lms.accounts import personal_data

        from . import middleware  # noqa: F401  (its sign-out receiver)
        from . import personal_data as offline_personal_data

        personal_data.register(
            "offline", export=offline_personal_data.export, erase=offline_personal_data.erase
        )
