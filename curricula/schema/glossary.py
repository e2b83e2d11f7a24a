"""The shipped glossary (``curricula/glossary.yaml``): one rendering per term in each language.

Each term gives its rendering in Mongolian and English, a short definition, optional ``forms``
(stems of inflected words, so lessons link "хүн худалдаалсан" to "хүн худалдаалах") and
optional ``variants``: other renderings that the content checker refuses in every course.
The loader copies the terms into the glossary editors maintain in the admin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from glossary.matching import mentions, stems_pattern

from .parse import LANGS, Checker, ContentError, read_yaml

GLOSSARY_PATH = Path(__file__).resolve().parents[1] / "glossary.yaml"


@dataclass
class GlossaryTerm:
    slug: str
    term: dict[str, str]
    definition: dict[str, str]
    forms: dict[str, list[str]] = field(default_factory=lambda: {lang: [] for lang in LANGS})
    variants: dict[str, list[str]] = field(default_factory=lambda: {lang: [] for lang in LANGS})
    line: int = 0

    def stems(self, lang: str) -> list[str]:
        return [self.term[lang], *self.forms[lang]]


@dataclass
class Glossary:
    terms: list[GlossaryTerm]
    path: Path | None = None

    def variant_owner(self, lang: str) -> dict[str, GlossaryTerm]:
        """Each refused rendering, mapped to the term that must be written instead."""
        return {variant.casefold(): term for term in self.terms for variant in term.variants[lang]}

    def refused_in(self, text: str, lang: str) -> list[tuple[str, GlossaryTerm]]:
        """The refused renderings ``text`` uses, each with the term to write instead."""
        owners = self.variant_owner(lang)
        found = []
        for words in mentions(text, owners):
            folded = " ".join(words.casefold().split())
            owner = max(
                (
                    (variant, term)
                    for variant, term in owners.items()
                    if folded.startswith(" ".join(variant.split()))
                ),
                key=lambda pair: len(pair[0]),
            )
            found.append((words, owner[1]))
        return found

    def used_in(self, texts: list[str], lang: str) -> set[str]:
        """The slugs of the terms that appear in some of ``texts``."""
        used = set()
        for term in self.terms:
            pattern = stems_pattern(term.stems(lang))
            if pattern and any(pattern.search(text) for text in texts):
                used.add(term.slug)
        return used


def _word_list(check: Checker, node: dict, key: str, where: str) -> dict[str, list[str]]:
    value = node.get(key)
    if value is None:
        return {lang: [] for lang in LANGS}
    if not isinstance(value, dict) or set(value) - set(LANGS):
        check.fail(node, f"{where}: '{key}' gives lists of words by language (mn, en)")
    result = {}
    for lang in LANGS:
        words = value.get(lang) or []
        if not isinstance(words, list) or any(
            not isinstance(word, str) or not word.strip() for word in words
        ):
            check.fail(node, f"{where}: '{key}' ({lang}) must be a list of words")
        result[lang] = [word.strip() for word in words]
    return result


def read_glossary(path: Path = GLOSSARY_PATH) -> Glossary:
    """Read and check the glossary file; a rendering refused for one term may not be another's term."""
    data = read_yaml(path)
    check = Checker(path)
    data = check.mapping(data, "glossary file", 1)
    check.only(data, {"terms"}, "glossary")
    items = data.get("terms")
    if not isinstance(items, list) or not items:
        check.fail(data, "glossary needs a list of 'terms'")
    terms, seen = [], {}
    for number, item in enumerate(items, 1):
        where = f"glossary term {number}"
        item = check.mapping(item, where, items.line)
        check.only(item, {"slug", "term", "definition", "forms", "variants"}, where)
        slug = check.slug(item, where)
        if slug in seen:
            check.fail(item, f"{where}: duplicate slug '{slug}' (also on line {seen[slug]})")
        seen[slug] = item.line
        term = GlossaryTerm(
            slug=slug,
            term=check.text(item, "term", where),
            definition=check.text(item, "definition", where),
            forms=_word_list(check, item, "forms", where),
            variants=_word_list(check, item, "variants", where),
            line=item.line,
        )
        terms.append(term)
    glossary = Glossary(terms=terms, path=path)
    for lang in LANGS:
        owners = glossary.variant_owner(lang)
        for term in terms:
            for stem in term.stems(lang):
                owner = owners.get(stem.casefold())
                if owner is not None:
                    raise ContentError(
                        path,
                        term.line,
                        f"glossary: '{stem}' is the term '{term.slug}' but also a rendering refused for "
                        f"'{owner.slug}'",
                    )
    return glossary


def glossary_from_rows(rows: list[dict]) -> Glossary:
    """A glossary built from stored terms (the admin's), for the loader's checks."""
    return Glossary(
        terms=[
            GlossaryTerm(
                slug=row["slug"],
                term=row["term"],
                definition=row["definition"],
                forms=row["forms"],
                variants=row["variants"],
            )
            for row in rows
        ]
    )
