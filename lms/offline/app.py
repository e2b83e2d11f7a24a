"""The installable app: its manifest in both languages, the service worker's start-up script (the
list of the site's own files it keeps, each with its revision) and the key that names a person's
offline copies on a device (plain Python, no database)."""

from __future__ import annotations

import functools
import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

# The site's own files every offline page needs: kept by the service worker at install.
SHELL_FILES = (
    "css/site.css",
    "glossary/glossary.css",
    "img/favicon.svg",
    "img/icon-192.png",
    "js/lesson.js",
    "js/quiz.js",
    "js/copy.js",
    "js/h5p-player.js",
    "js/offline-store.js",
    "js/offline.js",
)
SW_SCRIPT = "js/offline-sw.js"
WORKBOX_PREFIX = "workbox"  # STATICFILES_DIRS: the Workbox modules from npm, never from a CDN
WORKBOX_MODULES = (
    "workbox-core",
    "workbox-routing",
    "workbox-strategies",
    "workbox-precaching",
)  # precaching uses strategies
THEME = "#0b5563"


def user_key(user) -> str:
    """What names a person's offline copies and queue on a device: stable, not their id."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return salted_hmac("lms.offline.user", str(user.pk)).hexdigest()[:24]


@functools.cache
def _revision(path: str) -> str:
    found = finders.find(path)
    if not found:
        return "missing"
    with open(found, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:16]


def _offline_pages() -> list[str]:
    pages = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            pages.append(reverse("offline_page"))
    return pages


def service_worker_script() -> str:
    """The worker's first lines: its configuration, then the worker itself (lms/static)."""
    shell = [{"url": static(path), "revision": _revision(path)} for path in SHELL_FILES]
    # The fallback pages change with the site's templates and translations: the release names them.
    release = hashlib.sha256(
        "".join(entry["revision"] for entry in shell).encode() + settings.OFFLINE_APP_VERSION.encode()
    ).hexdigest()[:16]
    shell += [{"url": url, "revision": release} for url in _offline_pages()]
    pages = _offline_pages()
    config = {
        "shell": shell,
        "offlinePages": {code: url for (code, _name), url in zip(settings.LANGUAGES, pages, strict=True)},
        "workbox": static(f"{WORKBOX_PREFIX}/workbox-sw.js"),
        # Each module's URL as the static files storage names it (hashed in production).
        "workboxModules": {name: static(f"{WORKBOX_PREFIX}/{name}.prod.js") for name in WORKBOX_MODULES},
        "release": release,
        "worker": _revision(SW_SCRIPT),
    }
    return (
        "/* CPC Learn service worker: configuration written by the server (lms.offline.app). */\n"
        f"self.CPC_OFFLINE = {json.dumps(config)};\n"
        f"importScripts({json.dumps(static('js/offline-store.js'))}, {json.dumps(static(SW_SCRIPT))});\n"
    )


def web_manifest(language: str) -> dict:
    codes = [code for code, _name in settings.LANGUAGES]
    language = language if language in codes else settings.LANGUAGE_CODE
    with translation.override(language):
        start = reverse("courses:dashboard")
        return {
            "name": _("CPC Learn: child-protection training"),
            "short_name": "CPC Learn",
            "description": _(
                "Courses for teachers, youth facilitators, police and prosecutors in Mongolia. Download a course and keep learning offline."
            ),
            "lang": language,
            "start_url": start,
            "scope": "/",
            "id": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": THEME,
            "icons": [
                {
                    "src": static("img/icon-192.png"),
                    "sizes": "192x192",
                    "type": "image/png",
                    "purpose": "any maskable",
                },
                {
                    "src": static("img/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "any maskable",
                },
                {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        }
