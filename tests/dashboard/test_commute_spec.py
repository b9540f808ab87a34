"""The page's questions from its state: commute cache keys and place filters (one place each).

Hand-made states (plain field values); the travel days lie in the committed snapshot's
timetable range (:func:`dashboard.state.day_range`).
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import pytest
import streamlit as st

from dashboard import state
from dashboard.engine.core import COMMUTE_MODES
from dashboard.engine.inputs import LatLon
from dashboard.layers import candidates as cand

POINT = LatLon(50.87959, 4.67384)  # UZ Gasthuisberg
STREET_MODES = tuple(m for m in COMMUTE_MODES if m not in state.TRAIN_MODES)


def _spec(mode: str, arrive_by: str, day: str) -> state.CommuteSpec:
    s = state.ExploreState(mode_1=mode, max_minutes_1=35, arrive_by=arrive_by, travel_day=day)
    (person_1,) = state.commuters(s)
    return state.commute_spec(s, person_1, POINT)


def test_there_are_train_and_street_modes() -> None:
    assert state.TRAIN_MODES and STREET_MODES  # else the tests below check nothing


@pytest.mark.parametrize("mode", STREET_MODES)
def test_street_keys_do_not_depend_on_the_arrival_time_or_day(mode: str) -> None:
    early = _spec(mode, "07:15", "2026-12-04")
    assert early == _spec(mode, "09:45", "")
    assert hash(early) == hash(_spec(mode, "18:00", "2026-12-08"))
    assert (early.arrive_by, early.day) == (state.STREET_ARRIVE_BY, state.STREET_DAY)
    assert (early.lat, early.lon, early.mode, early.max_minutes) == (
        POINT.lat,
        POINT.lon,
        mode,
        35,
    )


@pytest.mark.parametrize("mode", state.TRAIN_MODES)
def test_train_keys_carry_the_arrival_time_and_day(mode: str) -> None:
    spec = _spec(mode, "07:15", "2026-12-04")
    assert (spec.arrive_by, spec.day) == ("07:15", "2026-12-04")
    assert spec != _spec(mode, "07:20", "2026-12-04")
    assert spec != _spec(mode, "07:15", "2026-12-03")
    # No day in the state: the default travel day, named (its weekday picks the trains).
    assert _spec(mode, "07:15", "").day == state.default_travel_day().isoformat()


def test_the_question_asked_is_the_spec() -> None:
    spec = _spec("train_bike", "08:10", "2026-12-04")
    assert spec.question() == cand.Commute(POINT, "train_bike", 35.0, "08:10", "2026-12-04")


def test_specs_key_a_streamlit_cache() -> None:
    """Equal questions from different states hit one cache entry; another time misses it."""
    calls: list[state.CommuteSpec] = []

    @st.cache_resource(show_spinner=False)
    def answer(commutes: tuple[state.CommuteSpec, ...]) -> int:
        calls.append(commutes[0])
        return len(calls)

    assert answer((_spec("bike", "07:00", ""),)) == 1
    assert answer((_spec("bike", "08:00", "2026-12-04"),)) == 1  # street: same key
    assert answer((_spec("train_walk", "07:00", ""),)) == 2
    assert answer((_spec("train_walk", "08:00", ""),)) == 3  # train: a new key
    assert len(calls) == 3
    answer.clear()


def test_commuters_are_person_one_and_the_partner_when_set() -> None:
    s = state.ExploreState(
        workplace_1="st:1", mode_1="walk", max_minutes_1=25, mode_2="ebike", max_minutes_2=55
    )
    assert state.commuters(s) == (state.Commuter(1, "st:1", "walk", 25),)
    both = replace(s, workplace_2="addr:42")
    assert state.commuters(both) == (
        state.Commuter(1, "st:1", "walk", 25),
        state.Commuter(2, "addr:42", "ebike", 55),
    )


#: A non-default value of every state field that becomes a filter, with the filter
#: field it must reach and the value it must have there.
_FILTER_FIELDS: dict[str, tuple[Any, str, Any]] = {
    "school_level": ("lager", "school_level", "lager"),
    "school_net": ("GO!", "school_net", "GO!"),
    "school_language": ("Franstalig", "school_language", "Franstalig"),
    "international_only": (True, "international_only", True),
    "childcare_type": ("gezinsopvang_0_3", "childcare_type", "gezinsopvang_0_3"),
    "childcare_keep_unknown": (False, "childcare_keep_unknown", False),
    "budget_type": ("apartment", "budget_type", "apartment"),
    "budget_max_eur": (350_000, "budget_max_eur", 350_000.0),
    "budget_strict": (True, "budget_strict", True),
    "sort_by": ("budget", "sort_by", "budget"),
}


def test_every_filter_field_is_covered() -> None:
    assert {target for _, target, _ in _FILTER_FIELDS.values()} == {
        f.name for f in fields(cand.PlaceFilters)
    }


@pytest.mark.parametrize("field", _FILTER_FIELDS)
def test_each_state_field_reaches_its_own_filter_field(field: str) -> None:
    """Changing one state field changes exactly its filter field (none swapped or lost)."""
    value, target, expected = _FILTER_FIELDS[field]
    default = state.place_filters(state.ExploreState())
    assert default == cand.PlaceFilters(), "the state's defaults are the filters' defaults"
    changed = state.place_filters(replace(state.ExploreState(), **{field: value}))
    assert changed == replace(default, **{target: expected})
    assert getattr(default, target) != expected  # the value tells this field apart


def test_url_names_map_every_field_once() -> None:
    assert set(state.URL_NAMES) == {f.name for f in fields(state.ExploreState)}
    assert len(set(state.URL_NAMES.values())) == len(state.URL_NAMES)
    assert all(state.FIELD_NAMES[url] == name for name, url in state.URL_NAMES.items())
    # Readable names in the code, the short names in the link.
    shown = state.ExploreState(budget_max_eur=400_000, international_only=True)
    assert shown.to_query() == {"bmax": "400000", "intl": "1"}
