"""Door-to-door train commutes on the committed 2019 NMBS week."""

from __future__ import annotations

import json
from datetime import date, time

import numpy as np
import pytest

from dashboard.engine.__main__ import main
from dashboard.engine.core import CommuteEngine, commute_times
from dashboard.engine.inputs import LatLon
from dashboard.engine.transit_commute import feed_date_for, transit_route
from geodata.io import load_layer

LEUVEN_STATION = LatLon(50.8812, 4.7155)
# next to Aarschot station, next to the workplace, and a Leuven street 1 km away
PLACES_LON = np.array([4.8240, 4.7156, 4.7009])
PLACES_LAT = np.array([50.9845, 50.8813, 50.8789])


@pytest.fixture(scope="module")
def engine() -> CommuteEngine:
    return CommuteEngine()


def test_requested_date_maps_onto_the_same_weekday_of_the_feed() -> None:
    saturday = feed_date_for(date(2026, 12, 5))
    assert saturday.feed_date == "2019-10-19"
    assert "Saturday 2019-10-19" in saturday.note and "Saturday 2026-12-05" in saturday.note
    assert feed_date_for(None).feed_date == "2019-10-15"


def test_train_commute_window_percentiles_and_methods(engine: CommuteEngine) -> None:
    ct = commute_times(
        engine, LEUVEN_STATION, PLACES_LON, PLACES_LAT, mode="train_walk", arrive_by=time(9, 0)
    )
    assert ct.method[0].startswith("train + walk access")
    assert 12 < ct.minutes[0] < 45  # Aarschot -> Leuven: ~15 min train plus walks and waiting
    assert ct.p10[0] <= ct.minutes[0] <= ct.p90[0]
    assert ct.method[1].startswith("direct walk")
    assert ct.minutes[1] < 2


def test_weekend_service_is_sparser_than_weekday(engine: CommuteEngine) -> None:
    lon, lat = PLACES_LON[:1], PLACES_LAT[:1]
    tuesday = commute_times(
        engine,
        LEUVEN_STATION,
        lon,
        lat,
        mode="train_walk",
        arrive_by=time(7, 0),
        day=date(2026, 12, 1),
    )
    sunday = commute_times(
        engine,
        LEUVEN_STATION,
        lon,
        lat,
        mode="train_walk",
        arrive_by=time(7, 0),
        day=date(2026, 12, 6),
    )
    assert sunday.minutes[0] >= tuesday.minutes[0]


def test_route_legs_follow_the_timetable(engine: CommuteEngine) -> None:
    row = transit_route(
        engine.transit_planner(),
        LEUVEN_STATION,
        LatLon(50.8454, 4.3571),  # Brussels Central
        access_mode="walk",
        arrive_by=time(9, 0),
    )
    trains = [leg for leg in row["legs"] if leg["kind"] == "train"]  # type: ignore[attr-defined]
    assert trains and trains[0]["from"] == "Leuven"  # the app's names (issue 9)
    assert row["to_station"] == "Bruxelles-Central"
    assert trains[-1]["arrival"] <= "09:00"
    assert row["leave_home"] <= row["departure"]


def test_cli_transit_route_and_bad_access(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["route", "--from", "50.8812,4.7155", "--to", "50.8454,4.3571", "--mode", "transit"]
    assert main([*argv, "--arrive", "08:30", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["transfers"] == 0 and row["minutes"] > 20
    assert main([*argv, "--access", "car"]) == 2
    assert "unknown mode 'car'" in capsys.readouterr().err


def test_planner_wednesday_0030_takes_tuesdays_late_train(engine: CommuteEngine) -> None:
    """Issue 9: IC 545 (Tuesday service, Leuven 24:00 -> Brussels-Central 24:22) runs
    on Wednesday night; the planner's Wednesday holds it, and the week wraps on Monday."""
    planner = engine.transit_planner()
    row = transit_route(
        planner,
        LEUVEN_STATION,
        LatLon(50.8454, 4.3571),  # Brussels Central
        access_mode="walk",
        arrive_by=time(0, 30),
        day=date(2026, 12, 2),  # a Wednesday
    )
    assert row["minutes"] is not None, row["method"]
    trains = [leg for leg in row["legs"] if leg["kind"] == "train"]  # type: ignore[attr-defined]
    assert [leg["train"] for leg in trains] == ["545"]
    assert (row["departure"], row["arrival"]) == ("00:00", "00:22")
    monday = planner.timetable(planner.week.dates[0])
    assert any(t.endswith(f"@{planner.week.dates[-1]}") for t in monday.trip_ids)


def test_leuven_centre_reaches_brussels_by_train_and_walk(engine: CommuteEngine) -> None:
    # The Dijle neighbourhood's representative point (geodata/neighbourhoods, 2406210) is
    # 24 minutes' walk from Leuven station and 20.2 from Heverlee: a 20-minute access cap
    # left Leuven's own centre with "no train" to Brussels and a 6-hour walk instead.
    places = load_layer("neighbourhoods")
    dijle = places.loc[places["code"] == "2406210"].geometry.representative_point().iloc[0]
    brussels_central = LatLon(50.8454, 4.3571)
    ct = commute_times(
        engine,
        brussels_central,
        np.array([dijle.x]),
        np.array([dijle.y]),
        mode="train_walk",
        arrive_by=time(9, 0),
        day=date(2026, 12, 8),
    )
    assert ct.method[0].startswith("train + walk access"), ct.method[0]
    assert 40 < ct.minutes[0] < 80


def test_a_place_with_no_station_within_reach_gets_the_direct_time(engine: CommuteEngine) -> None:
    # Korbeek-lo west (Bierbeek, wijk 24011B2): no station within 30 minutes' walk; the
    # access step used to take the argmax of an empty station list and raise
    places = load_layer("neighbourhoods")
    point = places.loc[places["code"] == "24011B2"].geometry.representative_point().iloc[0]
    ct = commute_times(
        engine,
        LEUVEN_STATION,
        np.array([point.x]),
        np.array([point.y]),
        mode="train_walk",
        arrive_by=time(9, 0),
    )
    assert ct.method[0].startswith("direct walk")
    walk = engine.times(LEUVEN_STATION, np.array([point.x]), np.array([point.y]), mode="walk")
    assert ct.minutes[0] == pytest.approx(walk.minutes[0])
