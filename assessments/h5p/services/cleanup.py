"""Removing what no activity uses: library code no kept file of an activity needs (and library
folders left behind by newer patches), files of activities that are neither current nor pinned by
a course release, extracted folders nothing points at, and failed uploads' leftovers."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from courses.models import CourseRelease

from ..models import H5PActivity, H5PLibrary, H5PPackageRevision
from .common import h5p_root

STAGING_GRACE_SECONDS = 24 * 3600  # an upload still being checked is never this old


@dataclass
class CleanupReport:
    """What :func:`h5p_cleanup` found (and removed when ``applied``), relative to the H5P root."""

    libraries: list[str] = field(default_factory=list)  # library versions no kept file uses
    revisions: list[str] = field(default_factory=list)  # activity files neither current nor pinned
    folders: list[str] = field(default_factory=list)  # folders and files nothing points at
    applied: bool = False

    @property
    def empty(self) -> bool:
        return not (self.libraries or self.revisions or self.folders)


def _pinned() -> set[tuple[int, int]]:
    """(activity id, revision number) of every file a course release pins."""
    found = set()
    for pins in CourseRelease.objects.exclude(h5p_pins={}).values_list("h5p_pins", flat=True):
        for activity_id, pin in (pins or {}).items():
            if isinstance(pin, dict) and isinstance(pin.get("revision"), int):
                found.add((int(activity_id), pin["revision"]))
    return found


def _children(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _remove(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def h5p_cleanup(*, apply: bool = False) -> CleanupReport:
    """Find (and with ``apply``, remove) what no activity uses. A dry run changes nothing."""
    root = h5p_root()
    report = CleanupReport(applied=apply)
    current = dict(H5PActivity.objects.values_list("pk", "revision"))
    pinned = _pinned()
    unused_revisions = [
        revision
        for revision in H5PPackageRevision.objects.order_by("activity_id", "number")
        if current.get(revision.activity_id) != revision.number
        and (revision.activity_id, revision.number) not in pinned
    ]
    report.revisions = [f"{r.activity_id} r{r.number} ({r.content_folder})" for r in unused_revisions]
    unused_ids = [r.pk for r in unused_revisions]
    kept = H5PPackageRevision.objects.exclude(pk__in=unused_ids)
    used_libraries = set(kept.values_list("libraries", flat=True)) | set(
        kept.values_list("main_library", flat=True)
    )
    used_libraries |= set(H5PActivity.objects.values_list("libraries", flat=True))
    used_libraries |= set(H5PActivity.objects.values_list("main_library", flat=True))
    unused_libraries = list(H5PLibrary.objects.exclude(pk__in=[pk for pk in used_libraries if pk]))
    report.libraries = [f"{library} ({library.folder})" for library in unused_libraries]

    kept_folders = {Path(folder) for folder in kept.values_list("content_folder", flat=True)}
    kept_folders |= {Path(folder) for folder in H5PActivity.objects.values_list("content_folder", flat=True)}
    kept_files = {Path(name) for name in kept.values_list("package", flat=True)}
    kept_files |= {Path(name) for name in H5PActivity.objects.values_list("package", flat=True)}
    kept_libraries = {
        Path(folder)
        for folder in H5PLibrary.objects.exclude(pk__in=[lib.pk for lib in unused_libraries]).values_list(
            "folder", flat=True
        )
    }
    leftovers: list[Path] = []
    for path in _children(root / "libraries"):
        if path.relative_to(root) not in kept_libraries:
            leftovers.append(path)
    for activity_folder in _children(root / "content"):
        for path in _children(activity_folder):
            if path.relative_to(root) not in kept_folders:
                leftovers.append(path)
    for activity_folder in _children(root / "packages"):
        for path in _children(activity_folder):
            if path.relative_to(root) not in kept_files:
                leftovers.append(path)
    now = time.time()
    for path in _children(root / "tmp"):
        if now - path.stat().st_mtime > STAGING_GRACE_SECONDS:
            leftovers.append(path)
    report.folders = [str(path.relative_to(root)) for path in leftovers]
    if not apply or report.empty:
        return report
    with transaction.atomic():
        H5PPackageRevision.objects.filter(pk__in=unused_ids).delete()
        H5PLibrary.objects.filter(pk__in=[library.pk for library in unused_libraries]).delete()
        transaction.on_commit(lambda: _remove(leftovers))
    return report
