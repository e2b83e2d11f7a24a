"""Serving the files of a package: a safe path, the right type, byte ranges, caching headers.

Access is checked by the caller (``assessments.h5p.views``); this module only turns a path
inside a folder into a response.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse

CHUNK = 64 * 1024

# Explicit types: the system's mimetypes table differs between machines.
CONTENT_TYPES = {
    "json": "application/json",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
    "xml": "application/xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "eot": "application/vnd.ms-fontobject",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "webm": "video/webm",
    "mp4": "video/mp4",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "txt": "text/plain; charset=utf-8",
    "md": "text/plain; charset=utf-8",
    "textile": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "diff": "text/plain; charset=utf-8",
    "patch": "text/plain; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
    "webvtt": "text/vtt; charset=utf-8",
    "pdf": "application/pdf",
    "rtf": "application/rtf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "gltf": "model/gltf+json",
    "glb": "model/gltf-binary",
}
# Opened directly (not as part of the player), a file is inert: no scripts, no plugins, no forms.
FILE_POLICY = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox"
LIBRARY_CACHE = "private, max-age=31536000, immutable"
CONTENT_CACHE = "private, max-age=3600"
RUNTIME_CACHE = "public, max-age=31536000, immutable"
NO_CACHE = "private, no-cache"

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def content_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return CONTENT_TYPES.get(extension, "application/octet-stream")


def resolve(base: Path, relative: str) -> Path:
    """The regular file at ``relative`` inside ``base``; 404 for anything else (``..``, hidden
    names, folders, links, escapes)."""
    parts = relative.split("/")
    if not relative or any(not part or part in (".", "..") or part.startswith(".") for part in parts):
        raise Http404
    if "\\" in relative or "\x00" in relative:
        raise Http404
    path = base.joinpath(*parts)
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        raise Http404 from None
    if not stat.S_ISREG(info.st_mode):
        raise Http404
    real_base = os.path.realpath(base)
    if os.path.commonpath([real_base, os.path.realpath(path)]) != real_base:
        raise Http404
    return path


def _byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) for a single satisfiable range; None to send everything; False when the
    range cannot be satisfied (416)."""
    match = _RANGE_RE.match(header.strip())
    if not match:
        return None  # malformed or several ranges: ignore the header, as RFC 9110 allows
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0:
            return False
        return max(0, size - length), size - 1
    start = int(first)
    if start >= size:
        return False
    end = int(last) if last else size - 1
    if end < start:
        return None
    return start, min(end, size - 1)


def _chunks(handle, length: int):
    try:
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()


def file_response(request, path: Path, *, cache_control: str) -> HttpResponse:
    """The file, whole or the one byte range asked for, with its type and caching headers."""
    size = path.stat().st_size
    requested = _byte_range(request.headers.get("Range", ""), size) if request.headers.get("Range") else None
    if requested is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif requested is None or request.method == "HEAD":
        response = FileResponse(open(path, "rb"), content_type=content_type(path.name))  # noqa: SIM115
        response["Content-Length"] = str(size)
    else:
        first, last = requested
        handle = open(path, "rb")  # noqa: SIM115 - closed by the generator
        handle.seek(first)
        response = StreamingHttpResponse(
            _chunks(handle, last - first + 1), status=206, content_type=content_type(path.name)
        )
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    return response
