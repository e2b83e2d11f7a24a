from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificate templates, issuance in the background, PDF rendering and public verification."""

    name = "certificates"
    verbose_name = _("Certificates")
