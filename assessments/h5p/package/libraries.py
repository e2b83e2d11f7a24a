"""Stage 2, libraries: every ``library.json`` and language file, and dependency resolution (all
that ``h5p.json``, the libraries and ``content.json`` need must be in the package)."""

from __future__ import annotations

from typing import Any

from .archive import _extension, _name_problems
from .errors import _show
from .metadata import (
    _FOLDER_RE,
    _INVALID,
    _LANGUAGE_FILE_RE,
    _MACHINE_NAME_RE,
    _SUBCONTENT_LIBRARY_RE,
    LibraryInfo,
    _H5PJson,
    _resolve,
    _version_number,
    _walk_json,
)


class _LibraryChecks:
    """Stage 2, libraries: part of :class:`_Validator` (uses its ``limits``, ``files``,
    ``library_folders``, ``problems``, ``problem``, ``parse_json`` and ``dependency_list``)."""

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
