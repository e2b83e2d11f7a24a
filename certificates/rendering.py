"""Certificate PDFs: layout, background images and template placeholders.

Pure library code (no database, no Django settings) so that issuance tasks, previews and tests can
call it anywhere. Everything that does not change between certificates is prepared once per process
and kept at module level: the registered fonts, prepared backgrounds and signature images (keyed by
a hash of their bytes). A background reaches the PDF as JPEG, which reportlab embeds as it is
(DCTDecode) instead of decoding and recompressing every pixel on every certificate.

All text is drawn with the bundled Noto Sans (Mongolian Cyrillic Ө ө Ү ү included) as real,
extractable text; only the background, the signatures and the QR code are images.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import qrcode
from PIL import Image, ImageOps, UnidentifiedImageError
from qrcode.constants import ERROR_CORRECT_M
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "CertificateDesign",
    "CertificateFacts",
    "PlaceholderError",
    "Signatory",
    "MAX_SIGNATORIES",
    "fill_placeholders",
    "placeholders",
    "prepare_background",
    "render_certificate_pdf",
    "template_placeholders",
]

# --------------------------------------------------------------------------------------------
# Public data
# --------------------------------------------------------------------------------------------

ORIENTATIONS = ("landscape", "portrait")
MAX_SIGNATORIES = 4
LANGUAGES = ("mn", "en")


@dataclass
class Signatory:
    name: str
    title: str
    signature_png: bytes | None = None  # PNG or JPEG; white paper becomes transparent unless it has alpha


@dataclass
class CertificateDesign:
    """What an editor sets in a template, already in one language."""

    title: str
    body: str  # placeholders already substituted; may contain line breaks
    orientation: str = "landscape"  # "landscape" | "portrait" (A4)
    background_png: bytes | None = None  # ideally the output of prepare_background (JPEG)
    signatories: list[Signatory] = field(default_factory=list)
    accent_rgb: tuple[int, int, int] = (11, 85, 99)


@dataclass
class CertificateFacts:
    """What is printed besides the body."""

    holder_name: str
    course_title: str
    release: str
    completed_on: str  # already formatted
    hours: str
    code: str
    verify_url: str  # the QR code encodes exactly this
    language: str  # "mn" or "en": the language of the printed labels
    review_meeting: str = ""  # the date of the review meeting a course required, already formatted


# --------------------------------------------------------------------------------------------
# Placeholders
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Fonts, labels, colours
# --------------------------------------------------------------------------------------------

FONT_DIR = Path(__file__).resolve().parent.parent / "lms" / "fonts"
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


# --------------------------------------------------------------------------------------------
# Images: backgrounds, signatures, QR
# --------------------------------------------------------------------------------------------

A4_POINTS = (595.2756, 841.8898)  # portrait width, height
BACKGROUND_DPI = 150
_MAX_PIXELS = 60_000_000
_MIN_SIDE = 200


def _page_size(orientation: str) -> tuple[float, float]:
    if orientation not in ORIENTATIONS:
        raise ValueError(f"Unknown orientation {orientation!r}: use 'landscape' or 'portrait'.")
    width, height = A4_POINTS
    return (height, width) if orientation == "landscape" else (width, height)


def _background_pixels(orientation: str) -> tuple[int, int]:
    width, height = _page_size(orientation)
    return round(width / 72 * BACKGROUND_DPI), round(height / 72 * BACKGROUND_DPI)


def _open_image(data: bytes, what: str) -> Image.Image:
    """Open and fully decode image bytes, turning every failure into a clear ValueError."""
    if not isinstance(data, bytes | bytearray | memoryview) or not data:
        raise ValueError(f"The {what} is empty or not bytes.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            too_large = image.width * image.height > _MAX_PIXELS
            if not too_large:
                image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(f"The {what} is not an image file that can be read (use PNG or JPEG).") from None
    except (OSError, SyntaxError, EOFError, ValueError) as error:
        raise ValueError(f"The {what} is damaged or incomplete and cannot be read ({error}).") from None
    if too_large:
        raise ValueError(
            f"The {what} is too large ({image.width}×{image.height} pixels); "
            f"keep it under {_MAX_PIXELS // 1_000_000} megapixels."
        )
    return image


def _flatten(image: Image.Image, background=(255, 255, 255)) -> Image.Image:
    """RGB, with any transparency composited onto white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        canvas = Image.new("RGB", image.size, background)
        canvas.paste(image, mask=image.getchannel("A"))
        return canvas
    return image.convert("RGB")


