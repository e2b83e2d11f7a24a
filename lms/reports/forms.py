"""The report filters, parsed and checked: impossible combinations are refused, never guessed."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage, CourseRelease
from lms.accounts.models import Organisation, Region, User

from . import periods
from .selectors import AGE_BANDS, Filters, report_courses


class ReportFilterForm(forms.Form):
    quarter = forms.ChoiceField(label=_("Fiscal quarter"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    course = forms.ModelChoiceField(label=_("Course"), queryset=CoursePage.objects.none(), required=False)
    release = forms.ModelChoiceField(
        label=_("Version"), queryset=CourseRelease.objects.none(), required=False
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    organisation_kind = forms.ChoiceField(label=_("Organisation type"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.select_related("region"), required=False
    )
    region = forms.ModelChoiceField(
        label=_("Aimag or district"), queryset=Region.objects.all(), required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False)
    age_band = forms.ChoiceField(label=_("Age"), required=False)
    suppress = forms.BooleanField(
        label=_("Hide counts under 5 (for reports that leave the programme)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["quarter"].choices = anything + periods.quarter_choices(timezone.localdate())
        self.fields["course"].queryset = report_courses()
        self.fields["course"].empty_label = _("All courses")
        self.fields["release"].queryset = CourseRelease.objects.filter(
            published_at__isnull=False
        ).select_related("course")
        self.fields["release"].empty_label = _("All versions")
        self.fields["release"].label_from_instance = lambda release: (
            f"{release.course.title} {release.version}"
        )
        self.fields["role"].choices = anything + list(User.Role.choices)
        self.fields["organisation_kind"].choices = anything + list(Organisation.Kind.choices)
        self.fields["organisation"].empty_label = _("Any")
        self._limit_organisation_choices()
        self.fields["region"].empty_label = _("Any")
        self.fields["sex"].choices = anything + list(User.Sex.choices)
        self.fields["age_band"].choices = anything + [(code, label) for code, label, _low, _high in AGE_BANDS]

    def _limit_organisation_choices(self):
        """Thousands of schools make an unusable list: offer the organisations of the chosen aimag
        or district (any organisation id is still accepted and checked)."""
        field = self.fields["organisation"]
        data = self.data if self.is_bound else {}
        region, chosen = data.get("region"), data.get("organisation")
        shown = Organisation.objects.none()
        if region and str(region).isdigit():
            shown = Organisation.objects.filter(region_id=int(region))
        if chosen and str(chosen).isdigit():
            shown = shown | Organisation.objects.filter(pk=int(chosen))
        field.widget.choices = [("", _("Any"))] + [(o.pk, o.name) for o in shown.order_by("name_mn")]
        if not (region and str(region).isdigit()):
            field.help_text = _("Choose an aimag or district first to list its organisations.")
            field.widget.attrs["aria-describedby"] = "id_organisation_help"

    def clean_quarter(self):
        value = self.cleaned_data.get("quarter") or ""
        if value:
            try:
                periods.parse_quarter(value)
            except ValueError:
                raise forms.ValidationError(_("Choose a fiscal quarter from the list.")) from None
        return value

    def clean(self):
        data = super().clean()
        quarter, start, end = data.get("quarter"), data.get("start"), data.get("end")
        if quarter and (start or end):
            raise forms.ValidationError(_("Choose either a fiscal quarter or dates, not both."))
        if start and end and end < start:
            self.add_error("end", _("The end date comes before the start date."))
        course, release = data.get("course"), data.get("release")
        if course and release and release.course_id != course.pk:
            self.add_error("release", _("This version belongs to another course."))
        return data

    def filters(self) -> Filters:
        """The checked filters (call after is_valid())."""
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if data.get("quarter"):
            start, end = periods.parse_quarter(data["quarter"])
        release = data.get("release")
        return Filters(
            start=start,
            end=end,
            course=data.get("course") or (release.course if release else None),
            release=release,
            role=data.get("role") or "",
            organisation_kind=data.get("organisation_kind") or "",
            organisation=data.get("organisation"),
            region=data.get("region"),
            sex=data.get("sex") or "",
            age_band=data.get("age_band") or "",
            suppress=bool(data.get("suppress")),
        )
