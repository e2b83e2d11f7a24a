"""Media storage: public files under MEDIA_ROOT, files of restricted courses kept private.

A stored name that starts with ``restricted/`` (see ``courses.services`` restricted files) lives
under ``PRIVATE_MEDIA_ROOT``, which no web server serves, and its URL is the view that asks the
access decision (``courses.views.restricted_file``). Everything else is ordinary public media.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils._os import safe_join

RESTRICTED_PREFIX = "restricted/"


def is_restricted_name(name: str | None) -> bool:
    return bool(name) and name.replace("\\", "/").startswith(RESTRICTED_PREFIX)


class MediaStorage(FileSystemStorage):
    """The default storage: routes restricted names to the private root and the checking view."""

    def path(self, name):
        if is_restricted_name(name):
            return safe_join(os.path.abspath(settings.PRIVATE_MEDIA_ROOT), name)
        return super().path(name)

    def _save(self, name, content):
        saved = super()._save(name, content)
        if not is_restricted_name(name):
            return saved
        # Django answers the name relative to MEDIA_ROOT; a private file's is relative to its root.
        full_path = os.path.normpath(os.path.join(self.location, saved))
        return os.path.relpath(full_path, os.path.abspath(settings.PRIVATE_MEDIA_ROOT)).replace("\\", "/")

    def url(self, name):
        if is_restricted_name(name):
            return reverse("restricted_file", args=[name.replace("\\", "/")])
        return super().url(name)


def rendition_upload_to(rendition, filename: str) -> str:
    """Where Wagtail stores a rendition: beside its original's kind, so a restricted image's
    renditions are restricted too (``images/...`` or ``restricted/images/...``)."""
    folder = "images"
    if is_restricted_name(rendition.image.file.name):
        folder = RESTRICTED_PREFIX + "images"
    return os.path.join(folder, rendition.file.field.storage.get_valid_name(filename))
