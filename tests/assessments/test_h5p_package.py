"""The H5P package validator and extractor (plain Python, no database).

Real packages come from ../shared/h5p-samples (skipped with a reason when that folder is
absent); adversarial archives are built here at run time with zipfile and never committed.
"""

from __future__ import annotations

import io
import json
import os
import stat
import tracemalloc
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from PIL import Image

from assessments.h5p.package import (
    CHUNK_SIZE,
    Limits,
    PackageError,
    PackageInfo,
    _Budget,
    _copy_member,
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


@pytest.fixture
def package_path(tmp_path: Path) -> Path:
    """Where a test writes its package: tmp_path/pkg/test.h5p, next to the extraction folder."""
    return tmp_path / "pkg" / "test.h5p"


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


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"the H5P sample packages are not at {SAMPLES} (they come with ../shared, present in CI)")
    return SAMPLES


# --------------------------------------------------------------------------------------------
# Real packages
# --------------------------------------------------------------------------------------------


def test_sample_tables_cover_every_sample(samples: Path):
    assert sorted(path.name for path in (samples / "valid").glob("*.h5p")) == sorted(VALID_SAMPLES)
    assert sorted(path.name for path in (samples / "invalid").glob("*.h5p")) == sorted(INVALID_SAMPLES)


def loaded_closure(info: PackageInfo) -> set[str]:
    """Keys of every library the player loads, following preloaded dependencies."""
    keys: set[str] = set()
    queue = [
        (dep["machineName"], int(dep["majorVersion"]), int(dep["minorVersion"]))
        for dep in info.h5p_json["preloadedDependencies"]
    ]
    while queue:
        library = info.find_library(*queue.pop())
        assert library is not None
        if library.key not in keys:
            keys.add(library.key)
            queue.extend(library.preloaded_dependencies)
    return keys


@pytest.mark.parametrize("filename", sorted(VALID_SAMPLES))
def test_valid_sample_passes_inspection(samples: Path, filename: str):
    main_library, main_version = VALID_SAMPLES[filename]
    info = inspect_package(samples / "valid" / filename)

    assert (info.main_library, info.main_version) == (main_library, main_version)
    assert info.main.key == f"{main_library}-{main_version[0]}.{main_version[1]}"
    assert info.title and info.language and info.embed_types
    assert isinstance(info.content_json, dict)
    closure = loaded_closure(info)
    assert info.main.key in closure
    for library in info.libraries.values():
        assert library.folder == library.key
        assert all(name.startswith(f"{library.folder}/") for name in library.files)
        for path in library.preloaded_js + library.preloaded_css:
            assert f"{library.folder}/{path}" in library.files
        for dependency in library.dependencies:
            assert info.find_library(*dependency) is not None


@pytest.mark.parametrize("filename", sorted(VALID_SAMPLES))
def test_valid_sample_extracts(samples: Path, tmp_path: Path, filename: str):
    destination = tmp_path / "out"
    info = extract_package(samples / "valid" / filename, destination)

    assert sorted(path.name for path in destination.iterdir()) == ["content", "h5p.json", "libraries"]
    assert json.loads((destination / "h5p.json").read_text("utf-8-sig"))["mainLibrary"] == info.main_library
    assert json.loads((destination / "content" / "content.json").read_text("utf-8-sig")) == info.content_json
    for name in info.content_files:
        assert (destination / name).is_file()
    assert sorted(path.name for path in (destination / "libraries").iterdir()) == sorted(
        library.folder for library in info.libraries.values()
    )
    for library in info.libraries.values():
        for name in library.files:
            assert (destination / "libraries" / name).is_file()
    for name in info.skipped_files:
        assert not (destination / name).exists()
    assert [path.name for path in tmp_path.iterdir()] == ["out"]
    assert not any(path.is_symlink() for path in destination.rglob("*"))


def test_loose_root_files_of_real_samples_are_skipped(samples: Path):
    assert inspect_package(samples / "valid" / "true-false.h5p").skipped_files == ["H5P_CONTENT_HERE.txt"]
    assert inspect_package(samples / "valid" / "question-set.h5p").skipped_files == ["h5p-pr.json"]


