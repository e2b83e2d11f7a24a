"""Account pages: the profile, and allauth's forms answering bad input with 400."""

from allauth.account import views as allauth_views
from allauth.mfa.recovery_codes import views as mfa_recovery_views
from allauth.mfa.totp import views as mfa_totp_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lms import ratelimit

from . import services
from .forms import AccessRequestForm, DeleteAccountForm, JoinForm, ProfileForm


class InvalidFormIs400:
    """A form that fails validation is re-rendered with status 400, not 200."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class SignupView(InvalidFormIs400, allauth_views.SignupView):
    pass


class LoginView(InvalidFormIs400, allauth_views.LoginView):
    def get_authenticated_redirect_url(self):
        """A signed-in person is sent on to `next`, except into the admin when they may not use
        it: the admin would send them straight back here. They land on their own learning page,
        where the admin's "no permission" message is shown."""
        url = super().get_authenticated_redirect_url()
        admin = reverse("wagtailadmin_home")
        if url.startswith(admin) and not self.request.user.has_perm("wagtailadmin.access_admin"):
            return reverse(settings.LOGIN_REDIRECT_URL)
        return url


class PasswordResetView(InvalidFormIs400, allauth_views.PasswordResetView):
    pass


class PasswordChangeView(InvalidFormIs400, allauth_views.PasswordChangeView):
    pass


def _safe_next(request, default: str) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@never_cache
def sign_in_handover(request, *, default_next: str = "/"):
    """Wagtail's own sign-in forms (the admin's and the one for private pages) hand over to the
    site's sign-in page, keeping a safe `next`. They never check a password: whatever is posted
    here, nobody is signed in, so verified email, two-factor and lockout always apply."""
    query = urlencode({REDIRECT_FIELD_NAME: _safe_next(request, default_next)})
    return redirect(f"{reverse('account_login')}?{query}")


@never_cache
def password_reset_handover(request, *args, **kwargs):
    """Wagtail's admin password reset (every step of it) hands over to the site's reset page."""
    return redirect("account_reset_password")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """A learner keeps their name, role, organisation and region current."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.profile_update(user=user, by=user, **form.profile_data())
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
        status = 400
    else:
        form = ProfileForm(initial={field: getattr(user, field) for field in ProfileForm.base_fields})
        status = 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def join(request):
    """Redeem an invitation code (rate-limited: codes must not be guessable by trying)."""
    form = JoinForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not ratelimit.allow(f"join:{request.user.pk}", limit=10, seconds=3600):
            return render(request, "accounts/join.html", {"form": form, "limited": True}, status=429)
        if form.is_valid():
            try:
                invitation = services.invitation_redeem(user=request.user, code=form.cleaned_data["code"])
            except services.AccessError as error:
                form.add_error("code", error.message)
            else:
                messages.success(
                    request,
                    _("Welcome: you now have access for %(group)s.") % {"group": invitation.group.name},
                )
                return redirect("wagtail_serve", "")
        status = 400
    return render(request, "accounts/join.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def request_access(request):
    form = AccessRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.access_request_create(
                    user=request.user, group=form.cleaned_data["group"], message=form.cleaned_data["message"]
                )
            except services.AccessError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your request was sent. An administrator will decide soon."))
                return redirect("accounts:profile")
        status = 400
    pending = request.user.access_requests.select_related("group")
    return render(request, "accounts/request_access.html", {"form": form, "requests": pending}, status=status)


@login_required
@require_http_methods(["GET"])
def my_data(request):
    """Everything stored about the signed-in person, as a JSON download."""
    data = services.personal_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="cpc-learn-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """Anonymise the account after the person confirms with their password."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            services.account_anonymise(user=request.user)
            logout(request)
            messages.success(request, _("Your account was deleted. Thank you for learning with us."))
            return redirect("wagtail_serve", "")
        return render(request, "accounts/delete_account.html", {"form": form}, status=400)
    return render(request, "accounts/delete_account.html", {"form": form})


class _KeepsNext:
    """Two-factor set-up keeps where the person was going (`next`, this site only) through the
    set-up and the recovery codes, and ends there."""

    def next_url(self) -> str:
        return _safe_next(self.request, "")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next_url"] = self.next_url()
        return context


class ActivateTOTPView(_KeepsNext, InvalidFormIs400, mfa_totp_views.ActivateTOTPView):
    def get_success_url(self) -> str:
        target = self.next_url()
        if self.did_generate_recovery_codes:
            url = reverse("mfa_view_recovery_codes")
            return f"{url}?{urlencode({REDIRECT_FIELD_NAME: target})}" if target else url
        return target or reverse("mfa_index")


class ViewRecoveryCodesView(_KeepsNext, mfa_recovery_views.ViewRecoveryCodesView):
    pass
