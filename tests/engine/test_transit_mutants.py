"""Rail engine details with values that tell the operations apart (hand-made timetables).

Stations are placed in Lambert 72 metres (projected back to WGS84), so footpath lengths
are known by hand: diagonal pairs (x and y both matter), pairs just inside and just
outside the footpath radius, co-located stations.  Journeys start or change with a walk
so walk-leg times show, transfers have non-default times, and windows use a step that
does not divide the window, so the arrive-by minute itself has to be added.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.engine.errors import BadInputError
from dashboard.engine.network import lonlat_to_xy, xy_to_lonlat
from dashboard.engine.transit import (
    Journey,
    Leg,
    Timetable,
    arrive_by_window,
    journey,
    latest_departures,
    latest_departures_scan,
    load_timetable,
    summarize,
)

INF = math.inf
X0, Y0 = 173_000.0, 174_000.0
WALK_MPS = 4.8 / 3.6

#: Lambert offsets (metres) from (X0, Y0); far stations are kilometres apart
XY = {
    "A": (-20_000.0, 0.0),
    "B": (0.0, 20_000.0),
    "C": (20_000.0, 0.0),
    "D": (0.0, -20_000.0),
    "X": (0.0, 0.0),
    "Y": (150.0, 200.0),  # 250 m diagonal from X: 300 m of walking
}


def hm(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 3600 + int(m) * 60


def _lonlat(dx: float, dy: float) -> tuple[float, float]:
    lon, lat = xy_to_lonlat(np.array([X0 + dx]), np.array([Y0 + dy]))
    return float(lon[0]), float(lat[0])


def frame(
    trips: dict[str, list[tuple]],
    transfer_s: dict[str, float | None] | None = None,
    xy: dict[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Calls from ``{trip: [(stop, "hh:mm" arr, "hh:mm" dep[, pickup, drop_off]), ...]}``."""
    places = xy or XY
    rows = []
    for trip, calls in trips.items():
        for seq, call in enumerate(calls, start=1):
            stop, arr, dep = call[:3]
            pickup, drop = (call[3], call[4]) if len(call) > 3 else (0, 0)
            lon, lat = _lonlat(*places[stop])
            rows.append(
                {
                    "trip_id": trip,
                    "route_short_name": f"R{trip}",
                    "train": f"{trip}0",
                    "stop_sequence": seq,
                    "stop_id": stop,
                    "arrival_s": hm(arr) if arr else None,
                    "departure_s": hm(dep) if dep else None,
                    "pickup_type": pickup,
                    "drop_off_type": drop,
                    "stop_name": f"Station {stop}",
                    "stop_lon": lon,
                    "stop_lat": lat,
                    "min_transfer_s": (transfer_s or {}).get(stop, 120),
                }
            )
    return pd.DataFrame(rows)


def _walk_s(tt: Timetable, a: str, b: str) -> float:
    """Footpath seconds between two stations, by hand from their stored positions."""
    i, j = tt.stop_index(a), tt.stop_index(b)
    x, y = lonlat_to_xy(tt.stop_lon[[i, j]], tt.stop_lat[[i, j]])
    return math.ceil(math.hypot(x[1] - x[0], y[1] - y[0]) * 1.2 / WALK_MPS)


def _latest(tt: Timetable, target: str, deadline: str, **kw: object) -> dict[str, float]:
    stops = np.array([tt.stop_index(target)])
    out = latest_departures(tt, stops, np.array([0.0]), hm(deadline), **kw)  # type: ignore[arg-type]
    if not kw:
        np.testing.assert_array_equal(out, latest_departures_scan(tt, stops, 0.0, hm(deadline)))
    return {str(s): float(out[i]) for i, s in enumerate(tt.stop_ids)}


# ----------------------------------------------------------------- building the timetable


