"""Batch accessibility (issue 11): the region batch against a per-neighbourhood baseline.

Rows:

* the nearest-facility part: one multi-source search per (layer, mode), all layers of a
  mode in one ``nearest_facilities`` call (and, as a baseline, one ``nearest_facility``
  call per layer), against the baseline of one single query per neighbourhood
  (``CommuteEngine.times`` to every facility of the layer, unbounded), same answers,
  same run; the baseline runs on :data:`BASELINE_SAMPLE` neighbourhoods and is scaled to
  all 427 (it takes minutes);
* the counting part (one bounded search per neighbourhood and mode, all layers at once),
  per mode, serial and split over :data:`WORKERS` forked processes, against the baseline
  of one bounded single query per neighbourhood and mode (``CommuteEngine.times`` to
  every facility, 30 min) on :data:`BASELINE_SAMPLE` neighbourhoods, scaled;
* the whole region batch (427 neighbourhoods x 6 facility layers x walk, bike, e-bike,
  car), serial and with :data:`WORKERS` processes, against the target of 2 s on 2 cores;
* optionally the same batch on a local Dask cluster of 2 worker processes (start-up and
  graph loading included) against the serial batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from dashboard.engine import accessibility as acc
from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.engine.settings import STREET_MODES
from geodata.catalog import default_data_dir

#: Neighbourhoods the per-neighbourhood baseline runs on (every 14th: Leuven and beyond).
BASELINE_SAMPLE = 30
#: Target of the issue for the region batch over the street modes (seconds, 2 cores).
TARGET_S = 2.0
#: Worker processes of the parallel rows (the target's 2 cores).
WORKERS = 2


def _seconds(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def _nearest_all(engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places]) -> None:
    for mode in STREET_MODES:
        acc.nearest_facilities(engine, mode, origins, layers)


def _nearest_per_layer(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places]
) -> None:
    for mode in STREET_MODES:
        for facilities in layers.values():
            acc.nearest_facility(engine, mode, origins, facilities)


def _nearest_loop(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places]
) -> None:
    for mode in STREET_MODES:
        for i in range(len(origins)):
            home = LatLon(float(origins.lat[i]), float(origins.lon[i]))
            for facilities in layers.values():
                engine.times(home, facilities.lon, facilities.lat, mode=mode, direction="from")


def _counts_loop(engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places]) -> None:
    every = acc.Places(
        np.concatenate([p.ids for p in layers.values()]),
        np.concatenate([p.lon for p in layers.values()]),
        np.concatenate([p.lat for p in layers.values()]),
    )
    limit = max(acc.THRESHOLDS)
    for mode in STREET_MODES:
        for i in range(len(origins)):
            home = LatLon(float(origins.lat[i]), float(origins.lon[i]))
            engine.times(home, every.lon, every.lat, mode=mode, direction="from", max_minutes=limit)


def _counts_rows(
    engine: CommuteEngine,
    origins: acc.Places,
    layers: dict[str, acc.Places],
    picked: acc.Places,
    repeats: int,
) -> dict[str, Any]:
    per_mode: dict[str, dict[str, float]] = {}
    for mode in STREET_MODES:
        per_mode[mode] = {}
        for w in (1, WORKERS):
            run_once = partial(acc.counts_within, engine, mode, origins, layers, workers=w)
            per_mode[mode][f"workers_{w}"] = round(_seconds(run_once, repeats), 3)
    serial = sum(m["workers_1"] for m in per_mode.values())
    forked = sum(m[f"workers_{WORKERS}"] for m in per_mode.values())
    loop_s = _seconds(lambda: _counts_loop(engine, picked, layers), 1) * len(origins) / len(picked)
    return {
        "benchmark": "accessibility: counts within 5-30 min, 427 neighbourhoods x 4 modes "
        "(one bounded search per neighbourhood and mode, all layers)",
        "seconds": round(forked, 3),
        "workers": WORKERS,
        "serial_s": round(serial, 3),
        "speedup_vs_serial": round(serial / forked, 2),
        "per_mode_s": per_mode,
        "baseline_single_queries_s": round(loop_s, 3),
        "baseline_measured_on": f"{len(picked)} of {len(origins)} neighbourhoods, scaled",
        "speedup_vs_single_queries": round(loop_s / forked, 1),
    }


def run(repeats: int = 3, dask: bool = False) -> list[dict[str, Any]]:
    """Return the benchmark rows (see the module docstring)."""
    engine = CommuteEngine().preload()
    origins = acc.neighbourhood_points()
    layers = acc.facility_points()
    _nearest_all(engine, origins, layers)  # warm: coverage areas, projections
    nearest_s = _seconds(lambda: _nearest_all(engine, origins, layers), repeats)
    per_layer_s = _seconds(lambda: _nearest_per_layer(engine, origins, layers), repeats)
    step = max(1, len(origins) // BASELINE_SAMPLE)
    picked = acc.Places(origins.ids[::step], origins.lon[::step], origins.lat[::step])
    sample_s = _seconds(lambda: _nearest_loop(engine, picked, layers), 1)
    loop_s = sample_s * len(origins) / len(picked)
    counts_row = _counts_rows(engine, origins, layers, picked, repeats)
    batch_s = _seconds(
        lambda: acc.batch_accessibility(engine, origins, layers, workers=WORKERS), repeats
    )
    serial_s = _seconds(
        lambda: acc.batch_accessibility(engine, origins, layers, workers=1), repeats
    )
    rows: list[dict[str, Any]] = [
        {
            "benchmark": "accessibility: nearest facility, 427 neighbourhoods x 6 layers x "
            "4 street modes (multi-source search per layer and mode)",
            "seconds": round(nearest_s, 3),
            "baseline_per_neighbourhood_s": round(loop_s, 3),
            "baseline_measured_on": f"{len(picked)} of {len(origins)} neighbourhoods, scaled",
            "speedup_vs_per_neighbourhood": round(loop_s / nearest_s, 1),
            "one_call_per_layer_s": round(per_layer_s, 3),
            "speedup_vs_one_call_per_layer": round(per_layer_s / nearest_s, 2),
        },
        counts_row,
        {
            "benchmark": "accessibility: region batch (nearest + counts), street modes",
            "seconds": round(batch_s, 3),
            "workers": WORKERS,
            "serial_s": round(serial_s, 3),
            "speedup_vs_serial": round(serial_s / batch_s, 2),
            "target_s": TARGET_S,
            "target_met": batch_s <= TARGET_S,
        },
    ]
    if dask:
        from dashboard.engine.batch_dask import batch_on_dask

        started = time.perf_counter()
        batch_on_dask(default_data_dir(), n_workers=2)
        dask_s = time.perf_counter() - started
        rows.append(
            {
                "benchmark": "accessibility: region batch on a local Dask cluster (2 worker "
                "processes, start-up and graph loading included)",
                "seconds": round(dask_s, 3),
                "serial_s": round(batch_s, 3),
                "speedup_vs_serial": round(batch_s / dask_s, 2),
            }
        )
    return rows
