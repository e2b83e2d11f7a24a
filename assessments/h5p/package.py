"""Validate and extract H5P packages (``.h5p`` files, which are zip archives).

Plain Python with no Django dependency. Two entry points:

* :func:`inspect_package` validates a package completely without writing anything;
* :func:`extract_package` validates it the same way, then writes it to a folder laid out for
  the ``h5p-standalone`` player (``h5p.json``, ``content/`` and ``libraries/<folder>/``).

Both raise :class:`PackageError`, whose ``problems`` list holds every problem found, each
naming the member of the archive it concerns. Validation runs in three stages:

1. the zip headers: archive size, number of members, declared sizes and compression ratios,
   unsafe member names (absolute paths, ``..``, backslashes, drive letters, NUL bytes,
   symbolic links, duplicates, file/folder collisions) and file extensions;
2. the metadata: ``h5p.json``, ``content/content.json``, every ``library.json`` and language
   file, the dependency closure, and the first bytes of every media file;
3. the data: every kept member is streamed in chunks, counting the bytes actually produced
   (header sizes are not trusted), checking CRCs, and, for extraction, writing to disk.

Stage 3 only runs when stages 1 and 2 found nothing, so a refused package is never
decompressed in bulk. Memory stays bounded: JSON files are read up to
``Limits.max_json_bytes``, everything else in chunks of :data:`CHUNK_SIZE` bytes.

A package that passes may still carry library JavaScript that will run on the site's origin:
only trusted staff should be able to upload one. No anti-virus scan is done here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from PIL import Image, UnidentifiedImageError

__all__ = [
    "CONTENT_EXTENSIONS",
    "FORBIDDEN_EXTENSIONS",
    "LIBRARY_EXTENSIONS",
    "LibraryInfo",
    "Limits",
    "PackageError",
    "PackageInfo",
    "extract_package",
    "inspect_package",
]

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

_MACHINE_NAME = r"[A-Za-z_$][\w.$-]{0,254}"
_MACHINE_NAME_RE = re.compile(rf"^{_MACHINE_NAME}$")
_FOLDER_RE = re.compile(rf"^({_MACHINE_NAME})-(\d{{1,5}})\.(\d{{1,5}})$")
_SUBCONTENT_LIBRARY_RE = re.compile(rf"^({_MACHINE_NAME}) (\d{{1,5}})\.(\d{{1,5}})$")
_LANGUAGE_CODE_RE = re.compile(r"^[-a-zA-Z]{1,10}$")
_LANGUAGE_FILE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*\.json$", re.IGNORECASE)
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_EMBED_TYPES = frozenset({"div", "iframe"})
_SUPPORTED_COMPRESSION = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_MAX_NAME_CHARS = 1024
_MAX_SEGMENT_BYTES = 255
_HEAD_BYTES = 1024
_EICAR_MARKER = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError)

Dependency = tuple[str, int, int]


# --------------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------------


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


@dataclass
class LibraryInfo:
    """One library folder of a package, described by its ``library.json``."""

    machine_name: str
    major: int
    minor: int
    patch: int
    folder: str
    """Folder name in the archive, e.g. ``H5P.MultiChoice-1.16``."""
    title: str
    preloaded_js: list[str]
    """Paths relative to the library folder, in load order."""
    preloaded_css: list[str]
    dependencies: list[Dependency]
    """What the library needs to run: preloaded then dynamic dependencies, without duplicates."""
    core_api: tuple[int, int] | None
    files: list[str]
    """Member paths (``<folder>/...``) of the files kept from this folder."""
    editor_dependencies: list[Dependency] = field(default_factory=list)
    """Editor-only dependencies: not needed to play, so not required to be in the package."""
    preloaded_dependencies: list[Dependency] = field(default_factory=list)
    """Only the preloaded dependencies: what the player loads before the library."""
    runnable: bool = False
    library_json: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``<machineName>-<major>.<minor>``, e.g. ``H5P.MultiChoice-1.16``."""
        return f"{self.machine_name}-{self.major}.{self.minor}"


@dataclass
class PackageInfo:
    """A validated package."""

    title: str
    main_library: str
    """Machine name of the main library."""
    main_version: tuple[int, int]
    """Major and minor version of the main library as ``h5p.json`` requires it."""
    language: str
    h5p_json: dict[str, Any]
    content_json: dict[str, Any]
    libraries: dict[str, LibraryInfo]
    """Every library folder of the package, by key (editor-only libraries included)."""
    content_files: list[str]
    """Member paths under ``content/``, ``content/content.json`` excluded."""
    total_uncompressed_bytes: int
    """Sum of the uncompressed sizes of all members of the archive."""
    embed_types: list[str]
    skipped_files: list[str] = field(default_factory=list)
    """Members that are neither checked further nor extracted: names with a segment starting
    with ``.`` or ``_`` (``__MACOSX/``, ``.DS_Store``) and harmless loose files at the root
    (such as ``H5P_CONTENT_HERE.txt``)."""

    def find_library(self, machine_name: str, major: int, minor: int) -> LibraryInfo | None:
        """The library that satisfies a dependency: same name and major, minor at least ``minor``."""
        return _resolve(self.libraries, machine_name, major, minor)

    @property
    def main(self) -> LibraryInfo:
        """The main library (always present in a validated package)."""
        found = self.find_library(self.main_library, *self.main_version)
        if found is None:  # pragma: no cover - validation guarantees it
            raise LookupError(self.main_library)
        return found


