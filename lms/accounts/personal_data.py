"""Personal data: what each app stores about a person, to export it and to erase it.

The accounts app cannot import the apps above it, so each app registers, in its
``AppConfig.ready``, a function that exports its data about a person (JSON-ready) and one that
erases what identifies them while keeping the counts reports rely on.
"""

from __future__ import annotations

from collections.abc import Callable

Exporter = Callable[[object], dict]
Eraser = Callable[[object], None]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def register(name: str, *, export: Exporter | None = None, erase: Eraser | None = None) -> None:
    if export is not None:
        _exporters[name] = export
    if erase is not None:
        _erasers[name] = erase


def exporters() -> dict[str, Exporter]:
    return dict(_exporters)


def erasers() -> dict[str, Eraser]:
    return dict(_erasers)
