"""Administrators decide on requests for access to restricted courses."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .models import AccessRequest

PERMISSION = "accounts.change_accessrequest"


def _require(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def access_requests(request):
    _require(request)
    pending = AccessRequest.objects.filter(status=AccessRequest.Status.PENDING).select_related(
        "user", "user__organisation", "user__region", "group"
    )
    decided = (
        AccessRequest.objects.exclude(status=AccessRequest.Status.PENDING)
        .select_related("user", "group", "decided_by")
        .order_by("-decided_at")[:50]
    )
    return render(request, "accounts/admin/access_requests.html", {"pending": pending, "decided": decided})


@require_http_methods(["POST"])
def access_request_decide(request, request_id: int):
    _require(request)
    access_request = get_object_or_404(AccessRequest, pk=request_id)
    decision = request.POST.get("decision")
    if decision not in ("approve", "refuse"):
        messages.error(request, _("Choose approve or refuse."))
        return redirect("accounts_admin:access_requests")
    try:
        services.access_request_decide(
            request=access_request,
            approve=decision == "approve",
            by=request.user,
            note=request.POST.get("note", ""),
        )
    except services.AccessError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Decision saved for %(name)s.") % {"name": access_request.user.get_full_name()}
        )
    return redirect("accounts_admin:access_requests")
