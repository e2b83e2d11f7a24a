"""Stage 1 of validation: every member's zip header (name, kind, flags, compression, sizes) and
the archive's totals, before anything is decompressed."""

from __future__ import annotations

import stat
import zipfile

from .archive import (
    _SUPPORTED_COMPRESSION,
    _collision_key,
    _extension,
    _forbidden_extension,
    _is_skipped,
    _Member,
    _name_problems,
)
from .errors import PackageError, _fmt_bytes, _show
from .limits import CONTENT_EXTENSIONS, LIBRARY_EXTENSIONS


class _MemberChecks:
    """Stage 1: part of :class:`_Validator` (uses its ``archive``, ``limits``, ``files``,
    ``library_folders``, ``skipped``, ``all_names``, ``total_uncompressed`` and ``problem``)."""

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
            unsafe = self.header_problems(info, shown)
            is_dir = info.filename.endswith("/")
            name = raw.rstrip("/")
            key = _collision_key(name)
            if self.is_duplicate(name, key, shown, seen):
                unsafe.append("duplicate")
            parts = tuple(name.split("/"))
            for depth in range(1, len(parts)):
                folder_keys.add(_collision_key("/".join(parts[:depth])))
            if is_dir:
                folder_keys.add(key)
            else:
                file_keys[key] = name
                self.total_uncompressed += info.file_size
                total_compressed += info.compress_size
                self.check_member_ratio(info, shown)
            if unsafe:
                continue
            self.classify(info, name, parts, is_dir)
        self.check_totals(file_keys, folder_keys, total_compressed)

    def header_problems(self, info: zipfile.ZipInfo, shown: str) -> list[str]:
        """Record what makes one member unsafe (name, kind, flags, compression, extension);
        returns a non-empty list when the member must not be classified."""
        raw = info.orig_filename
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
        return unsafe

    def is_duplicate(self, name: str, key: str, shown: str, seen: dict[str, str]) -> bool:
        """Record a name already seen (exactly, or up to case and Unicode form); remember new ones."""
        if key not in seen:
            seen[key] = name
            return False
        other = seen[key]
        if other == name:
            self.problem(f"{shown}: appears more than once in the archive")
        else:
            self.problem(
                f"{shown}: differs from {_show(other)} only in letter case or Unicode form, "
                "so one would overwrite the other"
            )
        return True

    def check_member_ratio(self, info: zipfile.ZipInfo, shown: str) -> None:
        limits = self.limits
        if (
            info.file_size > limits.ratio_check_min_bytes
            and info.file_size / max(info.compress_size, 1) > limits.max_compression_ratio
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            self.problem(
                f"{shown}: compression ratio {ratio:.0f}:1 is over the limit of "
                f"{limits.max_compression_ratio:.0f}:1 (a possible zip bomb)"
            )

    def check_totals(self, file_keys: dict[str, str], folder_keys: set[str], total_compressed: int) -> None:
        """Files used as folders, and the archive's total size and compression ratio."""
        limits = self.limits
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
