from django.contrib import messages
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


@hooks.register("before_edit_user")
def remember_groups_before_edit(request, user):
    if request.method == "POST":
        request._cpc_groups_before = set(user.groups.values_list("name", flat=True))


@hooks.register("after_edit_user")
def audit_user_edit(request, user):
    services.audit_record(action="user.edited_in_admin", actor=request.user, subject=user)
    before = getattr(request, "_cpc_groups_before", None)
    if before is not None:
        services.groups_change_record(user=user, actor=request.user, before=before, how="admin user form")


@hooks.register("after_create_user")
def audit_user_create(request, user):
    services.audit_record(action="user.created_in_admin", actor=request.user, subject=user)
    services.groups_change_record(user=user, actor=request.user, before=set(), how="admin user form")
    services.staff_created_account_confirm(user=user, actor=request.user)
    if user.has_usable_password():
        messages.info(
            request,
            _(
                "%(email)s can sign in now with the password you set: their email address counts as "
                "confirmed. Give them the password in person or by phone, never by email."
            )
            % {"email": user.email},
        )
    else:
        from allauth.account.forms import ResetPasswordForm

        form = ResetPasswordForm(data={"email": user.email})
        if form.is_valid():
            form.save(request)
        messages.info(
            request,
            _("We emailed %(email)s a link to set their password; after that they can sign in.")
            % {"email": user.email},
        )


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
