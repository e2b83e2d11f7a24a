"""The two entry points: inspect a package, or validate and extract it for the player."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from .archive import _open_archive, _Staging, _stream_members
from .limits import Limits
from .metadata import PackageInfo
from .validator import _Validator

_DEFAULT_LIMITS = Limits()  # frozen: one shared default, as before


def inspect_package(
    path_or_file: str | os.PathLike[str] | IO[bytes], *, limits: Limits = _DEFAULT_LIMITS
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
    path_or_file: str | os.PathLike[str] | IO[bytes], destination: Path, *, limits: Limits = _DEFAULT_LIMITS
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
