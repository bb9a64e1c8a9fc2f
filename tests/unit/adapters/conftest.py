"""Fixtures for the attendance importer tests."""
from __future__ import annotations

import pytest

from adapters.people import InMemoryRoster
from tests.unit.adapters.support import make_roster


@pytest.fixture
def roster() -> InMemoryRoster:
    return make_roster()
