"""What kind of answer a request wants, for every app (one rule, not one per view)."""

from __future__ import annotations


def wants_json(request) -> bool:
    """A script asks for JSON: ``fetch`` with ``X-Requested-With: fetch`` (the site's own scripts),
    or a client that accepts JSON and not HTML."""
    return request.headers.get("x-requested-with") == "fetch" or (
        request.accepts("application/json") and not request.accepts("text/html")
    )
