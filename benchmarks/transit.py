"""Transit benchmarks: the real 2019 NMBS week and a SYNTHETIC full-size feed.

Real: region-wide arrive-by commute (the 427 neighbourhood centroids to Leuven station,
by 09:00, train + bike, 60 one-minute deadlines, median and percentiles): the planner's
load (the week's timetables), the first (cold: access legs built) and later (warm)
queries, and single latest-departure queries.  Synthetic (labelled as such, see
:mod:`benchmarks.synthetic_feed`): ~2 million calls, the size of a live De Lijn + NMBS day.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import time as clock
from typing import Any

import numpy as np

from benchmarks.synthetic_feed import synthetic_timetable
from dashboard.engine.core import CommuteEngine, commute_times
from dashboard.engine.inputs import LatLon
from dashboard.engine.transit import Timetable, arrive_by_window, latest_departures
from geodata.io import load_layer

LEUVEN_STATION = LatLon(50.8812, 4.7155)


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    return statistics.median(_timed(fn) for _ in range(repeats))


def _busiest_stops(tt: Timetable, count: int) -> np.ndarray:
    return np.argsort(np.bincount(tt.arr_stop, minlength=tt.n_stops))[-count:]


def real(repeats: int = 7) -> list[dict[str, Any]]:
    """Region-wide commute and single queries on the committed timetable."""
    places = load_layer("neighbourhoods")
    lon, lat = places["centroid_lon"].to_numpy(), places["centroid_lat"].to_numpy()
    engine = CommuteEngine()
    engine.network("bike")

    def commute() -> object:
        return commute_times(
            engine, LEUVEN_STATION, lon, lat, mode="train_bike", arrive_by=clock(9, 0)
        )

    planner = _timed(engine.transit_planner)  # builds the week's timetables
    cold = _timed(commute)  # the first query builds the access legs of these places once
    warm = _median_ms(commute, repeats)
    tt = engine.transit_planner().timetable("2019-10-15")
    targets = _busiest_stops(tt, 1)
    single = _median_ms(
        lambda: latest_departures(tt, targets, np.zeros(1), 9 * 3600, max_travel_s=3 * 3600),
        repeats,
    )
    return [
        {
            "benchmark": "transit commute, 427 places, 60-min window (real 2019 NMBS)",
            "connections": tt.n_connections,
            "planner_load_ms": round(planner, 1),
            "cold_ms": round(cold, 1),
            "warm_median_ms": round(warm, 1),
        },
        {"benchmark": "transit single arrive-by query (real)", "median_ms": round(single, 2)},
    ]


def synthetic(repeats: int = 3) -> list[dict[str, Any]]:
    """Build and query times on the synthetic full-size timetable."""
    started = time.perf_counter()
    calls = synthetic_timetable()
    generated = time.perf_counter() - started
    started = time.perf_counter()
    tt = Timetable.from_frame(calls)
    build = time.perf_counter() - started
    targets = _busiest_stops(tt, 2)
    egress = np.array([0.0, 120.0])
    single = _median_ms(
        lambda: latest_departures(tt, targets, egress, 9 * 3600, max_travel_s=3 * 3600), repeats
    )
    window = _median_ms(
        lambda: arrive_by_window(tt, targets, egress, 9 * 3600, window_min=60, step_min=5),
        repeats,
    )
    return [
        {
            "benchmark": "SYNTHETIC full-size feed (not real data)",
            "calls": len(calls),
            "connections": tt.n_connections,
            "stops": tt.n_stops,
            "generate_s": round(generated, 1),
            "timetable_build_s": round(build, 1),
            "single_query_ms": round(single, 1),
            "window_60min_step5_ms": round(window, 1),
        }
    ]