@pytest.mark.parametrize("filename", sorted(INVALID_SAMPLES))
def test_invalid_sample_is_refused(samples: Path, tmp_path: Path, filename: str):
    fragments, limits = INVALID_SAMPLES[filename]
    package = tmp_path / "pkg" / filename
    package.parent.mkdir()
    package.write_bytes((samples / "invalid" / filename).read_bytes())
    assert_refused(package, fragments, limits=limits)


def test_two_invalid_libraries_are_both_reported(samples: Path):
    with pytest.raises(PackageError) as refused:
        inspect_package(samples / "invalid" / "2-invalid-libraries.h5p")
    assert len(refused.value.problems) == 2
    assert str(refused.value).endswith("(and 1 more problem)")


def test_core_version_sample_runs_on_the_configured_player(samples: Path):
    """The library needs core API 1.19; h5p-standalone 3.8 provides 1.27 (the default)."""
    info = inspect_package(samples / "invalid" / "invalid-core-version.h5p")
    assert info.main.core_api == (1, 19)


# --------------------------------------------------------------------------------------------
# The baseline package and the layout of an extraction
# --------------------------------------------------------------------------------------------


def test_baseline_package_is_valid(package_path: Path):
    info = inspect_package(write_package(package_path, base_members()))

    assert (info.title, info.main_library, info.main_version, info.language) == (
        "A test package",
        "H5P.Test",
        (1, 0),
        "en",
    )
    assert info.embed_types == ["div"]
    assert sorted(info.libraries) == ["H5P.Helper-1.0", "H5P.Test-1.0"]
    main = info.libraries["H5P.Test-1.0"]
    assert (main.machine_name, main.major, main.minor, main.patch, main.title) == (
        "H5P.Test",
        1,
        0,
        3,
        "H5P.Test",
    )
    assert main.preloaded_js == ["js/test.js"]
    assert main.preloaded_css == ["test.css"]
    assert main.dependencies == [("H5P.Helper", 1, 0)]
    assert main.core_api == (1, 19)
    assert main.runnable is True
    assert "H5P.Test-1.0/js/test.js" in main.files
    assert info.content_files == ["content/images/pic.png"]
    assert info.total_uncompressed_bytes == sum(len(data) for data in base_members().values())


def test_file_objects_are_accepted(package_path: Path):
    data = write_package(package_path, base_members()).read_bytes()
    assert inspect_package(io.BytesIO(data)).main_library == "H5P.Test"
    with package_path.open("rb") as handle:
        assert inspect_package(handle).main_library == "H5P.Test"
        assert not handle.closed


def test_extraction_layout(package_path: Path, tmp_path: Path):
    members = base_members()
    members["__MACOSX/content/._pic.png"] = b"resource fork"
    members["content/.DS_Store"] = b"finder"
    members["H5P_CONTENT_HERE.txt"] = b""
    destination = tmp_path / "deep" / "out"
    info = extract_package(write_package(package_path, members), destination)

    written = sorted(
        path.relative_to(destination).as_posix() for path in destination.rglob("*") if path.is_file()
    )
    assert written == [
        "content/content.json",
        "content/images/pic.png",
        "h5p.json",
        "libraries/H5P.Helper-1.0/helper.js",
        "libraries/H5P.Helper-1.0/library.json",
        "libraries/H5P.Test-1.0/js/test.js",
        "libraries/H5P.Test-1.0/language/en.json",
        "libraries/H5P.Test-1.0/language/pt-br.json",
        "libraries/H5P.Test-1.0/library.json",
        "libraries/H5P.Test-1.0/test.css",
    ]
    assert (destination / "content/images/pic.png").read_bytes() == PNG
    assert info.skipped_files == ["H5P_CONTENT_HERE.txt", "__MACOSX/content/._pic.png", "content/.DS_Store"]


