"""Media files must be what their extension says: magic bytes first, then Pillow for images."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image, UnidentifiedImageError

from .archive import _EICAR_MARKER, _HEAD_BYTES, _extension, _Member
from .errors import _READ_ERRORS, _show


def _riff(kind: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[:4] == b"RIFF" and head[8:12] == kind


def _mp3(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _iso_media(head: bytes) -> bool:
    return head[4:8] in {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"}


_SIGNATURES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "jpg": ("a JPEG image", lambda head: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("a JPEG image", lambda head: head.startswith(b"\xff\xd8\xff")),
    "png": ("a PNG image", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "gif": ("a GIF image", lambda head: head[:6] in {b"GIF87a", b"GIF89a"}),
    "bmp": ("a BMP image", lambda head: head.startswith(b"BM")),
    "webp": ("a WebP image", _riff(b"WEBP")),
    "tif": ("a TIFF image", lambda head: head[:4] in {b"II*\x00", b"MM\x00*"}),
    "tiff": ("a TIFF image", lambda head: head[:4] in {b"II*\x00", b"MM\x00*"}),
    "mp3": ("an MP3 file", _mp3),
    "mp4": ("an MP4 file", _iso_media),
    "m4a": ("an M4A (MP4 audio) file", _iso_media),
    "webm": ("a WebM file", lambda head: head.startswith(b"\x1a\x45\xdf\xa3")),
    "ogg": ("an Ogg file", lambda head: head.startswith(b"OggS")),
    "wav": ("a WAV file", _riff(b"WAVE")),
    "pdf": ("a PDF document", lambda head: b"%PDF-" in head[:1024]),
    "glb": ("a binary glTF (GLB) file", lambda head: head.startswith(b"glTF")),
}

_PILLOW_FORMATS: dict[str, tuple[str, ...]] = {
    "jpg": ("JPEG", "MPO"),
    "jpeg": ("JPEG", "MPO"),
    "png": ("PNG",),
    "gif": ("GIF",),
    "bmp": ("BMP",),
    "webp": ("WEBP",),
    "tif": ("TIFF",),
    "tiff": ("TIFF",),
}


class _MediaChecks:
    """Stage 2, media: part of :class:`_Validator` (uses its ``archive``, ``files`` and ``problem``)."""

    def check_media(self) -> None:
        """Media must be what its extension says: signature of the first bytes, then Pillow."""
        for name, member in sorted(self.files.items()):
            extension = _extension(name)
            if extension not in _SIGNATURES:
                continue
            description, matches = _SIGNATURES[extension]
            try:
                with self.archive.open(member.info) as stream:
                    head = stream.read(_HEAD_BYTES)
            except _READ_ERRORS as error:
                self.problem(f"{_show(name)} cannot be read, the archive is corrupt ({error})")
                continue
            if not matches(head):
                hint = " (it is the EICAR anti-virus test file)" if _EICAR_MARKER in head else ""
                self.problem(
                    f"{_show(name)}: is not {description}, as its .{extension} extension claims{hint}"
                )
                continue
            formats = _PILLOW_FORMATS.get(extension)
            if formats:
                self.check_image(member, description, formats)

    def check_image(self, member: _Member, description: str, formats: tuple[str, ...]) -> None:
        """Pillow must recognise the image from its header (no pixels are decoded)."""
        name = _show(member.name)
        try:
            with self.archive.open(member.info) as stream, Image.open(stream, formats=list(formats)) as image:
                width, height = image.size
                found = image.format
        except Image.DecompressionBombError:
            self.problem(f"{name}: the image's dimensions are too large")
            return
        except (UnidentifiedImageError, OSError, SyntaxError, *_READ_ERRORS) as error:
            self.problem(f"{name}: is not a readable image ({description} was expected): {error}")
            return
        if found not in formats:
            self.problem(f"{name}: is a {found} image, not {description}")
        elif Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
            self.problem(f"{name}: the image's dimensions ({width}x{height}) are too large")
