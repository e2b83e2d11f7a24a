"""File names of exports that say what is in them: the table and the filters applied.

``cpc-learn-completions-fy2026-q3-bayanzurkh-teacher.csv``: ASCII only (Mongolian names are
transliterated), lower case, never over ``MAX_LENGTH`` characters. Slugs and codes are used where
a record has one, then the English name, then the Mongolian one transliterated.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.text import slugify

from . import periods

PREFIX = "cpc-learn"
MAX_LENGTH = 100

# Mongolian Cyrillic to Latin, close to the national romanisation (MNS 5217:2012).
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "ye", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "ө": "u", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "i", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def ascii_slug(text: str) -> str:
    """``Баянзүрх дүүрэг`` -> ``bayanzurkh-duureg``: transliterated, then slugified."""
    latin = "".join(CYRILLIC.get(char, char) for char in str(text or "").lower())
    return slugify(latin)


def name_part(thing) -> str:
    """The part of a file name that names a record: its code or slug, its English name, or its
    Mongolian name transliterated; a plain value (a role, a kind) as it is."""
    if thing is None or thing == "":
        return ""
    if isinstance(thing, str):
        return ascii_slug(thing)
    for attribute in ("code", "slug", "name_en", "name_mn", "title"):
        value = getattr(thing, attribute, "")
        if value and ascii_slug(value):
            return ascii_slug(value)
    return ascii_slug(str(getattr(thing, "pk", "")))


def period_part(start: dt.date | None, end: dt.date | None, *, today: dt.date | None = None) -> str:
    """``fy2026-q3`` for a whole fiscal quarter, else the dates (``20260101-20260331``,
    ``from-20260101``); without dates, ``to-`` today (the data stops there)."""
    if start and end:
        year, quarter = periods.fiscal_quarter(start)
        if (start, end) == periods.quarter_bounds(year, quarter):
            return f"fy{year}-q{quarter}"
        return f"{start:%Y%m%d}-{end:%Y%m%d}"
    if start:
        return f"from-{start:%Y%m%d}"
    return f"to-{(end or today or timezone.localdate()):%Y%m%d}"


def export_filename(table: str, fmt: str, parts: list[str]) -> str:
    """``cpc-learn-<table>-<parts…>.<fmt>``, cut to ``MAX_LENGTH`` characters: the table and the
    period come first, so what is cut last is the narrowest filter."""
    words = [PREFIX, ascii_slug(table), *(part for part in parts if part)]
    stem = "-".join(words)
    room = MAX_LENGTH - len(fmt) - 1
    if len(stem) > room:
        stem = stem[:room].rstrip("-")
    return f"{stem}.{fmt}"


def report_filename(table: str, fmt: str, filters, *, today: dt.date | None = None) -> str:
    """The name of a programme report export: the table, then the filters that narrow it."""
    return export_filename(
        table,
        fmt,
        [
            period_part(filters.start, filters.end, today=today),
            name_part(filters.region),
            name_part(filters.organisation_kind),
            name_part(filters.organisation),
            name_part(filters.role),
            name_part(filters.course),
            f"v{ascii_slug(filters.release.version.replace('.', '-'))}" if filters.release else "",
            name_part(filters.sex),
            name_part(filters.age_band),
        ],
    )
