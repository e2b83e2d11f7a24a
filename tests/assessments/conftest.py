"""Fixtures of the H5P package tests (test_h5p_package*.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.assessments.h5p_package_helpers import SAMPLES


@pytest.fixture
def package_path(tmp_path: Path) -> Path:
    """Where a test writes its package: tmp_path/pkg/test.h5p, next to the extraction folder."""
    return tmp_path / "pkg" / "test.h5p"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"the H5P sample packages are not at {SAMPLES} (they come with ../shared, present in CI)")
    return SAMPLES
