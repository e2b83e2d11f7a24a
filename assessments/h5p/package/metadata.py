"""What a package says about itself: the types describing a valid package and its libraries,
reading JSON members safely, and the checks of ``h5p.json`` and ``content/content.json``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .archive import _Member
from .errors import _READ_ERRORS, _fmt_bytes, _show
from .limits import CHUNK_SIZE

_MACHINE_NAME = r"[A-Za-z_$][\w.$-]{0,254}"
_MACHINE_NAME_RE = re.compile(rf"^{_MACHINE_NAME}$")
_FOLDER_RE = re.compile(rf"^({_MACHINE_NAME})-(\d{{1,5}})\.(\d{{1,5}})$")
_SUBCONTENT_LIBRARY_RE = re.compile(rf"^({_MACHINE_NAME}) (\d{{1,5}})\.(\d{{1,5}})$")
_LANGUAGE_CODE_RE = re.compile(r"^[-a-zA-Z]{1,10}$")
_LANGUAGE_FILE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*\.json$", re.IGNORECASE)


_EMBED_TYPES = frozenset({"div", "iframe"})


Dependency = tuple[str, int, int]


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


class _MetadataChecks:
    """Stage 2, JSON files: part of :class:`_Validator` (uses its ``archive``, ``limits``,
    ``files``, ``all_names``, ``problems`` and ``problem``)."""

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