def prepare_background(image_bytes: bytes, orientation: str) -> bytes:
    """Validate an uploaded background, cover-crop it to an A4 page at 150 dpi and return JPEG bytes.

    Raises ValueError with a clear message when the bytes are not a readable image, the image is
    too small to cover a page, or the orientation is unknown. The result (JPEG, quality 88,
    full-resolution colour) is what CertificateDesign.background_png should hold: it is embedded in
    every PDF as it is, without recompression.
    """
    target = _background_pixels(orientation)
    image = _open_image(image_bytes, "background image")
    image = ImageOps.exif_transpose(image)
    if min(image.size) < _MIN_SIDE:
        raise ValueError(
            f"The background image is too small ({image.width}×{image.height} pixels) to cover an A4 page; "
            f"use at least {target[0]}×{target[1]} pixels."
        )
    image = _flatten(image)
    image = ImageOps.fit(image, target, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=88, optimize=True, subsampling=0)
    return output.getvalue()


class _Cache:
    """A small thread-safe LRU cache (per process)."""

    def __init__(self, size: int):
        self._size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


_backgrounds = _Cache(16)
_signatures = _Cache(64)


class _JpegReader(ImageReader):
    """JPEG bytes that reportlab embeds unchanged (DCTDecode).

    reportlab names an image by digesting its decoded pixels; for a cached background we hand it
    the digest of the file instead, so a certificate neither decodes nor recompresses the picture.
    """

    def __init__(self, data: bytes, digest: bytes):
        super().__init__(io.BytesIO(data))
        self._digest = digest
        self._dataA = None

    def getRGBData(self):  # noqa: N802 - reportlab's name
        return self._digest


def _background_jpeg(data: bytes, orientation: str) -> tuple[bytes, bytes]:
    """(JPEG bytes covering the page, digest), prepared once per distinct input and orientation."""
    digest = hashlib.sha256(data).digest()
    key = (digest, orientation)
    cached = _backgrounds.get(key)
    if cached is not None:
        return cached
    jpeg = bytes(data)
    try:
        with Image.open(io.BytesIO(jpeg)) as probe:
            ready = (
                probe.format == "JPEG"
                and probe.mode == "RGB"
                and probe.size == _background_pixels(orientation)
            )
    except (UnidentifiedImageError, OSError, ValueError):
        ready = False
    if not ready:
        jpeg = prepare_background(jpeg, orientation)
    return _backgrounds.put(key, (jpeg, hashlib.sha256(jpeg).digest()))


_SIGNATURE_MAX = (600, 240)


def _signature_image(data: bytes) -> Image.Image:
    """An RGBA signature, at most 600×240 px. Without an alpha channel, white paper is made
    transparent (alpha from darkness) so that the ink sits on any background."""
    key = hashlib.sha256(data).digest()
    cached = _signatures.get(key)
    if cached is not None:
        return cached
    image = ImageOps.exif_transpose(_open_image(data, "signature image"))
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA") if has_alpha else image.convert("RGB")
    image.thumbnail(_SIGNATURE_MAX, Image.Resampling.LANCZOS)
    if not has_alpha:
        darkness = ImageOps.autocontrast(ImageOps.invert(image.convert("L")), cutoff=(0, 1))
        image = image.convert("RGBA")
        image.putalpha(darkness)
    return _signatures.put(key, image)


_QR_MODULE_PIXELS = 8
_QR_QUIET_MODULES = 4


