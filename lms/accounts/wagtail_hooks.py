from wagtail import hooks

from .viewsets import OrganisationViewSet, RegionViewSet


@hooks.register("register_admin_viewset")
def register_reference_data():
    return [OrganisationViewSet("organisations"), RegionViewSet("regions")]
