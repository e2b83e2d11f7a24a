from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_urls
from .models import CertificateTemplate


class CertificateTemplateViewSet(SnippetViewSet):
    model = CertificateTemplate
    icon = "doc-full-inverse"
    menu_label = _("Certificate templates")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["name", "is_default", "orientation", "updated_at"]


register_snippet(CertificateTemplateViewSet)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("certificates/", include((admin_urls, "certificates_admin")))]


class CertificatesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("certificates.change_certificate")


@hooks.register("register_admin_menu_item")
def certificates_menu_item():
    return CertificatesMenuItem(
        _("Certificates"), reverse("certificates_admin:list"), icon_name="tick-inverse", order=255
    )


@hooks.register("register_snippet_listing_buttons")
def template_buttons(snippet, user, next_url=None):
    if isinstance(snippet, CertificateTemplate) and user.has_perm("certificates.change_certificatetemplate"):
        for language in ("mn", "en"):
            yield ListingButton(
                _("Preview (%(language)s)") % {"language": language},
                reverse("certificates_admin:preview", args=[snippet.pk, language]),
                icon_name="view",
                priority=20,
            )
        yield ListingButton(
            _("Re-issue certificates"),
            reverse("certificates_admin:reissue", args=[snippet.pk]),
            icon_name="repeat",
            priority=30,
        )