def test_extraction_refuses_a_destination_that_already_holds_a_package(package_path: Path, tmp_path: Path):
    destination = tmp_path / "out"
    (destination / "content").mkdir(parents=True)
    (destination / "content" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        extract_package(write_package(package_path, base_members()), destination)
    assert [path.name for path in destination.rglob("*")] == ["content", "keep.txt"]


def test_media_that_matches_its_extension_passes(package_path: Path):
    members = base_members()
    media = {
        "content/photo.jpg": JPEG,
        "content/anim.gif": GIF,
        "content/audio.mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64,
        "content/frame.mp3": b"\xff\xfb\x90\x64" + b"\x00" * 64,
        "content/video.mp4": b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64,
        "content/audio.m4a": b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 64,
        "content/video.webm": b"\x1a\x45\xdf\xa3" + b"\x00" * 64,
        "content/sound.ogg": b"OggS" + b"\x00" * 64,
        "content/sound.wav": b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64,
        "content/doc.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        "content/notes.txt": b"plain text is not checked",
    }
    members.update(media)
    info = inspect_package(write_package(package_path, members))
    assert set(media) <= set(info.content_files)


def test_json_with_a_byte_order_mark_is_accepted(package_path: Path):
    members = base_members()
    members["h5p.json"] = b"\xef\xbb\xbf" + members["h5p.json"]
    assert inspect_package(write_package(package_path, members)).main_library == "H5P.Test"


def test_a_compatible_newer_minor_version_satisfies_a_dependency(package_path: Path):
    members = base_members()
    members["H5P.Helper-1.3/library.json"] = library_json(
        "H5P.Helper", 1, 3, preloadedJs=[{"path": "helper.js"}]
    )
    members["H5P.Helper-1.3/helper.js"] = members.pop("H5P.Helper-1.0/helper.js")
    del members["H5P.Helper-1.0/library.json"]
    info = inspect_package(write_package(package_path, members))
    assert info.find_library("H5P.Helper", 1, 0).key == "H5P.Helper-1.3"


# --------------------------------------------------------------------------------------------
# Adversarial archives: names
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("../evil.txt", "'..' segment (path traversal)"),
        ("../../evil.txt", "'..' segment (path traversal)"),
        ("content/../../evil.txt", "'..' segment (path traversal)"),
        ("content/a/../b.txt", "'..' segment (path traversal)"),
        ("content\\evil.txt", "backslash"),
        ("..\\evil.txt", "backslash"),
        ("C:/evil.txt", "drive letter"),
        ("content/ev:il.txt", "contains ':'"),
        ("content/./evil.txt", "'.' segment"),
        ("./", "'.' segment"),
        ("content//evil.txt", "empty path segment"),
        ("content/ev\x01il.txt", "control characters"),
        ("content/" + "a" * 300 + ".txt", "longer than 255 bytes"),
    ],
)
def test_unsafe_member_names_are_refused(package_path: Path, name: str, fragment: str):
    refuse(package_path, [*base_members().items(), (name, b"evil")], fragment)


def test_absolute_paths_are_refused(package_path: Path, tmp_path: Path):
    name = f"{tmp_path}/abs-evil.txt"
    assert name.startswith("/")
    refuse(package_path, [*base_members().items(), (name, b"evil")], "is an absolute path")
    assert not (tmp_path / "abs-evil.txt").exists()


def test_nul_bytes_in_names_are_refused(package_path: Path):
    write_package(package_path, [*base_members().items(), ("content/evil.jpg#.txt", b"evil")])
    patch_bytes(package_path, b"content/evil.jpg#.txt", b"content/evil.jpg\x00.txt")
    assert_refused(package_path, ["contains a NUL byte"])


def test_symbolic_links_are_refused(package_path: Path):
    link = zipfile.ZipInfo("content/link.txt")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    refuse(
        package_path,
        [*base_members().items(), (link, b"/etc/passwd")],
        "content/link.txt: is a symbolic link",
    )


def test_special_files_are_refused(package_path: Path):
    fifo = zipfile.ZipInfo("content/pipe.txt")
    fifo.create_system = 3
    fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
    refuse(package_path, [*base_members().items(), (fifo, b"")], "content/pipe.txt: is a special file")


def test_duplicate_names_are_refused(package_path: Path):
    members = [*base_members().items(), ("content/images/pic.png", PNG)]
    refuse(package_path, members, "content/images/pic.png: appears more than once")


