"""Server-side cost of the Explore page and of the first train query after start.

* Explore rerun after a workplace change: the real page (``dashboard/app.py``) driven
  by :class:`streamlit.testing.v1.AppTest`; person 1's workplace is typed as
  coordinates and moved to a NEW place each time (so no cached answer is reused), and
  ``at.run()`` is timed.  Median over the runs, for a street mode and a train mode.
  This is the server's work only (script run, engine, map and table building), not the
  browser's (see :mod:`benchmarks.browser`).
* First train query after start: a fresh engine is preloaded
  (:meth:`~dashboard.engine.core.CommuteEngine.preload`: networks and the transit
  planner, which builds the week's timetables), then the first train commute from the
  427 neighbourhoods is timed on its own.
* Map payload of the default view: the bytes of the map (script, header and html)
  the page hands to streamlit-folium's component, i.e. what the browser receives for
  the map; target <= 1 MB.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import time as clock
from pathlib import Path
from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.engine.core import CommuteEngine, commute_times
from dashboard.engine.inputs import LatLon
from geodata.io import load_layer

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
LEUVEN_STATION = LatLon(50.8812, 4.7155)


def _workplaces(count: int, seed: int = 7) -> list[tuple[float, float]]:
    """``count`` distinct workplaces in and around Leuven (lat, lon), reproducible."""
    rng = np.random.default_rng(seed)
    lat = 50.86 + rng.uniform(-0.03, 0.03, count)
    lon = 4.70 + rng.uniform(-0.05, 0.05, count)
    return [(round(float(a), 5), round(float(b), 5)) for a, b in zip(lat, lon, strict=True)]


def _ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _page(mode: str) -> AppTest:
    """The Explore page with person 1 on ``mode`` and a workplace typed as coordinates."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update({"m1": mode, "t1": "45"})
    at.run()
    at.radio(key=state.person_key(1, "how")).set_value("coords").run()
    return at


def _rerun_after_workplace_change(mode: str, runs: int) -> dict[str, Any]:
    at = _page(mode)
    lat_box = at.number_input(key=state.person_key(1, "lat"))
    lon_box = at.number_input(key=state.person_key(1, "lon"))
    times, cpu = [], []
    for lat, lon in _workplaces(runs + 1)[1:]:
        lat_box.set_value(lat)
        lon_box.set_value(lon)
        started = time.process_time()
        times.append(_ms(at.run))
        cpu.append((time.process_time() - started) * 1000)
        if at.exception:
            msg = f"the Explore page failed in the benchmark: {at.exception[0].value}"
            raise RuntimeError(msg)
    return {
        "benchmark": f"Explore rerun after a workplace change, {mode} (AppTest, server side)",
        "runs": runs,
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "median_cpu_ms": round(statistics.median(cpu), 1),
        "target_ms": 400 if mode.startswith("train") else 250,
    }


def first_train_query() -> dict[str, Any]:
    """Preload a fresh engine (networks, transit planner), then time the first train query.

    CPU time is reported next to wall time: on a shared machine the wall time also
    counts waiting for a core.
    """
    places = load_layer("neighbourhoods")
    lon, lat = places["centroid_lon"].to_numpy(), places["centroid_lat"].to_numpy()
    engine = CommuteEngine()
    started = time.perf_counter()
    engine.preload()
    load_s = time.perf_counter() - started

    def query(mode: str) -> tuple[float, float]:
        cpu = time.process_time()
        wall = _ms(
            lambda: commute_times(engine, LEUVEN_STATION, lon, lat, mode=mode, arrive_by=clock(9))
        )
        return wall, (time.process_time() - cpu) * 1000

    first, first_cpu = query("train_bike")
    walk, walk_cpu = query("train_walk")
    return {
        "benchmark": "first train query after start (427 places to Leuven station, fresh engine)",
        "engine_preload_s": round(load_s, 2),
        "first_train_bike_ms": round(first, 1),
        "first_train_bike_cpu_ms": round(first_cpu, 1),
        "first_train_walk_ms": round(walk, 1),
        "first_train_walk_cpu_ms": round(walk_cpu, 1),
        "target_ms": 150,
    }


def default_map_payload() -> dict[str, Any]:
    """Bytes of the map the Explore page sends for its default view (AppTest)."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    sizes = [
        len(str(e.proto.json_args).encode("utf-8"))
        for e in at.get("component_instance")
        if "L.map(" in str(e.proto.json_args)
    ]
    if at.exception or not sizes:
        msg = "the Explore page drew no map in the benchmark"
        raise RuntimeError(msg)
    return {
        "benchmark": "map payload of the default view (component arguments)",
        "kilobytes": round(sizes[0] / 1024, 1),
        "target_kilobytes": 1000,
    }


def run(runs: int = 7) -> list[dict[str, Any]]:
    """First train query, the default map's payload, the Explore rerun (street, train)."""
    rows = [first_train_query(), default_map_payload()]
    for mode in ("bike", "train_bike"):
        rows.append(_rerun_after_workplace_change(mode, runs))
    return rows
