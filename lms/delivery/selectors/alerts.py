"""Who hears of safeguarding alerts, and the alerts the admin lists."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from lms.accounts.models import User

from ..models import SafeguardingAlert

RECEIVE = ("delivery", "receive_safeguarding_alerts")


def alert_recipients() -> list[str]:
    """The safeguarding leads' addresses: people given the permission (by their group or directly,
    superusers only if given it too), and SAFEGUARDING_ALERT_EMAILS."""
    permission = Permission.objects.filter(content_type__app_label=RECEIVE[0], codename=RECEIVE[1]).first()
    addresses = []
    if permission is not None:
        addresses = list(
            User.objects.filter(
                Q(groups__permissions=permission) | Q(user_permissions=permission), is_active=True
            )
            .order_by("email")
            .values_list("email", flat=True)
            .distinct()
        )
    extra = [address for address in getattr(settings, "SAFEGUARDING_ALERT_EMAILS", []) if address]
    return list(dict.fromkeys([*addresses, *extra]))


def alerts_list(*, status: str = "") -> QuerySet[SafeguardingAlert]:
    alerts = SafeguardingAlert.objects.select_related(
        "session",
        "session__club",
        "session__club__kit",
        "session__club__organisation",
        "session__club__region",
        "raised_by",
        "raised_by__organisation",
        "followed_up_by",
    )
    if status:
        alerts = alerts.filter(status=status)
    return alerts.order_by("status", "-raised_at")


def open_alert_count() -> int:
    return SafeguardingAlert.objects.filter(status=SafeguardingAlert.Status.OPEN).count()