def inspect_package(
    path_or_file: str | os.PathLike[str] | IO[bytes], *, limits: Limits = Limits()
) -> PackageInfo:
    """Validate an ``.h5p`` package completely without extracting it.

    ``path_or_file`` is a path or a seekable binary file object (left open). Every member that
    extraction would write is decompressed once (in chunks, to a byte counter) so that corrupt
    data and lying zip headers are caught too. Returns the package description, or raises
    :class:`PackageError` listing every problem found.
    """
    with _open_archive(path_or_file, limits) as archive:
        info, members = _Validator(archive, limits).run()
        _stream_members(archive, members, limits, sink=None)
    return info


def extract_package(
    path_or_file: str | os.PathLike[str] | IO[bytes], destination: Path, *, limits: Limits = Limits()
) -> PackageInfo:
    """Validate a package like :func:`inspect_package`, then extract it for the player.

    Writes ``destination/h5p.json``, ``destination/content/...`` and
    ``destination/libraries/<folder>/...``; nothing else and nowhere else. ``destination`` is
    created if needed; it must not already hold ``h5p.json``, ``content`` or ``libraries``
    (:class:`FileExistsError`). Skipped members (see :attr:`PackageInfo.skipped_files`) and
    folder entries are not written; symbolic links are neither followed nor created. Members
    are streamed in chunks into a private staging folder inside ``destination`` and moved into
    place at the end. On any error (including I/O errors) everything written is removed, and
    ``destination`` too if this call created it. Returns the package description.
    """
    destination = Path(destination)
    with _open_archive(path_or_file, limits) as archive:
        info, members = _Validator(archive, limits).run()
        with _Staging(destination) as staging:
            _stream_members(archive, members, limits, sink=staging.open_member)
            staging.commit()
    return info


# --------------------------------------------------------------------------------------------
# Opening the archive
# --------------------------------------------------------------------------------------------