def test_footpath_length_uses_both_coordinates() -> None:
    tt = Timetable.from_frame(frame({"T1": [("X", "08:00", "08:00"), ("Y", "08:10", "08:10")]}))
    expected = _walk_s(tt, "X", "Y")
    assert expected == 225  # 250 m x 1.2 = 300 m at 4.8 km/h
    assert sorted(zip(tt.fp_from.tolist(), tt.fp_to.tolist(), strict=True)) == [(0, 1), (1, 0)]
    assert tt.fp_s.tolist() == [expected, expected]


@pytest.mark.parametrize(("metres", "linked"), [(330.0, True), (340.0, False)])
def test_footpath_radius_is_walking_distance_over_detour(metres: float, linked: bool) -> None:
    # 330 m straight = 396 m walked (inside 400 m); 340 m = 408 m walked (outside)
    xy = {"X": (0.0, 0.0), "Y": (metres, 0.0)}
    tt = Timetable.from_frame(
        frame({"T1": [("X", "08:00", "08:00"), ("Y", "08:10", "08:10")]}, xy=xy)
    )
    assert (len(tt.fp_s) == 2) is linked


def test_default_footpath_limit_is_400_m_of_walking() -> None:
    # 333.75 m straight = 400.5 m walked: just beyond the default
    xy = {"X": (0.0, 0.0), "Y": (333.75, 0.0), "Z": (333.0, 0.0)}
    calls = frame({"T1": [("X", "08:00", "08:00"), ("Y", "08:10", "08:10")]}, xy=xy)
    assert len(Timetable.from_frame(calls).fp_s) == 0
    assert len(Timetable.from_frame(calls, footpath_max_m=401.0).fp_s) == 2


def test_footpaths_off_and_between_co_located_stations() -> None:
    xy = {"X": (0.0, 0.0), "Y": (0.0, 0.0)}
    calls = frame({"T1": [("X", "08:00", "08:00"), ("Y", "08:10", "08:10")]}, xy=xy)
    assert len(Timetable.from_frame(calls, footpath_max_m=0).fp_s) == 0
    together = Timetable.from_frame(calls)
    assert together.fp_s.tolist() == [0.0, 0.0]


def test_stations_without_position_get_no_footpath() -> None:
    calls = frame({"T1": [("X", "08:00", "08:00"), ("Y", "08:10", "08:10")]})
    calls.loc[calls["stop_id"] == "Y", ["stop_lon", "stop_lat"]] = np.nan
    assert len(Timetable.from_frame(calls).fp_s) == 0


def test_calls_are_ordered_and_trip_attributes_kept() -> None:
    trips = {
        "T2": [("B", "08:00", "08:00"), ("C", "08:10", "08:12"), ("D", "08:30", "08:30")],
        "T1": [("A", "07:00", "07:00"), ("B", "07:20", "07:20"), ("C", "07:40", "07:40")],
    }
    calls = frame(trips).sample(frac=1.0, random_state=3)  # shuffled rows
    tt = Timetable.from_frame(calls)
    assert tt.n_stops == 4 and tt.n_connections == 4
    assert tt.stop_ids.tolist() == ["A", "B", "C", "D"]
    assert tt.stop_names.tolist() == ["Station A", "Station B", "Station C", "Station D"]
    assert tt.stop_index(tt.stop_ids[2]) == 2
    # trips keep their first-seen order after sorting by trip id: T1 then T2
    assert tt.trip_ids.tolist() == ["T1", "T2"]
    assert tt.trip_train.tolist() == ["T10", "T20"]
    assert tt.trip_route.tolist() == ["RT1", "RT2"]
    assert tt.dep_s.tolist() == [hm("07:00"), hm("07:20"), hm("08:00"), hm("08:12")]
    assert tt.arr_s.tolist() == [hm("07:20"), hm("07:40"), hm("08:10"), hm("08:30")]
    assert tt.dep_stop.tolist() == [0, 1, 1, 2] and tt.arr_stop.tolist() == [1, 2, 2, 3]
    assert tt.trip.tolist() == [0, 0, 1, 1]
    assert tt.trip_end.tolist() == [1, 1, 3, 3]
    assert tt.by_departure.tolist() == [3, 2, 1, 0]


