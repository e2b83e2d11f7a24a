from django import template

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def certificate_for(context, enrollment):
    """The learner's certificate for an enrolment (one query per page, whatever the number of cards)."""
    request = context.get("request")
    if request is None:
        return None
    if not hasattr(request, "_cpc_certificates"):
        request._cpc_certificates = selectors.certificates_of(request.user)
    return request._cpc_certificates.get(enrollment.pk)
