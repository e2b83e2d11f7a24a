"""Account pages: the profile, and allauth's forms answering bad input with 400."""

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import ProfileForm


class InvalidFormIs400:
    """A form that fails validation is re-rendered with status 400, not 200."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class SignupView(InvalidFormIs400, allauth_views.SignupView):
    pass


class LoginView(InvalidFormIs400, allauth_views.LoginView):
    pass


class PasswordResetView(InvalidFormIs400, allauth_views.PasswordResetView):
    pass


class PasswordChangeView(InvalidFormIs400, allauth_views.PasswordChangeView):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """A learner keeps their name, role, organisation and region current."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.profile_update(user=user, **form.profile_data())
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
        status = 400
    else:
        form = ProfileForm(initial={field: getattr(user, field) for field in ProfileForm.base_fields})
        status = 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)
