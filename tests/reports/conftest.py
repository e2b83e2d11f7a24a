import pytest

from .data import build_programme, enrol  # noqa: F401 (enrol is used by the tests)


@pytest.fixture
def programme(site):
    return build_programme()
