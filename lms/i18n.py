"""The bilingual fallback, in one place.

Content that is not a Wagtail page keeps its two languages side by side, as ``<field>_mn`` and
``<field>_en`` (attributes of a model, or keys of a dict such as a pinned question). Mongolian is
the programme's language and always filled in; English falls back to it when empty.
"""

from __future__ import annotations

from django.utils import translation


def bilingual(obj, field: str, language: str | None = None) -> str:
    """The value of ``<field>_<language>`` (by default the active language), or the Mongolian one
    when that is empty. ``obj`` is a model instance or a dict."""
    language = language or translation.get_language() or "mn"
    read = obj.get if isinstance(obj, dict) else (lambda name, default="": getattr(obj, name, default))
    if language.startswith("en"):
        value = read(f"{field}_en", "")
        if value:
            return value
    return read(f"{field}_mn", "") or ""
