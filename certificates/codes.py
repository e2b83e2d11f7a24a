"""Certificate codes: unguessable, easy to read aloud and to type back in.

A code is 16 random Crockford base32 symbols (80 bits from `secrets`) followed by one check
symbol from the same alphabet, shown as ``XXXX-XXXX-XXXX-XXXX-C`` (21 characters). The last,
single group is the check symbol.

The alphabet ``0123456789ABCDEFGHJKMNPQRSTVWXYZ`` leaves out I, L, O and U. When a person types a
code back, `normalise_code` forgives case, spaces, dashes, the confusables O→0 and I/L→1, and the
Cyrillic letters that look like Latin ones (a Mongolian keyboard layout types А, В, Е, К, М, Н, О, Р,
С, Т, Х, Ү), then checks the check symbol.

Check scheme: every symbol is a value 0..31, read as an element of the field GF(32) (polynomial
x⁵ + x² + 1, primitive element α). The check symbol c is chosen so that

    α¹⁶·d₀ ⊕ α¹⁵·d₁ ⊕ … ⊕ α¹·d₁₅ ⊕ c = 0

Every weight is non-zero, so changing one symbol always changes the sum; and the weights are
pairwise distinct (α has order 31 > 17), so swapping any two different symbols, adjacent or not,
changes it as well. Both error classes are therefore detected with certainty, not just probably,
while the check symbol stays inside the readable alphabet (Crockford's own mod-37 scheme needs the
extra symbols ``* ~ $ = U``).
"""

from __future__ import annotations

import re
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_LENGTH = 16
"""Random symbols in a code (16 × 5 = 80 bits)."""
GROUP_SIZES = (4, 4, 4, 4, 1)
DISPLAY_LENGTH = sum(GROUP_SIZES) + len(GROUP_SIZES) - 1
"""Length of the canonical display form, dashes included (21): the size of a database column."""
CODE_PATTERN = r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]"
"""A regular expression (no anchors) matching the canonical display form, e.g. for URL patterns."""

_MAX_INPUT = 100
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
_CONFUSABLES = {
    "O": "0",
    "I": "1",
    "L": "1",
    # Cyrillic capitals that look like Latin ones (input is upper-cased first).
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "0",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "Х": "X",
    "Ү": "Y",
    "І": "1",
}
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−_.]+")

# GF(32) arithmetic through log / antilog tables for the primitive polynomial x^5 + x^2 + 1.
_EXP = [0] * 62
_LOG = [0] * 32
_value = 1
for _power in range(31):
    _EXP[_power] = _EXP[_power + 31] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0b100000:
        _value ^= 0b100101
del _value, _power
# Weight of each of the 17 positions: α^16 … α^1 for the data, α^0 = 1 for the check symbol.
_WEIGHT_LOGS = [DATA_LENGTH - position for position in range(DATA_LENGTH + 1)]


def _weighted_sum(values: list[int]) -> int:
    total = 0
    for value, weight_log in zip(values, _WEIGHT_LOGS, strict=False):
        if value:
            total ^= _EXP[_LOG[value] + weight_log]
    return total


def _check_symbol(data: str) -> str:
    """The check symbol for 16 data symbols (the value that makes the weighted sum zero)."""
    return ALPHABET[_weighted_sum([_VALUES[symbol] for symbol in data])]


def _display(symbols: str) -> str:
    groups, start = [], 0
    for size in GROUP_SIZES:
        groups.append(symbols[start : start + size])
        start += size
    return "-".join(groups)


def new_code() -> str:
    """A fresh random code in display form, e.g. ``7KQ2-M9XT-4HPD-R6WA-C``."""
    bits = secrets.randbits(5 * DATA_LENGTH)
    data = "".join(ALPHABET[(bits >> (5 * index)) & 31] for index in range(DATA_LENGTH))
    return _display(data + _check_symbol(data))


def printable(text: str) -> str:
    """Typed text made safe to show back: control and format characters (NUL, bidi overrides,
    line breaks) dropped, surrounding spaces trimmed. For display only, never for lookups."""
    if not isinstance(text, str):
        return ""
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co")).strip()


def normalise_code(text: str) -> str | None:
    """The canonical display form of a code a person typed or pasted, or None if it is not valid.

    Forgives case, spaces, dashes and the usual confusables; refuses a wrong length, characters
    outside the alphabet (U included) and a check symbol that does not match.
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        return None
    cleaned = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    symbols = "".join(_CONFUSABLES.get(character, character) for character in cleaned)
    if len(symbols) != DATA_LENGTH + 1 or any(symbol not in _VALUES for symbol in symbols):
        return None
    if _weighted_sum([_VALUES[symbol] for symbol in symbols]) != 0:
        return None
    return _display(symbols)
