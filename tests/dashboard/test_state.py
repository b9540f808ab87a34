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
from dashboard.layers import score
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


# -- relocation intake: shortlist, profile, weights, chain (issue 10) ---------------------
def test_shortlist_weights_profile_and_chain_round_trip() -> None:
    shown = state.ExploreState(
        shortlist=("24062A0", "21018_92", "12005B1"),
        profile_wijk="24062A0",
        weight_commute=0,
        weight_price=5,
        chain_stop="childcare",
        chain_person=2,
    )
    query = shown.to_query()
    assert query == {
        "short": "24062A0,21018_92,12005B1",
        "wijk": "24062A0",
        "w_commute": "0",
        "w_price": "5",
        "chain": "childcare",
        "chain_p": "2",
    }
    assert state.ExploreState.from_query(query) == shown
    assert state.state_from_values(state.session_values(shown)) == shown
    assert shown.weights() == score.Weights(0, 1, 1, 1, 5)


def test_malformed_intake_values_are_cleared_and_reported() -> None:
    link = {
        "short": "24062A0,<b>x</b>",
        "wijk": "Leuven",
        "w_schools": "lots",
        "chain": "bus",
        "chain_p": "3",
        "w_price": "9",  # a number: clamped like the minutes, not an error
    }
    parsed = state.ExploreState.from_query(link)
    assert parsed.shortlist == () and parsed.profile_wijk == ""
    assert parsed.weight_schools == 1 and parsed.weight_price == 5
    assert (parsed.chain_stop, parsed.chain_person) == ("off", 1)
    problems = state.link_problems(link)
    assert {(p.name, p.problem) for p in problems} == {
        (name, state.UrlProblem.MALFORMED)
        for name in ("short", "wijk", "w_schools", "chain", "chain_p")
    }
    assert next(p for p in problems if p.name == "wijk").value == "Leuven"
    assert state.link_problems({"short": "", "w_commute": "2"}) == []


def test_a_shortlist_of_more_than_four_keeps_four_and_names_the_rest() -> None:
    link = {"short": "24062A0,24062B1,24062C0,24062D0,24062E0,24062A0,24062F1"}
    parsed = state.ExploreState.from_query(link)
    assert parsed.shortlist == ("24062A0", "24062B1", "24062C0", "24062D0")
    (problem,) = state.link_problems(link)
    assert problem.problem is state.UrlProblem.TOO_MANY
    assert problem.value == "24062E0,24062F1"  # the repeated code counts once


def test_unknown_codes_are_dropped_and_named() -> None:
    s = state.ExploreState(shortlist=("24062A0", "99999Z"), profile_wijk="99998")
    kept, problems = state.unknown_codes(s, {"24062A0", "24062B1"})
    assert kept.shortlist == ("24062A0",) and kept.profile_wijk == ""
    assert [(p.name, p.value) for p in problems] == [("short", "99999Z"), ("wijk", "99998")]
    same, none = state.unknown_codes(kept, {"24062A0"})
    assert same == kept and none == []
