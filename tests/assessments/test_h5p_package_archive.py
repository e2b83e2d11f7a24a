"""The H5P package validator and extractor on adversarial archives: names, sizes and zip bombs,
file types, and streaming (header sizes not trusted, memory bounded, nothing left behind).

Archives are built here at run time with zipfile and never committed (see h5p_package_helpers).
"""

from __future__ import annotations

import io
import os
import stat
import tracemalloc
import zipfile
from pathlib import Path

import pytest

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
from tests.assessments.h5p_package_helpers import (
    GIF,
    PNG,
    as_json,
    assert_refused,
    base_members,
    patch_bytes,
    refuse,
    write_package,
)

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
