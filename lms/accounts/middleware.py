"""Two-factor sign-in is required for staff before they reach the admin."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .selectors import has_two_factor, requires_two_factor


class TwoFactorRequiredMiddleware:
    """Send staff (and anyone else who must use two-factor sign-in) to set it up before /admin/."""

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
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
