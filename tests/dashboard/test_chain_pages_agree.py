"""Profile, Compare and Explore give one morning chain for one neighbourhood (AppTest).

The reviewer's case: Herent-Oost, by bike within 30 min via a primary school, work near
Leuven station (50.8798, 4.7005); Profile and Compare once tried only the 12 nearest
schools (23.7 min) while Explore tried every school (24.3 min).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cache
from dashboard.state import STREET_ARRIVE_BY, STREET_DAY, CommuteSpec

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
HERENT_OOST = "24038A5N"
OTHER = "24038A0N"  # Herent-Centraal, the second compared neighbourhood
PARAMS = {"w1": "50.87980,4.70050", "m1": "bike", "t1": "30", "chain": "school"}


@pytest.fixture(scope="module")
def explore_row() -> tuple[str, str]:
    """Explore's chain for Herent-Oost: (total as shown, stop name)."""
    spec = CommuteSpec(50.8798, 4.7005, "bike", 30, STREET_ARRIVE_BY, STREET_DAY)
    row = cache.chain_columns(spec, "school").loc[HERENT_OOST]
    assert row["chain_stop"], "the case needs a chain that fits"
    return f"{round(float(row['chain_minutes']))} min", str(row["chain_stop"])


def _page(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_profile_shows_explores_chain(explore_row: tuple[str, str]) -> None:
    at = _page("app_pages/profile.py", {**PARAMS, "wijk": HERENT_OOST})
    chain = next(d.value for d in at.dataframe if "Total" in d.value.index)
    total, stop = explore_row
    assert chain.loc["Total"].iloc[0] == total
    assert any(stop in str(label) for label in chain.index)


def test_compare_shows_explores_chain(explore_row: tuple[str, str]) -> None:
    at = _page("app_pages/compare.py", {**PARAMS, "short": f"{HERENT_OOST},{OTHER}"})
    chain = next(d.value for d in at.dataframe if "Total" in d.value.columns)
    total, stop = explore_row
    assert chain.iloc[0]["Total"] == total
    assert chain.iloc[0]["Via"] == stop
