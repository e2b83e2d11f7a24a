"""Certificates: templates editors design, and the certificates issued from them, exactly once."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, RevisionMixin

from lms.i18n import bilingual

from .codes import DISPLAY_LENGTH


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Certificate PDFs live outside MEDIA_ROOT: served only by a view that checks who asks."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


private_storage = PrivateStorage()


class CertificateTemplate(RevisionMixin, ClusterableModel):
    """How a certificate looks: background, wording in mn and en, signatories, orientation."""

    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", _("Landscape")
        PORTRAIT = "portrait", _("Portrait")

    name = models.CharField(_("name"), max_length=200)
    is_default = models.BooleanField(
        _("default template"),
        default=False,
        help_text=_("Used for every course that no other template names."),
    )
    courses = ParentalManyToManyField(
        "courses.CoursePage",
        blank=True,
        related_name="+",
        verbose_name=_("courses"),
        limit_choices_to={"locale__language_code": settings.LANGUAGE_CODE},
        help_text=_("The courses whose certificates use this template."),
    )
    orientation = models.CharField(
        _("orientation"), max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    background = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("background image"),
        help_text=_("Covers the whole A4 page; it is cropped to fit."),
    )
    title_mn = models.CharField(_("title (Mongolian)"), max_length=120, default="Гэрчилгээ")
    title_en = models.CharField(_("title (English)"), max_length=120, default="Certificate of completion")
    body_mn = models.TextField(
        _("text (Mongolian)"),
        default="{name} нь «{course}» сургалтыг (хувилбар {release}) {date}-нд амжилттай дүүргэв.",
        help_text=_("Placeholders: {name} {course} {release} {date} {hours} {code}"),
    )
    body_en = models.TextField(
        _("text (English)"),
        default="{name} has successfully completed the course “{course}” (version {release}) on {date}.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        MultiFieldPanel([FieldPanel("is_default"), FieldPanel("courses")], heading=_("Used for")),
        FieldPanel("orientation"),
        FieldPanel("background"),
        FieldRowPanel([FieldPanel("title_mn"), FieldPanel("title_en")]),
        FieldRowPanel([FieldPanel("body_mn"), FieldPanel("body_en")]),
        InlinePanel("signatories", heading=_("Signatories"), label=_("Signatory"), max_num=4),
    ]

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        from .rendering import PlaceholderError, template_placeholders

        errors = {}
        for field in ("body_mn", "body_en", "title_mn", "title_en"):
            try:
                template_placeholders(getattr(self, field))
            except PlaceholderError as error:
                errors[field] = str(error)
        if errors:
            raise ValidationError(errors)


class Signatory(Orderable):
    """A person who signs certificates made from a template."""

    template = ParentalKey(CertificateTemplate, on_delete=models.CASCADE, related_name="signatories")
    name_mn = models.CharField(_("name (Mongolian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    title_mn = models.CharField(_("position (Mongolian)"), max_length=160)
    title_en = models.CharField(_("position (English)"), max_length=160, blank=True)
    signature = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signature image"),
    )

    panels = [
        FieldRowPanel([FieldPanel("name_mn"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("title_mn"), FieldPanel("title_en")]),
        FieldPanel("signature"),
    ]


class Certificate(models.Model):
    """A certificate for one learner's completion of one release of a course; never issued twice."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded by a newer release")

    code = models.CharField(_("code"), max_length=DISPLAY_LENGTH, unique=True)
    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.PROTECT, related_name="certificates"
    )
    release = models.ForeignKey(
        "courses.CourseRelease", on_delete=models.PROTECT, related_name="certificates"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates")
    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="certificates")
    # What was printed, kept as printed (a later change of name or title does not rewrite history).
    holder_name = models.CharField(_("holder"), max_length=200)
    course_title_mn = models.CharField(max_length=255)
    course_title_en = models.CharField(max_length=255)
    release_version = models.CharField(_("release"), max_length=20)
    completed_on = models.DateField(_("completed on"))
    hours = models.CharField(max_length=10, blank=True)
    # The review meeting the course required for completion (blended training), as printed.
    review_meeting_on = models.DateField(_("review meeting"), null=True, blank=True)
    template = models.ForeignKey(CertificateTemplate, on_delete=models.SET_NULL, null=True, related_name="+")
    template_version = models.DateTimeField(null=True)
    pdf_mn = models.FileField(storage=private_storage, upload_to="certificates/%Y/", max_length=200)
    pdf_en = models.FileField(storage=private_storage, upload_to="certificates/%Y/", max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALID)
    issued_at = models.DateTimeField(_("issued at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The email to the holder: sent (the mail server took it), and claimed by whoever is sending it
    # now (a lease, see lms/outbox.py).
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "release"], name="certificate_once_per_completion"),
        ]
        indexes = [models.Index(fields=["status", "issued_at"], name="certificate_status_idx")]

    def __str__(self) -> str:
        return f"{self.code} · {self.holder_name}"

    def course_title(self, language: str) -> str:
        return bilingual(self, "course_title", language)

    def pdf(self, language: str):
        return self.pdf_en if language == "en" else self.pdf_mn


class CertificateEvent(models.Model):
    """Issued, revoked, reinstated, re-issued, superseded: each with who, when and why."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.action}"
