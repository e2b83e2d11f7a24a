"""What kind of answer a request wants, for every app (one rule, not one per view)."""

from __future__ import annotations


def wants_json(request) -> bool:
    """A script asks for JSON: ``fetch`` with ``X-Requested-With: fetch`` (the site's own scripts),
    or a client that accepts JSON and not HTML."""
    return request.headers.get("x-requested-with") == "fetch" or (
        request.accepts("application/json") and not request.accepts("text/html")
    )


OFFLINE_DOWNLOAD_HEADER = "X-CPC-Offline"


def is_offline_download(request) -> bool:
    """The page is fetched to be kept on the learner's phone (lms.offline), not opened: it records
    no visit (a download must not mark every lesson started, nor move where they left off)."""
    return request.headers.get(OFFLINE_DOWNLOAD_HEADER) == "download"
