"""Finding a term in running text, in Mongolian and English (pure Python: the content checker uses it
without a database).

A term is given as stems: the term itself and shorter forms for its inflections ("хүн худалдаал"
finds худалдаалах, худалдаалсан, худалдаалагч...). A stem matches at the start of a word and
takes in the rest of that word, ignoring case; spaces inside a stem match any run of white space.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _stem_regex(stem: str) -> str:
    return r"\s+".join(re.escape(word) for word in stem.split())


def stems_pattern(stems: Iterable[str]) -> re.Pattern | None:
    """One pattern for many stems, the longest first (so a longer term wins over a shorter one)."""
    unique = sorted({stem.strip() for stem in stems if stem and stem.strip()}, key=len, reverse=True)
    if not unique:
        return None
    alternatives = "|".join(_stem_regex(stem) for stem in unique)
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)


def mentions(text: str, stems: Iterable[str]) -> list[str]:
    """The words of ``text`` that one of ``stems`` finds, in order."""
    pattern = stems_pattern(stems)
    return [match.group(0) for match in pattern.finditer(text)] if pattern else []
