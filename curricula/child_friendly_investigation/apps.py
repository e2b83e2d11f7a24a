from django.apps import AppConfig


class ChildFriendlyInvestigationConfig(AppConfig):
    """The Child-friendly investigation curriculum: its content files live in content/."""

    name = "curricula.child_friendly_investigation"
    label = "curriculum_child_friendly_investigation"
    verbose_name = "Child-friendly investigation"
    curriculum_order = 4
