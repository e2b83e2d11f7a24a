"""Images: the page size, backgrounds (prepared once, embedded as JPEG), signatures and the QR code."""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections import OrderedDict

import qrcode
from PIL import Image, ImageOps, UnidentifiedImageError
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.utils import ImageReader

from .design import ORIENTATIONS

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
