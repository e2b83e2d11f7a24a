"""The player's frame: its signed URL, its Content Security Policy and its runtime files (plain
Python, no database).

Each activity runs in a sandboxed frame (no ``allow-same-origin``: an opaque origin that cannot
read the site's cookies or pages) served from ``…/h5p/play/<token>/``, or from ``H5P_ORIGIN``.
The frame cannot send the site's session cookie, so its URL carries a token: signed, short-lived,
naming the person, the lesson, the activity and the file (package revision) the lesson page
chose. Every request with it asks the access decision again for that person. The token opens
nothing but that activity's files: results and saved places go through the lesson page, which
posts them with the learner's session and CSRF token.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import signing
from django.urls import reverse

_SIGNER = signing.Signer(salt="assessments.h5p.frame")

# Runtime files the frame loads, by the name it asks for: h5p-standalone's dist folder (npm) and
# this project's frame scripts (lms/static). Served with CORS (fonts need it in an opaque origin).
RUNTIME_STATIC = {
    "frame.js": "js/h5p-frame.js",
    "frame-hooks.js": "js/h5p-frame-hooks.js",
    "frame.css": "css/h5p-frame.css",
    "offline-helper.js": "js/h5p-offline-helper.js",
}
# Runtime files a frame never loads (the offline helper page's own script).
NOT_PLAYED = {"offline-helper.js"}
OFFLINE_WORKER = "js/h5p-offline-sw.js"
RUNTIME_PREFIX = "h5p-standalone/"


@dataclass(frozen=True)
class PlayerToken:
    user_id: int | None
    lesson_id: int
    activity_id: int
    revision: int
    auth: str  # part of the user's session hash: a password change ends their tokens


def _bucket(now: float | None = None) -> int:
    return int((now or time.time()) // (settings.H5P_PLAYER_TOKEN_HOURS * 3600))


def user_auth(user) -> str:
    return user.get_session_auth_hash()[:12] if getattr(user, "is_authenticated", False) else ""


def token_make(*, user, lesson_id: int, activity_id: int, revision: int) -> str:
    """A frame URL's token. Within one period (``H5P_PLAYER_TOKEN_HOURS``) the same page gets the
    same token, so the browser's cache of package files keeps working; it expires one period later."""
    payload = {
        "u": user.pk if getattr(user, "is_authenticated", False) else 0,
        "l": lesson_id,
        "a": activity_id,
        "r": revision,
        "h": user_auth(user),
        "e": _bucket() + 1,
    }
    return _SIGNER.sign_object(payload, compress=False)


def token_read(token: str) -> PlayerToken | None:
    """The token's content when its signature holds and it has not expired; else None."""
    if len(token) > 400:
        return None
    try:
        data = _SIGNER.unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        if int(data["e"]) < _bucket():
            return None
        return PlayerToken(
            user_id=int(data["u"]) or None,
            lesson_id=int(data["l"]),
            activity_id=int(data["a"]),
            revision=int(data["r"]),
            auth=str(data["h"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def source_expressions(hosts) -> list[str]:
    """CSP sources for the allowed hosts (``example.org``, ``*.example.org`` or a full origin)."""
    sources = []
    for host in hosts:
        host = host.strip()
        if host:
            sources.append(host if "://" in host else f"https://{host}")
    return sources


def frame_policy(*, own_origin: str, parent_origins: list[str], allowed_hosts) -> str:
    """The frame's Content Security Policy: this origin's files (and the allowed hosts), what H5P
    libraries need (``unsafe-eval``, inline styles, data:/blob: media), nothing else; only the
    lesson pages may embed it."""
    own = ["'self'", own_origin] if own_origin else ["'self'"]
    extra = source_expressions(allowed_hosts)
    directives = {
        "default-src": ["'none'"],
        "script-src": [*own, "'unsafe-eval'", *extra],
        "style-src": [*own, "'unsafe-inline'", *extra],
        "img-src": [*own, "data:", "blob:", *extra],
        "media-src": [*own, "data:", "blob:", *extra],
        "font-src": [*own, "data:", *extra],
        "connect-src": [*own, *extra],
        "frame-src": extra or ["'none'"],
        "worker-src": ["blob:", *own],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": parent_origins or ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items())


def runtime_path(name: str) -> Path | None:
    """The file behind a runtime name, or None when it is not one of the frame's runtime files."""
    if name in RUNTIME_STATIC:
        static_name = RUNTIME_STATIC[name]
    elif name.startswith(RUNTIME_PREFIX) and ".." not in name.split("/"):
        static_name = name
    else:
        return None
    found = finders.find(static_name)
    if found:
        return Path(found)
    root = Path(settings.STATIC_ROOT) / static_name  # collected, without the source folders
    return root if root.is_file() else None


@functools.cache
def runtime_version() -> str:
    """A short hash of the runtime files' versions: runtime URLs change when they do (cached
    for a long time)."""
    digest = hashlib.sha256()
    package = finders.find("h5p-standalone/main.bundle.js")
    if package:
        manifest = Path(package).parents[1] / "package.json"
        if manifest.is_file():
            digest.update(json.loads(manifest.read_text()).get("version", "").encode())
    for name in RUNTIME_STATIC:
        path = runtime_path(name)
        if path is not None:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def runtime_offline_files() -> list[tuple[str, int]]:
    """The runtime files a phone keeps to play activities offline, by the name the frame asks
    for, with their bytes: the frame's scripts and styles, h5p-standalone's scripts, styles and
    images, and its icon fonts. Text fonts (Open Sans, Inter: about 1 MB) are left to the phone's
    own, as they are when a font fails to load online."""
    names = [name for name in RUNTIME_STATIC if name not in NOT_PLAYED]
    package = finders.find("h5p-standalone/main.bundle.js")
    if package:
        dist = Path(package).parent
        for path in sorted(dist.rglob("*")):
            relative = path.relative_to(dist).as_posix()
            wanted = path.suffix in (".js", ".css", ".svg", ".gif", ".png") or (
                relative.startswith("fonts/h5p-") and path.suffix == ".woff2"
            )
            if path.is_file() and wanted:
                names.append(RUNTIME_PREFIX + relative)
    found = []
    for name in names:
        path = runtime_path(name)
        if path is not None:
            found.append((name, path.stat().st_size))
    return found


def runtime_base() -> str:
    """The path the frame's runtime files are under (``…/learn/h5p/runtime/<version>``), in the
    active language."""
    return reverse("assessments:h5p_runtime", kwargs={"version": runtime_version(), "path": "x"})[:-2]


def on_h5p_origin(request) -> bool:
    """Whether a request came to the H5P origin (``H5P_ORIGIN`` set, and its host asked)."""
    if not settings.H5P_ORIGIN:
        return False
    return request.get_host().lower() == (urlsplit(settings.H5P_ORIGIN).netloc or "").lower()


def parent_origins() -> list[str]:
    """The origins lesson pages come from (the site's, and any trusted for CSRF)."""
    found = [origin_of(settings.SITE_URL), *(origin_of(o) for o in settings.CSRF_TRUSTED_ORIGINS)]
    return [o for o in dict.fromkeys(found) if o]


def helper_policy(parents: list[str]) -> str:
    """The offline helper page's policy: its own script, fetches of its own origin, nothing else;
    only lesson pages of the site may embed it."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors " + (" ".join(parents) or "'none'"),
        ]
    )
