"""The validator: stages 1 (zip headers) and 2 (metadata and media) of checking a package."""

from __future__ import annotations

import zipfile

from .archive import _Member
from .errors import PackageError
from .libraries import _LibraryChecks
from .limits import Limits
from .media import _MediaChecks
from .members import _MemberChecks
from .metadata import PackageInfo, _MetadataChecks


class _Validator(_MemberChecks, _MetadataChecks, _LibraryChecks, _MediaChecks):
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
