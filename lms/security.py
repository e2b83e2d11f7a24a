"""Content Security Policy: strict for the learner site; the Wagtail admin also gets inline styles."""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings

ADMIN_PREFIX = "/admin/"
# The Wagtail admin (staff only, behind two-factor sign-in) runs inline scripts and sets inline
# styles in its own markup; the learner site never does.
ADMIN_RELAXATIONS = {
    "script-src": ["'unsafe-inline'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["blob:"],
}


# H5P players need no relaxation here: each runs in a sandboxed frame with its own policy
# (assessments.h5p.frame), so lesson pages keep the strict one; when the frames come from another
# origin (H5P_ORIGIN), pages may embed frames from it.


class CSPMiddleware(BaseCSPMiddleware):
    def process_response(self, request, response):
        if getattr(response, "_csp_update", None) is None:
            update = dict(ADMIN_RELAXATIONS) if request.path.startswith(ADMIN_PREFIX) else {}
            if settings.H5P_ORIGIN:
                update["frame-src"] = [settings.H5P_ORIGIN]
            if update:
                response._csp_update = update
        return super().process_response(request, response)
