"""Shared by the H5P package tests (test_h5p_package*.py): the sample tables, and small
packages built at run time with zipfile (never committed). The fixtures are in conftest.py."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from PIL import Image

from assessments.h5p.package import (
    Limits,
    PackageError,
    extract_package,
    inspect_package,
)

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "h5p-samples"

VALID_SAMPLES = {
    "true-false.h5p": ("H5P.TrueFalse", (1, 6)),
    "multiple-choice.h5p": ("H5P.MultiChoice", (1, 16)),
    "question-set.h5p": ("H5P.QuestionSet", (1, 20)),
    "drag-text.h5p": ("H5P.DragText", (1, 8)),
    "lumi-valid2.h5p": ("H5P.GreetingCard", (1, 0)),
    "interactive-video-youtube.h5p": ("H5P.InteractiveVideo", (1, 26)),
}

# The player's core API is 1.27, and the valid samples' own libraries need 1.19, so the sample
# whose library requires 1.19 is only invalid for an older player: test it against 1.18.
OLD_PLAYER = Limits(core_api=(1, 18))

INVALID_SAMPLES: dict[str, tuple[list[str], Limits]] = {
    "corrupt_archive.h5p": (["not a valid zip archive"], Limits()),
    "broken-h5p-json.h5p": (["h5p.json is not valid JSON"], Limits()),
    "invalid-h5p-json-schema.h5p": (["h5p.json: required field 'mainLibrary' is missing"], Limits()),
    "broken-content-json.h5p": (["content/content.json is not valid JSON"], Limits()),
    "invalid-library-json.h5p": (
        ["H5P.GreetingCard-1.0/library.json: required field 'majorVersion' is missing"],
        Limits(),
    ),
    "invalid-library-directory-name.h5p": (
        ["say 'H5P.AnotherLibrary-1.0' but the folder is named 'H5P.GreetingCard-1.0'"],
        Limits(),
    ),
    "malformed-library-directory.h5p": (["library folder 'library!' is malformed"], Limits()),
    "2-invalid-libraries.h5p": (
        [
            "H5P.GreetingCard-1.0/language/XXX!.json: a language file must be named after a language code",
            "H5P.GreetingCard2-1.0/library.json: required field 'title' is missing",
        ],
        Limits(),
    ),
    "invalid-core-version.h5p": (["H5P.GreetingCard-1.0: requires H5P core API 1.19"], OLD_PLAYER),
    "invalid-language-file-json.h5p": (["H5P.GreetingCard-1.0/language/fr.json is not valid JSON"], Limits()),
    "missing-preloaded-js.h5p": (["preloaded JS file 'greetingcard.js' is missing"], Limits()),
    "xss-svg.h5p": (["content/images/xss.svg: .svg files are not allowed in content/"], Limits()),
    "h5p-with-virus.h5p": (
        ["content/eicar.jpg: is not a JPEG image", "EICAR anti-virus test file"],
        Limits(),
    ),
}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _image_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


PNG = _image_bytes("PNG")
JPEG = _image_bytes("JPEG")
GIF = _image_bytes("GIF")


def as_json(value: object) -> bytes:
    return json.dumps(value).encode()


def library_json(name: str, major: int = 1, minor: int = 0, **extra: object) -> bytes:
    data = {
        "title": name,
        "machineName": name,
        "majorVersion": major,
        "minorVersion": minor,
        "patchVersion": 3,
        "runnable": 0,
        **extra,
    }
    return as_json(data)


def h5p_json(**overrides: object) -> bytes:
    data = {
        "title": "A test package",
        "mainLibrary": "H5P.Test",
        "language": "en",
        "embedTypes": ["div"],
        "preloadedDependencies": [
            {"machineName": "H5P.Test", "majorVersion": 1, "minorVersion": 0},
            {"machineName": "H5P.Helper", "majorVersion": "1", "minorVersion": "0"},
        ],
    }
    data.update(overrides)
    return as_json({key: value for key, value in data.items() if value is not None})


def base_members() -> dict[str, bytes]:
    """A small package that is valid: the adversarial tests change one thing at a time."""
    return {
        "h5p.json": h5p_json(),
        "content/content.json": as_json({"text": "Hello", "image": {"path": "images/pic.png"}}),
        "content/images/pic.png": PNG,
        "H5P.Test-1.0/library.json": library_json(
            "H5P.Test",
            runnable=1,
            coreApi={"majorVersion": 1, "minorVersion": 19},
            preloadedJs=[{"path": "js/test.js"}],
            preloadedCss=[{"path": "test.css"}],
            preloadedDependencies=[{"machineName": "H5P.Helper", "majorVersion": 1, "minorVersion": 0}],
        ),
        "H5P.Test-1.0/js/test.js": b"H5P.Test = function () {};\n",
        "H5P.Test-1.0/test.css": b".h5p-test { color: red; }\n",
        "H5P.Test-1.0/language/en.json": as_json({"semantics": []}),
        "H5P.Test-1.0/language/pt-br.json": as_json({"semantics": []}),
        "H5P.Helper-1.0/library.json": library_json("H5P.Helper", preloadedJs=[{"path": "helper.js"}]),
        "H5P.Helper-1.0/helper.js": b"H5P.Helper = {};\n",
    }


Entry = tuple[str | zipfile.ZipInfo, bytes]


def write_package(
    path: Path,
    members: dict[str, bytes] | Iterable[Entry],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """Write a zip; ``members`` may repeat names (as (name, data) pairs) or carry ZipInfos."""
    entries = members.items() if isinstance(members, dict) else members
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name" is what some tests want
        with zipfile.ZipFile(path, "w", compression) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return path


def patch_bytes(path: Path, old: bytes, new: bytes) -> None:
    """Replace bytes in an archive (both headers of a name, or member data)."""
    assert len(old) == len(new)
    raw = path.read_bytes()
    assert old in raw
    path.write_bytes(raw.replace(old, new))


def assert_refused(
    package: Path | str, fragments: Iterable[str], *, limits: Limits | None = None
) -> PackageError:
    """Both entry points refuse, every fragment appears in a problem, and nothing is written."""
    package = Path(package)
    limits = limits or Limits()
    with pytest.raises(PackageError) as inspected:
        inspect_package(package, limits=limits)
    workspace = package.parent.parent
    before = sorted(workspace.parent.iterdir())
    destination = workspace / "out"
    with pytest.raises(PackageError) as extracted:
        extract_package(package, destination, limits=limits)
    for error in (inspected.value, extracted.value):
        assert error.problems
        assert str(error).startswith(error.problems[0])
        for fragment in fragments:
            assert any(fragment in problem for problem in error.problems), (fragment, error.problems)
    assert not destination.exists()
    assert sorted(path.name for path in workspace.iterdir()) == [package.parent.name]
    assert sorted(path.name for path in package.parent.iterdir()) == [package.name]
    assert sorted(workspace.parent.iterdir()) == before
    return inspected.value


def refuse(package_path: Path, members: dict[str, bytes] | Iterable[Entry], *fragments: str, **kwargs):
    limits = kwargs.pop("limits", Limits())
    return assert_refused(write_package(package_path, members, **kwargs), fragments, limits=limits)
