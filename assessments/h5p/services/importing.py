"""Importing a package: validate it, install its libraries (shared), store its content as the
activity's next file (package revision), and say which hosts its media come from.

Libraries are stored once (``<H5P root>/libraries/``) and shared; each file of an activity is
extracted to ``<H5P root>/content/<id>/<revision>-<random>/`` and kept while it is current or a
course release pins it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CourseRelease
from lms.accounts.services import audit_record

from .. import content
from ..models import H5PActivity, H5PLibrary, H5PPackageRevision, H5PUserState
from ..package import LibraryInfo, PackageError, PackageInfo, extract_package
from .common import PackageRefused, h5p_limits, h5p_root


def _playable(info: PackageInfo) -> list[LibraryInfo]:
    """The package's libraries the player loads (editor-only libraries are left out)."""
    wanted, queue, seen = [], list(info.h5p_json.get("preloadedDependencies") or []), set()
    pending = [(d.get("machineName"), d.get("majorVersion"), d.get("minorVersion")) for d in queue]
    while pending:
        name, major, minor = pending.pop(0)
        try:
            library = info.find_library(str(name), int(major), int(minor))
        except (TypeError, ValueError):
            library = None
        if library is None or library.key in seen:
            continue
        seen.add(library.key)
        wanted.append(library)
        pending.extend(library.dependencies)
    return wanted


