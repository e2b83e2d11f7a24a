from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_urls, services
from .viewsets import AuditEventViewSet, InvitationViewSet, OrganisationViewSet, RegionViewSet


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [
        OrganisationViewSet("organisations"),
        RegionViewSet("regions"),
        InvitationViewSet("invitations"),
        AuditEventViewSet("audit_log"),
    ]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("access-requests/", include((admin_urls, "accounts_admin")))]


class AccessRequestsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("accounts.change_accessrequest")


@hooks.register("register_settings_menu_item")
def access_requests_menu_item():
    return AccessRequestsMenuItem(
        _("Access requests"), reverse("accounts_admin:access_requests"), icon_name="lock", order=613
    )


@hooks.register("after_edit_user")
def audit_user_edit(request, user):
    services.audit_record(action="user.edited_in_admin", actor=request.user, subject=user)


@hooks.register("after_create_user")
def audit_user_create(request, user):
    services.audit_record(action="user.created_in_admin", actor=request.user, subject=user)
