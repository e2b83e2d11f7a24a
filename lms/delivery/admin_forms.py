"""The managers' forms in the admin: meetings, invitations, attendance, minutes, report filters."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import Organisation, Region, User
from lms.reports import periods

from .models import Kit, ReviewMeeting
from .privacy import refuse_contact_details
from .selectors.report import BREAKDOWNS, DeliveryFilters

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    kit = forms.ModelChoiceField(label=_("Kit"), queryset=Kit.objects.all())
    region = forms.ModelChoiceField(label=_("Aimag or district"), queryset=Region.objects.all())
    mode = forms.ChoiceField(label=_("How"), choices=ReviewMeeting.Mode.choices, widget=forms.RadioSelect)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=600, initial=120
    )
    venue = forms.CharField(
        label=_("Place (in person)"), max_length=200, required=False, help_text=_("The address and the room.")
    )
    online_link = forms.URLField(
        label=_("Meeting link (online)"), max_length=300, required=False, assume_scheme="https"
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the kit and district say who the meeting is for: a different one is a new meeting
            del self.fields["kit"]
            del self.fields["region"]


class InviteForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("Invite"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        self.fields["people"].queryset = User.objects.filter(pk__in=[c.person.pk for c in self.candidates])


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        label=_("Present"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = User.objects.filter(pk__in=[p.person_id for p in participants])


class AttendeeForm(forms.Form):
    email = forms.EmailField(label=_("Email address of someone who came"), max_length=254)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        person = User.objects.filter(email=email, is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("Nobody signs in here with this address."))
        self.person = person
        return email


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=5000,
        required=False,
        validators=[refuse_contact_details],
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "What was discussed and agreed. About the meeting only: no child's name or details, no "
            "phone numbers or email addresses."
        ),
    )


class DeliveryReportForm(forms.Form):
    """The delivery report's filters, checked: impossible combinations are refused, not guessed."""

    quarter = forms.ChoiceField(label=_("Fiscal quarter"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kit = forms.ModelChoiceField(label=_("Kit"), queryset=Kit.objects.all(), required=False)
    region = forms.ModelChoiceField(
        label=_("Aimag or district"), queryset=Region.objects.all(), required=False
    )
    organisation_kind = forms.ChoiceField(label=_("Organisation type"), required=False)
    suppress = forms.BooleanField(
        label=_("Hide counts under 5 (for reports that leave the programme)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.fields["quarter"].choices = anything + periods.quarter_choices(timezone.localdate())
        self.fields["kit"].empty_label = _("All kits")
        self.fields["region"].empty_label = _("Any")
        self.fields["organisation_kind"].choices = anything + [
            (value, label) for value, label in Organisation.Kind.choices if value in ("school", "tvet")
        ]

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
        if data.get("quarter") and (data.get("start") or data.get("end")):
            raise forms.ValidationError(_("Choose either a fiscal quarter or dates, not both."))
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date comes before the start date."))
        return data

    def filters(self) -> DeliveryFilters:
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if data.get("quarter"):
            start, end = periods.parse_quarter(data["quarter"])
        return DeliveryFilters(
            start=start,
            end=end,
            kit=data.get("kit"),
            region=data.get("region"),
            organisation_kind=data.get("organisation_kind") or "",
            suppress=bool(data.get("suppress")),
        )


BREAKDOWN_CHOICES = list(BREAKDOWNS.items())
