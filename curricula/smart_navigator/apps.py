from django.apps import AppConfig


class SmartNavigatorConfig(AppConfig):
    """The Smart Navigator curriculum: its content files live in content/."""

    name = "curricula.smart_navigator"
    label = "curriculum_smart_navigator"
    verbose_name = "Smart Navigator"
    curriculum_order = 1
