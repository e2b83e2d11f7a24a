import pytest
from django.core.cache import cache
from django.utils import translation

from . import data


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Release session lists are cached for good; tests reuse release ids.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    # Services raise their messages in the active language (Mongolian by default); these tests
    # read the English ones.
    with translation.override("en"):
        yield


@pytest.fixture
def kit(site):
    return data.build_kit()


@pytest.fixture
def terms(db):
    return data.terms()


@pytest.fixture
def school(db):
    return data.place("School 1")


@pytest.fixture
def trained(kit):
    return data.facilitator(kit, "trained@example.mn", full_name="Trained Facilitator")