def test_reverse_scan_order_breaks_ties_by_arrival_then_later_in_trip() -> None:
    trips = {
        "T1": [("A", "08:00", "08:00"), ("B", "08:30", "08:30")],
        "T2": [("A", "08:00", "08:00"), ("C", "08:20", "08:20")],
        "T3": [("X", "08:00", "08:00"), ("Y", "08:00", "08:00"), ("D", "08:00", "08:00")],
    }
    tt = Timetable.from_frame(frame(trips))
    # T1 arrives later than T2; within T3 (all 08:00) the later connection comes first
    assert tt.by_departure.tolist() == [0, 1, 3, 2]


def test_transfer_time_is_the_largest_given_or_the_default() -> None:
    trips = {
        "T1": [("A", "08:00", "08:00"), ("B", "08:30", "08:30")],
        "T2": [("B", "08:40", "08:40"), ("C", "09:00", "09:00")],
    }
    calls = frame(trips, {"B": 300})
    calls.loc[(calls["trip_id"] == "T2") & (calls["stop_id"] == "B"), "min_transfer_s"] = 500
    calls.loc[calls["stop_id"] == "C", "min_transfer_s"] = None
    tt = Timetable.from_frame(calls, default_transfer_s=240)
    assert tt.transfer_s.tolist() == [120.0, 500.0, 240.0]
    # 10 minutes at B is more than 500 s: the change works; 8 minutes would not
    assert _latest(tt, "C", "09:00")["A"] == hm("08:00")


def test_a_missing_time_takes_the_other_one() -> None:
    trips = {"T1": [("A", None, "08:00"), ("B", "08:20", None), ("C", "08:40", "08:40")]}
    tt = Timetable.from_frame(frame(trips))
    assert tt.dep_s.tolist() == [hm("08:00"), hm("08:20")]
    assert tt.arr_s.tolist() == [hm("08:20"), hm("08:40")]


def test_pickup_codes_other_than_one_allow_boarding() -> None:
    trips = {
        "T1": [
            ("A", "08:00", "08:00", 2, 0),
            ("B", "08:20", "08:20", None, None),
            ("C", "08:40", "08:40", 0, 3),
        ]
    }
    tt = Timetable.from_frame(frame(trips))
    assert tt.can_board.tolist() == [True, True]
    assert tt.can_alight.tolist() == [True, True]
    got = _latest(tt, "C", "09:00")
    assert (got["A"], got["B"]) == (hm("08:00"), hm("08:20"))


def test_times_running_backwards_are_refused() -> None:
    dwell_backwards = {"T1": [("A", "08:00", "08:00"), ("B", "08:30", "08:25")]}
    with pytest.raises(BadInputError, match="backwards"):
        Timetable.from_frame(frame(dwell_backwards))
    ride_backwards = {"T1": [("A", "08:00", "08:10"), ("B", "08:05", "08:05")]}
    with pytest.raises(BadInputError, match="backwards"):
        Timetable.from_frame(frame(ride_backwards))
    standing = {"T1": [("A", "08:00", "08:00"), ("B", "08:00", "08:00")]}
    assert Timetable.from_frame(frame(standing)).n_connections == 1


def test_load_timetable_refuses_a_day_without_service() -> None:
    with pytest.raises(BadInputError, match="no service on 1999-01-01"):
        load_timetable("1999-01-01")


# ----------------------------------------------------------------- queries


def _line() -> Timetable:
    trips = {
        "T1": [("A", "08:00", "08:00"), ("B", "08:30", "08:30")],
        "T2": [("B", "08:33", "08:33"), ("C", "09:00", "09:00")],
    }
    return Timetable.from_frame(frame(trips, {"B": 180}))


