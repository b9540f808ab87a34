"""Batch accessibility by train (issue 11): station profiles against single train queries.

Rows:

* the train batch (train + walk and train + bike, 427 neighbourhoods x every facility of
  the six layers, access matrices computed cold) against the baseline of one single train
  query per facility (:func:`~dashboard.engine.transit_commute.transit_commute`, all
  neighbourhoods at once, what the Explore page runs per workplace); the baseline runs on
  :data:`BASELINE_SAMPLE` facilities per access mode and is scaled to all of them;
* the whole region batch with the train modes (street and train rows, as the ETL stage
  builds them) against the target of 5 s on 2 cores.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from dashboard.engine import accessibility as acc
from dashboard.engine import accessibility_train as acct
from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.engine.transit_commute import transit_commute

#: Facilities per access mode the single-query baseline runs on (every n-th facility).
BASELINE_SAMPLE = 12
#: Target of the issue for the region batch with the train modes (seconds, 2 cores).
TARGET_S = 5.0


def _seconds(fn: Callable[[], object], repeats: int, before: Callable[[], None]) -> float:
    times = []
    for _ in range(repeats):
        before()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def _single_queries(engine: CommuteEngine, origins: acc.Places, every: acc.Places) -> None:
    question = acct.TrainQuestion()
    step = max(1, len(every) // BASELINE_SAMPLE)
    for access in ("walk", "bike"):
        for j in range(0, len(every), step):
            place = LatLon(float(every.lat[j]), float(every.lon[j]))
            transit_commute(
                engine.transit_planner(),
                place,
                origins.lon,
                origins.lat,
                access_mode=access,
                arrive_by=question.arrive_by,
            )


def run(repeats: int = 3) -> list[dict[str, Any]]:
    """Return the benchmark rows (see the module docstring)."""
    engine = CommuteEngine().preload()
    planner = engine.transit_planner()
    origins = acc.neighbourhood_points()
    layers = acc.facility_points()
    every, _ = acct._layer_slices(layers)

    def cold() -> None:  # the access matrices are a memo: every run computes them again
        planner._access.clear()

    modes = ("walk", "bike")
    acct.train_matrices(engine, modes, origins, every)  # warm: timetables, coverage
    batch_s = _seconds(lambda: acct.train_matrices(engine, modes, origins, every), repeats, cold)
    step = max(1, len(every) // BASELINE_SAMPLE)
    sampled = len(range(0, len(every), step))
    sample_s = _seconds(lambda: _single_queries(engine, origins, every), 1, cold)
    loop_s = sample_s * len(every) / sampled
    region_s = _seconds(lambda: acct.region_batch(engine, origins, layers), 1, cold)
    return [
        {
            "benchmark": f"accessibility by train: {len(origins)} neighbourhoods x "
            f"{len(every)} facilities x train+walk, train+bike (one profile search per "
            "target station)",
            "seconds": round(batch_s, 3),
            "baseline_single_queries_s": round(loop_s, 3),
            "baseline_measured_on": f"{sampled} of {len(every)} facilities per mode, scaled",
            "speedup_vs_single_queries": round(loop_s / batch_s, 1),
        },
        {
            "benchmark": "accessibility: region batch with the train modes (street + train "
            "rows, as the ETL stage builds them)",
            "seconds": round(region_s, 3),
            "target_s": TARGET_S,
            "target_met": region_s <= TARGET_S,
        },
    ]


if __name__ == "__main__":
    for row in run():
        print("  ".join(f"{k}={v}" for k, v in row.items()))
