"""Glossary terms in the Wagtail admin: curriculum editors maintain them, with revisions."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Term


class TermViewSet(SnippetViewSet):
    model = Term
    icon = "doc-full"
    menu_label = _("Glossary")
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["term_mn", "term_en", "slug"]
    search_fields = ["term_mn", "term_en", "definition_mn", "definition_en"]
    ordering = ["term_en"]


register_snippet(TermViewSet)
