"""Public verification of certificates, and downloads for their holders."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from courses.selectors import access_for
from lms import ratelimit
from lms.http import wants_json

from . import selectors
from .codes import normalise_code, printable
from .models import Certificate

VERIFY_LIMIT_PER_MINUTE = 30


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _wants_json(request) -> bool:
    return request.GET.get("format") == "json" or wants_json(request)


@require_GET
@never_cache
def verify_form(request):
    """Type a code (as printed, any case, with or without dashes) to check a certificate.

    A code that reads as one goes to its page; anything else (a slash, a wrong length, letters a
    code never has, control characters) gets the form back with a 400 and what a code looks like.
    """
    code = request.GET.get("code", "")
    if not code.strip():
        return render(request, "certificates/verify_form.html")
    canonical = normalise_code(code)
    if canonical is not None:
        return redirect("certificates:verify", canonical)
    message = _(
        "This is not a certificate code. A code has 17 letters and digits in five groups, "
        "like XXXX-XXXX-XXXX-XXXX-X, and never contains the letters I, L, O or U."
    )
    if _wants_json(request):
        return JsonResponse({"status": "malformed", "error": message}, status=400)
    return render(
        request,
        "certificates/verify_form.html",
        {"error": message, "typed": printable(code)[:40]},
        status=400,
    )


@require_GET
@never_cache
def verify(request, code: str):
    """Anyone may check a code: valid, revoked (with the date), superseded, or not found."""
    if not ratelimit.allow(f"verify:{_client_address(request)}", limit=VERIFY_LIMIT_PER_MINUTE, seconds=60):
        message = _("Too many checks from your connection. Please wait a minute.")
        if _wants_json(request):
            return JsonResponse({"error": message}, status=429)
        return render(request, "certificates/verify.html", {"limited": True, "message": message}, status=429)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        if _wants_json(request):
            return JsonResponse({"status": "unknown"}, status=404)
        return render(request, "certificates/verify.html", {"code": printable(code)[:40]}, status=404)
    facts = selectors.public_facts(certificate)
    if _wants_json(request):
        return JsonResponse(facts)
    return render(request, "certificates/verify.html", {"certificate": certificate, "facts": facts})


@login_required
@require_GET
def download(request, code: str, language: str):
    """The holder's own certificate PDF; anyone else gets the same 404 as for a missing one."""
    certificate = (
        Certificate.objects.select_related("enrollment__course")
        .filter(code=normalise_code(code) or "", user=request.user)
        .first()
    )
    if certificate is None or language not in ("mn", "en"):
        raise Http404(_("Certificate not found."))
    # A certificate of a restricted course is part of that course: the same decision as its pages.
    access_for(user=request.user, page=certificate.enrollment.course).enforce()
    pdf = certificate.pdf(language)
    response = FileResponse(
        pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"certificate-{certificate.code}-{language}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
