"""The archive itself: opening the zip (its size and central directory first), member names and
extensions, streaming members with the bytes actually produced counted, and writing them through
a private staging folder."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from .errors import _READ_ERRORS, PackageError, _fmt_bytes, _show
from .limits import CHUNK_SIZE, FORBIDDEN_EXTENSIONS, MB, Limits

_DRIVE_RE = re.compile(r"^[A-Za-z]:")


_SUPPORTED_COMPRESSION = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_MAX_NAME_CHARS = 1024
_MAX_SEGMENT_BYTES = 255
_HEAD_BYTES = 1024
_EICAR_MARKER = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"


@dataclass
class _Member:
    info: zipfile.ZipInfo
    name: str
    parts: tuple[str, ...]
    role: str  # "h5p.json", "content" or "library"


# --------------------------------------------------------------------------------------------
# Opening the archive
# --------------------------------------------------------------------------------------------


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
