"""Reads about people and reference data."""

from django.db.models import QuerySet

from .models import Organisation, Region


def region_list() -> QuerySet[Region]:
    """Every aimag and Ulaanbaatar district, districts first."""
    return Region.objects.order_by("-kind", "name_mn")


def organisation_list() -> QuerySet[Organisation]:
    """Every organisation with its region, for choosers."""
    return Organisation.objects.select_related("region").order_by("name_mn")


def has_two_factor(user) -> bool:
    """Whether the person has set up an authenticator app (TOTP) for two-factor sign-in."""
    from allauth.mfa.models import Authenticator

    if not hasattr(user, "_cpc_has_two_factor"):
        user._cpc_has_two_factor = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists()
    return user._cpc_has_two_factor


def requires_two_factor(user) -> bool:
    """Staff and justice-sector accounts must use two-factor sign-in."""
    from . import roles

    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"):
        return True
    return user.groups.filter(name=roles.JUSTICE_LEARNERS).exists()
