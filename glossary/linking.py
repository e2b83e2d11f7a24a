"""Link glossary terms in a lesson's HTML: the first mention of each term shows its definition on tap.

The markup needs no JavaScript. Each first mention becomes a button that opens a popover (the
HTML ``popover`` attribute) holding the definition; browsers without popovers show the
definition inline, after the term. Headings, links, buttons and code are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.html import escape

from .matching import stems_pattern
from .selectors import Entry

TAG = re.compile(r"(<[^>]+>)")
TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")
SKIP = {
    "a",
    "button",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "code",
    "pre",
    "script",
    "style",
    "figcaption",
    "summary",
    "label",
}


def _mention(entry: Entry, words: str, index_url: str, more: str) -> str:
    popover = f"gl-{entry.slug}"
    return (
        f'<button type="button" class="glossary-term" popovertarget="{popover}">{words}</button>'
        f'<span class="glossary-pop" id="{popover}" popover role="note">'
        f'<strong class="glossary-pop-term">{escape(entry.term)}</strong> '
        f'<span class="glossary-pop-text">{escape(entry.definition)}</span> '
        f'<a class="glossary-pop-more" href="{escape(index_url)}#{escape(entry.slug)}">{escape(more)}</a>'
        "</span>"
    )


def link_terms(html: str, entries: Sequence[Entry], *, index_url: str, more: str) -> tuple[str, list[Entry]]:
    """Return the HTML with the first mention of each term linked, and the terms found, in order."""
    owner: dict[str, Entry] = {}
    for entry in entries:
        for stem in entry.stems:
            owner.setdefault(stem.casefold(), entry)
    pattern = stems_pattern(owner)
    if pattern is None:
        return html, []
    found: list[Entry] = []
    linked: set[str] = set()
    skipping: list[str] = []
    parts = []
    for part in TAG.split(html):
        if not part:
            continue
        if part.startswith("<"):
            name_match = TAG_NAME.match(part)
            name = name_match.group(1).lower() if name_match else ""
            if name in SKIP and not part.endswith("/>"):
                if part.startswith("</"):
                    if name in skipping:
                        del skipping[len(skipping) - 1 - skipping[::-1].index(name)]
                else:
                    skipping.append(name)
            parts.append(part)
            continue
        if skipping:
            parts.append(part)
            continue

        def replace(match: re.Match) -> str:
            entry = _entry_for(match.group(0), owner)
            if entry is None or entry.slug in linked:
                return match.group(0)
            linked.add(entry.slug)
            found.append(entry)
            return _mention(entry, match.group(0), index_url, more)

        parts.append(pattern.sub(replace, part))
    return "".join(parts), found


def _entry_for(words: str, owner: dict[str, Entry]) -> Entry | None:
    """The term whose longest stem starts the matched words."""
    folded = " ".join(words.casefold().split())
    best = None
    for stem, entry in owner.items():
        normal = " ".join(stem.split())
        if folded.startswith(normal) and (best is None or len(normal) > len(best[0])):
            best = (normal, entry)
    return best[1] if best else None
