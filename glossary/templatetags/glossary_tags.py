"""``{% glossary_terms %}…{% endglossary_terms %}``: link the glossary terms in a block of lesson HTML
and list the terms it uses after it."""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from ..linking import link_terms
from ..selectors import glossary_for

register = template.Library()


class GlossaryTermsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        html = self.nodelist.render(context)
        language = (get_language() or "mn").split("-")[0]
        linked, used = link_terms(
            html,
            glossary_for(language),
            index_url=reverse("glossary:index"),
            more=gettext("All terms"),
        )
        listing = render_to_string("glossary/includes/terms_used.html", {"terms": used}) if used else ""
        return mark_safe(linked + listing)  # noqa: S308 - rendered templates and escaped glossary text  # nosec B308 B703


@register.tag
def glossary_terms(parser, token):
    nodelist = parser.parse(("endglossary_terms",))
    parser.delete_first_token()
    return GlossaryTermsNode(nodelist)
