"""Staff screens: find certificates, revoke and reinstate them, preview templates, re-issue."""

from __future__ import annotations

import unicodedata

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .models import Certificate, CertificateTemplate

MANAGE = "certificates.change_certificate"
DESIGN = "certificates.change_certificatetemplate"


def _text(value: str, limit: int) -> str:
    """Typed text without control characters (PostgreSQL refuses NUL in any string), trimmed."""
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc").strip()[:limit]


def _require(request, permission: str):
    if not request.user.has_perm(permission):
        raise PermissionDenied


def certificate_list(request):
    _require(request, MANAGE)
    query = _text(request.GET.get("q", ""), 100)
    status = request.GET.get("status", "")
    certificates = Certificate.objects.select_related("user").order_by("-issued_at")
    if query:
        certificates = certificates.filter(
            Q(code__icontains=query)
            | Q(holder_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(course_title_mn__icontains=query)
            | Q(course_title_en__icontains=query)
        )
    if status in Certificate.Status.values:
        certificates = certificates.filter(status=status)
    page = Paginator(certificates, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/admin/list.html",
        {"page_obj": page, "query": query, "status": status, "statuses": Certificate.Status.choices},
    )


@require_http_methods(["GET", "POST"])
def certificate_detail(request, certificate_id: int):
    _require(request, MANAGE)
    certificate = get_object_or_404(Certificate.objects.select_related("user"), pk=certificate_id)
    status = 200
    if request.method == "POST":
        action, reason = request.POST.get("action"), _text(request.POST.get("reason", ""), 500)
        try:
            if action == "revoke":
                services.certificate_revoke(certificate=certificate, by=request.user, reason=reason)
                messages.success(request, _("The certificate was revoked."))
            elif action == "reinstate":
                services.certificate_reinstate(certificate=certificate, by=request.user, reason=reason)
                messages.success(request, _("The certificate was reinstated."))
            else:
                raise services.CertificateError(_("Unknown action."))
        except services.CertificateError as error:
            messages.error(request, error.message)
            status = 400
        else:
            return redirect("certificates_admin:detail", certificate.pk)
    return render(
        request,
        "certificates/admin/detail.html",
        {"certificate": certificate, "events": certificate.events.select_related("by")},
        status=status,
    )


def template_preview(request, template_id: int, language: str):
    _require(request, DESIGN)
    template = get_object_or_404(CertificateTemplate, pk=template_id)
    if language not in ("mn", "en"):
        language = "mn"
    pdf = services.template_preview(template=template, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{template.pk}-{language}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def template_reissue(request, template_id: int):
    """Show how many certificates would be printed again, and do it only on confirmation."""
    _require(request, DESIGN)
    template = get_object_or_404(CertificateTemplate, pk=template_id)
    count = services.reissue_candidates(template=template).count()
    if request.method == "POST":
        try:
            expected = int(request.POST.get("expected", ""))
        except ValueError:
            expected = -1
        try:
            queued = services.reissue_start(template=template, expected=expected, by=request.user)
        except services.CertificateError as error:
            messages.error(request, error.message)
            return render(
                request, "certificates/admin/reissue.html", {"template": template, "count": count}, status=409
            )
        messages.success(request, _("%(count)s certificates are being printed again.") % {"count": queued})
        return redirect("certificates_admin:reissue", template.pk)
    return render(request, "certificates/admin/reissue.html", {"template": template, "count": count})
