"""Reading the glossary: the terms of one language, cached for lesson pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .models import Term

CACHE_KEY = "glossary:terms:{language}"
CACHE_SECONDS = 600


@dataclass(frozen=True)
class Entry:
    """One term as a lesson page shows it."""

    slug: str
    term: str
    definition: str
    stems: tuple[str, ...]


def glossary_for(language: str) -> list[Entry]:
    """Every term in one language, alphabetical; one query, then cached until a term changes."""
    key = CACHE_KEY.format(language=language)
    entries = cache.get(key)
    if entries is None:
        entries = sorted(
            (
                Entry(
                    slug=term.slug,
                    term=term.term(language),
                    definition=term.definition(language),
                    stems=tuple(term.stems(language)),
                )
                for term in Term.objects.all()
            ),
            key=lambda entry: entry.term.casefold(),
        )
        cache.set(key, entries, CACHE_SECONDS)
    return entries


def glossary_forget() -> None:
    cache.delete_many([CACHE_KEY.format(language=code) for code, _name in settings.LANGUAGES])
