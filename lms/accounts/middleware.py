"""Two-factor sign-in: required for staff before the admin, and for restricted courses."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from lms.http import wants_json

from .errors import TwoFactorRequired
from .selectors import has_two_factor, requires_two_factor


def two_factor_setup_url(next_url: str) -> str:
    return f"{reverse('mfa_activate_totp')}?{urlencode({'next': next_url})}"


class TwoFactorRequiredMiddleware:
    """Send staff (and anyone else who must use two-factor sign-in) to set it up before /admin/,
    and answer ``TwoFactorRequired`` raised by any view (the access decision of a restricted course)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/admin/")
            and user is not None
            and user.is_authenticated
            and requires_two_factor(user)
            and not has_two_factor(user)
        ):
            messages.info(request, _("Set up two-factor sign-in before you use the administration area."))
            return redirect(two_factor_setup_url(request.get_full_path()))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, TwoFactorRequired):
            return None
        message = _("Set up two-factor sign-in to open this course.")
        if request.method in ("GET", "HEAD") and not wants_json(request):
            messages.info(request, message)
            return redirect(two_factor_setup_url(request.get_full_path()))
        # An action (enrol, complete, answer...) is refused and changes nothing; the page says where
        # to go. The browser comes back to the page it was on, not to the action's URL.
        if wants_json(request):
            return JsonResponse({"error": message, "setup_url": reverse("mfa_activate_totp")}, status=403)
        return render(
            request,
            "accounts/two_factor_required.html",
            {"message": message, "setup_url": two_factor_setup_url(_came_from(request))},
            status=403,
        )


def _came_from(request) -> str:
    """The page the refused action was sent from (this site only), to return to after set-up."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"
