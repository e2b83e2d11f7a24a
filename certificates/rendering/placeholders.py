"""Template placeholders: ``{name}``, ``{course}`` and the rest, checked and filled in one pass."""

from __future__ import annotations

import difflib
import re

_PLACEHOLDERS = frozenset({"name", "course", "release", "date", "hours", "code"})
_CANDIDATE = re.compile(r"\s*\w+\s*")


class PlaceholderError(ValueError):
    """A template that cannot be filled. `unknown` lists the unknown placeholders as written
    (e.g. ``"{nmae}"``); `unbalanced` lists ``(brace, 1-based character position)``."""

    def __init__(self, message: str, unknown: list[str], unbalanced: list[tuple[str, int]]):
        super().__init__(message)
        self.unknown = unknown
        self.unbalanced = unbalanced


def placeholders() -> set[str]:
    """The placeholder names templates may use: name, course, release, date, hours, code."""
    return set(_PLACEHOLDERS)


def _excerpt(text: str, index: int) -> str:
    start, end = max(0, index - 12), min(len(text), index + 13)
    snippet = text[start:end].replace("\r", " ").replace("\n", " ")
    return ("…" if start else "") + snippet + ("…" if end < len(text) else "")


def _parse(text: str) -> list[str | tuple[str]]:
    """Split a template into literal strings and 1-tuples of placeholder names, or raise."""
    pieces: list[str | tuple[str]] = []
    unknown: list[str] = []
    unbalanced: list[tuple[str, int]] = []
    problems: list[str] = []
    literal_start = index = 0
    while index < len(text):
        character = text[index]
        if character == "}":
            unbalanced.append(("}", index + 1))
            problems.append(f"unbalanced '}}' at character {index + 1} ({_excerpt(text, index)!r})")
            index += 1
            continue
        if character != "{":
            index += 1
            continue
        close = text.find("}", index + 1)
        candidate = text[index + 1 : close] if close != -1 else ""
        if close == -1 or not _CANDIDATE.fullmatch(candidate):
            unbalanced.append(("{", index + 1))
            hint = (
                " (placeholders use single braces, e.g. {name})" if text[index + 1 : index + 2] == "{" else ""
            )
            problems.append(f"unbalanced '{{' at character {index + 1} ({_excerpt(text, index)!r}){hint}")
            index += 1
            continue
        if candidate in _PLACEHOLDERS:
            pieces.append(text[literal_start:index])
            pieces.append((candidate,))
        else:
            written = "{" + candidate + "}"
            unknown.append(written)
            close_matches = difflib.get_close_matches(candidate.strip().lower(), sorted(_PLACEHOLDERS), n=1)
            hint = f" (did you mean {{{close_matches[0]}}}?)" if close_matches else ""
            problems.append(f"unknown placeholder {written}{hint}")
        index = literal_start = close + 1
    if problems:
        allowed = ", ".join("{" + name + "}" for name in sorted(_PLACEHOLDERS))
        raise PlaceholderError(
            f"The template cannot be used: {'; '.join(problems)}. Allowed placeholders: {allowed}.",
            unknown,
            unbalanced,
        )
    pieces.append(text[literal_start:])
    return pieces


def template_placeholders(text: str) -> set[str]:
    """The placeholder names a template uses; raises PlaceholderError (a ValueError) like
    fill_placeholders does. Handy to validate a template when an editor saves it."""
    return {piece[0] for piece in _parse(text) if isinstance(piece, tuple)}


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace {name}, {course}, {release}, {date}, {hours}, {code} in one pass.

    Raises PlaceholderError (a ValueError) naming any unknown placeholder (e.g. "{nmae}") or
    unbalanced brace, so a template with a typo is refused; and ValueError when `values` has a key
    that is not a placeholder or lacks one the template uses. Values are inserted literally: braces
    inside a value (say, in a person's name) are not interpreted.
    """
    extra = set(values) - _PLACEHOLDERS
    if extra:
        raise ValueError(f"Not placeholder names: {', '.join(sorted(extra))}.")
    pieces = _parse(text)
    missing = sorted({piece[0] for piece in pieces if isinstance(piece, tuple)} - set(values))
    if missing:
        raise ValueError(f"No value given for {', '.join('{' + name + '}' for name in missing)}.")
    return "".join(piece if isinstance(piece, str) else str(values[piece[0]]) for piece in pieces)
