"""Reads about people and reference data."""

from django.db.models import QuerySet

from .models import Organisation, Region


def region_list() -> QuerySet[Region]:
    """Every aimag and Ulaanbaatar district, districts first."""
    return Region.objects.order_by("-kind", "name_mn")


def organisation_list() -> QuerySet[Organisation]:
    """Every organisation with its region, for choosers."""
    return Organisation.objects.select_related("region").order_by("name_mn")
