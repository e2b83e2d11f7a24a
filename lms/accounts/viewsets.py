"""Wagtail admin screens for people and reference data."""

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .forms import WagtailUserCreationForm, WagtailUserEditForm
from .models import Organisation, Region


class UserViewSet(WagtailUserViewSet):
    create_template_name = "accounts/admin/user_create.html"
    edit_template_name = "accounts/admin/user_edit.html"

    def get_form_class(self, for_update=False):
        return WagtailUserEditForm if for_update else WagtailUserCreationForm


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
