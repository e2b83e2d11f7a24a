"""Sign-up and profile forms: the details programme reports group learners by."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm as WagtailCreationForm
from wagtail.users.forms import UserEditForm as WagtailEditForm

from . import selectors, services
from .models import Organisation, Region, User, latest_birth_year
from .roles import role_label

PROFILE_FIELDS = ["full_name", "role", "region", "organisation", "sex", "birth_year"]


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return obj.name


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.region.name})"


class ProfileFieldsMixin(forms.Form):
    """The profile fields, shared by sign-up and the profile page."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("As it should appear on your certificates."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=User.Role.choices)
    region = RegionChoiceField(
        label=_("Aimag or district"),
        queryset=Region.objects.none(),
        empty_label=_("Choose…"),
    )
    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Not listed / none"),
        help_text=_("Your school, centre, unit or office, if it is listed."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=User.Sex.choices, initial=User.Sex.NOT_STATED)
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=1930,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def _setup_profile_fields(self):
        self.fields["region"].queryset = selectors.region_list()
        self.fields["organisation"].queryset = selectors.organisation_list()
        latest = latest_birth_year()
        self.fields["birth_year"].widget.attrs["max"] = latest
        self.fields["birth_year"].validators.append(MaxValueValidator(latest))

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Please enter your full name."))
        return name

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        region = cleaned.get("region")
        if organisation and region and organisation.region_id != region.pk:
            self.add_error(
                "organisation",
                _("%(organisation)s is in %(org_region)s, not %(region)s.")
                % {
                    "organisation": organisation.name,
                    "org_region": organisation.region.name,
                    "region": region.name,
                },
            )
        return cleaned

    def profile_data(self) -> dict:
        return {field: self.cleaned_data.get(field) for field in PROFILE_FIELDS}


class SignupForm(ProfileFieldsMixin, AllauthSignupForm):
    """allauth's sign-up with the learner profile added."""

    field_order = [
        "full_name",
        "email",
        "password1",
        "password2",
        "role",
        "region",
        "organisation",
        "sex",
        "birth_year",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_profile_fields()
        self.order_fields(self.field_order)

    def signup(self, request, user):
        services.profile_update(user=user, **self.profile_data())

    def try_save(self, request):
        # The address already has an account: allauth only emails its owner. Hash the password
        # anyway, so this answer takes as long as creating an account and timing tells nothing.
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class ProfileForm(ProfileFieldsMixin):
    """A learner keeps their own details current."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_profile_fields()


class _WagtailUserFieldsMixin:
    """Wagtail's user forms, with full name instead of first and last name, and role groups
    labelled in the admin's language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("first_name", None)
        self.fields.pop("last_name", None)
        if "groups" in self.fields:
            self.fields["groups"].label_from_instance = role_label


class WagtailUserCreationForm(_WagtailUserFieldsMixin, WagtailCreationForm):
    class Meta(WagtailCreationForm.Meta):
        model = User
        fields = {"email", "full_name", "role", "region", "organisation", "sex", "birth_year"} | (
            set(WagtailCreationForm.Meta.fields) - {"first_name", "last_name", "username"}
        )


class WagtailUserEditForm(_WagtailUserFieldsMixin, WagtailEditForm):
    class Meta(WagtailEditForm.Meta):
        model = User
        fields = {"email", "full_name", "role", "region", "organisation", "sex", "birth_year"} | (
            set(WagtailEditForm.Meta.fields) - {"first_name", "last_name", "username"}
        )


class JoinForm(forms.Form):
    """Redeem an invitation code."""

    code = forms.CharField(
        label=_("Invitation code"),
        max_length=40,
        help_text=_("For example ABCD-EFGH-2345."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class AccessRequestForm(forms.Form):
    """Ask an administrator for access to a restricted audience."""

    group = forms.ModelChoiceField(label=_("Access to"), queryset=None, empty_label=None)
    message = forms.CharField(
        label=_("Your work and why you need access"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example your unit or office, your position, and who can confirm it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = services.grantable_groups()
        self.fields["group"].label_from_instance = role_label


class DeleteAccountForm(forms.Form):
    """Confirm, with the password, that the account should be anonymised."""

    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(label=_("I understand that I will no longer be able to sign in."))

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