def test_names_differing_only_in_case_are_refused(package_path: Path):
    members = [*base_members().items(), ("content/images/PIC.png", PNG)]
    refuse(
        package_path,
        members,
        "content/images/PIC.png: differs from content/images/pic.png only in letter case",
    )


def test_a_file_used_as_a_folder_is_refused(package_path: Path):
    members = [*base_members().items(), ("content/notes.txt", b"a"), ("content/notes.txt/more.txt", b"b")]
    refuse(package_path, members, "content/notes.txt: is a file, but other members use it as a folder")


# --------------------------------------------------------------------------------------------
# Adversarial archives: sizes and zip bombs
# --------------------------------------------------------------------------------------------


def test_a_highly_compressed_member_is_refused(package_path: Path):
    members = base_members()
    members["content/bomb.txt"] = b"\0" * (20 * 1024 * 1024)
    error = refuse(package_path, members, "content/bomb.txt: compression ratio", "possible zip bomb")
    assert "over the limit of 100:1" in str(error.problems)


def test_an_archive_of_many_compressed_members_is_refused(package_path: Path):
    members = base_members()
    for index in range(4):
        members[f"content/part{index}.txt"] = b"\0" * (900 * 1024)  # each under the per-member floor
    refuse(package_path, members, "the package's overall compression ratio")


def test_total_uncompressed_size_over_the_limit_is_refused(package_path: Path):
    members = base_members()
    members["content/data.txt"] = os.urandom(300_000)
    limits = Limits(max_total_uncompressed_bytes=200_000)
    refuse(package_path, members, "the package would unpack to", "over the 195.3 KB limit", limits=limits)


def test_a_package_file_over_the_limit_is_refused(package_path: Path):
    refuse(package_path, base_members(), "over the 1000 bytes limit", limits=Limits(max_package_bytes=1000))


def test_too_many_files_are_refused(package_path: Path):
    members = base_members()
    members.update({f"content/file{index}.txt": b"x" for index in range(20)})
    refuse(package_path, members, "members, more than the limit of 10", limits=Limits(max_files=10))


def test_json_over_the_limit_is_refused(package_path: Path):
    members = base_members()
    members["content/content.json"] = as_json({"text": "x" * 5000})
    refuse(package_path, members, "content/content.json is larger than", limits=Limits(max_json_bytes=4096))


def test_empty_and_non_zip_files_are_refused(package_path: Path):
    package_path.parent.mkdir(parents=True)
    package_path.write_bytes(b"")
    assert_refused(package_path, ["empty file"])
    package_path.write_bytes(b"<?php system($_GET['c']); ?>")
    assert_refused(package_path, ["not a valid zip archive"])


# --------------------------------------------------------------------------------------------
# Adversarial archives: file types
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("content/shell.php", "content/shell.php: .php files (programs and server scripts) are not allowed"),
        ("content/image.php.png", "content/image.php.png: .php files"),
        ("H5P.Test-1.0/tool.exe", "H5P.Test-1.0/tool.exe: .exe files"),
        ("H5P.Test-1.0/install.sh", "H5P.Test-1.0/install.sh: .sh files"),
        ("__MACOSX/evil.sh", "__MACOSX/evil.sh: .sh files"),
        ("content/.htaccess", "content/.htaccess: .htaccess files"),
        ("content/page.html", "content/page.html: .html files are not allowed in content/"),
        ("content/app.js", "content/app.js: .js files are not allowed in content/"),
        (
            "content/pic.svg",
            "content/pic.svg: .svg files are not allowed in content/ (SVG can carry scripts)",
        ),
        ("H5P.Test-1.0/page.html", "H5P.Test-1.0/page.html: .html files are not allowed in library folders"),
        ("content/README", "content/README: has no file extension"),
        ("index.html", "index.html: files at the root of a package are not allowed"),
    ],
)
def test_forbidden_file_types_are_refused(package_path: Path, name: str, fragment: str):
    members = base_members()
    members[name] = b"<script>alert(1)</script>"
    refuse(package_path, members, fragment)


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("content/images/pic.png", b"I am text, not a picture", "content/images/pic.png: is not a PNG image"),
        ("content/photo.jpg", b"GIF89a pretending", "content/photo.jpg: is not a JPEG image"),
        (
            "content/broken.png",
            b"\x89PNG\r\n\x1a\n" + b"garbage" * 10,
            "content/broken.png: is not a readable image",
        ),
        ("content/photo.jpg", GIF, "content/photo.jpg: is not a JPEG image"),
        ("content/audio.mp3", b"<html>not audio</html>", "content/audio.mp3: is not an MP3 file"),
        ("content/video.mp4", b"#!/bin/sh\nrm -rf /\n", "content/video.mp4: is not an MP4 file"),
        ("content/doc.pdf", b"MZ\x90\x00 executable", "content/doc.pdf: is not a PDF document"),
        ("H5P.Test-1.0/icon.png", b"<svg onload=alert(1)>", "H5P.Test-1.0/icon.png: is not a PNG image"),
    ],
)
def test_media_that_is_not_what_its_extension_says_is_refused(
    package_path: Path, name: str, data: bytes, fragment: str
):
    members = base_members()
    members[name] = data
    refuse(package_path, members, fragment)


