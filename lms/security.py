"""Content Security Policy: strict for the learner site; the Wagtail admin also gets inline styles."""

import base64
import hashlib

from csp.middleware import CSPMiddleware as BaseCSPMiddleware

ADMIN_PREFIX = "/admin/"
# The Wagtail admin (staff only, behind two-factor sign-in) runs inline scripts and sets inline
# styles in its own markup; the learner site never does.
ADMIN_RELAXATIONS = {
    "script-src": ["'unsafe-inline'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["blob:"],
}


# A page with H5P players (h5p-standalone) writes each player's frame with one fixed inline script
# ("H5PIntegration = window.parent.H5PIntegration; …", in H5P core's getHeadTags); the frame
# inherits this page's policy, so that exact script is allowed by its hash, on those pages only.
H5P_FRAME_SCRIPT = (
    "H5PIntegration = window.parent.H5PIntegration; var H5P = H5P || {}; H5P.externalEmbed = false;"
)
# H5P content types also write style="…" attributes into their markup.
H5P_RELAXATIONS = {
    "style-src-attr": ["'unsafe-inline'"],
    "script-src": [
        "'sha256-" + base64.b64encode(hashlib.sha256(H5P_FRAME_SCRIPT.encode()).digest()).decode() + "'"
    ],
}


class CSPMiddleware(BaseCSPMiddleware):
    def process_response(self, request, response):
        if getattr(response, "_csp_update", None) is None:
            if request.path.startswith(ADMIN_PREFIX):
                response._csp_update = ADMIN_RELAXATIONS
            elif getattr(request, "h5p_players", None):  # set by the H5P block (assessments.h5p_tags)
                response._csp_update = H5P_RELAXATIONS
        return super().process_response(request, response)
