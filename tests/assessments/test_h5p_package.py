"""The H5P package validator and extractor (plain Python, no database).

Real packages come from ../shared/h5p-samples (skipped with a reason when that folder is
absent); adversarial archives are built here at run time with zipfile and never committed.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from assessments.h5p.package import (
    PackageError,
    PackageInfo,
    extract_package,
    inspect_package,
)
from tests.assessments.h5p_package_helpers import (
    GIF,
    INVALID_SAMPLES,
    JPEG,
    PNG,
    VALID_SAMPLES,
    assert_refused,
    base_members,
    library_json,
    write_package,
)

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
