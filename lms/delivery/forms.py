"""The facilitators' forms: register a club, record its membership, log a session, check in.

Privacy: none of these asks about a child. Children are numbers; the only free text is a short
note (contact details refused) and co-facilitators' email addresses (adults with an account,
turned into accounts, never stored as text). ``privacy.FORM_TEXT_FIELDS`` lists them.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import Region, User

from .models import AGE_BANDS, MAX_CLUB_MEMBERS, SEXES, Kit, Term
from .privacy import refuse_contact_details
from .selectors import clubs as club_selectors
from .selectors.catalogue import KitSession
from .services.sessions import DURATION_RANGE, MAX_ATTENDANCE

MAX_CO_FACILITATORS = 5
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _number(label, *, maximum: int, required: bool = True, initial=None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=maximum,
        required=required,
        initial=initial,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": maximum}),
    )


class CoFacilitatorsField(forms.CharField):
    """Email addresses of people with an account here; cleans to the list of those accounts."""

    widget = forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"})

    def clean(self, value) -> list[User]:
        value = super().clean(value)
        emails = list(
            dict.fromkeys(part.strip().lower() for part in re.split(r"[\s,;]+", value or "") if part.strip())
        )
        if len(emails) > MAX_CO_FACILITATORS:
            raise ValidationError(
                _("A club can have at most %(most)s co-facilitators.") % {"most": MAX_CO_FACILITATORS}
            )
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(_("%(value)s is not an email address.") % {"value": email}) from None
        people = list(User.objects.filter(email__in=emails, is_active=True))
        missing = sorted(set(emails) - {person.email.lower() for person in people})
        if missing:
            raise ValidationError(
                _("Nobody signs in here with %(emails)s. Ask them to sign up first, then add them.")
                % {"emails": ", ".join(missing)}
            )
        return people


def membership_fields() -> dict[str, forms.IntegerField]:
    """Eight counts: girls and boys in each age band."""
    fields = {}
    for sex, sex_label in SEXES:
        for band, band_label in AGE_BANDS:
            fields[f"{sex}_{band}"] = _number(
                _("%(sex)s, %(band)s") % {"sex": sex_label, "band": band_label},
                maximum=MAX_CLUB_MEMBERS,
                required=False,
            )
    return fields


class MembershipCountsMixin:
    def counts(self) -> dict[str, int]:
        return {name: self.cleaned_data.get(name) or 0 for name in membership_fields()}

    def membership_rows(self):
        """The count fields as a table: one row per age band, girls and boys side by side."""
        return [(band_label, self[f"girls_{band}"], self[f"boys_{band}"]) for band, band_label in AGE_BANDS]


class ClubForm(MembershipCountsMixin, forms.Form):
    """Register a club (kit, where, first term, who shares it, how many children) or change it."""

    kit = forms.ModelChoiceField(label=_("Kit"), queryset=Kit.objects.none(), empty_label=None)
    region = forms.ModelChoiceField(label=_("Aimag or district"), queryset=Region.objects.all())
    organisation = forms.ModelChoiceField(
        label=_("School or TVET centre"), queryset=club_selectors.club_organisations()
    )
    first_term = forms.ModelChoiceField(label=_("First term"), queryset=Term.objects.none(), empty_label=None)
    co_facilitators = CoFacilitatorsField(
        label=_("Co-facilitators (optional)"),
        required=False,
        help_text=_(
            "The email addresses they sign in with, separated by commas. Co-facilitators see and "
            "change the club as you do."
        ),
    )

    def __init__(self, *args, kits=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            del self.fields["kit"]
        else:
            self.fields["kit"].queryset = Kit.objects.filter(pk__in=[kit.pk for kit in kits or []])
            self.fields.update(membership_fields())
        latest_start = timezone.localdate() + dt.timedelta(days=60)
        self.fields["first_term"].queryset = Term.objects.filter(start__lte=latest_start).order_by("-start")
        self.fields["region"].empty_label = _("Choose…")
        self._limit_organisations()

    def _limit_organisations(self):
        """Hundreds of schools make a list nobody can use: offer the chosen district's (any id is
        still accepted, and checked against the district by the service)."""
        field = self.fields["organisation"]
        region = self.data.get("region") if self.is_bound else self.initial.get("region")
        region_id = getattr(region, "pk", region)
        shown = []
        if region_id and str(region_id).isdigit():
            shown = list(club_selectors.club_organisations().filter(region_id=int(region_id)))
        field.widget.choices = [("", _("Choose…"))] + [(o.pk, o.name) for o in shown]
        if not shown:
            field.help_text = _("Choose the aimag or district, then press “Show its schools”.")

    def membership_given(self) -> bool:
        return any(self.cleaned_data.get(name) for name in membership_fields())


class MembershipForm(MembershipCountsMixin, forms.Form):
    """How many children the club has this term: counts by sex and age band, nothing else."""

    term = forms.ModelChoiceField(label=_("Term"), queryset=Term.objects.none(), empty_label=None)

    def __init__(self, *args, club=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(membership_fields())
        terms = club_selectors.terms_until_today()
        if club is not None:
            terms = terms.filter(end__gte=club.first_term.start)
        self.fields["term"].queryset = terms


class SessionLogForm(forms.Form):
    """A session on a phone in a minute: which one, when, how long, how many came, how it went."""

    session = forms.ChoiceField(label=_("Session"))
    held_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=DURATION_RANGE[0],
        max_value=DURATION_RANGE[1],
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "min": DURATION_RANGE[0], "max": DURATION_RANGE[1]}
        ),
    )
    girls = _number(_("Girls who attended"), maximum=MAX_ATTENDANCE, initial=0)
    boys = _number(_("Boys who attended"), maximum=MAX_ATTENDANCE, initial=0)
    needs_support = forms.BooleanField(label=_("I would like support with this session"), required=False)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=300,
        validators=[refuse_contact_details],
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
        help_text=_(
            "What went well, or what you need support with. Do not write children's names or anything "
            "that identifies a child."
        ),
    )
    safeguarding_concern = forms.BooleanField(
        label=_("A safeguarding concern came up"),
        required=False,
        help_text=_(
            "Tick this and the programme's safeguarding lead will contact you. Do not write here what "
            "happened or who it was about: tell the lead directly. If a child is in danger now, call "
            "108 (child helpline) or 102 (police)."
        ),
    )

    def __init__(self, *args, sessions: list[KitSession] = (), alert_raised: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = {session.key: session for session in sessions}
        self.fields["session"].choices = [("", _("Choose…"))] + [(s.key, s.label) for s in sessions]
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if alert_raised:  # an alert cannot be taken back by the person who raised it
            field = self.fields["safeguarding_concern"]
            field.disabled = True
            field.initial = True
            field.help_text = _("The safeguarding lead was alerted. Contact them directly about it.")

    def chosen_session(self) -> KitSession | None:
        return self.sessions.get(self.cleaned_data.get("session") or "")

    def durations(self) -> dict[str, int]:
        """Each session plan's duration, for the page to suggest (light script)."""
        return {
            key: session.duration_minutes
            for key, session in self.sessions.items()
            if session.duration_minutes
        }


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=12,
        help_text=_("The code shown at the meeting (six letters and digits)."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
    )
