from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificate templates, issuance in the background, PDF rendering and public verification."""

    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from lms.accounts import personal_data

        from . import personal_data as certificates_personal_data
        from . import (
            receivers,  # noqa: F401  (connects signal receivers)
            tasks,  # noqa: F401  (registers the app's Celery tasks by name: lms.queue)
        )

        personal_data.register("certificates", export=certificates_personal_data.export)
