"""With ``H5P_ORIGIN`` set, the H5P host answers the player's frame and runtime URLs only: package
code running there cannot reach a page of the site on its own origin."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404

PLAYER_PATH = re.compile(r"^/(?:[a-z]{2}/)?learn/h5p/(?:play|runtime)/")


class H5POriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.H5P_ORIGIN:
            h5p_host = (urlsplit(settings.H5P_ORIGIN).netloc or "").lower()
            if request.get_host().lower() == h5p_host and not PLAYER_PATH.match(request.path):
                raise Http404
        return self.get_response(request)
