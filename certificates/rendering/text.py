"""Text layout: widths, word wrap and fitting a block of text into a box."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics


def _width(text: str, font: str, size: float, char_space: float = 0) -> float:
    return pdfmetrics.stringWidth(text, font, size) + char_space * max(0, len(text) - 1)


def _break_word(word: str, font: str, size: float, width: float) -> list[str]:
    """Split a word wider than `width`, preferably after a "/", "-", "?" or "&" (addresses)."""
    parts, current = [], ""
    for character in word:
        if current and _width(current + character, font, size) > width:
            cut = max(current.rfind(mark) for mark in "/-?&") + 1
            if 0 < cut < len(current):
                parts.append(current[:cut])
                current = current[cut:]
            else:
                parts.append(current)
                current = ""
            if current and _width(current + character, font, size) > width:
                parts.append(current)
                current = ""
        current += character
    return parts + [current] if current else parts


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; explicit line breaks are kept, over-long words are broken."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        current = ""
        for word in words:
            candidate = f"{current} {word}" if current else word
            if _width(candidate, font, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            if _width(word, font, size) <= width:
                current = word
            else:
                *full, current = _break_word(word, font, size, width)
                lines.extend(full)
        lines.append(current)
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def _ellipsize(line: str, font: str, size: float, width: float) -> str:
    while line and _width(line + "…", font, size) > width:
        line = line[:-1]
    return line.rstrip() + "…"


@dataclass
class _Block:
    lines: list[str]
    font: str
    size: float
    leading: float

    @property
    def height(self) -> float:
        return len(self.lines) * self.leading


def _fit_block(
    text: str,
    font: str,
    sizes: tuple[float, float],
    width: float,
    max_lines: int | None = None,
    max_height: float | None = None,
    leading: float = 1.3,
) -> _Block:
    """The largest size in [min, max] (0.5 pt steps) at which the text fits; at the minimum size,
    extra lines are cut and the last one ends with an ellipsis."""
    largest, smallest = sizes
    size = largest
    while True:
        lines = _wrap(text, font, size, width)
        fits_lines = max_lines is None or len(lines) <= max_lines
        fits_height = max_height is None or len(lines) * size * leading <= max_height
        if (fits_lines and fits_height) or size <= smallest:
            break
        size = max(smallest, size - 0.5)
    limit = len(lines)
    if max_lines is not None:
        limit = min(limit, max_lines)
    if max_height is not None:
        limit = min(limit, max(1, int(max_height // (size * leading))))
    if limit < len(lines):
        lines = lines[: limit - 1] + [_ellipsize(lines[limit - 1], font, size, width)]
    return _Block(lines, font, size, size * leading)
