"""The bundled fonts (registered once per process), the printed labels and the colours."""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from .design import LANGUAGES

FONT_DIR = Path(__file__).resolve().parents[2] / "lms" / "fonts"
REGULAR = "CPCNotoSans"
BOLD = "CPCNotoSans-Bold"
_font_lock = threading.Lock()
_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    if _fonts_registered:
        return
    with _font_lock:
        if not _fonts_registered:
            # Binary streams: ASCII85 (reportlab's default) makes every image and font 25% larger
            # and, without the optional C accelerator, costs ~50 ms per background in pure Python.
            rl_config.useA85 = 0
            pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "NotoSans-Regular.ttf")))
            pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "NotoSans-Bold.ttf")))
            _fonts_registered = True


# Printed labels. Kept here rather than in the gettext catalogue so that rendering does not depend
# on the active Django language; the Mongolian follows the interface's own vocabulary.
_LABELS = {
    "en": {
        "release": "Release",
        "completed": "Completed",
        "hours": "{hours} hours",
        "hour": "{hours} hour",
        "code": "Certificate code",
        "verify": "Verify at",
        "meeting": "Review meeting",
    },
    "mn": {
        "release": "Хувилбар",
        "completed": "Дуусгасан огноо",
        "hours": "{hours} цаг",
        "hour": "{hours} цаг",
        "code": "Гэрчилгээний код",
        "verify": "Шалгах хаяг",
        "meeting": "Хяналтын уулзалт",
    },
}

_INK = (0.12, 0.15, 0.17)
_MUTED = (0.40, 0.44, 0.47)
_RULE = (0.72, 0.75, 0.77)


def _language(language: str) -> str:
    code = (language or "").replace("_", "-").split("-")[0].lower()
    if code not in _LABELS:
        raise ValueError(f"Unsupported certificate language {language!r}: use one of {', '.join(LANGUAGES)}.")
    return code


def _accent(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    try:
        red, green, blue = (int(part) for part in rgb)
    except (TypeError, ValueError):
        raise ValueError(f"accent_rgb must be three integers 0–255, not {rgb!r}.") from None
    if not all(0 <= part <= 255 for part in (red, green, blue)):
        raise ValueError(f"accent_rgb must be three integers 0–255, not {rgb!r}.")
    return red / 255, green / 255, blue / 255
