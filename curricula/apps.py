from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CurriculaConfig(AppConfig):
    """The curricula that ship with CPC Learn, and the loader that turns their files into courses."""

    name = "curricula"
    verbose_name = _("Curricula")