def _fmt_bytes(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def _open_archive(source: str | os.PathLike[str] | IO[bytes], limits: Limits) -> Iterator[zipfile.ZipFile]:
    """Open ``source`` as a zip after checking its size and the entry count of its directory."""
    if isinstance(source, str | os.PathLike):
        try:
            handle: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            raise PackageError(f"the package file cannot be read: {error.strerror}") from error
        try:
            with _open_zip(handle, limits) as archive:
                yield archive
        finally:
            handle.close()
    else:
        if not (hasattr(source, "seek") and hasattr(source, "read")):
            raise TypeError("path_or_file must be a path or a seekable binary file object")
        with _open_zip(source, limits) as archive:
            yield archive


@contextmanager
def _open_zip(handle: IO[bytes], limits: Limits) -> Iterator[zipfile.ZipFile]:
    size = handle.seek(0, os.SEEK_END)
    handle.seek(0)
    if size > limits.max_package_bytes:
        raise PackageError(
            f"the package is {_fmt_bytes(size)}, over the {_fmt_bytes(limits.max_package_bytes)} limit"
        )
    if size == 0:
        raise PackageError("the package is an empty file, not a zip archive (an .h5p file is a zip)")
    _check_central_directory(handle, size, limits)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise PackageError(
            f"the package is not a valid zip archive (an .h5p file is a zip): {error}"
        ) from error
    with archive:
        yield archive


def _check_central_directory(handle: IO[bytes], size: int, limits: Limits) -> None:
    """Refuse archives whose directory announces too many entries, before parsing it.

    ``zipfile`` loads the whole central directory into memory, so this reads the counts from
    the end-of-central-directory record first. Unreadable records are left for ``zipfile`` to
    report.
    """
    tail_size = min(size, 22 + 65535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory_bytes = int.from_bytes(tail[at + 12 : at + 16], "little")
    if (
        (entries == 0xFFFF or directory_bytes == 0xFFFFFFFF)
        and at >= 20
        and tail[at - 20 : at - 16] == b"PK\x06\x07"
    ):
        offset = int.from_bytes(tail[at - 12 : at - 4], "little")
        if offset < size:
            handle.seek(offset)
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                entries = int.from_bytes(record[32:40], "little")
                directory_bytes = int.from_bytes(record[40:48], "little")
    handle.seek(0)
    if entries > limits.max_files:
        raise PackageError(f"the package has {entries} members, more than the limit of {limits.max_files}")
    if directory_bytes > max(MB, limits.max_files * 4096):
        raise PackageError(f"the zip directory is implausibly large ({_fmt_bytes(directory_bytes)})")


# --------------------------------------------------------------------------------------------
# Member names
# --------------------------------------------------------------------------------------------


def _show(name: str) -> str:
    """A member name as it appears in messages: quoted when it holds odd characters."""
    return name if name.isprintable() and name.strip() == name else repr(name)


def _name_problems(raw_name: str) -> list[str]:
    """What makes a member name unsafe to extract; empty when it is safe."""
    problems = []
    if "\x00" in raw_name:
        problems.append("contains a NUL byte")
    if any(ord(char) < 32 or ord(char) == 127 for char in raw_name.replace("\x00", "")):
        problems.append("contains control characters")
    if "\\" in raw_name:
        problems.append("contains a backslash (Windows-style paths are not allowed)")
    if raw_name.startswith("/"):
        problems.append("is an absolute path")
    if _DRIVE_RE.match(raw_name):
        problems.append("starts with a drive letter")
    elif ":" in raw_name:
        problems.append("contains ':'")
    if len(raw_name) > _MAX_NAME_CHARS:
        problems.append(f"is longer than {_MAX_NAME_CHARS} characters")
    segments = raw_name.rstrip("/").split("/")
    if raw_name.startswith("/"):
        segments = segments[1:]
    if ".." in segments:
        problems.append("contains a '..' segment (path traversal)")
    if "." in segments:
        problems.append("contains a '.' segment")
    if any(segment == "" for segment in segments):
        problems.append("has an empty path segment")
    if any(len(segment.encode("utf-8", "surrogatepass")) > _MAX_SEGMENT_BYTES for segment in segments):
        problems.append(f"has a path segment longer than {_MAX_SEGMENT_BYTES} bytes")
    return problems


def _is_skipped(parts: tuple[str, ...]) -> bool:
    """``__MACOSX/``, ``.DS_Store`` and any other name with a segment starting with . or _."""
    return any(part.startswith((".", "_")) for part in parts)


def _extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[1].lower() if "." in base.lstrip(".") else ""


def _forbidden_extension(name: str) -> str | None:
    """The first executable or script extension anywhere in the file name (``a.php.jpg``)."""
    base = name.rsplit("/", 1)[-1].lower()
    for suffix in base.split(".")[1:]:
        if suffix in FORBIDDEN_EXTENSIONS:
            return suffix
    return None


def _collision_key(name: str) -> str:
    """Names equal under this key would overwrite each other on some file systems."""
    return unicodedata.normalize("NFC", name).casefold()


# --------------------------------------------------------------------------------------------
# Media signatures
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Validation (stages 1 and 2)
# --------------------------------------------------------------------------------------------


@dataclass
class _Member:
    info: zipfile.ZipInfo
    name: str
    parts: tuple[str, ...]
    role: str  # "h5p.json", "content" or "library"


class _Invalid:
    """Marks a JSON file that could not be read or parsed (the problem is already recorded)."""


_INVALID = _Invalid()


class _TooLarge(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _version_number(value: Any) -> int | None:
    """A version component: a whole number, or a string of digits as some tools write it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value <= 99999:
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,5}", value):
        return int(value)
    return None


def _resolve(libraries: dict[str, LibraryInfo], name: str, major: int, minor: int) -> LibraryInfo | None:
    exact = libraries.get(f"{name}-{major}.{minor}")
    if exact is not None:
        return exact
    candidates = [
        library
        for library in libraries.values()
        if library.machine_name == name and library.major == major and library.minor >= minor
    ]
    return max(candidates, key=lambda library: library.minor, default=None)


def _walk_json(value: Any) -> Iterator[dict[str, Any]]:
    """Every object inside a JSON value, depth first, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


@dataclass
class _H5PJson:
    raw: dict[str, Any]
    title: str
    main_library: str
    main_version: tuple[int, int] | None
    language: str
    embed_types: list[str]
    preloaded: list[Dependency]
    dynamic: list[Dependency]


class _Validator:
    """Collects every problem of an open archive (stages 1 and 2)."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.archive = archive
        self.limits = limits
        self.problems: list[str] = []
        self.files: dict[str, _Member] = {}
        self.library_folders: set[str] = set()
        self.skipped: list[str] = []
        self.all_names: list[str] = []
        self.total_uncompressed = 0

    def problem(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def run(self) -> tuple[PackageInfo, list[_Member]]:
        self.check_members()
        h5p = self.check_h5p_json()
        content = self.check_content_json()
        libraries, broken_folders = self.check_libraries()
        if h5p is not None:
            self.check_dependencies(h5p, content, libraries, broken_folders)
        self.check_media()
        if self.problems or h5p is None or h5p.main_version is None or not isinstance(content, dict):
            raise PackageError(self.problems)
        info = PackageInfo(
            title=h5p.title,
            main_library=h5p.main_library,
            main_version=h5p.main_version,
            language=h5p.language,
            h5p_json=h5p.raw,
            content_json=content,
            libraries=dict(sorted(libraries.items())),
            content_files=sorted(
                name
                for name, m in self.files.items()
                if m.role == "content" and name != "content/content.json"
            ),
            total_uncompressed_bytes=self.total_uncompressed,
            embed_types=h5p.embed_types,
            skipped_files=sorted(self.skipped),
        )
        return info, [self.files[name] for name in sorted(self.files)]

    # -- stage 1: the zip headers ------------------------------------------------------------

    def check_members(self) -> None:
        limits = self.limits
        infos = self.archive.infolist()
        if len(infos) > limits.max_files:
            raise PackageError(
                f"the package has {len(infos)} members, more than the limit of {limits.max_files}"
            )
        seen: dict[str, str] = {}
        file_keys: dict[str, str] = {}
        folder_keys: set[str] = set()
        total_compressed = 0
        for info in infos:
            raw = info.orig_filename
            shown = _show(raw)
            self.all_names.append(info.filename)
            unsafe = _name_problems(raw)
            for issue in unsafe:
                self.problem(f"{shown}: unsafe name: it {issue}")
            mode = info.external_attr >> 16
            kind = stat.S_IFMT(mode)
            if kind == stat.S_IFLNK:
                self.problem(f"{shown}: is a symbolic link; links are not allowed in a package")
                unsafe.append("link")
            elif kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                self.problem(f"{shown}: is a special file (device, FIFO or socket), not a regular file")
                unsafe.append("special")
            is_dir = info.filename.endswith("/")
            if kind == stat.S_IFDIR and not is_dir:
                self.problem(f"{shown}: is marked as a folder but its name does not end with '/'")
                unsafe.append("folder")
            if info.flag_bits & 0x1:
                self.problem(f"{shown}: is encrypted; encrypted packages are not supported")
                unsafe.append("encrypted")
            if info.compress_type not in _SUPPORTED_COMPRESSION:
                self.problem(f"{shown}: uses an unsupported compression method ({info.compress_type})")
                unsafe.append("compression")
            if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
                self.problem(f"{shown}: its zip header sizes are inconsistent (stored, yet sizes differ)")
            forbidden = _forbidden_extension(raw)
            if forbidden:
                self.problem(f"{shown}: .{forbidden} files (programs and server scripts) are not allowed")
                unsafe.append("forbidden")

            name = raw.rstrip("/")
            key = _collision_key(name)
            if key in seen:
                other = seen[key]
                if other == name:
                    self.problem(f"{shown}: appears more than once in the archive")
                else:
                    self.problem(
                        f"{shown}: differs from {_show(other)} only in letter case or Unicode form, "
                        "so one would overwrite the other"
                    )
                unsafe.append("duplicate")
            else:
                seen[key] = name
            parts = tuple(name.split("/"))
            for depth in range(1, len(parts)):
                folder_keys.add(_collision_key("/".join(parts[:depth])))
            if is_dir:
                folder_keys.add(key)
            else:
                file_keys[key] = name
                self.total_uncompressed += info.file_size
                total_compressed += info.compress_size
                if (
                    info.file_size > limits.ratio_check_min_bytes
                    and info.file_size / max(info.compress_size, 1) > limits.max_compression_ratio
                ):
                    ratio = info.file_size / max(info.compress_size, 1)
                    self.problem(
                        f"{shown}: compression ratio {ratio:.0f}:1 is over the limit of "
                        f"{limits.max_compression_ratio:.0f}:1 (a possible zip bomb)"
                    )
            if unsafe:
                continue
            self.classify(info, name, parts, is_dir)

        for key, name in file_keys.items():
            if key in folder_keys:
                self.problem(f"{_show(name)}: is a file, but other members use it as a folder")
        if self.total_uncompressed > limits.max_total_uncompressed_bytes:
            self.problem(
                f"the package would unpack to {_fmt_bytes(self.total_uncompressed)}, over the "
                f"{_fmt_bytes(limits.max_total_uncompressed_bytes)} limit"
            )
        if (
            self.total_uncompressed > limits.ratio_check_min_bytes
            and self.total_uncompressed / max(total_compressed, 1) > limits.max_compression_ratio
        ):
            ratio = self.total_uncompressed / max(total_compressed, 1)
            self.problem(
                f"the package's overall compression ratio {ratio:.0f}:1 is over the limit of "
                f"{limits.max_compression_ratio:.0f}:1 (a possible zip bomb)"
            )

    def classify(self, info: zipfile.ZipInfo, name: str, parts: tuple[str, ...], is_dir: bool) -> None:
        """Sort a safely named member into h5p.json, content, a library folder or skipped."""
        if _is_skipped(parts):
            if not is_dir:
                self.skipped.append(name)
            return
        top = parts[0]
        if is_dir:
            if top != "content":
                self.library_folders.add(top)
            return
        extension = _extension(name)
        if len(parts) == 1:
            if name == "h5p.json":
                self.files[name] = _Member(info, name, parts, "h5p.json")
            elif extension in CONTENT_EXTENSIONS:
                self.skipped.append(name)  # e.g. H5P_CONTENT_HERE.txt: ignored, never extracted
            else:
                self.problem(
                    f"{_show(name)}: files at the root of a package are not allowed (only h5p.json, "
                    "content/ and library folders)"
                )
            return
        if not extension:
            self.problem(f"{_show(name)}: has no file extension")
            return
        if top == "content":
            if extension not in CONTENT_EXTENSIONS:
                why = " (SVG can carry scripts)" if extension == "svg" else ""
                self.problem(f"{_show(name)}: .{extension} files are not allowed in content/{why}")
                return
            self.files[name] = _Member(info, name, parts, "content")
        else:
            self.library_folders.add(top)
            if extension not in LIBRARY_EXTENSIONS:
                self.problem(f"{_show(name)}: .{extension} files are not allowed in library folders")
                return
            self.files[name] = _Member(info, name, parts, "library")

    # -- stage 2: the metadata ---------------------------------------------------------------

    def read_small(self, member: _Member) -> bytes:
        """Read a metadata file, counting the bytes actually produced; _TooLarge past the limit."""
        limit = self.limits.max_json_bytes
        if member.info.file_size > limit:
            raise _TooLarge
        chunks = []
        size = 0
        with self.archive.open(member.info) as stream:
            while chunk := stream.read(CHUNK_SIZE):
                size += len(chunk)
                if size > limit:
                    raise _TooLarge
                chunks.append(chunk)
        return b"".join(chunks)

    def parse_json(self, member: _Member) -> Any:
        """The parsed JSON of a member, or _INVALID after recording why it is unusable."""
        name = _show(member.name)
        try:
            raw = self.read_small(member)
        except _TooLarge:
            self.problem(
                f"{name} is larger than the {_fmt_bytes(self.limits.max_json_bytes)} limit for JSON files"
            )
            return _INVALID
        except _READ_ERRORS as error:
            self.problem(f"{name} cannot be read, the archive is corrupt ({error})")
            return _INVALID
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.problem(f"{name} is not valid JSON (it is not UTF-8 text)")
            return _INVALID
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as error:
            self.problem(
                f"{name} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
            )
        except (ValueError, RecursionError) as error:
            self.problem(f"{name} is not valid JSON ({error or 'nested too deeply'})")
        return _INVALID

    def dependency_list(
        self, data: dict[str, Any], key: str, where: str, *, required: bool
    ) -> list[Dependency]:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(f"{where}: required field '{key}' is missing")
            return []
        if not isinstance(value, list) or (required and not value):
            self.problem(f"{where}: '{key}' must be a {'non-empty ' if required else ''}list")
            return []
        found: list[Dependency] = []
        for index, item in enumerate(value):
            label = f"{where}: {key}[{index}]"
            if not isinstance(item, dict):
                self.problem(f"{label} must be an object with machineName, majorVersion and minorVersion")
                continue
            name = item.get("machineName")
            major = _version_number(item.get("majorVersion"))
            minor = _version_number(item.get("minorVersion"))
            if not isinstance(name, str) or not _MACHINE_NAME_RE.match(name):
                self.problem(f"{label}.machineName must be a library name such as 'H5P.MultiChoice'")
                name = None
            for field_name, number in (("majorVersion", major), ("minorVersion", minor)):
                if number is None:
                    self.problem(f"{label}.{field_name} must be a whole number")
            if (
                name is not None
                and major is not None
                and minor is not None
                and (name, major, minor) not in found
            ):
                found.append((name, major, minor))
        return found

    def check_h5p_json(self) -> _H5PJson | None:
        member = self.files.get("h5p.json")
        if member is None:
            message = "h5p.json is missing from the root of the package"
            nested = next((name for name in self.all_names if name.endswith("/h5p.json")), None)
            if nested:
                message += (
                    f" (found {_show(nested)}: zip the package's contents, not the folder that holds them)"
                )
            self.problem(message)
            return None
        data = self.parse_json(member)
        if data is _INVALID:
            return None
        if not isinstance(data, dict):
            self.problem("h5p.json must hold a JSON object")
            return None
        before = len(self.problems)
        title = data.get("title")
        main = data.get("mainLibrary")
        language = data.get("language")
        embed_types = data.get("embedTypes")
        for key in ("title", "mainLibrary", "language", "preloadedDependencies", "embedTypes"):
            if key not in data:
                self.problem(f"h5p.json: required field '{key}' is missing")
        if "title" in data and (not isinstance(title, str) or not title.strip() or len(title) > 255):
            self.problem("h5p.json: 'title' must be a non-empty string of at most 255 characters")
        if "mainLibrary" in data and (not isinstance(main, str) or not _MACHINE_NAME_RE.match(main)):
            self.problem("h5p.json: 'mainLibrary' must be a library name such as 'H5P.MultiChoice'")
        if "language" in data and (not isinstance(language, str) or not _LANGUAGE_CODE_RE.match(language)):
            self.problem("h5p.json: 'language' must be a language code such as 'en' or 'und'")
        if "embedTypes" in data and (
            not isinstance(embed_types, list)
            or not embed_types
            or not all(isinstance(kind, str) and kind in _EMBED_TYPES for kind in embed_types)
        ):
            self.problem("h5p.json: 'embedTypes' must be a non-empty list of 'div' and/or 'iframe'")
        preloaded = (
            self.dependency_list(data, "preloadedDependencies", "h5p.json", required=True)
            if "preloadedDependencies" in data
            else []
        )
        dynamic = self.dependency_list(data, "dynamicDependencies", "h5p.json", required=False)
        if len(self.problems) > before:
            return None
        main_version = next(((major, minor) for name, major, minor in preloaded if name == main), None)
        if main_version is None:
            self.problem(f"h5p.json: the main library '{main}' is not listed in preloadedDependencies")
        return _H5PJson(data, title, main, main_version, language, list(embed_types), preloaded, dynamic)

    def check_content_json(self) -> Any:
        member = self.files.get("content/content.json")
        if member is None:
            self.problem("content/content.json is missing")
            return _INVALID
        data = self.parse_json(member)
        if data is not _INVALID and not isinstance(data, dict):
            self.problem("content/content.json must hold a JSON object")
            return _INVALID
        return data

    def check_libraries(self) -> tuple[dict[str, LibraryInfo], set[str]]:
        """Validate every library folder; returns the valid ones by key and the broken folders."""
        libraries: dict[str, LibraryInfo] = {}
        broken: set[str] = set()
        for folder in sorted(self.library_folders):
            library = self.check_library(folder)
            if library is None:
                broken.add(folder)
            else:
                libraries[library.key] = library
        return libraries, broken

    def check_library(self, folder: str) -> LibraryInfo | None:
        files = sorted(name for name, m in self.files.items() if m.role == "library" and m.parts[0] == folder)
        match = _FOLDER_RE.match(folder)
        if not match:
            self.problem(
                f"library folder {folder!r} is malformed: its name must be <machineName>-<major>.<minor>, "
                "e.g. 'H5P.MultiChoice-1.16'"
            )
            return None
        member = self.files.get(f"{folder}/library.json")
        if member is None:
            self.problem(f"library folder {folder!r} is malformed: it has no library.json")
            return None
        data = self.parse_json(member)
        self.check_language_files(folder, files)
        if data is _INVALID:
            return None
        where = f"{folder}/library.json"
        if not isinstance(data, dict):
            self.problem(f"{where} must hold a JSON object")
            return None
        before = len(self.problems)
        for key in ("title", "machineName", "majorVersion", "minorVersion", "patchVersion", "runnable"):
            if key not in data:
                self.problem(f"{where}: required field '{key}' is missing")
        title = data.get("title")
        name = data.get("machineName")
        numbers = {
            key: _version_number(data.get(key)) for key in ("majorVersion", "minorVersion", "patchVersion")
        }
        if "title" in data and (not isinstance(title, str) or not title.strip()):
            self.problem(f"{where}: 'title' must be a non-empty string")
        if "machineName" in data and (not isinstance(name, str) or not _MACHINE_NAME_RE.match(name)):
            self.problem(f"{where}: 'machineName' must be a library name such as 'H5P.MultiChoice'")
        for key, number in numbers.items():
            if key in data and number is None:
                self.problem(f"{where}: '{key}' must be a whole number")
        if "runnable" in data and data["runnable"] not in (0, 1, True, False):
            self.problem(f"{where}: 'runnable' must be 0 or 1")
        core_api = self.core_api(data, where)
        preloaded_js = self.preloaded_files(data, "preloadedJs", "js", folder, files)
        preloaded_css = self.preloaded_files(data, "preloadedCss", "css", folder, files)
        preloaded = self.dependency_list(data, "preloadedDependencies", where, required=False)
        dynamic = self.dependency_list(data, "dynamicDependencies", where, required=False)
        editor = self.dependency_list(data, "editorDependencies", where, required=False)
        if len(self.problems) > before:
            return None
        major, minor, patch = numbers["majorVersion"], numbers["minorVersion"], numbers["patchVersion"]
        if major is None or minor is None or patch is None:  # checked above; keeps the types exact
            return None
        expected = f"{name}-{major}.{minor}"
        if expected != folder:
            self.problem(
                f"{where}: machineName and version say '{expected}' but the folder is named {folder!r}"
            )
            return None
        return LibraryInfo(
            machine_name=name,
            major=major,
            minor=minor,
            patch=patch,
            folder=folder,
            title=title,
            preloaded_js=preloaded_js,
            preloaded_css=preloaded_css,
            dependencies=preloaded + [dep for dep in dynamic if dep not in preloaded],
            core_api=core_api,
            files=files,
            editor_dependencies=editor,
            preloaded_dependencies=preloaded,
            runnable=bool(data["runnable"]),
            library_json=data,
        )

    def core_api(self, data: dict[str, Any], where: str) -> tuple[int, int] | None:
        value = data.get("coreApi")
        if value is None:
            return None
        major = _version_number(value.get("majorVersion")) if isinstance(value, dict) else None
        minor = _version_number(value.get("minorVersion")) if isinstance(value, dict) else None
        if major is None or minor is None:
            self.problem(
                f"{where}: 'coreApi' must be an object with whole-number majorVersion and minorVersion"
            )
            return None
        if (major, minor) > self.limits.core_api:
            have = ".".join(str(part) for part in self.limits.core_api)
            self.problem(
                f"{where.split('/')[0]}: requires H5P core API {major}.{minor}, newer than the {have} "
                "the player (h5p-standalone) provides"
            )
        return major, minor

    def preloaded_files(
        self, data: dict[str, Any], key: str, extension: str, folder: str, files: list[str]
    ) -> list[str]:
        where = f"{folder}/library.json"
        value = data.get(key, [])
        if not isinstance(value, list):
            self.problem(f"{where}: '{key}' must be a list of {{\"path\": ...}} objects")
            return []
        paths: list[str] = []
        present = set(files)
        for index, item in enumerate(value):
            path = item.get("path") if isinstance(item, dict) else None
            if not isinstance(path, str) or not path:
                self.problem(f"{where}: {key}[{index}] must be an object with a 'path'")
                continue
            issues = _name_problems(path)
            if issues or path.endswith("/"):
                self.problem(
                    f"{where}: {key}[{index}] path {path!r} is unsafe ({'; '.join(issues) or 'a folder'})"
                )
                continue
            if _extension(path) != extension:
                self.problem(f"{where}: {key}[{index}] path {path!r} must be a .{extension} file")
                continue
            if f"{folder}/{path}" not in present:
                kind = "JS" if extension == "js" else "CSS"
                self.problem(f"{where}: preloaded {kind} file {path!r} is missing from the package")
                continue
            paths.append(path)
        return paths

    def check_language_files(self, folder: str, files: list[str]) -> None:
        prefix = f"{folder}/language/"
        for name in files:
            if not name.startswith(prefix) or "/" in name[len(prefix) :] or _extension(name) != "json":
                continue
            base = name[len(prefix) :]
            if not _LANGUAGE_FILE_RE.match(base):
                self.problem(
                    f"{_show(name)}: a language file must be named after a language code, "
                    "e.g. 'en.json' or 'pt-br.json'"
                )
            data = self.parse_json(self.files[name])
            if data is not _INVALID and not isinstance(data, dict):
                self.problem(f"{_show(name)} must hold a JSON object")

    def check_dependencies(
        self, h5p: _H5PJson, content: Any, libraries: dict[str, LibraryInfo], broken_folders: set[str]
    ) -> None:
        """Everything h5p.json, the libraries and content.json need must be in the package."""

        broken = [
            (match.group(1), int(match.group(2)), int(match.group(3)))
            for match in map(_FOLDER_RE.match, sorted(broken_folders))
            if match
        ]

        def missing(name: str, major: int, minor: int) -> str | None:
            """Why a dependency cannot be met, or None when it can (or was reported already)."""
            if _resolve(libraries, name, major, minor) is not None:
                return None
            if any(
                b_name == name and b_major == major and b_minor >= minor
                for b_name, b_major, b_minor in broken
            ):
                return None  # the folder is there but invalid: already reported
            others = sorted(
                f"{lib.major}.{lib.minor}" for lib in libraries.values() if lib.machine_name == name
            )
            note = f" (the package only has {name} {', '.join(others)})" if others else ""
            return f"{name} {major}.{minor}, which is not in the package{note}"

        if h5p.main_version is not None:
            why = missing(h5p.main_library, *h5p.main_version)
            if why:
                self.problem(f"h5p.json: the main library is {why}")
        for name, major, minor in h5p.preloaded + h5p.dynamic:
            if (name, (major, minor)) == (h5p.main_library, h5p.main_version):
                continue
            why = missing(name, major, minor)
            if why:
                self.problem(f"h5p.json: needs {why}")

        for library in libraries.values():
            for name, major, minor in library.dependencies:
                why = missing(name, major, minor)
                if why:
                    self.problem(f"{library.folder}/library.json: needs {why}")

        # What the player loads: the closure of h5p.json's preloadedDependencies.
        loaded: set[str] = set()
        queue = list(h5p.preloaded)
        while queue:
            found = _resolve(libraries, *queue.pop())
            if found is not None and found.key not in loaded:
                loaded.add(found.key)
                queue.extend(found.preloaded_dependencies)

        if not isinstance(content, dict):
            return
        for item in _walk_json(content):
            value = item.get("library")
            if not isinstance(value, str):
                continue
            match = _SUBCONTENT_LIBRARY_RE.match(value)
            if not match:
                if "params" in item or "subContentId" in item:
                    self.problem(
                        f"content/content.json: sub-content library {value!r} is not of the form 'H5P.Name 1.2'"
                    )
                continue
            name, major, minor = match.group(1), int(match.group(2)), int(match.group(3))
            why = missing(name, major, minor)
            if why:
                self.problem(f"content/content.json: uses library {why}")
                continue
            found = _resolve(libraries, name, major, minor)
            if found is not None and found.key not in loaded:
                self.problem(
                    f"content/content.json: uses library {name} {major}.{minor}, which is in the package "
                    "but not reachable from h5p.json's preloadedDependencies, so the player would not load it"
                )

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


# --------------------------------------------------------------------------------------------
# Stage 3: streaming the data
# --------------------------------------------------------------------------------------------


class _Budget:
    """Bytes actually produced while streaming the whole archive."""

    def __init__(self, limits: Limits, compressed_total: int) -> None:
        self.limits = limits
        self.compressed_total = max(compressed_total, 1)
        self.total = 0

    def add(self, size: int) -> None:
        self.total += size
        limits = self.limits
        if self.total > limits.max_total_uncompressed_bytes:
            raise PackageError(
                f"the package unpacks to more than the {_fmt_bytes(limits.max_total_uncompressed_bytes)} limit"
            )
        if (
            self.total > limits.ratio_check_min_bytes
            and self.total / self.compressed_total > limits.max_compression_ratio
        ):
            raise PackageError(
                f"the package's overall compression ratio is over the limit of "
                f"{limits.max_compression_ratio:.0f}:1 (a possible zip bomb)"
            )


def _copy_member(
    source: BinaryIO,
    sink: BinaryIO | None,
    *,
    name: str,
    declared_size: int,
    compressed_size: int,
    budget: _Budget,
) -> int:
    """Stream one member in chunks, counting the bytes actually read; returns the count.

    Raises :class:`PackageError` as soon as the member yields more than its header declared, or
    over the per-member compression ratio, or pushes the archive over its limits (see _Budget);
    also when it yields less than declared, or starts with the EICAR test signature.
    """
    limits = budget.limits
    size = 0
    while chunk := source.read(CHUNK_SIZE):
        if size == 0 and _EICAR_MARKER in chunk[:_HEAD_BYTES]:
            raise PackageError(f"{_show(name)}: is the EICAR anti-virus test file")
        size += len(chunk)
        if size > declared_size:
            raise PackageError(
                f"{_show(name)}: holds more data than its zip header declares ({declared_size} bytes)"
            )
        if (
            size > limits.ratio_check_min_bytes
            and size / max(compressed_size, 1) > limits.max_compression_ratio
        ):
            raise PackageError(
                f"{_show(name)}: compression ratio is over the limit of "
                f"{limits.max_compression_ratio:.0f}:1 (a possible zip bomb)"
            )
        budget.add(len(chunk))
        if sink is not None:
            sink.write(chunk)
    if size != declared_size:
        raise PackageError(f"{_show(name)}: holds {size} bytes but its zip header declares {declared_size}")
    return size


def _stream_members(
    archive: zipfile.ZipFile,
    members: list[_Member],
    limits: Limits,
    sink: Callable[[_Member], BinaryIO] | None,
) -> None:
    """Decompress every member once, enforcing the limits on the bytes actually produced."""
    budget = _Budget(limits, sum(member.info.compress_size for member in members))
    for member in members:
        try:
            with archive.open(member.info) as source:
                if sink is None:
                    _copy_member(
                        source,
                        None,
                        name=member.name,
                        declared_size=member.info.file_size,
                        compressed_size=member.info.compress_size,
                        budget=budget,
                    )
                else:
                    with sink(member) as target:
                        _copy_member(
                            source,
                            target,
                            name=member.name,
                            declared_size=member.info.file_size,
                            compressed_size=member.info.compress_size,
                            budget=budget,
                        )
        except _READ_ERRORS as error:
            raise PackageError(
                f"{_show(member.name)} cannot be read, the archive is corrupt ({error})"
            ) from error


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

_TOP_LEVEL = ("h5p.json", "content", "libraries")


def _target_parts(member: _Member) -> tuple[str, ...]:
    """Where a member goes, relative to the destination."""
    if member.role == "library":
        return ("libraries", *member.parts)
    return member.parts


class _Staging:
    """A private folder inside the destination; moved into place on commit, removed on error."""

    def __init__(self, destination: Path) -> None:
        self.destination = destination
        self.created: list[Path] = []
        self.root: Path | None = None
        self.moved: list[Path] = []

    def __enter__(self) -> _Staging:
        destination = self.destination
        if os.path.lexists(destination) and not destination.is_dir():
            raise NotADirectoryError(f"the destination {destination} is not a folder")
        for name in _TOP_LEVEL:
            if os.path.lexists(destination / name):
                raise FileExistsError(f"the destination {destination} already holds {name!r}")
        missing = []
        folder = destination
        while not os.path.lexists(folder):
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            folder.mkdir()
            self.created.append(folder)
        self.root = Path(tempfile.mkdtemp(prefix=".h5p-extract-", dir=destination))
        return self

    def open_member(self, member: _Member) -> BinaryIO:
        """A new file for ``member`` in the staging folder; never through or onto a link."""
        if self.root is None:
            raise RuntimeError("the staging folder was not created (use the stage as a context manager)")
        parts = _target_parts(member)
        folder = self.root
        for part in parts[:-1]:
            folder = folder / part
            try:
                os.mkdir(folder, 0o755)
            except FileExistsError:
                if not stat.S_ISDIR(os.lstat(folder).st_mode):
                    raise PackageError(f"{_show(member.name)}: collides with another member") from None
        target = folder / parts[-1]
        root = os.path.realpath(self.root)
        if (
            os.path.commonpath([root, os.path.realpath(target)]) != root
        ):  # pragma: no cover - names are checked
            raise PackageError(f"{_show(member.name)}: would be written outside the destination")
        flags = (
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        )
        return os.fdopen(os.open(target, flags, 0o644), "wb")

    def commit(self) -> None:
        if self.root is None:
            raise RuntimeError("the staging folder was not created (use the stage as a context manager)")
        for name in _TOP_LEVEL:
            source = self.root / name
            if not os.path.lexists(source):
                continue
            target = self.destination / name
            if os.path.lexists(target):
                raise FileExistsError(f"the destination {self.destination} already holds {name!r}")
            os.rename(source, target)
            self.moved.append(target)
        os.rmdir(self.root)
        self.root = None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> None:
        if kind is None:
            return
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
        for path in self.moved:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        for folder in reversed(self.created):
            try:
                folder.rmdir()
            except OSError:
                break
