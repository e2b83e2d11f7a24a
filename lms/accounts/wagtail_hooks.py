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


class AccountLink:
    """A link on the admin's account page to the site's own account pages (allauth), where
    passwords, email addresses and two-factor sign-in are managed: one way for everybody."""

    def __init__(self, label, url_name, help_text):
        self.label, self.url_name, self.help_text = label, url_name, help_text

    @property
    def url(self):
        return reverse(self.url_name)


@hooks.register("register_account_menu_item")
def change_password_link(request):
    return AccountLink(_("Change password"), "account_change_password", _("On the site's account pages."))


@hooks.register("register_account_menu_item")
def two_factor_link(request):
    return AccountLink(_("Two-factor sign-in"), "mfa_index", _("Authenticator app and recovery codes."))


@hooks.register("register_account_menu_item")
def email_addresses_link(request):
    return AccountLink(
        _("Email addresses"), "account_email", _("Change or confirm the address you sign in with.")
    )
