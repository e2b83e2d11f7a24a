"""The H5P package validator on adversarial metadata: h5p.json, content.json, library.json,
language files and dependencies.

Archives are built here at run time with zipfile and never committed (see h5p_package_helpers).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.assessments.h5p_package_helpers import (
    as_json,
    base_members,
    h5p_json,
    library_json,
    refuse,
)

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
