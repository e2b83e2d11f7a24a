"""Receivers for sign-in events."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="accounts.remember_cms_access")
def remember_cms_access(sender, request, user, **kwargs):
    # Pages show the Wagtail user bar from this flag, so learners' pages skip a permission query.
    if request is not None and hasattr(request, "session"):
        request.session["cms_access"] = user.has_perm("wagtailadmin.access_admin")