def _qr_image(url: str) -> tuple[Image.Image, int]:
    """The QR code for `url` as a greyscale image (8 px per module, 4-module quiet zone),
    and its size in modules including the quiet zone."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=_QR_QUIET_MODULES)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    modules = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (modules, modules), pixels)
    size = modules * _QR_MODULE_PIXELS
    return image.resize((size, size), Image.Resampling.NEAREST), modules


# --------------------------------------------------------------------------------------------
# Text layout
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geometry:
    margin_x: float
    margin_top: float
    margin_bottom: float
    title_size: float
    name_size: float
    body_width: float
    qr_size: float  # visible QR code, quiet zone excluded


_GEOMETRY = {
    "landscape": _Geometry(
        margin_x=72, margin_top=62, margin_bottom=54, title_size=34, name_size=30, body_width=590, qr_size=70
    ),
    "portrait": _Geometry(
        margin_x=60, margin_top=104, margin_bottom=56, title_size=32, name_size=26, body_width=440, qr_size=70
    ),
}
_BORDER_OUTER = 20
_BORDER_INNER = 25.5


class _Page:
    """Drawing helpers bound to one canvas."""

    def __init__(self, canvas: Canvas, width: float, height: float, accent: tuple[float, float, float]):
        self.canvas = canvas
        self.width = width
        self.height = height
        self.accent = accent

    def text(self, x, y, text, font, size, colour, align="centre", char_space: float = 0):
        canvas = self.canvas
        canvas.setFont(font, size)
        canvas.setFillColorRGB(*colour)
        if align == "centre":
            canvas.drawCentredString(x, y, text, charSpace=char_space)
        elif align == "right":
            canvas.drawRightString(x, y, text, charSpace=char_space)
        else:
            canvas.drawString(x, y, text, charSpace=char_space)

    def runs(self, x, y, runs: list[tuple[str, str, float, tuple]]):
        """Text in several fonts and colours on one line, as one text object (so that text
        extraction keeps it on one line)."""
        text = self.canvas.beginText(x, y)
        for string, font, size, colour in runs:
            text.setFont(font, size)
            text.setFillColorRGB(*colour)
            text.textOut(string)
        self.canvas.drawText(text)

    def block(self, x, top, block: _Block, colour, align="centre") -> float:
        """Draw a block whose first line's top is at `top`; return the y below its last line."""
        baseline = top - block.size * 0.95
        for line in block.lines:
            if line:
                self.text(x, baseline, line, block.font, block.size, colour, align)
            baseline -= block.leading
        return top - block.height

    def line(self, x1, y1, x2, y2, colour, width):
        self.canvas.setStrokeColorRGB(*colour)
        self.canvas.setLineWidth(width)
        self.canvas.line(x1, y1, x2, y2)

    def diamond(self, x, y, radius, colour):
        self.canvas.setFillColorRGB(*colour)
        path = self.canvas.beginPath()
        path.moveTo(x, y + radius)
        path.lineTo(x + radius, y)
        path.lineTo(x, y - radius)
        path.lineTo(x - radius, y)
        path.close()
        self.canvas.drawPath(path, stroke=0, fill=1)

    def ornament(self, x, y, half_width):
        """A short accent rule with a diamond in the middle."""
        self.line(x - half_width, y, x - 7, y, self.accent, 0.8)
        self.line(x + 7, y, x + half_width, y, self.accent, 0.8)
        self.diamond(x, y, 3, self.accent)

    def border(self):
        canvas, accent = self.canvas, self.accent
        canvas.setStrokeColorRGB(*accent)
        canvas.setLineWidth(1.6)
        outer = _BORDER_OUTER
        canvas.rect(outer, outer, self.width - 2 * outer, self.height - 2 * outer, stroke=1, fill=0)
        canvas.setLineWidth(0.5)
        inner = _BORDER_INNER
        canvas.rect(inner, inner, self.width - 2 * inner, self.height - 2 * inner, stroke=1, fill=0)
        middle = (outer + inner) / 2
        for x in (middle, self.width - middle):
            for y in (middle, self.height - middle):
                self.diamond(x, y, 4.5, accent)


def _signatory_blocks(signatory: Signatory, width: float) -> tuple[_Block, _Block]:
    name = _fit_block(signatory.name.strip(), BOLD, (10.5, 8), width, max_lines=2, leading=1.25)
    title = _fit_block(signatory.title.strip(), REGULAR, (8.5, 7), width, max_lines=2, leading=1.3)
    return name, title


_SIGN_IMAGE_HEIGHT = 40
_SIGN_BELOW_LINE = 44  # room for the name and a two-line title under the signature line