# --------------------------------------------------------------------------------------------
# Adversarial archives: metadata and dependencies
# --------------------------------------------------------------------------------------------


def test_missing_h5p_json_is_refused(package_path: Path):
    members = base_members()
    del members["h5p.json"]
    refuse(package_path, members, "h5p.json is missing from the root of the package")


def test_a_package_zipped_with_its_folder_gets_a_hint(package_path: Path):
    members = {f"mypackage/{name}": data for name, data in base_members().items()}
    refuse(package_path, members, "found mypackage/h5p.json: zip the package's contents")


def test_missing_content_json_is_refused(package_path: Path):
    members = base_members()
    del members["content/content.json"]
    refuse(package_path, members, "content/content.json is missing")


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"title": None}, "h5p.json: required field 'title' is missing"),
        ({"title": ""}, "h5p.json: 'title' must be a non-empty string"),
        ({"language": 42}, "h5p.json: 'language' must be a language code"),
        ({"mainLibrary": "not a name!"}, "h5p.json: 'mainLibrary' must be a library name"),
        ({"embedTypes": None}, "h5p.json: required field 'embedTypes' is missing"),
        (
            {"embedTypes": ["frame"]},
            "h5p.json: 'embedTypes' must be a non-empty list of 'div' and/or 'iframe'",
        ),
        ({"preloadedDependencies": []}, "h5p.json: 'preloadedDependencies' must be a non-empty list"),
        (
            {
                "preloadedDependencies": [
                    {"machineName": "H5P.Test", "majorVersion": "one", "minorVersion": 0}
                ]
            },
            "h5p.json: preloadedDependencies[0].majorVersion must be a whole number",
        ),
        (
            {"preloadedDependencies": [{"machineName": "H5P.Test", "majorVersion": True, "minorVersion": 0}]},
            "h5p.json: preloadedDependencies[0].majorVersion must be a whole number",
        ),
        ({"preloadedDependencies": ["H5P.Test 1.0"]}, "h5p.json: preloadedDependencies[0] must be an object"),
    ],
)
def test_h5p_json_schema_problems_are_refused(package_path: Path, overrides: dict, fragment: str):
    members = base_members()
    members["h5p.json"] = h5p_json(**overrides)
    refuse(package_path, members, fragment)


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("h5p.json", b"[1, 2, 3]", "h5p.json must hold a JSON object"),
        ("h5p.json", b"\xff\xfe{}", "h5p.json is not valid JSON (it is not UTF-8 text)"),
        (
            "content/content.json",
            b'{"score": NaN}',
            "content/content.json is not valid JSON (NaN is not allowed",
        ),
        ("content/content.json", b"[" * 100_000 + b"]" * 100_000, "content/content.json is not valid JSON"),
        ("content/content.json", b'"just a string"', "content/content.json must hold a JSON object"),
    ],
)
def test_unusable_json_is_refused(package_path: Path, name: str, data: bytes, fragment: str):
    members = base_members()
    members[name] = data
    refuse(package_path, members, fragment)


