from django.apps import AppConfig


class VoiceUpConfig(AppConfig):
    """The Voice Up for Change curriculum: its content files live in content/."""

    name = "curricula.voice_up"
    label = "curriculum_voice_up"
    verbose_name = "Voice Up for Change"
    curriculum_order = 2
