"""Wagtail admin screens for people and reference data."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.users.views import groups as wagtail_groups
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from . import services
from .forms import WagtailUserCreationForm, WagtailUserEditForm
from .models import AuditEvent, Invitation, Organisation, Region
from .roles import role_label


class UserViewSet(WagtailUserViewSet):
    create_template_name = "accounts/admin/user_create.html"
    edit_template_name = "accounts/admin/user_edit.html"

    def get_form_class(self, for_update=False):
        return WagtailUserEditForm if for_update else WagtailUserCreationForm


class GroupIndexView(wagtail_groups.IndexView):
    """Wagtail's group list, each role group under its label in the admin's language."""

    columns = [
        TitleColumn(
            "name",
            label=_("Name"),
            accessor=role_label,
            sort_key="name",
            url_name="wagtailusers_groups:edit",
        ),
    ]


class GroupEditView(wagtail_groups.EditView):
    def get_page_subtitle(self):
        return role_label(self.object)


class GroupViewSet(wagtail_groups.GroupViewSet):
    index_view_class = GroupIndexView
    edit_view_class = GroupEditView


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_order = 610
    add_to_settings_menu = True
    list_display = ["name_mn", "name_en", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name_mn", "name_en"]
    form_fields = ["name_mn", "name_en", "kind", "region"]


class RegionViewSet(ModelViewSet):
    model = Region
    icon = "site"
    menu_order = 611
    add_to_settings_menu = True
    list_display = ["name_mn", "name_en", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["name_mn", "name_en", "code"]
    form_fields = ["code", "kind", "name_mn", "name_en"]


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """The audit log is written by the services and never edited, not even by superusers."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class InvitationCreateView(CreateView):
    """Invitations are made by the service: it draws the code and logs who made it."""

    def save_instance(self):
        data = self.form.cleaned_data
        return services.invitation_create(
            group=data["group"],
            expires_at=data["expires_at"],
            max_uses=data["max_uses"],
            note=data["note"],
            by=self.request.user,
        )


class InvitationViewSet(ModelViewSet):
    model = Invitation
    icon = "mail"
    menu_label = _("Invitations")
    menu_order = 612
    add_to_settings_menu = True
    list_display = [
        "code",
        Column("group", label=_("group it grants"), accessor=lambda invitation: role_label(invitation.group)),
        "note",
        "uses",
        "max_uses",
        "expires_at",
        "revoked",
    ]
    list_filter = ["group", "revoked"]
    search_fields = ["code", "note"]
    form_fields = ["group", "max_uses", "expires_at", "note", "revoked"]
    add_view_class = InvitationCreateView
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)

        class InvitationForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["group"].queryset = services.grantable_groups()
                self.fields["group"].label_from_instance = role_label
                if not for_update:
                    self.fields.pop("revoked", None)

        return InvitationForm


class AuditEventViewSet(ModelViewSet):
    model = AuditEvent
    icon = "history"
    menu_label = _("Audit log")
    menu_order = 614
    add_to_settings_menu = True
    list_display = ["at", "action", "actor", "subject", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["action", "subject__email", "actor__email"]
    inspect_view_enabled = True
    form_fields = ["action"]
