"""Serving files that a view has checked: by nginx when it is in front, else by Python.

Wagtail's document view and the restricted-file view hand the file to ``sendfile`` (Wagtail's
``wagtail.utils.sendfile`` calls this backend, named by ``SENDFILE_BACKEND``). With
``ACCEL_REDIRECT_PREFIX`` set (e.g. ``/_protected/``), the answer is an empty response with
``X-Accel-Redirect``: nginx sends the bytes from an ``internal`` location, so no Python worker
streams a file. Without it (development, tests, no nginx), the file is streamed.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.http import FileResponse, HttpResponse


def _accel_path(filename: str) -> str | None:
    prefix = settings.ACCEL_REDIRECT_PREFIX
    if not prefix:
        return None
    path = os.path.abspath(filename)
    for folder, root in (("private/", settings.PRIVATE_MEDIA_ROOT), ("media/", settings.MEDIA_ROOT)):
        root = os.path.abspath(root) + os.sep
        if path.startswith(root):
            return prefix.rstrip("/") + "/" + folder + path[len(root) :].replace(os.sep, "/")
    return None


def sendfile(request, filename, mimetype="application/octet-stream", **kwargs):
    accel = _accel_path(filename)
    if accel is not None:
        response = HttpResponse(content_type=mimetype)
        response["X-Accel-Redirect"] = accel
        return response
    response = FileResponse(open(filename, "rb"), content_type=mimetype)  # noqa: SIM115 - closed by Django
    return response
