"""Club delivery in the Wagtail admin: one menu (report, clubs, meetings, alerts, kits, terms,
targets), the snippets behind it, and a section of the learner transcript."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import DeliveryTarget, Kit, Term
from .selectors import access
from .selectors.alerts import open_alert_count
from .views.admin import VIEW_ALERTS


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class AlertsMenuItem(PermissionMenuItem):
    """Shows how many alerts wait for follow-up (in the label: the lead sees it at a glance)."""

    def render_component(self, request):
        from wagtail.admin.ui.sidebar import LinkMenuItem

        waiting = open_alert_count()
        label = f"{self.label} ({waiting})" if waiting else self.label
        return LinkMenuItem(self.name, label, self.url, icon_name=self.icon_name, attrs=self.attrs)


class KitViewSet(SnippetViewSet):
    model = Kit
    icon = "folder-open-inverse"
    add_to_admin_menu = False
    list_display = ["name", "course", "is_active", "sort_order"]


class TermViewSet(SnippetViewSet):
    model = Term
    icon = "date"
    add_to_admin_menu = False
    list_display = ["name", "start", "end"]


class DeliveryTargetViewSet(SnippetViewSet):
    model = DeliveryTarget
    icon = "crosshairs"
    add_to_admin_menu = False
    list_display = ["kit", "start", "end", "clubs", "children"]
    list_filter = ["kit"]


register_snippet(KitViewSet)
register_snippet(TermViewSet)
register_snippet(DeliveryTargetViewSet)


def _items():
    return [
        PermissionMenuItem(
            _("Delivery report"),
            reverse("delivery_admin:report"),
            icon_name="table",
            order=10,
            permission=access.VIEW_ALL,
        ),
        PermissionMenuItem(
            _("Clubs"),
            reverse("delivery_admin:clubs"),
            icon_name="group",
            order=20,
            permission=access.VIEW_ALL,
        ),
        PermissionMenuItem(
            _("Review meetings"),
            reverse("delivery_admin:meetings"),
            icon_name="date",
            order=30,
            permission=access.MANAGE_MEETINGS,
        ),
        AlertsMenuItem(
            _("Safeguarding alerts"),
            reverse("delivery_admin:alerts"),
            icon_name="warning",
            order=40,
            permission=VIEW_ALERTS,
        ),
        PermissionMenuItem(
            _("Club kits"),
            reverse("wagtailsnippets_delivery_kit:list"),
            icon_name="folder-open-inverse",
            order=50,
            permission="delivery.view_kit",
        ),
        PermissionMenuItem(
            _("Terms"),
            reverse("wagtailsnippets_delivery_term:list"),
            icon_name="date",
            order=60,
            permission="delivery.view_term",
        ),
        PermissionMenuItem(
            _("Delivery targets"),
            reverse("wagtailsnippets_delivery_deliverytarget:list"),
            icon_name="crosshairs",
            order=70,
            permission="delivery.view_deliverytarget",
        ),
    ]


@hooks.register("register_admin_menu_item")
def delivery_menu():
    return SubmenuMenuItem(_("Club delivery"), Menu(items=_items()), icon_name="group", order=155)


@hooks.register("reports_transcript_sections")
def transcript_section(person):
    """Clubs run and review meetings attended, on a person's transcript (lms.reports asks)."""
    from .selectors.transcript import transcript_section as section

    return section(person)
