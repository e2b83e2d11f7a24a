"""allauth behaviour specific to CPC Learn."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings

from . import lockout


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up stays open; emails go out in the language the person is using."""

    def is_open_for_signup(self, request):
        return getattr(settings, "ACCOUNT_SIGNUP_OPEN", True)

    def login(self, request, user):
        """Every allauth sign-in (password and two-factor code, a confirmed email, ...) ends here:
        while the account or the address is locked out, nobody is signed in, whatever they knew."""
        if lockout.is_locked_out(request, email=user.email):
            clear_login(request)
            raise ImmediateHttpResponse(lockout.lockout_response(request))
        super().login(request, user)
