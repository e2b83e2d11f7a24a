"""Signing out removes everything of the person the browser kept: every way out (the site's
sign-out, the admin's, a session ended by a password change) answers with Clear-Site-Data, so
downloaded courses, queued work, the service worker and cached files go even without the script."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

CLEAR_SITE_DATA = '"cache", "storage"'


@receiver(user_logged_out, dispatch_uid="lms.offline.clear_on_sign_out")
def _signed_out(sender, request, user, **kwargs):
    if request is not None:
        request.offline_clear_site_data = True


class ClearSiteDataOnSignOutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "offline_clear_site_data", False):
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
