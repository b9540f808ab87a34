"""URL and session state: values that tell person 1 from person 2 and every bound apart.

Hand-made states with non-default values for the second person (so reading ``t1`` for
``t2`` or setting person 2 from a person-1 click shows), bounds tested on both sides, and
the Streamlit glue run against a plain dict standing in for ``st.session_state``.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
import streamlit

from dashboard import state
from dashboard.layers.workplaces import DEFAULT_REF


class _Session(dict[str, Any]):
    """A plain dict with the ``to_dict`` of Streamlit's session state."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self)


class _Params:
    """Stands in for ``st.query_params``: what was read and what was written."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.written: dict[str, str] | None = None

    def to_dict(self) -> dict[str, str]:
        return dict(self.values)

    def from_dict(self, values: dict[str, str]) -> None:
        self.written = dict(values)


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> _Session:
    fake = _Session()
    monkeypatch.setattr(streamlit, "session_state", fake)
    return fake


def _person_two() -> state.ExploreState:
    return state.ExploreState(
        workplace_1="addr:Naamsestraat 22",
        mode_1="walk",
        max_minutes_1=25,
        workplace_2="50.80000,4.60000",
        mode_2="ebike",
        max_minutes_2=55,
        international_only=True,
        childcare_keep_unknown=False,
        budget_max_eur=350_000,
    )


# ----------------------------------------------------------------- URL


def test_a_link_without_parameters_means_these_defaults() -> None:
    # shared links leave defaults out, so changing one changes every old link's meaning
    defaults = state.ExploreState().url_values()
    expected = {
        "lang": state.DEFAULT_LANGUAGE,
        "w1": DEFAULT_REF,
        "m1": "bike",
        "t1": 20,
        "w2": "",
        "m2": "car",
        "t2": 30,
        "arr": "09:00",
        "day": "",
        "lvl": "any",
        "net": "any",
        "sl": "any",
        "intl": False,
        "cc": "any",
        "cck": True,
        "bt": "house",
        "bmax": 0,
        "col": "commute",
        "bs": False,
        "sort": "commute",
        "short": (),
        "wijk": "",
        "w_commute": 3,
        "w_schools": 1,
        "w_childcare": 1,
        "w_transport": 1,
        "w_price": 1,
        "chain": "off",
        "chain_p": 1,
    }
    assert {key: defaults.get(key) for key in expected} == expected


def test_to_query_writes_booleans_as_digits_and_skips_defaults() -> None:
    query = state.ExploreState(
        international_only=True, childcare_keep_unknown=False, max_minutes_2=45, workplace_2="st:1"
    ).to_query()
    assert query == {"intl": "1", "cck": "0", "t2": "45", "w2": "st:1"}


def test_from_query_reads_each_person_from_its_own_key() -> None:
    parsed = state.ExploreState.from_query({"t2": "45", "m2": "walk"})
    assert (parsed.max_minutes_1, parsed.max_minutes_2, parsed.mode_1, parsed.mode_2) == (
        20,
        45,
        "bike",
        "walk",
    )
    parsed = state.ExploreState.from_query({"t1": "7"})
    assert (parsed.max_minutes_1, parsed.max_minutes_2) == (7, 30)


def test_from_query_takes_the_last_of_repeated_values() -> None:
    assert state.ExploreState.from_query({"t1": ["10", "40"]}).max_minutes_1 == 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2", 5), ("5", 5), ("6", 6), ("119", 119), ("120", 120), ("121", 120), ("12.6", 13)],
)
def test_minutes_are_rounded_and_clamped_on_both_sides(text: str, expected: int) -> None:
    assert state.ExploreState.from_query({"t1": text}).max_minutes_1 == expected
    assert state.ExploreState.from_query({"t2": text}).max_minutes_2 == expected


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "ten", ""])
def test_minutes_that_are_not_numbers_fall_back(text: str) -> None:
    assert state.ExploreState.from_query({"t1": text, "t2": text}) == state.ExploreState()


def test_budget_is_clamped_on_both_sides() -> None:
    assert state.ExploreState.from_query({"bmax": "-1"}).budget_max_eur == 0
    assert state.ExploreState.from_query({"bmax": "1"}).budget_max_eur == 1
    assert state.ExploreState.from_query({"bmax": "2000001"}).budget_max_eur == 2_000_000
    assert state.ExploreState.from_query({"bmax": "1999999"}).budget_max_eur == 1_999_999


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", True), ("0", False), ("TRUE", True), ("false", False), (" 1 ", True), ("yes", None)],
)
def test_flags(text: str, expected: bool | None) -> None:
    parsed = state.ExploreState.from_query({"intl": text, "cck": text})
    default = state.ExploreState()
    assert parsed.international_only is (
        default.international_only if expected is None else expected
    )
    assert parsed.childcare_keep_unknown is (
        default.childcare_keep_unknown if expected is None else expected
    )


def test_choices_and_arrival_time() -> None:
    parsed = state.ExploreState.from_query(
        {"m2": "train_walk", "lvl": "lager", "col": "price", "arr": " 7:05", "lang": "nl"}
    )
    got = (parsed.mode_2, parsed.school_level, parsed.colour_by, parsed.language)
    assert got == ("train_walk", "lager", "price", "nl")
    assert parsed.arrive_by in ("07:05", "09:00")  # "7:05" is accepted or refused, never garbled
    assert state.ExploreState.from_query({"arr": "07:05"}).arrive_by == "07:05"
    assert state.ExploreState.from_query({"m2": "rocket", "lang": "xx"}) == state.ExploreState()


def test_workplace_references() -> None:
    assert state.ExploreState.from_query({"w2": ""}).workplace_2 == ""
    assert state.ExploreState.from_query({"w1": ""}).workplace_1 == DEFAULT_REF
    assert state.ExploreState.from_query({"w1": "50.9,4.7"}).workplace_1 == "50.90000,4.70000"
    assert state.ExploreState.from_query({"w2": "50.9,4.7"}).workplace_2 == "50.90000,4.70000"
    assert state.ExploreState.from_query({"w1": "91,4.7"}).workplace_1 == DEFAULT_REF
    longest = "addr:" + "x" * 195
    assert state.ExploreState.from_query({"w1": longest}).workplace_1 == longest
    assert state.ExploreState.from_query({"w1": longest + "x"}).workplace_1 == DEFAULT_REF
    assert state.ExploreState.from_query({"w1": "addr:a\x07b"}).workplace_1 == DEFAULT_REF
    assert state.ExploreState.from_query({"w2": "st:1\n"}).workplace_2 == "st:1"  # stripped first


def test_travel_day_range_is_inclusive() -> None:
    def day(text: str) -> str:
        return state.ExploreState.from_query({"day": text}).travel_day

    assert day("2019-01-01") == "2019-01-01"
    assert day("2018-12-31") == ""
    assert day("2099-12-31") == "2099-12-31"
    assert day("2100-01-01") == ""


def test_default_travel_day_each_weekday() -> None:
    assert state.default_travel_day(date(2026, 11, 30)) == date(2026, 12, 1)  # Monday
    assert state.default_travel_day(date(2026, 12, 1)) == date(2026, 12, 1)  # Tuesday
    assert state.default_travel_day(date(2026, 12, 2)) == date(2026, 12, 8)  # Wednesday
    assert state.default_travel_day(date(2026, 12, 6)) == date(2026, 12, 8)  # Sunday
    assert state.travel_day(state.ExploreState(travel_day="2026-12-04")) == date(2026, 12, 4)
    assert state.travel_day(state.ExploreState()) == state.default_travel_day()


# ----------------------------------------------------------------- widgets


def test_session_values_of_a_non_default_second_person() -> None:
    values = state.session_values(_person_two())
    assert values[state.SECOND_ON] is True
    assert values["p1_how"] == "address" and values["p1_addr"] == "addr:Naamsestraat 22"
    assert values["p2_how"] == "coords"
    assert (values["p2_lat"], values["p2_lon"]) == (50.8, 4.6)
    assert (values["p1_mode"], values["p2_mode"]) == ("walk", "ebike")
    assert (values["p1_max"], values["p2_max"]) == (25, 55)
    assert values[state.ARRIVE] == time(9, 0)
    assert values[state.INTL_ONLY] is True and values[state.CHILDCARE_KEEP] is False
    assert values[state.BUDGET_MAX] == 350_000
    off = state.session_values(state.ExploreState())
    assert off[state.SECOND_ON] is False
    assert off["p2_how"] == "preset" and off["p2_preset"] == DEFAULT_REF


def test_widget_round_trip_keeps_the_second_person() -> None:
    full = _person_two()
    assert state.state_from_values(state.session_values(full)) == full


def test_state_from_values_reads_person_two_from_its_own_widgets() -> None:
    values = {
        state.SECOND_ON: True,
        "p1_how": "preset",
        "p1_preset": "st:1",
        "p2_how": "address",
        "p2_addr": "addr:Bondgenotenlaan 1",
        "p1_max": 15,
        "p2_max": 70,
        "p1_mode": "car",
        "p2_mode": "walk",
        state.ARRIVE: time(7, 5),
        state.TRAVEL_DAY: date(2026, 12, 4),
    }
    got = state.state_from_values(values)
    assert (got.workplace_1, got.workplace_2) == ("st:1", "addr:Bondgenotenlaan 1")
    assert (got.max_minutes_1, got.max_minutes_2, got.mode_1, got.mode_2) == (15, 70, "car", "walk")
    assert got.arrive_by == "07:05" and got.travel_day == "2026-12-04"
    hidden = state.state_from_values({**values, state.SECOND_ON: False})
    assert hidden.workplace_2 == ""


def test_workplace_ref_fallbacks() -> None:
    assert state.workplace_ref({}, 2) == DEFAULT_REF
    assert state.workplace_ref({"p2_how": "address", "p2_addr": ""}, 2) == DEFAULT_REF
    assert state.workplace_ref({"p2_how": "address", "p2_preset": "st:9"}, 2) == "st:9"
    assert state.workplace_ref({"p2_how": "coords"}, 2) == "50.88228,4.71587"
    coords = {"p2_how": "coords", "p2_lat": 50.1, "p2_lon": 4.2, "p1_lat": 1.0}
    assert state.workplace_ref(coords, 2) == "50.10000,4.20000"


def test_unset_workplaces_are_address_choices_without_an_address() -> None:
    both = {state.SECOND_ON: True, "p1_how": "address", "p2_how": "address"}
    assert state.unset_workplaces(both) == [1, 2]
    assert state.unset_workplaces({**both, "p1_addr": "addr:1"}) == [2]
    assert state.unset_workplaces({**both, "p2_addr": "addr:2"}) == [1]
    assert state.unset_workplaces({**both, state.SECOND_ON: False}) == [1]
    assert state.unset_workplaces({**both, "p1_how": "preset", "p2_how": "coords"}) == []
    assert state.unset_workplaces({}) == []


def test_every_persons_workplace_widgets_survive_a_page_visit() -> None:
    fields = ("how", "preset", "addr_q", "addr", "lat", "lon", "mode", "max")
    wanted = {state.person_key(p, f) for p in (1, 2) for f in fields}
    assert wanted <= set(state.PERSISTENT_KEYS)
    assert state.CLICK_TARGET in state.PERSISTENT_KEYS


def test_click_person_needs_the_partner_on_and_chosen() -> None:
    assert state.click_person({}) == 1
    assert state.click_person({state.CLICK_TARGET: "2"}) == 1
    assert state.click_person({state.SECOND_ON: True}) == 1
    assert state.click_person({state.SECOND_ON: True, state.CLICK_TARGET: ""}) == 1
    assert state.click_person({state.SECOND_ON: True, state.CLICK_TARGET: "1"}) == 1
    assert state.click_person({state.SECOND_ON: True, state.CLICK_TARGET: "2"}) == 2


# ----------------------------------------------------------------- Streamlit glue


def test_map_click_for_person_one_leaves_person_two_off(session: _Session) -> None:
    state.apply_map_click(1, 50.123456, 4.654321)
    assert session == {"p1_how": "coords", "p1_lat": 50.12346, "p1_lon": 4.65432}
    assert state.SECOND_ON not in session


def test_map_click_for_person_two_switches_them_on(session: _Session) -> None:
    state.apply_map_click(2, 50.2, 4.8)
    assert session[state.SECOND_ON] is True
    assert (session["p2_how"], session["p2_lat"], session["p2_lon"]) == ("coords", 50.2, 4.8)
    assert "p1_how" not in session


def test_start_run_loads_the_url_once(session: _Session, monkeypatch: pytest.MonkeyPatch) -> None:
    params = _Params({"t2": "45", "w2": "st:2", "lang": "fr"})
    monkeypatch.setattr(streamlit, "query_params", params)
    state.start_run()
    assert session["p2_max"] == 45 and session["p1_max"] == 20
    assert session[state.SECOND_ON] is True
    assert session[state.URL_LOADED] is True
    assert (session["p2_lat"], session["p2_lon"]) == (state.DEFAULT_LAT, state.DEFAULT_LON)
    assert (session["p1_lat"], session["p1_lon"]) == (state.DEFAULT_LAT, state.DEFAULT_LON)
    session["p2_max"] = 60  # the user moves a slider; the URL is not read again
    state.start_run()
    assert session["p2_max"] == 60
    assert state.language() == "fr"
    assert state.current().max_minutes_2 == 60
    state.write_url()
    assert params.written == {"t2": "60", "w2": "st:2", "lang": "fr"}


def test_language_falls_back_for_an_unknown_one(session: _Session) -> None:
    assert state.language() == state.DEFAULT_LANGUAGE
    session[state.LANG] = "xx"
    assert state.language() == state.DEFAULT_LANGUAGE
    session[state.LANG] = "nl"
    assert state.language() == "nl"


def test_start_run_keeps_the_links_intake_problems(
    session: _Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = _Params({"short": "24062A0,x y", "w_price": "2"})
    monkeypatch.setattr(streamlit, "query_params", params)
    state.start_run()
    (problem,) = session[state.URL_PROBLEMS]
    assert (problem.name, problem.value) == ("short", "24062A0,x y")
    assert session[state.SHORTLIST] == [] and session[state.weight_key("price")] == 2
    assert state.SHORTLIST in state.PERSISTENT_KEYS
    assert state.weight_key("commute") in state.PERSISTENT_KEYS
    session[state.SHORTLIST] = ["24062A0", "24062B1"]
    state.write_url()
    assert params.written == {"short": "24062A0,24062B1", "w_price": "2"}
