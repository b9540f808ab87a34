"""One engine shared by many sessions: every lazy load runs once, under the engine's lock.

Streamlit shares one :class:`CommuteEngine` between all sessions (``st.cache_resource``).
Here 16 threads ask a cold engine for the same thing at the same moment; the loaders are
replaced by hand-made slow stand-ins that count their calls (the real files are not
read), so a missing lock shows as several loads and as threads holding different objects.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dashboard.engine import core, transit_commute
from dashboard.engine.core import CommuteEngine, commute_times
from dashboard.engine.inputs import LatLon
from geodata.catalog import DATA_DIR
from geodata.io import LayerManifest

THREADS = 16


class _SlowCounter:
    """A loader stand-in: counts calls, sleeps so that racing threads overlap, returns a
    fresh object per call (so a second load is visible as a different object)."""

    def __init__(self, result: Callable[[], Any] = object) -> None:
        self.calls = 0
        self._count = threading.Lock()
        self._result = result

    def __call__(self, *args: object, **kwargs: object) -> Any:
        with self._count:
            self.calls += 1
        time.sleep(0.05)
        return self._result()


def _race(ask: Callable[[], object]) -> list[object]:
    """Call ``ask`` from THREADS threads released at once; return what each got."""
    start = threading.Barrier(THREADS)

    def run() -> object:
        start.wait()
        return ask()

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(run) for _ in range(THREADS)]
        return [f.result() for f in futures]


def _assert_one_load(results: list[object], loader: _SlowCounter) -> None:
    assert loader.calls == 1
    assert all(r is results[0] for r in results)
    assert results[0] is not None


@pytest.fixture
def engine(tmp_path: Path) -> CommuteEngine:
    return CommuteEngine(data_dir=tmp_path)


def test_street_network_loads_once(engine: CommuteEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    loader = _SlowCounter()
    monkeypatch.setattr(core, "load_street_network", loader)
    _assert_one_load(_race(lambda: engine.network("walk")), loader)


def test_car_network_loads_once(engine: CommuteEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    graphs = _SlowCounter(dict)
    joiner = _SlowCounter()
    monkeypatch.setattr(core, "load_graph", graphs, raising=False)
    monkeypatch.setattr(core, "join_regional", joiner)
    _assert_one_load(_race(lambda: engine.network("car")), joiner)
    assert graphs.calls == 2  # car and strategic_car, once each


def test_detour_factor_is_read_once(engine: CommuteEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = LayerManifest("graph:bike", "t", "s", "u", "l", "d", "c")
    manifest.extra = {"detour_factor": {"median": 1.37}}
    loader = _SlowCounter(lambda: manifest)
    monkeypatch.setattr(core, "load_manifest", loader, raising=False)
    results = _race(lambda: engine.detour_factor("bike"))
    assert loader.calls == 1 and set(results) == {1.37}


def test_transit_planner_is_created_once(
    engine: CommuteEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner = _SlowCounter()
    monkeypatch.setattr(core, "TransitPlanner", planner)
    _assert_one_load(_race(engine.transit_planner), planner)


def test_timetable_loads_once_per_feed_date(
    engine: CommuteEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day not built at creation (none here: the week build is stubbed out) is built
    once on request, under the planner's lock."""
    loader = _SlowCounter()
    monkeypatch.setattr(transit_commute, "load_timetable", loader)
    monkeypatch.setattr(transit_commute, "feed_week", lambda data_dir: None)
    monkeypatch.setattr(transit_commute.TransitPlanner, "_build_week", lambda self: {})
    planner = transit_commute.TransitPlanner(engine)
    _assert_one_load(_race(lambda: planner.timetable("2019-10-15")), loader)


def test_bus_network_loads_once(engine: CommuteEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = LayerManifest("graph:walk", "t", "s", "u", "l", "d", "c")
    manifest.extra = {"rules": {"speed_kmh": 4.8}}
    walk = _SlowCounter()
    builder = _SlowCounter()
    monkeypatch.setattr(core, "load_street_network", walk)
    monkeypatch.setattr(core, "load_layer", lambda name, data_dir: None)
    monkeypatch.setattr(core, "load_manifest", lambda name, data_dir: manifest)
    monkeypatch.setattr(core, "bus_network_from_layer", builder)
    _assert_one_load(_race(lambda: engine.bus_network()), builder)
    assert walk.calls == 1  # the walk network it is built on, loaded once too


def test_a_failed_load_is_not_kept(engine: CommuteEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load that raises stores nothing: the next call tries again (a rebuilt file)."""
    attempts: list[int] = []

    def flaky(name: str, data_dir: Path | None) -> object:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("disk hiccup")
        return "network"

    monkeypatch.setattr(core, "load_street_network", flaky)
    with pytest.raises(OSError, match="hiccup"):
        engine.network("walk")
    assert engine.network("walk") == "network"  # type: ignore[comparison-overlap]
    assert engine.network("walk") == "network" and len(attempts) == 2  # type: ignore[comparison-overlap]


def test_preload_leaves_no_load_for_any_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """After ``preload`` a query of every mode reads no file (real snapshot)."""
    engine = CommuteEngine(data_dir=DATA_DIR).preload()

    def no_load(*args: object, **kwargs: object) -> object:
        raise AssertionError("a query loaded data after preload")

    for module, name in [
        (core, "load_street_network"),
        (core, "load_graph"),
        (core, "load_layer"),
        (core, "load_manifest"),
        (transit_commute, "load_timetable"),
        (transit_commute, "load_layer"),
        (transit_commute, "load_manifest"),
    ]:
        monkeypatch.setattr(module, name, no_load)
    station = LatLon(50.8812, 4.7155)
    lon, lat = np.array([4.70, 4.68]), np.array([50.87, 50.88])
    for mode in core.COMMUTE_MODES:
        assert commute_times(engine, station, lon, lat, mode=mode).minutes.shape == (2,)
