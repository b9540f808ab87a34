"""Facts the data records come from the manifests, and the planner builds its week at load.

Hand-made snapshots (clearly labelled) change one recorded fact and check that the engine
follows it: the speed at which a graph's edge times are stored, and the timetable's
service week.  The real snapshot checks that creating the train planner builds every
day of the week the manifest names.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.engine import transit_commute
from dashboard.engine.core import CommuteEngine
from dashboard.engine.errors import BadInputError
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import xy_to_lonlat
from dashboard.engine.settings import EngineSettings
from dashboard.engine.transit_commute import check_travel_date, feed_date_for, feed_week
from geodata.catalog import DATA_DIR, manifest_path
from geodata.io import (
    LayerManifest,
    SnapshotError,
    load_manifest,
    save_graph,
    save_layer,
    write_text_atomic,
)
from tests.engine.test_bus import line_walk, node_lonlat, workplace_at


def _walk_snapshot(folder: Path, rules: dict[str, object]) -> None:
    """HAND-MADE walk graph (31 nodes 100 m apart, 75 s per edge) with the given rules."""
    walk = line_walk()
    lon, lat = xy_to_lonlat(walk.x, walk.y)
    coo = walk.forward.tocoo()
    arrays = {
        "node_lon": lon,
        "node_lat": lat,
        "node_x": walk.x,
        "node_y": walk.y,
        "edge_from": coo.row.astype(np.int64),
        "edge_to": coo.col.astype(np.int64),
        "edge_time_s": coo.data,
    }
    manifest = LayerManifest("graph:walk", "w", "s", "u", "l", "d", "c")
    manifest.extra = {"rules": rules, "detour_factor": {"median": 1.2}}
    save_graph(arrays, manifest, folder)


def test_walk_times_scale_from_the_speed_the_manifest_records(tmp_path: Path) -> None:
    """75 s per 100 m is 4.8 km/h; a manifest saying the times are at 2.4 km/h halves them
    for a 4.8 km/h walker (the speed is read, not assumed)."""
    _walk_snapshot(tmp_path, {"speed_kmh": 2.4})
    engine = CommuteEngine(data_dir=tmp_path, settings=EngineSettings(walk_kmh=4.8))
    lon, lat = node_lonlat(10)
    minutes = engine.times(workplace_at(0), lon, lat, mode="walk").minutes
    assert minutes[0] == pytest.approx(10 * 75 / 2 / 60, abs=1e-3)


@pytest.mark.parametrize(
    "rules", [{}, {"speed_kmh": 0}, {"speed_kmh": "fast"}, {"speed_kmh": True}]
)
def test_a_graph_without_a_recorded_speed_is_a_snapshot_error(
    tmp_path: Path, rules: dict[str, object]
) -> None:
    _walk_snapshot(tmp_path, rules)
    engine = CommuteEngine(data_dir=tmp_path)
    lon, lat = node_lonlat(10)
    with pytest.raises(SnapshotError, match=r"extra\.rules\.speed_kmh"):
        engine.times(workplace_at(0), lon, lat, mode="walk")


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"detour_factor": {}},
        {"detour_factor": {"median": 0.9}},
        {"detour_factor": {"median": None}},
    ],
)
def test_a_graph_without_a_measured_detour_factor_is_a_snapshot_error(
    tmp_path: Path, extra: dict[str, object]
) -> None:
    """No typed fallback: a factor the manifest does not record (or a useless one) is a
    damaged snapshot, for every graph."""
    _walk_snapshot(tmp_path, {"speed_kmh": 4.8})
    manifest = load_manifest("graph:walk", tmp_path)
    manifest.extra = {"rules": {"speed_kmh": 4.8}, **extra}
    _save_manifest(manifest, tmp_path)
    with pytest.raises(SnapshotError, match=r"extra\.detour_factor\.median"):
        CommuteEngine(data_dir=tmp_path).detour_factor("walk")


def _save_manifest(manifest: LayerManifest, folder: Path) -> None:
    write_text_atomic(manifest_path(manifest.name, folder), manifest.to_json())


def _car_snapshot(folder: Path, median: float | None) -> None:
    """Copy of the real car graphs; the car manifest's detour median replaced (or kept)."""
    (folder / "graphs").mkdir(parents=True)
    for name in ("car", "strategic_car"):
        for suffix in (".npz", ".manifest.json"):
            shutil.copy(DATA_DIR / "graphs" / f"{name}{suffix}", folder / "graphs")
    if median is not None:
        manifest = load_manifest("graph:car", folder)
        manifest.extra["detour_factor"]["median"] = median
        _save_manifest(manifest, folder)


