from django.apps import AppConfig


class KcsoConfig(AppConfig):
    """The Keeping Children Safe Online curriculum: its content files live in content/."""

    name = "curricula.kcso"
    label = "curriculum_kcso"
    verbose_name = "Keeping Children Safe Online"
    curriculum_order = 3
