"""What the curricula add to the platform's records: lessons marked for legal review."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalReview(models.Model):
    """A lesson with legal content that a lawyer should check; reviewers see it and releases list it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Needs legal review")
        REVIEWED = "reviewed", _("Reviewed")

    class Source(models.TextChoices):
        CONTENT = "content", _("Shipped content")
        EDITOR = "editor", _("An editor")

    lesson_key = models.UUIDField(_("lesson"), unique=True, help_text=_("The lesson's translation key."))
    note_mn = models.TextField(_("what to check (Mongolian)"))
    note_en = models.TextField(_("what to check (English)"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(_("marked by"), max_length=10, choices=Source.choices, default=Source.EDITOR)
    review_note = models.TextField(_("reviewer's note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        ordering = ["status", "-created_at"]
        verbose_name = _("legal review")
        verbose_name_plural = _("legal reviews")

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.lesson_key}"

    def note(self, language: str) -> str:
        return self.note_mn if language == "mn" else self.note_en
