"""Fixtures of the engine tests: the batch's origins and facility layers (committed snapshot)."""

from __future__ import annotations

import pytest

from dashboard.engine import accessibility as acc


@pytest.fixture(scope="module")
def origins() -> acc.Places:
    """Every neighbourhood's representative point."""
    return acc.neighbourhood_points()


@pytest.fixture(scope="module")
def layers() -> dict[str, acc.Places]:
    """The facilities of every batch layer."""
    return acc.facility_points()