def _draw_signatories(page: _Page, signatories: list[Signatory], left: float, right: float, line_y: float):
    count = len(signatories)
    slot = min((right - left) / count, 200)
    start = left + ((right - left) - slot * count) / 2
    for index, signatory in enumerate(signatories):
        centre = start + slot * (index + 0.5)
        text_width = slot - 16
        line_half = min(text_width, 170) / 2
        if signatory.signature_png:
            image = _signature_image(signatory.signature_png)
            scale = min(line_half * 2 / image.width, _SIGN_IMAGE_HEIGHT / image.height)
            drawn_width, drawn_height = image.width * scale, image.height * scale
            page.canvas.drawImage(
                ImageReader(image),
                centre - drawn_width / 2,
                line_y + 3,
                drawn_width,
                drawn_height,
                mask="auto",
            )
        page.line(centre - line_half, line_y, centre + line_half, line_y, _RULE, 0.6)
        name, title = _signatory_blocks(signatory, text_width)
        below = page.block(centre, line_y - 4, name, _INK)
        page.block(centre, below - 1, title, _MUTED)


@dataclass
class _Verification:
    """The QR code at the bottom right, and the code and address right-aligned to its left."""

    facts: CertificateFacts
    labels: dict[str, str]
    right: float
    bottom: float
    qr: float  # visible size, quiet zone excluded
    gap: float = 12
    label_size: float = 7.5
    code_size: float = 12.5
    code_space: float = 1.2  # letter spacing: the code reads like a typewritten one
    max_url_width: float = 230

    def __post_init__(self):
        # One line if it fits at a readable size (easier to type back), else wrapped after a "/".
        url = self.facts.verify_url
        self.url = _fit_block(url, REGULAR, (8, 6.5), self.max_url_width, max_lines=1, leading=1.25)
        if self.url.lines != [url]:
            self.url = _fit_block(url, REGULAR, (7.5, 6.5), self.max_url_width, max_lines=3, leading=1.25)
        self.text_right = self.right - self.qr - self.gap
        self.text_width = max(
            _width(self.labels["code"], REGULAR, self.label_size),
            _width(self.facts.code, BOLD, self.code_size, self.code_space),
            _width(self.labels["verify"], REGULAR, self.label_size),
            *(_width(line, REGULAR, self.url.size) for line in self.url.lines),
        )

    @property
    def left(self) -> float:
        return self.text_right - self.text_width

    def draw(self, page: _Page):
        top = self.bottom + self.qr
        x = self.text_right
        page.text(x, top - 7, self.labels["code"], REGULAR, self.label_size, _MUTED, "right")
        page.text(
            x, top - 22, self.facts.code, BOLD, self.code_size, _INK, "right", char_space=self.code_space
        )
        page.text(x, top - 38, self.labels["verify"], REGULAR, self.label_size, _MUTED, "right")
        page.block(x, top - 41, self.url, page.accent, "right")

        image, modules = _qr_image(self.facts.verify_url)
        module = self.qr / (modules - 2 * _QR_QUIET_MODULES)
        quiet = module * _QR_QUIET_MODULES
        full = module * modules
        page.canvas.drawImage(
            ImageReader(image), self.right - self.qr - quiet, self.bottom - quiet, full, full
        )


def _facts_runs(
    facts: CertificateFacts, labels: dict, accent, size: float
) -> list[tuple[str, str, float, tuple]]:
    """ "Release 1.0 • Completed 2026-11-28 • 6 hours": labels muted, values bold."""
    items = []
    if facts.release.strip():
        items.append((labels["release"] + " ", facts.release.strip()))
    if facts.completed_on.strip():
        items.append((labels["completed"] + " ", facts.completed_on.strip()))
    hours = facts.hours.strip()
    if hours:
        items.append(("", (labels["hour"] if hours == "1" else labels["hours"]).format(hours=hours)))
    if facts.review_meeting.strip():  # blended training: the meeting the course required
        items.append((labels["meeting"] + " ", facts.review_meeting.strip()))
    runs = []
    for index, (label, value) in enumerate(items):
        if index:
            runs.append(("   •   ", REGULAR, size, accent))
        if label:
            runs.append((label, REGULAR, size, _MUTED))
        runs.append((value, BOLD, size, _INK))
    return runs


def _runs_width(runs) -> float:
    return sum(_width(string, font, size) for string, font, size, _colour in runs)


