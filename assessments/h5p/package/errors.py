"""The error a refused package raises, and how members and sizes are shown in its messages."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable

_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError)


class PackageError(Exception):
    """An H5P package was refused.

    ``str(error)`` is a human-readable summary (the first problem, plus how many more there
    are); ``problems`` lists every problem found, at least one, each naming the member of the
    archive it concerns when there is one.
    """

    def __init__(self, problems: str | Iterable[str]) -> None:
        found = [problems] if isinstance(problems, str) else list(problems)
        self.problems: list[str] = found or ["the package is invalid"]
        more = len(self.problems) - 1
        summary = self.problems[0]
        if more:
            summary += f" (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(summary)


def _fmt_bytes(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _show(name: str) -> str:
    """A member name as it appears in messages: quoted when it holds odd characters."""
    return name if name.isprintable() and name.strip() == name else repr(name)
