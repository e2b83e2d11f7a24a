"""The site's own 404 and 500 pages under `make run` (DEBUG) too.

With DEBUG on, Django answers a missing page with its technical page, which lists every URL
pattern of the site, and an error with a traceback in the browser. A fresh `make run` is what
people try the platform with, so there the site answers as in production: its own 404.html
(status 404) and 500.html (status 500). The traceback still goes to the console log. Set
``SITE_ERROR_PAGES=false`` in the environment to get Django's debug pages back while developing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views import defaults

logger = logging.getLogger("django.request")


class SiteErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def active() -> bool:
        return settings.DEBUG and getattr(settings, "SITE_ERROR_PAGES", False)

    def __call__(self, request):
        response = self.get_response(request)
        if self.active() and response.status_code == 404 and request.resolver_match is None:
            # no URL pattern matched: Django's technical 404 page was rendered; answer with ours
            return defaults.page_not_found(request, Http404())
        return response

    def process_exception(self, request, exception):
        if not self.active():
            return None
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return None  # Django's 403 handling is the same with DEBUG on
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return defaults.server_error(request)
