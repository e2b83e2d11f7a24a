"""Glossary terms: maintained by curriculum editors in the admin, linked from lessons."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import RevisionMixin
from wagtail.search import index


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class Term(RevisionMixin, index.Indexed, models.Model):
    """A key term: its one rendering in each language, a short definition, and the forms lessons use."""

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    term_mn = models.CharField(_("term (Mongolian)"), max_length=120)
    term_en = models.CharField(_("term (English)"), max_length=120)
    definition_mn = models.TextField(_("definition (Mongolian)"))
    definition_en = models.TextField(_("definition (English)"))
    forms_mn = models.TextField(
        _("other forms to link (Mongolian)"),
        blank=True,
        help_text=_(
            "One per line: a word stem or form lessons use, e.g. “хүн худалдаал” for every form of the verb."
        ),
    )
    forms_en = models.TextField(_("other forms to link (English)"), blank=True)
    variants_mn = models.TextField(
        _("renderings to refuse (Mongolian)"),
        blank=True,
        help_text=_(
            "One per line: other renderings of this term. The content checker refuses them, so that every course uses the term above."
        ),
    )
    variants_en = models.TextField(_("renderings to refuse (English)"), blank=True)

    panels = [
        FieldPanel("slug"),
        MultiFieldPanel(
            [
                FieldPanel("term_mn"),
                FieldPanel("definition_mn"),
                FieldPanel("forms_mn"),
                FieldPanel("variants_mn"),
            ],
            heading=_("Mongolian"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("term_en"),
                FieldPanel("definition_en"),
                FieldPanel("forms_en"),
                FieldPanel("variants_en"),
            ],
            heading=_("English"),
        ),
    ]
    search_fields = [
        index.SearchField("term_mn"),
        index.SearchField("term_en"),
        index.AutocompleteField("term_mn"),
        index.AutocompleteField("term_en"),
    ]

    class Meta:
        ordering = ["term_en"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self) -> str:
        return f"{self.term_mn} / {self.term_en}"

    def term(self, language: str) -> str:
        return self.term_mn if language == "mn" else self.term_en

    def definition(self, language: str) -> str:
        return self.definition_mn if language == "mn" else self.definition_en

    def stems(self, language: str) -> list[str]:
        """The term and every other form that lessons may use for it."""
        return [self.term(language), *_lines(self.forms_mn if language == "mn" else self.forms_en)]

    def variants(self, language: str) -> list[str]:
        return _lines(self.variants_mn if language == "mn" else self.variants_en)

    def clean(self):
        errors = {}
        for language in ("mn", "en"):
            stems = {stem.casefold() for stem in self.stems(language)}
            clash = [variant for variant in self.variants(language) if variant.casefold() in stems]
            if clash:
                errors[f"variants_{language}"] = _(
                    "A rendering to refuse cannot also be the term or a form to link: %(words)s"
                ) % {"words": ", ".join(clash)}
        if errors:
            raise ValidationError(errors)
