"""Rail arrive-by queries: hand-made timetables and a brute force on the real NMBS day."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from dashboard.engine.errors import BadInputError
from dashboard.engine.transit import (
    Journey,
    Timetable,
    arrive_by_window,
    journey,
    latest_departures,
    latest_departures_scan,
    load_timetable,
    previous_service_date,
    service_day_calls,
    summarize,
)

INF = np.inf


def hm(text: str) -> int:
    """'08:30' -> seconds after midnight."""
    h, m = text.split(":")
    return int(h) * 3600 + int(m) * 60


# ----------------------------------------------------------------- hand-made timetables

#: far-apart stations (no footpaths) unless a test places them close
POS = {
    "A": (4.0, 50.0),
    "B": (4.2, 50.2),
    "C": (4.4, 50.4),
    "D": (4.6, 50.6),
    "X": (5.0, 51.0),
    "Y": (5.0, 51.0018),  # 200 m north of X: 240 m walk, 180 s at 4.8 km/h
}


def frame(trips: dict[str, list[tuple]], transfer_s: dict[str, int] | None = None) -> pd.DataFrame:
    """Calls from ``{trip: [(stop, arr, dep[, pickup, drop_off]), ...]}``."""
    rows = []
    for trip, calls in trips.items():
        for seq, call in enumerate(calls, start=1):
            stop, arr, dep = call[:3]
            pickup, drop = (call[3], call[4]) if len(call) > 3 else (0, 0)
            rows.append(
                {
                    "trip_id": trip,
                    "route_short_name": "IC",
                    "train": trip,
                    "stop_sequence": seq,
                    "stop_id": stop,
                    "arrival_s": hm(arr),
                    "departure_s": hm(dep),
                    "pickup_type": pickup,
                    "drop_off_type": drop,
                    "stop_name": f"Station {stop}",
                    "stop_lon": POS[stop][0],
                    "stop_lat": POS[stop][1],
                    "min_transfer_s": (transfer_s or {}).get(stop, 120),
                }
            )
    return pd.DataFrame(rows)


def latest(tt: Timetable, target: str, deadline: str, egress: float = 0.0) -> dict[str, float]:
    out = latest_departures(tt, np.array([tt.stop_index(target)]), np.array([egress]), hm(deadline))
    scan = latest_departures_scan(tt, np.array([tt.stop_index(target)]), egress, hm(deadline))
    np.testing.assert_array_equal(out, scan)
    return {str(s): float(out[i]) for i, s in enumerate(tt.stop_ids)}


def test_direct_train_takes_the_timetable_time() -> None:
    tt = Timetable.from_frame(
        frame({"T1": [("A", "08:00", "08:00"), ("B", "08:28", "08:30"), ("C", "09:00", "09:00")]})
    )
    got = latest(tt, "C", "09:00")
    assert got == {"A": hm("08:00"), "B": hm("08:30"), "C": hm("09:00")}
    # one minute too early for the only train
    got = latest(tt, "C", "08:59")
    assert got["A"] == -INF and got["B"] == -INF and got["C"] == hm("08:59")
    # egress of 5 minutes needs arrival by 08:55
    assert latest(tt, "C", "09:04", egress=300)["A"] == -INF
    assert latest(tt, "C", "09:05", egress=300)["A"] == hm("08:00")


def test_transfer_too_short_is_missed() -> None:
    trips = {
        "T1": [("A", "08:00", "08:00"), ("B", "08:30", "08:30")],
        "T2": [("B", "08:32", "08:32"), ("C", "09:00", "09:00")],  # 2 min after T1
        "T3": [("B", "08:40", "08:40"), ("C", "09:10", "09:10")],  # 10 min after T1
    }
    tt = Timetable.from_frame(frame(trips, {"B": 180}))
    assert latest(tt, "C", "09:00")["A"] == -INF  # 2 min < 3 min transfer
    assert latest(tt, "C", "09:10")["A"] == hm("08:00")  # via T3
    tt = Timetable.from_frame(frame(trips, {"B": 120}))
    assert latest(tt, "C", "09:00")["A"] == hm("08:00")  # exactly 2 min is enough


def test_default_transfer_when_missing() -> None:
    trips = {
        "T1": [("A", "08:00", "08:00"), ("B", "08:30", "08:30")],
        "T2": [("B", "08:31", "08:31"), ("C", "09:00", "09:00")],
        "T3": [("B", "08:32", "08:32"), ("C", "09:01", "09:01")],
    }
    df = frame(trips)
    df["min_transfer_s"] = pd.array([None] * len(df), dtype="Int64")
    tt = Timetable.from_frame(df)
    assert tt.transfer_s.tolist() == [120.0, 120.0, 120.0]
    assert latest(tt, "C", "09:00")["A"] == -INF
    assert latest(tt, "C", "09:01")["A"] == hm("08:00")


def test_staying_on_the_same_trip_needs_no_transfer() -> None:
    trips = {"T1": [("A", "08:00", "08:00"), ("B", "08:30", "08:30"), ("C", "09:00", "09:00")]}
    tt = Timetable.from_frame(frame(trips, {"B": 900}))  # long transfer time at B is irrelevant
    assert latest(tt, "C", "09:00")["A"] == hm("08:00")


def test_pickup_and_drop_off_flags() -> None:
    trips = {
        # no boarding at B, no alighting at C
        "T1": [
            ("A", "08:00", "08:00"),
            ("B", "08:20", "08:20", 1, 0),
            ("C", "08:40", "08:40", 0, 1),
            ("D", "09:00", "09:00"),
        ]
    }
    tt = Timetable.from_frame(frame(trips))
    got = latest(tt, "D", "09:00")
    assert got["A"] == hm("08:00")  # passes B and C on board
    assert got["B"] == -INF  # pickup_type = 1: not boardable
    assert got["C"] == hm("08:40")
    assert latest(tt, "C", "12:00")["A"] == -INF  # drop_off_type = 1: cannot alight at C
    assert latest(tt, "B", "12:00")["A"] == hm("08:00")


def test_footpath_between_close_stations() -> None:
    trips = {
        "T1": [("A", "08:00", "08:00"), ("X", "08:30", "08:30")],
        "T2": [("Y", "08:32", "08:32"), ("D", "09:00", "09:00")],  # 2 min: walk takes 3
        "T3": [("Y", "08:34", "08:34"), ("D", "09:05", "09:05")],  # 4 min: enough
    }
    tt = Timetable.from_frame(frame(trips))
    assert len(tt.fp_s) == 2 and tt.fp_s[0] == pytest.approx(180, abs=2)
    assert latest(tt, "D", "09:00")["A"] == -INF
    got = latest(tt, "D", "09:05")
    assert got["A"] == hm("08:00")
    assert got["X"] == hm("08:34") - tt.fp_s[0]  # start by walking to Y
    j = journey(tt, tt.stop_index("A"), np.array([tt.stop_index("D")]), 0.0, hm("09:05"))
    assert j is not None
    assert [leg.kind for leg in j.legs] == ["train", "walk", "train"]
    assert j.transfers == 1
    no_walk = Timetable.from_frame(frame(trips), footpath_max_m=0)
    assert latest(no_walk, "D", "09:05")["A"] == -INF


def test_several_targets_with_egress() -> None:
    trips = {
        "T1": [("A", "08:00", "08:00"), ("B", "08:30", "08:30"), ("C", "08:50", "08:50")],
        "T2": [("A", "08:15", "08:15"), ("B", "08:45", "08:45")],
    }
    tt = Timetable.from_frame(frame(trips))
    targets = np.array([tt.stop_index("B"), tt.stop_index("C")])
    out = latest_departures(tt, targets, np.array([600.0, 0.0]), hm("09:00"))
    # B + 10 min egress: T2 arrives 08:45 + 10 = 08:55 <= 09:00
    assert out[tt.stop_index("A")] == hm("08:15")
    assert out[tt.stop_index("B")] == hm("08:50")  # already at a target: 09:00 - 10 min
    out = latest_departures(tt, targets, np.array([1200.0, 0.0]), hm("09:00"))
    assert out[tt.stop_index("A")] == hm("08:00")  # only T1 to C works


def test_journey_legs_and_transfers() -> None:
    trips = {
        "T1": [("A", "08:00", "08:00"), ("B", "08:30", "08:31"), ("D", "09:30", "09:30")],
        "T2": [("B", "08:35", "08:35"), ("C", "08:45", "08:45"), ("D", "08:55", "08:55")],
    }
    tt = Timetable.from_frame(frame(trips))
    a, d = tt.stop_index("A"), tt.stop_index("D")
    j = journey(tt, a, np.array([d]), 0.0, hm("09:00"))
    assert isinstance(j, Journey)
    assert j.departure_s == hm("08:00") and j.arrival_s == hm("08:55")
    assert [
        (tt.stop_ids[leg.from_stop], tt.stop_ids[leg.to_stop], leg.train) for leg in j.legs
    ] == [
        ("A", "B", "T1"),
        ("B", "D", "T2"),
    ]
    assert j.transfers == 1
    # by 09:30 staying on T1 is a direct journey: fewest trains wins
    j = journey(tt, a, np.array([d]), 0.0, hm("09:30"))
    assert j is not None and j.transfers == 0 and j.arrival_s == hm("09:30")
    assert journey(tt, a, np.array([d]), 0.0, hm("08:50")) is None
    assert journey(tt, d, np.array([d]), 0.0, hm("08:50")) == Journey(
        hm("08:50"), hm("08:50"), d, []
    )
    # max_trains=1 rules out the change
    assert latest_departures(tt, np.array([d]), 0.0, hm("09:00"), max_trains=1)[a] == -INF


def test_window_percentiles_by_hand() -> None:
    # A -> B every 15 minutes, 20 minutes ride
    def clock(t: int) -> str:
        return f"{t // 3600:02d}:{t % 3600 // 60:02d}"

    trips = {
        f"T{k}": [("A", clock(dep), clock(dep)), ("B", clock(dep + 1200), clock(dep + 1200))]
        for k, dep in enumerate(range(hm("07:00"), hm("09:00"), 900))
    }
    tt = Timetable.from_frame(frame(trips))
    a, b = tt.stop_index("A"), tt.stop_index("B")
    access = np.zeros(tt.n_stops)
    access[a] = 300  # 5 minutes from home to A
    res = arrive_by_window(tt, np.array([b]), 0.0, hm("09:00"), access_s=access)
    assert len(res.deadlines_s) == 61 and res.deadlines_s[0] == hm("08:00")
    # expected by hand: last arrival at or before the deadline, 20 min ride, 5 min access
    arrivals = np.arange(hm("07:20"), hm("09:20"), 900)
    expected = [d - (arrivals[arrivals <= d].max() - 1200) + 300 for d in res.deadlines_s]
    np.testing.assert_array_equal(res.travel_s[:, a], expected)
    assert res.median_s[a] == np.percentile(expected, 50, method="nearest")
    assert res.p10_s[a] <= res.median_s[a] <= res.p90_s[a]
    assert min(expected) == 25 * 60 and max(expected) == 39 * 60
    assert np.all(res.travel_s[:, b] == 0)  # already there


def test_summarize_treats_unreachable_as_longest() -> None:
    travel = np.array([[600.0], [700.0], [INF], [800.0]])
    med, p10, p90 = summarize(travel)
    assert p10[0] == 600 and med[0] in (700, 800) and p90[0] == INF


def test_bad_input() -> None:
    tt = Timetable.from_frame(frame({"T1": [("A", "08:00", "08:00"), ("B", "08:30", "08:30")]}))
    with pytest.raises(BadInputError):
        latest_departures(tt, np.array([7]), 0.0, hm("09:00"))
    with pytest.raises(BadInputError):
        latest_departures(tt, np.array([0]), -5.0, hm("09:00"))
    with pytest.raises(BadInputError):
        tt.stop_index("nope")
    with pytest.raises(BadInputError):
        Timetable.from_frame(frame({"T1": [("A", "08:00", "08:00")]}).drop(columns="pickup_type"))
    with pytest.raises(BadInputError):
        Timetable.from_frame(frame({"T1": [("A", "08:00", "08:00"), ("B", "07:30", "07:30")]}))


# ----------------------------------------------------------------- real timetable


@pytest.fixture(scope="module")
def calls() -> pd.DataFrame:
    from geodata.io import load_layer

    calls = load_layer("rail_timetable")
    return calls[calls["service_date"] == "2019-10-15"]


@pytest.fixture(scope="module")
def real(calls: pd.DataFrame) -> Timetable:
    return Timetable.from_frame(calls)


class BruteForce:
    """Time-expanded graph of the day, searched backwards for reachability.

    Nodes: per call ``i`` a departure node ``D(i) = 2i`` and an arrival node
    ``A(i) = 2i + 1``; per station one "ready to board" node per boardable departure time.
    Edges: ride ``D(i) -> A(i+1)``; stay on ``A(i) -> D(i)``; wait ``ready(s, t) ->
    ready(s, next t)``; board ``ready(s, dep_i) -> D(i)`` (pickup allowed); alight
    ``A(i) -> ready(s, first t >= arr_i + transfer_s)`` and walk ``A(i) -> ready(v, first
    t >= arr_i + walk)`` (drop-off allowed).  A station's latest departure is the latest
    ready node that reaches a target arrival in time, or a footpath to one.
    """

    def __init__(self, calls: pd.DataFrame, tt: Timetable) -> None:
        df = calls.sort_values(["trip_id", "stop_sequence"]).reset_index(drop=True)
        n = len(df)
        self.stop = np.array([tt.stop_index(s) for s in df["stop_id"]])
        self.arr = df["arrival_s"].to_numpy(dtype=float)
        dep = df["departure_s"].to_numpy(dtype=float)
        pickup = df["pickup_type"].to_numpy() != 1
        self.drop = df["drop_off_type"].to_numpy() != 1
        transfer = df["min_transfer_s"].to_numpy(dtype=float)
        same_trip = (df["trip_id"].to_numpy()[1:] == df["trip_id"].to_numpy()[:-1]).nonzero()[0]
        src = [2 * same_trip, 2 * np.arange(n) + 1]  # ride, stay on
        dst = [2 * same_trip + 3, 2 * np.arange(n)]
        # ready nodes: per station the sorted boardable departure times
        self.ready_times: list[np.ndarray] = []
        self.ready_first: list[int] = []
        next_id = 2 * n
        for s in range(tt.n_stops):
            times = np.unique(dep[pickup & (self.stop == s)])
            self.ready_times.append(times)
            self.ready_first.append(next_id)
            src.append(next_id + np.arange(len(times) - 1))  # wait
            dst.append(next_id + np.arange(1, len(times)))
            next_id += len(times)
        self.n_nodes = next_id
        board = np.flatnonzero(pickup)
        src.append(np.array([self.ready_node(self.stop[i], dep[i]) for i in board]))
        dst.append(2 * board)
        for i in np.flatnonzero(self.drop):
            s = self.stop[i]
            node = self.ready_node(s, self.arr[i] + transfer[i], at_or_after=True)
            if node is not None:
                src.append(np.array([2 * i + 1]))
                dst.append(np.array([node]))
            for v, f in zip(tt.fp_to[tt.fp_from == s], tt.fp_s[tt.fp_from == s], strict=True):
                node = self.ready_node(v, self.arr[i] + f, at_or_after=True)
                if node is not None:
                    src.append(np.array([2 * i + 1]))
                    dst.append(np.array([node]))
        self.src = np.concatenate(src).astype(np.int64)
        self.dst = np.concatenate(dst).astype(np.int64)
        self.tt = tt

    def ready_node(self, s: int, t: float, at_or_after: bool = False) -> int | None:
        times = self.ready_times[s]
        j = int(np.searchsorted(times, t, side="left"))
        if j == len(times) or (not at_or_after and times[j] != t):
            return None
        return self.ready_first[s] + j

    def latest(self, target: int, deadline: float) -> np.ndarray:
        super_node = self.n_nodes
        seeds = 2 * np.flatnonzero((self.stop == target) & self.drop & (self.arr <= deadline)) + 1
        # reversed graph plus super node -> seeds
        rows = np.r_[self.dst, np.full(len(seeds), super_node)]
        cols = np.r_[self.src, seeds]
        graph = csr_matrix(
            (np.ones(len(rows), dtype=np.int8), (rows, cols)),
            shape=(super_node + 1, super_node + 1),
        )
        reached = np.zeros(super_node + 1, dtype=bool)
        reached[breadth_first_order(graph, super_node, return_predecessors=False)] = True
        tt = self.tt
        out = np.full(tt.n_stops, -INF)
        for s in range(tt.n_stops):
            first, times = self.ready_first[s], self.ready_times[s]
            hit = reached[first : first + len(times)]
            if hit.any():
                out[s] = times[hit].max()
        walk = out.copy()
        for a, b, f in zip(tt.fp_from, tt.fp_to, tt.fp_s, strict=True):
            walk[a] = max(walk[a], out[b] - f)
        walk[target] = max(walk[target], deadline)
        return walk


def test_build_keeps_every_station_and_connection_of_the_day(calls: pd.DataFrame) -> None:
    # speed is measured in benchmarks/ (first train query), not here
    tt = Timetable.from_frame(calls)
    assert tt.n_stops == calls["stop_id"].nunique()
    assert 40_000 < tt.n_connections < 46_029
    # the default day's timetable adds the previous day's trains running past midnight
    day = str(calls["service_date"].iloc[0])
    own = load_timetable(day).trip_ids
    assert len(own) > len(tt.trip_ids)
    assert set(tt.trip_ids) == {t for t in own if "@" not in t}
    assert load_timetable(day).own_trip_ids.tolist() == tt.trip_ids.tolist()
    assert not tt.trip_previous_day.any()


def test_matches_brute_force_on_real_timetable(calls: pd.DataFrame, real: Timetable) -> None:
    brute = BruteForce(calls, real)
    rng = np.random.default_rng(20191015)
    n_cases = 220
    targets = rng.integers(0, real.n_stops, n_cases)
    deadlines = rng.integers(hm("05:00"), hm("23:59"), n_cases)
    reachable = 0
    for target, deadline in zip(targets, deadlines, strict=True):
        expected = brute.latest(int(target), float(deadline))
        ours = latest_departures(real, np.array([target]), 0.0, float(deadline))
        np.testing.assert_array_equal(ours, expected, err_msg=f"{target=} {deadline=}")
        reachable += int(np.isfinite(expected).sum())
    # every (origin, target, deadline) triple is compared; most are non-trivial
    assert reachable > 0.5 * n_cases * real.n_stops


def test_scan_and_time_limit_agree_on_real_timetable(real: Timetable) -> None:
    rng = np.random.default_rng(7)
    for target, deadline in zip(
        rng.integers(0, real.n_stops, 20), rng.integers(hm("06:00"), hm("22:00"), 20), strict=True
    ):
        full = latest_departures(real, np.array([target]), 0.0, float(deadline))
        np.testing.assert_array_equal(
            latest_departures_scan(real, np.array([target]), 0.0, float(deadline)), full
        )
        limited = latest_departures(
            real, np.array([target]), 0.0, float(deadline), max_travel_s=5400
        )
        keep = full >= deadline - 5400
        np.testing.assert_array_equal(limited[keep], full[keep])
        assert np.all(limited[~keep] == -INF)


def test_window_rows_equal_single_queries(real: Timetable) -> None:
    leuven = real.stop_index("8833001")
    res = arrive_by_window(real, np.array([leuven]), 0.0, hm("09:00"), window_min=10, step_min=5)
    assert res.deadlines_s.tolist() == [hm("08:50"), hm("08:55"), hm("09:00")]
    for row, deadline in enumerate(res.deadlines_s):
        single = latest_departures(real, np.array([leuven]), 0.0, deadline, max_travel_s=3 * 3600)
        ok = np.isfinite(res.travel_s[row])
        np.testing.assert_array_equal(res.latest_departure_s[row][ok], single[ok])
        np.testing.assert_array_equal(res.travel_s[row][ok], deadline - single[ok])


def test_journeys_are_valid_with_fewest_trains(calls: pd.DataFrame, real: Timetable) -> None:
    cols = ["trip_id", "stop_id", "departure_s", "pickup_type", "arrival_s", "drop_off_type"]
    ids, stops, dep, pickup, arr, drop = (calls[c].tolist() for c in cols)
    boardings = {(t, s, d) for t, s, d, p in zip(ids, stops, dep, pickup, strict=True) if p != 1}
    alightings = {(t, s, a) for t, s, a, q in zip(ids, stops, arr, drop, strict=True) if q != 1}
    rng = np.random.default_rng(3)
    checked = 0
    while checked < 60:
        o, d = (int(x) for x in rng.integers(0, real.n_stops, 2))
        deadline = float(rng.integers(hm("07:00"), hm("21:00")))
        best = latest_departures(real, np.array([d]), 0.0, deadline)[o]
        j = journey(real, o, np.array([d]), 0.0, deadline)
        if not np.isfinite(best) or o == d:
            assert j is None or o == d
            continue
        assert j is not None and j.departure_s == best and j.arrival_s <= deadline
        assert j.target_stop == d and j.legs[-1].to_stop == d
        here, t, prev = o, best, None
        for leg in j.legs:
            assert leg.from_stop == here and leg.dep_s >= t
            if leg.kind == "walk":
                assert prev == "train" or prev is None
                k = np.flatnonzero((real.fp_from == here) & (real.fp_to == leg.to_stop))[0]
                assert leg.arr_s == leg.dep_s + real.fp_s[k]
                here, t = leg.to_stop, leg.arr_s
            else:
                if prev == "train":
                    assert leg.dep_s >= t + real.transfer_s[here]
                board = (leg.trip_id, real.stop_ids[leg.from_stop], leg.dep_s)
                alight = (leg.trip_id, real.stop_ids[leg.to_stop], leg.arr_s)
                assert board in boardings and alight in alightings
                here, t = leg.to_stop, leg.arr_s
            prev = leg.kind
        trains = j.transfers + 1
        fewer = latest_departures(real, np.array([d]), 0.0, deadline, max_trains=trains - 1)
        assert trains == 1 or fewer[o] < best
        checked += 1


# ------------------------------------------------------- trains after midnight (issue 9)

WEDNESDAY = "2019-10-16"
LEUVEN, BRUSSELS_CENTRAL = "8833001", "8813003"


@pytest.fixture(scope="module")
def wednesday_calls() -> pd.DataFrame:
    from geodata.io import load_layer

    return service_day_calls(load_layer("rail_timetable"), WEDNESDAY)


@pytest.fixture(scope="module")
def wednesday(wednesday_calls: pd.DataFrame) -> Timetable:
    return Timetable.from_frame(wednesday_calls)


def test_previous_service_date_wraps_the_feed_week() -> None:
    week = [f"2019-10-{d}" for d in range(14, 21)]  # Monday 14 .. Sunday 20
    assert previous_service_date(WEDNESDAY, week) == "2019-10-15"
    # the day before the week's Monday is outside it: the week's Sunday stands in
    assert previous_service_date("2019-10-14", week) == "2019-10-20"
    assert previous_service_date("2019-10-14", ["2019-10-14"]) is None


def test_arrive_by_0030_on_wednesday_finds_tuesdays_ic545() -> None:
    """IC 545 of the Tuesday service leaves Leuven at 24:00 and reaches Brussels-Central
    at 24:22 (GTFS times of the Tuesday), i.e. Wednesday 00:00 -> 00:22."""
    tt = load_timetable(WEDNESDAY)
    leuven, central = tt.stop_index(LEUVEN), tt.stop_index(BRUSSELS_CENTRAL)
    latest = latest_departures(tt, np.array([central]), 0.0, hm("00:30"))
    assert latest[leuven] == hm("00:00")
    j = journey(tt, leuven, np.array([central]), 0.0, hm("00:30"))
    assert j is not None and [leg.train for leg in j.legs] == ["545"]
    assert (j.departure_s, j.arrival_s) == (hm("00:00"), hm("00:22"))


def test_feed_monday_gets_the_week_sundays_late_trains() -> None:
    tt = load_timetable("2019-10-14")
    late = [t for t in tt.trip_ids if "@" in t]
    assert late and all(t.endswith("@2019-10-20") for t in late)
    assert sorted(late) == sorted(tt.trip_ids[tt.trip_previous_day])


def test_matches_brute_force_across_midnight(
    wednesday_calls: pd.DataFrame, wednesday: Timetable
) -> None:
    brute = BruteForce(wednesday_calls, wednesday)
    rng = np.random.default_rng(20191016)
    n_cases = 40
    targets = rng.integers(0, wednesday.n_stops, n_cases - 1)
    central = wednesday.stop_index(BRUSSELS_CENTRAL)
    deadlines = rng.integers(-hm("02:00"), hm("02:30"), n_cases - 1)  # 22:00 .. 02:30
    reachable = 0
    for target, deadline in zip(
        np.r_[targets, central], np.r_[deadlines, hm("00:30")], strict=True
    ):
        expected = brute.latest(int(target), float(deadline))
        ours = latest_departures(wednesday, np.array([target]), 0.0, float(deadline))
        scan = latest_departures_scan(wednesday, np.array([target]), 0.0, float(deadline))
        np.testing.assert_array_equal(ours, expected, err_msg=f"{target=} {deadline=}")
        np.testing.assert_array_equal(scan, expected, err_msg=f"{target=} {deadline=}")
        reachable += int(np.isfinite(expected).sum())
    assert reachable > 5 * n_cases  # trains run around midnight: not only trivial answers


def test_window_reaching_back_before_midnight(wednesday: Timetable) -> None:
    central = np.array([wednesday.stop_index(BRUSSELS_CENTRAL)])
    leuven = wednesday.stop_index(LEUVEN)
    res = arrive_by_window(wednesday, central, 0.0, hm("00:30"))
    assert res.deadlines_s[0] == -hm("00:30")  # 23:30 on Tuesday evening
    evening = res.deadlines_s < 0
    # the Tuesday evening trains serve the deadlines before midnight too
    assert np.all(np.isfinite(res.travel_s[evening, leuven]))
    assert np.isfinite(res.median_s[leuven])
    for row in (0, 29, 60):
        single = latest_departures(
            wednesday, central, 0.0, res.deadlines_s[row], max_travel_s=3 * 3600
        )
        ok = np.isfinite(res.travel_s[row])
        np.testing.assert_array_equal(res.latest_departure_s[row][ok], single[ok])