@dataclass
class _Files:
    """Folders and files moved into place by an import, removed again if it fails."""

    created: list[Path] = field(default_factory=list)

    def move(self, source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, target)
        self.created.append(target)

    def undo(self) -> None:
        for path in reversed(self.created):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _copy_package(source: str | os.PathLike | IO[bytes], target: Path, files: _Files) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(source, "read"):
        source.seek(0)
        with open(target, "xb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
    else:
        shutil.copyfile(source, target)
    files.created.append(target)


def _install_libraries(
    info: PackageInfo, staging: Path, *, may_install: bool, user, files: _Files
) -> tuple[list[H5PLibrary], H5PLibrary, list[H5PLibrary], list[H5PLibrary]]:
    """Rows for every library the package plays with: existing ones reused, new ones installed
    (only with the permission), older patches upgraded (likewise).

    Returns (all, main, installed, upgraded)."""
    needed = _playable(info)
    existing = {
        (library.machine_name, library.major, library.minor): library
        for library in H5PLibrary.objects.select_for_update().filter(
            machine_name__in={library.machine_name for library in needed}
        )
    }
    missing = [lib for lib in needed if (lib.machine_name, lib.major, lib.minor) not in existing]
    if missing and not may_install:
        names = ", ".join(f"{lib.machine_name} {lib.major}.{lib.minor}" for lib in missing)
        raise PackageRefused(
            _(
                "This package brings library code that is not installed yet (%(names)s). Only staff "
                "allowed to install H5P libraries can upload it."
            )
            % {"names": names}
        )
    now = timezone.now()
    root = h5p_root()
    chosen, installed, upgraded = {}, [], []
    for lib in needed:
        row = existing.get((lib.machine_name, lib.major, lib.minor))
        if row is not None and (row.patch >= lib.patch or not may_install):
            chosen[lib.key] = row  # the installed copy (a newer or equal patch, or not ours to change)
            continue
        folder = f"libraries/{lib.key}.{lib.patch}-{secrets.token_hex(4)}"
        files.move(staging / "libraries" / lib.folder, root / folder)
        fields = {
            "patch": lib.patch,
            "title": str(lib.library_json.get("title", ""))[:255],
            "runnable": lib.runnable,
            "folder": folder,
            "library_json": lib.library_json,
            "installed_at": now,
            "installed_by": user,
        }
        if row is None:
            row = H5PLibrary.objects.create(
                machine_name=lib.machine_name, major=lib.major, minor=lib.minor, **fields
            )
            installed.append(row)
        else:
            for name, value in fields.items():
                setattr(row, name, value)
            row.save(update_fields=list(fields))
            upgraded.append(row)
        chosen[lib.key] = row
    main = chosen[info.main.key]
    return _with_installed_dependencies(list(chosen.values())), main, installed, upgraded


def _with_installed_dependencies(rows: list[H5PLibrary]) -> list[H5PLibrary]:
    """Add the dependencies of reused (newer) libraries that the package itself did not name."""
    have = {(row.machine_name, row.major, row.minor) for row in rows}
    pending = list(rows)
    while pending:
        row = pending.pop()
        data = row.library_json or {}
        for dependency in (data.get("preloadedDependencies") or []) + (data.get("dynamicDependencies") or []):
            try:
                key = (
                    dependency["machineName"],
                    int(dependency["majorVersion"]),
                    int(dependency["minorVersion"]),
                )
            except (KeyError, TypeError, ValueError):
                continue
            if key in have:
                continue
            found = H5PLibrary.objects.filter(machine_name=key[0], major=key[1], minor=key[2]).first()
            if found is not None:
                have.add(key)
                rows.append(found)
                pending.append(found)
    return rows


def _check_constructor(main: H5PLibrary) -> None:
    """Refuse a main library whose scripts never define the constructor H5P starts it with
    (the player would show an empty box)."""
    folder = h5p_root() / main.folder
    scripts = []
    for item in (main.library_json or {}).get("preloadedJs") or []:
        path = item.get("path") if isinstance(item, dict) else None
        if isinstance(path, str):
            with contextlib.suppress(OSError):  # listed files were checked at import; a gap refuses below
                scripts.append((folder / path).read_text(encoding="utf-8", errors="replace"))
    if not content.defines_constructor("\n".join(scripts), main.machine_name):
        raise PackageRefused(
            _(
                "The main library %(library)s does not define its constructor (H5P.%(name)s) in its "
                "scripts: the player could not start this content."
            )
            % {"library": str(main), "name": main.machine_name.rsplit(".", 1)[-1]}
        )


def blocked_hosts(hosts: list[str]) -> list[str]:
    """The hosts among these that packages may not load from (not in ``H5P_ALLOWED_HOSTS``)."""
    return [host for host in hosts if not content.host_allowed(host, settings.H5P_ALLOWED_HOSTS)]


def media_report(hosts: list[str]) -> list[str]:
    """What an editor is told at import about the hosts a package loads media from."""
    if not hosts:
        return []
    named = ", ".join(f"{host} ({content.service_name(host)})" for host in hosts)
    lines = [_("This package loads media from: %(hosts)s.") % {"hosts": named}]
    blocked = blocked_hosts(hosts)
    if blocked:
        lines.append(
            _(
                "This site does not load from %(hosts)s (setting H5P_ALLOWED_HOSTS): learners see a "
                "message in place of that media, and the rest of the activity still works."
            )
            % {"hosts": ", ".join(blocked)}
        )
    return lines


def revision_pinned(*, activity_id: int, number: int) -> bool:
    """Whether a published course release pins this file of the activity."""
    key = str(activity_id)
    for pins in CourseRelease.objects.filter(h5p_pins__has_key=key).values_list("h5p_pins", flat=True):
        if (pins.get(key) or {}).get("revision") == number:
            return True
    return False


@transaction.atomic
def _store(
    info: PackageInfo,
    staging: Path,
    source,
    *,
    title: str,
    user,
    may_install: bool,
    activity: H5PActivity | None,
    options: dict,
    files: _Files,
) -> H5PActivity:
    libraries, main, installed, upgraded = _install_libraries(
        info, staging, may_install=may_install, user=user, files=files
    )
    _check_constructor(main)
    now = timezone.now()
    title = (title or info.title or info.main_library).strip()[:255]
    types = content.content_types(info.content_json, info.main_library)
    hosts = content.media_hosts(info.content_json)
    replacing = activity is not None
    if activity is None:
        activity = H5PActivity(uploaded_at=now, uploaded_by=user, revision=1, **options)
        if not activity.completion_rule:
            activity.completion_rule = content.default_rule(types)
    else:
        activity = H5PActivity.objects.select_for_update().get(pk=activity.pk)
        activity.revision += 1
        for name, value in options.items():
            setattr(activity, name, value)
        activity.uploaded_at, activity.uploaded_by = now, user
    old_revision = activity.revision - 1 if replacing else None
    activity.title = title
    activity.main_library = main
    activity.h5p_json = info.h5p_json
    activity.content_types = types
    activity.external_hosts = hosts
    activity.libraries_token = secrets.token_hex(8)
    activity.package = activity.content_folder = "pending"
    activity.save()
    root = h5p_root()
    content_folder = f"content/{activity.pk}/{activity.revision}-{secrets.token_hex(4)}"
    files.move(staging / "content", root / content_folder / "content")
    files.move(staging / "h5p.json", root / content_folder / "h5p.json")
    package = f"packages/{activity.pk}/{activity.revision}-{secrets.token_hex(4)}.h5p"
    _copy_package(source, root / package, files)
    activity.content_folder, activity.package = content_folder, package
    activity.save(update_fields=["content_folder", "package"])
    activity.libraries.set(libraries)
    revision = H5PPackageRevision.objects.create(
        activity=activity,
        number=activity.revision,
        title=activity.title,
        main_library=main,
        package=package,
        content_folder=content_folder,
        libraries_token=activity.libraries_token,
        h5p_json=info.h5p_json,
        content_types=types,
        external_hosts=hosts,
        uploaded_at=now,
        uploaded_by=user,
    )
    revision.libraries.set(libraries)
    if upgraded:
        _refresh_library_tokens(upgraded, activity=activity, revision=revision)
    invalidated = _retire_replaced(activity, old_revision, root) if replacing else 0
    audit_record(
        action="h5p.replaced" if replacing else "h5p.imported",
        actor=user,
        obj=activity,
        title=activity.title,
        main_library=str(main),
        libraries_installed=[str(row) for row in installed] or None,
        libraries_upgraded=[str(row) for row in upgraded] or None,
        states_invalidated=invalidated or None,
        media_hosts=hosts or None,
    )
    return activity


def _refresh_library_tokens(upgraded, *, activity: H5PActivity, revision: H5PPackageRevision) -> None:
    """Library URLs carry the token: pages using an upgraded library fetch the new files."""
    token = secrets.token_hex(8)
    H5PActivity.objects.filter(libraries__in=upgraded).exclude(pk=activity.pk).update(libraries_token=token)
    H5PPackageRevision.objects.filter(libraries__in=upgraded).exclude(pk=revision.pk).update(
        libraries_token=token
    )


def _retire_replaced(activity: H5PActivity, old_revision: int | None, root: Path) -> int:
    """Drop the learners' states the new file invalidates and, unless a release pins it, the file
    it replaces (its folders go once the transaction commits); returns the states dropped."""
    invalidated, _counts = H5PUserState.objects.filter(activity=activity, invalidate=True).delete()
    # The file it replaces stays while a release pins it (its learners keep playing it).
    old = H5PPackageRevision.objects.filter(activity=activity, number=old_revision).first()
    if old is not None and not revision_pinned(activity_id=activity.pk, number=old.number):
        folders = [root / old.content_folder, root / old.package]
        old.delete()
        transaction.on_commit(lambda: _remove(folders))
    return invalidated


def _remove(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def activity_import(
    *,
    source: str | os.PathLike | IO[bytes],
    title: str = "",
    user=None,
    may_install_libraries: bool,
    activity: H5PActivity | None = None,
    **options,
) -> H5PActivity:
    """Validate an ``.h5p`` package and store it as a new activity (or as ``activity``'s new file).

    ``source`` is a path or a seekable binary file. Libraries already installed are reused; new
    ones (or newer patches) are installed only when ``may_install_libraries`` (staff with
    ``assessments.install_h5plibrary``, or the command line). Replacing a file re-extracts it and
    deletes the saved states that asked to be invalidated. ``options`` are activity fields
    (``pass_mark``, ``completion_rule``, ``grading_method``, ``graded``). Raises
    :class:`PackageRefused` with every problem found; nothing is stored then.
    """
    root = h5p_root()
    staging = root / "tmp" / uuid.uuid4().hex
    files = _Files()
    try:
        try:
            info = extract_package(source, staging, limits=h5p_limits())
        except PackageError as error:
            raise PackageRefused(error.problems) from None
        try:
            return _store(
                info,
                staging,
                source,
                title=title,
                user=user,
                may_install=may_install_libraries,
                activity=activity,
                options=options,
                files=files,
            )
        except IntegrityError:
            raise PackageRefused(
                _("Another upload installed the same libraries at the same moment. Please try again.")
            ) from None
    except BaseException:
        files.undo()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