def render_certificate_pdf(design: CertificateDesign, facts: CertificateFacts) -> bytes:
    """One A4 page of PDF for a certificate.

    Raises ValueError for an unknown orientation or language, a bad accent colour, more than
    MAX_SIGNATORIES signatories, an empty verify_url, or background/signature bytes that are not
    images. A background that is not already prepared (see prepare_background) is prepared here,
    once per process.
    """
    _register_fonts()
    width, height = _page_size(design.orientation)
    geometry = _GEOMETRY[design.orientation]
    language = _language(facts.language)
    labels = _LABELS[language]
    accent = _accent(design.accent_rgb)
    if len(design.signatories) > MAX_SIGNATORIES:
        raise ValueError(f"A certificate has room for at most {MAX_SIGNATORIES} signatories.")
    if not facts.verify_url:
        raise ValueError("The certificate needs a verification address for its QR code.")
    background = (
        _background_jpeg(design.background_png, design.orientation) if design.background_png else None
    )

    output = io.BytesIO()
    canvas = Canvas(
        output, pagesize=(width, height), pageCompression=1, lang=language, initialFontName=REGULAR
    )
    canvas.setTitle(f"{design.title} — {facts.holder_name}")
    canvas.setSubject(facts.course_title)
    canvas.setKeywords(facts.code)
    canvas.setCreator("CPC Learn")
    page = _Page(canvas, width, height, accent)
    centre = width / 2
    content_width = width - 2 * geometry.margin_x
    right = width - geometry.margin_x
    bottom = geometry.margin_bottom

    if background:
        jpeg, digest = background
        canvas.drawImage(_JpegReader(jpeg, digest), 0, 0, width, height)
    else:
        page.border()

    # Title and ornament.
    title = _fit_block(
        design.title.strip(), BOLD, (geometry.title_size, 18), content_width, max_lines=2, leading=1.15
    )
    ornament_y = page.block(centre, height - geometry.margin_top, title, accent) - 12
    page.ornament(centre, ornament_y, 60)

    # Bottom band, measured first: signatories, then verification (drawn last, in reading order).
    verification = _Verification(facts, labels, right, bottom, geometry.qr_size)
    band_top = bottom + geometry.qr_size
    line_y = None
    if design.signatories:
        if design.orientation == "landscape":
            line_y = bottom + _SIGN_BELOW_LINE
            signatory_right = verification.left - 24
        else:
            line_y = bottom + geometry.qr_size + 22 + _SIGN_BELOW_LINE
            signatory_right = right
        band_top = max(band_top, line_y + _SIGN_IMAGE_HEIGHT + 3)

    # Middle: holder name, body, course, facts, vertically centred in the space left.
    top_limit = ornament_y - 24
    bottom_limit = band_top + 24
    available = top_limit - bottom_limit
    name = _fit_block(
        facts.holder_name.strip(), BOLD, (geometry.name_size, 16), content_width, max_lines=2, leading=1.2
    )
    course = _fit_block(
        facts.course_title.strip(), BOLD, (17, 12), min(content_width, geometry.body_width + 60), max_lines=2
    )
    facts_size = 10.5
    runs = _facts_runs(facts, labels, accent, facts_size)
    while runs and _runs_width(runs) > content_width and facts_size > 7:
        facts_size -= 0.5
        runs = _facts_runs(facts, labels, accent, facts_size)
    name_gap, body_gap, course_gap = 26, 18, 12
    fixed = name.height + name_gap + course.height + (course_gap + facts_size * 1.3 if runs else 0)
    body = None
    if design.body.strip():
        body = _fit_block(
            design.body.strip(),
            REGULAR,
            (12.5, 8),
            geometry.body_width,
            max_height=max(available - fixed - body_gap, 12),
            leading=1.45,
        )
    total = fixed + (body.height + body_gap if body else 0)
    top = bottom_limit + max(0, available - total) / 2 + total

    below = page.block(centre, top, name, _INK)
    first_line = name.lines[0] if name.lines else ""
    rule_half = min(max(_width(first_line, BOLD, name.size) / 2 + 24, 120), content_width / 2)
    page.line(centre - rule_half, below - 9, centre + rule_half, below - 9, accent, 0.6)
    below -= name_gap
    if body:
        below = page.block(centre, below, body, _INK) - body_gap
    below = page.block(centre, below, course, accent)
    if runs:
        page.runs(centre - _runs_width(runs) / 2, below - course_gap - facts_size, runs)

    if line_y is not None:
        _draw_signatories(page, design.signatories, geometry.margin_x, signatory_right, line_y)
    verification.draw(page)

    canvas.showPage()
    canvas.save()
    return output.getvalue()
