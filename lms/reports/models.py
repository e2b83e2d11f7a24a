"""Programme reports read across the other apps; they own only targets and export files."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from certificates.models import private_storage
from lms.accounts.models import User


class Target(models.Model):
    """How many people a course should train in a period ("2,545 facilitators in FY2026")."""

    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("course"),
        limit_choices_to={"locale__language_code": settings.LANGUAGE_CODE},
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    people = models.PositiveIntegerField(_("people to train"))
    role = models.CharField(
        _("only this role"),
        max_length=30,
        choices=User.Role.choices,
        blank=True,
        help_text=_("Leave empty to count everyone who completes the course."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    panels = [
        FieldPanel("course", widget=forms.Select),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
        FieldPanel("people"),
        FieldPanel("role"),
        FieldPanel("note"),
    ]

    class Meta:
        ordering = ["start", "course_id"]
        verbose_name = _("training target")
        verbose_name_plural = _("training targets")
        permissions = [("view_programme_reports", _("Can see programme reports and rosters"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="target_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.title}: {self.people} ({self.start:%Y-%m-%d} – {self.end:%Y-%m-%d})"

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end comes before the start.")})
        if self.course_id and self.course.locale.language_code != settings.LANGUAGE_CODE:
            raise ValidationError(
                {"course": _("Choose the Mongolian course page (reports count each course once).")}
            )


class ExportJob(models.Model):
    """A table written to a file in the background, downloadable by the person who asked, until it expires."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Writing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    table = models.CharField(max_length=40)
    format = models.CharField(max_length=4, choices=Format.choices)
    filters = models.JSONField(default=dict)
    suppress = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default="mn")  # the headings' language: the asker's
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to="exports/", max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.table}.{self.format} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