def test_main_library_not_in_the_package_is_refused(package_path: Path):
    members = base_members()
    members["h5p.json"] = h5p_json(
        mainLibrary="H5P.Absent",
        preloadedDependencies=[
            {"machineName": "H5P.Absent", "majorVersion": 2, "minorVersion": 1},
            {"machineName": "H5P.Test", "majorVersion": 1, "minorVersion": 0},
        ],
    )
    error = refuse(
        package_path, members, "h5p.json: the main library is H5P.Absent 2.1, which is not in the package"
    )
    assert len(error.problems) == 1


def test_main_library_not_among_the_preloaded_dependencies_is_refused(package_path: Path):
    members = base_members()
    members["h5p.json"] = h5p_json(mainLibrary="H5P.Helper2")
    refuse(package_path, members, "the main library 'H5P.Helper2' is not listed in preloadedDependencies")


def test_a_library_missing_a_dependency_is_refused(package_path: Path):
    members = base_members()
    del members["H5P.Helper-1.0/library.json"], members["H5P.Helper-1.0/helper.js"]
    members["h5p.json"] = h5p_json(
        preloadedDependencies=[{"machineName": "H5P.Test", "majorVersion": 1, "minorVersion": 0}]
    )
    refuse(
        package_path, members, "H5P.Test-1.0/library.json: needs H5P.Helper 1.0, which is not in the package"
    )


def test_dynamic_dependencies_must_be_present(package_path: Path):
    members = base_members()
    members["H5P.Helper-1.0/library.json"] = library_json(
        "H5P.Helper",
        preloadedJs=[{"path": "helper.js"}],
        dynamicDependencies=[{"machineName": "H5P.Later", "majorVersion": 1, "minorVersion": 0}],
    )
    refuse(
        package_path, members, "H5P.Helper-1.0/library.json: needs H5P.Later 1.0, which is not in the package"
    )


def test_an_incompatible_dependency_version_is_refused(package_path: Path):
    members = base_members()
    members["H5P.Test-1.0/library.json"] = library_json(
        "H5P.Test",
        preloadedJs=[{"path": "js/test.js"}],
        preloadedDependencies=[{"machineName": "H5P.Helper", "majorVersion": 1, "minorVersion": 2}],
    )
    refuse(
        package_path,
        members,
        "needs H5P.Helper 1.2, which is not in the package (the package only has H5P.Helper 1.0)",
    )


def test_a_content_library_absent_and_not_listed_is_refused(package_path: Path):
    members = base_members()
    members["content/content.json"] = as_json(
        {"questions": [{"library": "H5P.Ghost 1.4", "params": {}, "subContentId": "a1"}]}
    )
    refuse(
        package_path, members, "content/content.json: uses library H5P.Ghost 1.4, which is not in the package"
    )


def test_a_content_library_present_but_not_loaded_is_refused(package_path: Path):
    members = base_members()
    members["H5P.Extra-1.0/library.json"] = library_json("H5P.Extra", preloadedJs=[{"path": "extra.js"}])
    members["H5P.Extra-1.0/extra.js"] = b"H5P.Extra = {};\n"
    members["content/content.json"] = as_json(
        {"deep": {"list": [{"library": "H5P.Extra 1.0", "params": {}}]}}
    )
    refuse(package_path, members, "uses library H5P.Extra 1.0, which is in the package but not reachable")


def test_a_malformed_sub_content_library_is_refused(package_path: Path):
    members = base_members()
    members["content/content.json"] = as_json({"item": {"library": "H5P.Extra", "params": {}}})
    refuse(package_path, members, "sub-content library 'H5P.Extra' is not of the form 'H5P.Name 1.2'")


def test_a_library_folder_without_library_json_is_refused(package_path: Path):
    members = base_members()
    members["H5P.Orphan-1.0/orphan.js"] = b"x"
    refuse(package_path, members, "library folder 'H5P.Orphan-1.0' is malformed: it has no library.json")


