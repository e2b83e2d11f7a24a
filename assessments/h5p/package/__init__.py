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

The code is split by concern: ``limits`` (sizes, limits, allowed extensions), ``errors``
(:class:`PackageError`), ``archive`` (opening the zip, member names, streaming, staging),
``members`` (stage 1), ``metadata`` and ``libraries`` (stage 2, JSON files and dependencies),
``media`` (stage 2, media signatures and images), ``validator`` (the stages together) and
``extraction`` (the two entry points). Import from this package, not from its modules.
"""

from .archive import _Budget, _copy_member
from .errors import PackageError
from .extraction import extract_package, inspect_package
from .limits import CHUNK_SIZE, CONTENT_EXTENSIONS, FORBIDDEN_EXTENSIONS, LIBRARY_EXTENSIONS, MB, Limits
from .metadata import LibraryInfo, PackageInfo

__all__ = [
    "CHUNK_SIZE",
    "CONTENT_EXTENSIONS",
    "FORBIDDEN_EXTENSIONS",
    "LIBRARY_EXTENSIONS",
    "MB",
    "LibraryInfo",
    "Limits",
    "PackageError",
    "PackageInfo",
    "_Budget",
    "_copy_member",
    "extract_package",
    "inspect_package",
]