def test_targets_are_checked_at_both_ends_of_the_index_range() -> None:
    tt = _line()
    n = tt.n_stops
    out = latest_departures(tt, np.array([n - 1]), np.array([0.0]), hm("09:00"))
    assert out[tt.stop_index("A")] == hm("08:00")
    first = latest_departures(tt, np.array([0]), np.array([0.0]), hm("09:00"))
    assert first[0] == hm("09:00")  # station index 0 is a valid target
    for bad in ([n], [-1], []):
        with pytest.raises(BadInputError):
            latest_departures(tt, np.array(bad, dtype=int), 0.0, hm("09:00"))
    for egress in (-1.0, INF, np.nan):
        with pytest.raises(BadInputError):
            latest_departures(tt, np.array([n - 1]), egress, hm("09:00"))


def test_a_target_listed_twice_uses_its_smaller_egress() -> None:
    tt = _line()
    c = tt.stop_index("C")
    out = latest_departures(tt, np.array([c, c]), np.array([300.0, 60.0]), hm("09:01"))
    assert out[c] == hm("09:00")
    assert out[tt.stop_index("A")] == hm("08:00")


def test_max_travel_keeps_departures_exactly_at_its_bound() -> None:
    tt = _line()
    assert _latest(tt, "C", "09:00", max_travel_s=3600)["A"] == hm("08:00")
    assert _latest(tt, "C", "09:00", max_travel_s=3599)["A"] == -INF
    assert _latest(tt, "C", "09:00", max_travel_s=3599)["B"] == hm("08:33")


def test_max_trains_counts_trains() -> None:
    tt = _line()
    assert _latest(tt, "C", "09:00", max_trains=2)["A"] == hm("08:00")
    assert _latest(tt, "C", "09:00", max_trains=1)["A"] == -INF
    assert _latest(tt, "C", "09:00", max_trains=1)["B"] == hm("08:33")


# ----------------------------------------------------------------- window


def test_window_deadlines_include_the_arrive_by_minute() -> None:
    tt = _line()
    c = tt.stop_index("C")
    res = arrive_by_window(tt, np.array([c]), 0.0, hm("09:00"), window_min=10, step_min=3)
    offsets = [-10, -7, -4, -1, 0]
    assert res.deadlines_s.tolist() == [hm("09:00") + 60 * k for k in offsets]
    a = tt.stop_index("A")
    assert res.travel_s[:, a].tolist() == [INF, INF, INF, INF, 3600.0]
    single = arrive_by_window(tt, np.array([c]), 0.0, hm("09:00"), window_min=0)
    assert single.deadlines_s.tolist() == [hm("09:00")]
    assert single.median_s[a] == 3600.0


def test_window_arguments_are_checked() -> None:
    tt = _line()
    c = np.array([tt.stop_index("C")])
    for window, step in ((-1, 1), (10, 0), (10, -1)):
        with pytest.raises(BadInputError):
            arrive_by_window(tt, c, 0.0, hm("09:00"), window_min=window, step_min=step)
    with pytest.raises(BadInputError, match="one value per station"):
        arrive_by_window(tt, c, 0.0, hm("09:00"), access_s=np.zeros(tt.n_stops + 1))


def test_window_access_and_travel_limit() -> None:
    tt = _line()
    c, a = np.array([tt.stop_index("C")]), tt.stop_index("A")
    access = np.zeros(tt.n_stops)
    access[a] = 240.0
    # 08:00 -> 09:00 plus 4 minutes from home: 3,840 s
    res = arrive_by_window(tt, c, 0.0, hm("09:00"), window_min=0, access_s=access)
    assert res.travel_s[0, a] == 3840.0
    assert res.latest_departure_s[0, a] == hm("08:00")
    at_limit = arrive_by_window(
        tt, c, 0.0, hm("09:00"), window_min=0, access_s=access, max_travel_s=3840.0
    )
    assert at_limit.travel_s[0, a] == 3840.0
    beyond = arrive_by_window(
        tt, c, 0.0, hm("09:00"), window_min=0, access_s=access, max_travel_s=3839.0
    )
    assert beyond.travel_s[0, a] == INF
    unlimited = arrive_by_window(
        tt, c, 0.0, hm("09:00"), window_min=0, access_s=access, max_travel_s=None
    )
    assert unlimited.travel_s[0, a] == 3840.0


