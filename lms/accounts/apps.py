from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from . import receivers  # noqa: F401  (connects signal receivers)
        from .models import AuditEvent
        from .viewsets import ReadOnlyPermissionPolicy

        register_permission_policy(AuditEvent, ReadOnlyPermissionPolicy(AuditEvent))


class UsersAdminConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the CPC Learn profile fields instead of first/last name."""

    user_viewset = "lms.accounts.viewsets.UserViewSet"
    group_viewset = "lms.accounts.viewsets.GroupViewSet"
