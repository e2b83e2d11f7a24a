"""Receivers for sign-in events."""

from allauth.account.signals import password_reset
from allauth.mfa.signals import authentication_failed
from axes.utils import reset as axes_reset
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import lockout


@receiver(user_logged_in, dispatch_uid="accounts.remember_cms_access")
def remember_cms_access(sender, request, user, **kwargs):
    # Pages show the Wagtail user bar from this flag, so learners' pages skip a permission query.
    if request is not None and hasattr(request, "session"):
        request.session["cms_access"] = user.has_perm("wagtailadmin.access_admin")


@receiver(authentication_failed, dispatch_uid="accounts.count_wrong_two_factor_code")
def count_wrong_two_factor_code(sender, request, user, **kwargs):
    # A wrong two-factor code counts against the account like a wrong password, so the lockout
    # also stops guessing codes once someone has the password.
    if request is not None:
        lockout.count_failure(request, email=user.email)


@receiver(password_reset, dispatch_uid="accounts.forgive_after_password_reset")
def forgive_after_password_reset(sender, request, user, **kwargs):
    # Whoever reset the password by email owns the mailbox: their account's lockout is lifted.
    if user.email:
        axes_reset(username=user.email.lower())