def test_car_remainders_use_the_detour_factor_the_car_manifest_records(tmp_path: Path) -> None:
    """The car's estimated remainder (here a village 7 km north-east of Leuven's car graph,
    off the regional network too) follows the manifest's measured factor."""
    real = load_manifest("graph:car", DATA_DIR).extra["detour_factor"]["median"]
    _car_snapshot(tmp_path / "real", None)
    _car_snapshot(tmp_path / "edited", real + 0.5)
    anchor = LatLon(50.8812, 4.7160)  # Leuven station
    lon, lat = np.array([4.8400]), np.array([50.9600])
    times = {}
    for name in ("real", "edited"):
        engine = CommuteEngine(data_dir=tmp_path / name)
        assert engine.detour_factor("car") == pytest.approx(
            load_manifest("graph:car", tmp_path / name).extra["detour_factor"]["median"]
        )
        out = engine.times(anchor, lon, lat, mode="car")
        assert out.estimated_share[0] > 0
        times[name] = out.minutes[0]
    assert times["edited"] > times["real"]


def _timetable_manifest(folder: Path, data_date: str) -> None:
    """HAND-MADE rail_timetable manifest (and one call row) naming a service week."""
    calls = pd.DataFrame({"trip_id": ["t"], "service_date": [data_date[:10]]})
    manifest = LayerManifest("rail_timetable", "t", "s", "u", "l", data_date, "c")
    save_layer(calls, manifest, folder)


def test_service_week_comes_from_the_manifest(tmp_path: Path) -> None:
    _timetable_manifest(tmp_path, "2020-03-02/2020-03-08")
    week = feed_week(tmp_path)
    assert week.dates[0] == "2020-03-02" and week.dates[-1] == "2020-03-08"
    saturday = feed_date_for(date(2026, 12, 5), week)
    assert saturday.feed_date == "2020-03-07"
    assert "2020 feed" in saturday.note
    assert feed_date_for(None, week).feed_date == "2020-03-03"  # the week's Tuesday
    assert check_travel_date(date(2020, 1, 1), week) == date(2020, 1, 1)
    with pytest.raises(BadInputError, match="2019-12-31 is outside 2020-01-01"):
        check_travel_date(date(2019, 12, 31), week)


@pytest.mark.parametrize("data_date", ["2020-03-03/2020-03-09", "2020-03-02", "next week"])
def test_a_service_week_that_is_not_monday_to_sunday_is_refused(
    tmp_path: Path, data_date: str
) -> None:
    _timetable_manifest(tmp_path, data_date)
    with pytest.raises(SnapshotError, match="data_date"):
        feed_week(tmp_path)


def test_planner_builds_every_day_of_the_week_at_creation(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the planner exists no timetable is built on first use; each day holds the
    trips per day the ETL recorded in the manifest."""
    planner = CommuteEngine(data_dir=DATA_DIR).transit_planner()

    def built_on_first_use(*args: object, **kwargs: object) -> object:
        raise AssertionError("a timetable was built on first use")

    monkeypatch.setattr(transit_commute, "load_timetable", built_on_first_use)
    trips_per_day = load_manifest("rail_timetable", DATA_DIR).extra["trips_per_day"]
    assert list(planner.week.dates) == sorted(trips_per_day)
    for day, trips in trips_per_day.items():
        # own trips: the day's timetable also holds the late trains of the day before
        assert len(planner.timetable(day).own_trip_ids) == trips
