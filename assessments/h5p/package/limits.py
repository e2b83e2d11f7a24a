"""Sizes, limits and the file extensions a package may hold."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
CHUNK_SIZE = 64 * 1024
"""Bytes read from the archive at a time while streaming a member."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


CONTENT_EXTENSIONS = _words(
    "json png jpg jpeg gif bmp tif tiff eot ttf woff woff2 otf webm mp4 ogg mp3 m4a wav txt pdf rtf "
    "doc docx xls xlsx ppt pptx odt ods odp csv diff patch md textile vtt webvtt gltf glb"
)
"""Extensions allowed under ``content/`` (the H5P core default list; no SVG, HTML or scripts)."""

LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css", "svg", "xml"}
"""Extensions allowed inside library folders."""

FORBIDDEN_EXTENSIONS = _words(
    "php php3 php4 php5 php7 php8 phtml pht phps phar exe sh bash zsh bat cmd com dll so dylib msi "
    "ps1 vbs jar cgi pl py rb asp aspx jsp htaccess"
)
"""Executable or server-side script extensions, refused anywhere in a name (``x.php.jpg`` too)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for a package. All sizes are in bytes."""

    max_package_bytes: int = 200 * MB
    """Size of the ``.h5p`` file itself."""
    max_total_uncompressed_bytes: int = 500 * MB
    """Sum of the uncompressed sizes of all members (declared, and counted while streaming)."""
    max_files: int = 5000
    """Number of members in the archive, folders included."""
    max_compression_ratio: float = 100.0
    """Uncompressed/compressed ratio, per member and for the whole archive (zip bombs)."""
    max_json_bytes: int = 10 * MB
    """Size of ``h5p.json``, ``content.json``, ``library.json`` and language files."""
    core_api: tuple[int, int] = (1, 27)
    """The H5P core API version the player (h5p-standalone 3.8) provides."""
    ratio_check_min_bytes: int = 1 * MB
    """The compression ratio is only enforced on members (or archives) larger than this: small
    text files legitimately compress very well and cannot hurt anyone."""