def test_a_library_requiring_a_newer_core_is_refused(package_path: Path):
    members = base_members()
    members["H5P.Helper-1.0/library.json"] = library_json(
        "H5P.Helper", preloadedJs=[{"path": "helper.js"}], coreApi={"majorVersion": 1, "minorVersion": 99}
    )
    refuse(package_path, members, "H5P.Helper-1.0: requires H5P core API 1.99, newer than the 1.27")


def test_unsafe_preloaded_paths_are_refused(package_path: Path):
    members = base_members()
    members["H5P.Helper-1.0/library.json"] = library_json(
        "H5P.Helper", preloadedJs=[{"path": "../H5P.Test-1.0/js/test.js"}]
    )
    refuse(package_path, members, "preloadedJs[0] path '../H5P.Test-1.0/js/test.js' is unsafe")


def test_invalid_language_files_are_refused(package_path: Path):
    members = base_members()
    members["H5P.Test-1.0/language/de.json"] = b"{ not json"
    members["H5P.Test-1.0/language/<script>.json"] = as_json({})
    refuse(
        package_path,
        members,
        "H5P.Test-1.0/language/de.json is not valid JSON",
        "H5P.Test-1.0/language/<script>.json: a language file must be named after a language code",
    )


def test_every_problem_is_collected(package_path: Path):
    members = base_members()
    del members["content/content.json"]
    members["content/shell.php"] = b"<?php"
    members["content/pic.svg"] = b"<svg/>"
    members["../evil.txt"] = b"x"
    error = refuse(
        package_path,
        members,
        "content/content.json is missing",
        ".php files",
        ".svg files are not allowed",
        "'..' segment",
    )
    assert len(error.problems) == 4
    assert str(error) == f"{error.problems[0]} (and 3 more problems)"


# --------------------------------------------------------------------------------------------
# Streaming: header sizes are not trusted, memory stays bounded, failures leave nothing behind
# --------------------------------------------------------------------------------------------


def test_corrupt_data_found_while_streaming_leaves_nothing_behind(package_path: Path, tmp_path: Path):
    members = base_members()
    members["content/notes.txt"] = b"ORIGINAL-NOTES-" * 100
    write_package(package_path, members, compression=zipfile.ZIP_STORED)
    patch_bytes(package_path, b"ORIGINAL-NOTES-" * 2, b"TAMPERED-NOTES-" * 2)
    assert_refused(package_path, ["content/notes.txt cannot be read, the archive is corrupt (Bad CRC-32"])

    destination = tmp_path / "existing"
    destination.mkdir()
    with pytest.raises(PackageError):
        extract_package(package_path, destination)
    assert list(destination.iterdir()) == []  # the caller's folder stays, empty


