"""Programme reports in the Wagtail admin menu, and training targets as snippets."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Target


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("reports.view_programme_reports")


@hooks.register("register_admin_menu_item")
def reports_menu_item():
    return ReportsMenuItem(
        _("Programme reports"), reverse("reports_admin:dashboard"), icon_name="table", order=150
    )


class TargetViewSet(SnippetViewSet):
    model = Target
    icon = "crosshairs"
    menu_label = _("Training targets")
    menu_order = 160
    add_to_admin_menu = True
    list_display = ["course", "start", "end", "people", "role", "note"]
    list_filter = ["course"]


register_snippet(TargetViewSet)