def test_default_travel_limit_is_three_hours() -> None:
    trips = {"T1": [("A", "08:00", "08:00"), ("C", "11:00", "11:00")]}
    tt = Timetable.from_frame(frame(trips))
    a, c = tt.stop_index("A"), np.array([tt.stop_index("C")])
    access = np.zeros(tt.n_stops)
    res = arrive_by_window(tt, c, 0.0, hm("11:00"), window_min=0, access_s=access)
    assert res.travel_s[0, a] == 3 * 3600.0  # exactly three hours: kept
    access[a] = 2.0
    res = arrive_by_window(tt, c, 0.0, hm("11:00"), window_min=0, access_s=access)
    assert res.travel_s[0, a] == INF  # two seconds more: beyond the limit


def test_summarize_uses_the_10th_50th_and_90th_nearest_ranks() -> None:
    travel = np.arange(61, dtype=float)[:, None] * 60.0  # 0..60 minutes
    assert summarize(travel)[:, 0].tolist() == [30 * 60.0, 6 * 60.0, 54 * 60.0]


# ----------------------------------------------------------------- journeys


def _walking() -> Timetable:
    trips = {
        "T1": [("A", "08:00", "08:00"), ("X", "08:30", "08:30")],
        "T3": [("Y", "08:40", "08:40"), ("D", "09:05", "09:05")],
    }
    return Timetable.from_frame(frame(trips))


def test_journey_with_a_walk_between_trains_has_walk_times() -> None:
    tt = _walking()
    walk = _walk_s(tt, "X", "Y")
    a, x, y, d = (tt.stop_index(s) for s in "AXYD")
    j = journey(tt, a, np.array([d]), 0.0, hm("09:05"))
    assert j == Journey(
        hm("08:00"),
        hm("09:05"),
        d,
        [
            Leg("train", a, x, hm("08:00"), hm("08:30"), "T1", "T10", "RT1"),
            Leg("walk", x, y, hm("08:30"), hm("08:30") + walk),
            Leg("train", y, d, hm("08:40"), hm("09:05"), "T3", "T30", "RT3"),
        ],
    )
    assert j.transfers == 1


def test_journey_starting_with_a_walk() -> None:
    tt = _walking()
    walk = _walk_s(tt, "X", "Y")
    x, y, d = (tt.stop_index(s) for s in "XYD")
    j = journey(tt, x, np.array([d]), 0.0, hm("09:05"))
    assert j is not None
    assert j.departure_s == hm("08:40") - walk
    assert j.legs[0] == Leg("walk", x, y, hm("08:40") - walk, hm("08:40"))
    assert [leg.kind for leg in j.legs] == ["walk", "train"]
    assert j.transfers == 0


def test_journey_boards_after_the_transfer_time() -> None:
    trips = {
        "T1": [("A", "08:00", "08:00"), ("B", "08:30", "08:30")],
        "T2": [("B", "08:32", "08:32"), ("C", "08:50", "08:50")],  # 2 min: too short
        "T3": [("B", "08:34", "08:34"), ("C", "08:55", "08:55")],  # 4 min: enough
    }
    tt = Timetable.from_frame(frame(trips, {"B": 180}))
    a, c = tt.stop_index("A"), tt.stop_index("C")
    j = journey(tt, a, np.array([c]), 0.0, hm("09:00"))
    assert j is not None
    assert [leg.trip_id for leg in j.legs] == ["T1", "T3"]
    assert j.arrival_s == hm("08:55")


def test_journey_origin_range_and_transfers_of_a_direct_trip() -> None:
    tt = _line()
    c = np.array([tt.stop_index("C")])
    for bad in (-1, tt.n_stops):
        with pytest.raises(BadInputError):
            journey(tt, bad, c, 0.0, hm("09:00"))
    j = journey(tt, tt.stop_index("B"), c, 0.0, hm("09:00"))
    assert j is not None and j.transfers == 0 and len(j.legs) == 1
    assert Journey(0.0, 0.0, 0, []).transfers == 0