def patch_sizes(
    path: Path, name: str, *, compressed: int | None = None, uncompressed: int | None = None
) -> None:
    """Make both zip headers of ``name`` lie about its sizes (CRC and sizes are contiguous)."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    crc = info.CRC.to_bytes(4, "little")
    old = crc + info.compress_size.to_bytes(4, "little") + info.file_size.to_bytes(4, "little")
    new = (
        crc
        + (info.compress_size if compressed is None else compressed).to_bytes(4, "little")
        + (info.file_size if uncompressed is None else uncompressed).to_bytes(4, "little")
    )
    patch_bytes(path, old, new)


def test_a_header_that_understates_the_size_is_caught(package_path: Path):
    members = base_members()
    members["content/data.txt"] = os.urandom(200_000)
    patch_sizes(write_package(package_path, members), "content/data.txt", uncompressed=50_000)
    assert_refused(package_path, ["content/data.txt cannot be read, the archive is corrupt (Bad CRC-32"])


def test_a_header_that_overstates_the_size_is_caught(package_path: Path):
    members = base_members()
    members["content/data.txt"] = os.urandom(200_000)
    patch_sizes(write_package(package_path, members), "content/data.txt", uncompressed=400_000)
    assert_refused(package_path, ["content/data.txt: holds 200000 bytes but its zip header declares 400000"])


def test_streaming_counts_the_bytes_actually_read():
    """The copy loop does not trust the declared size: it stops one chunk past it."""
    source = io.BytesIO(b"x" * (4 * 1024 * 1024))
    budget = _Budget(Limits(), compressed_total=4 * 1024 * 1024)
    with pytest.raises(PackageError, match="holds more data than its zip header declares"):
        _copy_member(
            source, None, name="content/a.txt", declared_size=100_000, compressed_size=100_000, budget=budget
        )
    assert source.tell() <= 100_000 + CHUNK_SIZE


def test_streaming_enforces_the_total_limit():
    source = io.BytesIO(b"x" * (4 * 1024 * 1024))
    size = 4 * 1024 * 1024
    budget = _Budget(Limits(max_total_uncompressed_bytes=1024 * 1024), compressed_total=size)
    with pytest.raises(PackageError, match="unpacks to more than the 1 MB limit"):
        _copy_member(
            source, None, name="content/a.txt", declared_size=size, compressed_size=size, budget=budget
        )
    assert source.tell() <= 1024 * 1024 + CHUNK_SIZE


def test_streaming_enforces_the_ratio():
    size = 4 * 1024 * 1024
    budget = _Budget(Limits(), compressed_total=size)
    with pytest.raises(PackageError, match="compression ratio is over the limit"):
        _copy_member(
            io.BytesIO(bytes(size)),
            None,
            name="content/a.txt",
            declared_size=size,
            compressed_size=1000,
            budget=budget,
        )


BIG = 50 * 1024 * 1024
MP4_HEADER = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 12


@pytest.fixture(scope="module")
def big_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package with a 50 MB video of random bytes (stored: it would not compress)."""
    path = tmp_path_factory.mktemp("big") / "pkg" / "big.h5p"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in base_members().items():
            archive.writestr(name, data)
        info = zipfile.ZipInfo("content/video.mp4")
        info.compress_type = zipfile.ZIP_STORED
        with archive.open(info, "w", force_zip64=False) as member:
            member.write(MP4_HEADER)
            for _ in range(BIG // (1024 * 1024)):
                member.write(os.urandom(1024 * 1024))
    return path


def peak_memory(function, *args, **kwargs) -> tuple[int, object]:
    tracemalloc.start()
    try:
        try:
            result: object = function(*args, **kwargs)
        except PackageError as error:
            result = error
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def test_a_big_member_over_tight_limits_is_refused_with_bounded_memory(big_package: Path, tmp_path: Path):
    destination = tmp_path / "out"
    limits = Limits(max_total_uncompressed_bytes=10 * 1024 * 1024)
    peak, result = peak_memory(extract_package, big_package, destination, limits=limits)
    assert isinstance(result, PackageError)
    assert "the package would unpack to 50 MB, over the 10 MB limit" in result.problems
    assert peak < 5 * 1024 * 1024
    assert not destination.exists()


def test_a_big_member_is_streamed_with_bounded_memory(big_package: Path, tmp_path: Path):
    destination = tmp_path / "out"
    peak, result = peak_memory(extract_package, big_package, destination)
    assert isinstance(result, PackageInfo), result
    assert (destination / "content" / "video.mp4").stat().st_size == BIG + len(MP4_HEADER)
    assert peak < 5 * 1024 * 1024

    peak, result = peak_memory(inspect_package, big_package)
    assert isinstance(result, PackageInfo)
    assert peak < 5 * 1024 * 1024


def test_a_big_member_with_a_lying_header_is_refused_with_bounded_memory(big_package: Path, tmp_path: Path):
    """The header says 1 MB (within the limits); the data is 50 MB."""
    package = tmp_path / "pkg" / "lying.h5p"
    package.parent.mkdir()
    package.write_bytes(big_package.read_bytes())
    patch_sizes(package, "content/video.mp4", compressed=1024 * 1024, uncompressed=1024 * 1024)
    limits = Limits(max_total_uncompressed_bytes=5 * 1024 * 1024, max_package_bytes=100 * 1024 * 1024)
    destination = tmp_path / "out"
    peak, result = peak_memory(extract_package, package, destination, limits=limits)
    assert isinstance(result, PackageError), result
    assert peak < 5 * 1024 * 1024
    assert not destination.exists()
