"""URL <-> state round trip (pure functions, no Streamlit)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import state
from dashboard.engine.core import COMMUTE_MODES
from dashboard.engine.transit_commute import feed_week
from geodata.catalog import DATA_DIR_ENV, default_data_dir
from geodata.io import SnapshotError


def test_default_state_is_an_empty_query() -> None:
    assert state.ExploreState().to_query() == {}
    assert state.ExploreState.from_query({}) == state.ExploreState()


def test_query_round_trip() -> None:
    full = state.ExploreState(
        language="fr",
        workplace_1="50.90000,4.70000",
        mode_1="car",
        max_minutes_1=45,
        workplace_2="st:8833001",
        mode_2="walk",
        max_minutes_2=15,
        arrive_by="08:30",
        travel_day="2026-12-04",
        school_level="lager",
        school_net="GO!",
        school_language="Nederlandstalig",
        international_only=True,
        childcare_type="groepsopvang_0_3",
        childcare_keep_unknown=False,
        budget_type="apartment",
        budget_max_eur=300_000,
        colour_by="price",
    )
    assert state.ExploreState.from_query(full.to_query()) == full


def test_widget_values_round_trip() -> None:
    full = state.ExploreState(
        workplace_1="addr:42", workplace_2="50.80000,4.60000", mode_2="ebike", arrive_by="07:45"
    )
    assert state.state_from_values(state.session_values(full)) == full


def test_travel_day_defaults_to_next_tuesday() -> None:
    assert state.default_travel_day(date(2026, 11, 29)) == date(2026, 12, 1)  # Sunday
    assert state.default_travel_day(date(2026, 12, 1)) == date(2026, 12, 1)  # a Tuesday
    assert state.default_travel_day(date(2026, 12, 2)) == date(2026, 12, 8)
    default = state.ExploreState()
    values = state.session_values(default)
    assert values[state.TRAVEL_DAY] == state.default_travel_day()
    assert state.state_from_values(values) == default  # the default day stays out of links
    chosen = state.ExploreState(travel_day="2026-12-05")
    assert state.state_from_values(state.session_values(chosen)) == chosen
    assert state.ExploreState.from_query({"day": "5 Dec"}).travel_day == ""
    assert state.ExploreState.from_query({"day": "1990-01-02"}).travel_day == ""


def test_invalid_values_fall_back() -> None:
    parsed = state.ExploreState.from_query(
        {
            "m1": "rocket",
            "t1": "1e9",
            "arr": "25:00",
            "w1": "",
            "w2": "x,y",
            "bmax": "-5",
            "intl": "maybe",
        }
    )
    assert parsed.mode_1 == "bike"
    assert parsed.max_minutes_1 == state.MINUTES_RANGE[1]  # clamped
    assert parsed.arrive_by == "09:00"
    assert parsed.workplace_1 == state.ExploreState().workplace_1
    assert parsed.workplace_2 == ""
    assert parsed.budget_max_eur == 0
    assert parsed.international_only is False


@given(
    lat=st.floats(-89, 89),
    lon=st.floats(-179, 179),
    mode=st.sampled_from(COMMUTE_MODES),
    minutes=st.integers(*state.MINUTES_RANGE),
    budget=st.integers(*state.BUDGET_RANGE),
)
def test_round_trip_property(lat: float, lon: float, mode: str, minutes: int, budget: int) -> None:
    ref = f"{lat:.5f},{lon:.5f}"
    original = state.ExploreState(
        workplace_1=ref, mode_1=mode, max_minutes_1=minutes, budget_max_eur=budget
    )
    assert state.ExploreState.from_query(original.to_query()) == original


@given(
    st.dictionaries(
        st.sampled_from(list(state.URL_NAMES.values())),
        st.text(max_size=30),
    )
)
def test_any_query_parses(params: dict[str, str]) -> None:
    parsed = state.ExploreState.from_query(params)
    assert isinstance(parsed, state.ExploreState)
    state.session_values(parsed)  # never raises


def test_map_click_sets_the_chosen_persons_workplace() -> None:
    event = {"last_clicked": {"lat": 50.9, "lng": 4.7}}
    assert state.workplace_from_click(event, {}) == (1, 50.9, 4.7)
    both = {"p2_on": True, "click_target": "2"}
    assert state.workplace_from_click(event, both) == (2, 50.9, 4.7)
    assert state.workplace_from_click(event, {"click_target": "2"}) == (1, 50.9, 4.7)
    assert state.workplace_from_click({"last_clicked": None}, {}) is None


def test_clicks_on_features_set_the_workplace_only_when_choosing_by_click() -> None:
    assert not state.clicks_set_workplace_everywhere({})
    assert not state.clicks_set_workplace_everywhere({"p1_how": "preset"})
    assert state.clicks_set_workplace_everywhere({"p1_how": "coords"})
    # the person a click sets counts: here person 2, who chooses by preset
    both = {"p2_on": True, "click_target": "2", "p1_how": "coords", "p2_how": "preset"}
    assert not state.clicks_set_workplace_everywhere(both)
    assert state.clicks_set_workplace_everywhere({**both, "p2_how": "coords"})


def test_day_range_is_the_engines_for_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The travel days come from the timetable manifest (one definition, the engine's)."""
    assert state.day_range() == feed_week().travel_dates
    # A snapshot whose timetable week is in 2021 (hand-made copy of the real manifest).
    manifest = json.loads((default_data_dir() / "rail_timetable.manifest.json").read_text())
    manifest["data_date"] = "2021-10-11/2021-10-17"
    (tmp_path / "rail_timetable.manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert state.day_range() == (date(2021, 1, 1), date(2099, 12, 31))
    assert state.ExploreState.from_query({"day": "2020-06-02"}).travel_day == ""
    assert state.ExploreState.from_query({"day": "2021-06-01"}).travel_day == "2021-06-01"


def test_unreadable_timetable_manifest_drops_the_linked_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))  # an empty folder: no manifest
    with pytest.raises(SnapshotError):
        state.day_range()
    assert state.ExploreState.from_query({"day": "2026-12-04"}).travel_day == ""


def test_budget_strict_and_sort_round_trip() -> None:
    shown = state.ExploreState(budget_max_eur=400_000, budget_strict=True, sort_by="budget")
    assert shown.to_query() == {"bmax": "400000", "bs": "1", "sort": "budget"}
    assert state.ExploreState.from_query(shown.to_query()) == shown
    values = state.session_values(shown)
    assert values[state.BUDGET_STRICT] is True and values[state.SORT_BY] == "budget"
    assert state.state_from_values(values).budget_strict is True
    assert state.ExploreState.from_query({"sort": "price"}).sort_by == "commute"
