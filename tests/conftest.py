"""Shared test fixtures.

``mirror_dir`` is the read-only raw data mirror (``../shared/data`` beside the checkout);
tests that need it are marked ``slow`` and skip when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MIRROR_DIR = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    """The raw data mirror; skips the test when it is not beside the checkout."""
    if not MIRROR_DIR.is_dir():
        pytest.skip(f"raw mirror not found at {MIRROR_DIR}")
    return MIRROR_DIR
