"""Batch accessibility by train equals single train queries (committed 2019 NMBS week)."""

from __future__ import annotations

from datetime import time

import numpy as np
import pandas as pd
import pytest

from dashboard.engine import accessibility as acc
from dashboard.engine import accessibility_train as acct
from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.engine.transit import (
    arrivals_at,
    latest_departures,
    latest_departures_to_stop,
)
from dashboard.engine.transit_commute import feed_date_for, transit_commute


@pytest.fixture(scope="module")
def engine() -> CommuteEngine:
    return CommuteEngine()


def _inf(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), np.inf, values)


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (a == b) | (np.abs(a - b) < 1e-9)


def test_walking_graph_has_every_street_both_ways(engine: CommuteEngine) -> None:
    # the egress legs rely on it: a search from the facility is the walk to it
    net = engine.network("walk")
    assert abs(net.forward - net.reverse).sum() == 0


def test_station_profiles_equal_a_search_per_deadline(engine: CommuteEngine) -> None:
    tt = engine.transit_planner().timetable(feed_date_for(None).feed_date)
    leuven = int(np.argmin(np.hypot(tt.stop_lon - 4.7155, tt.stop_lat - 50.8812)))
    times = arrivals_at(tt, leuven, 8 * 3600.0, 9 * 3600.0)
    assert len(times) > 10 and np.all(np.diff(times) > 0)
    assert times[0] < 8 * 3600.0 <= times[1] and times[-1] <= 9 * 3600.0
    table = latest_departures_to_stop(tt, leuven, times, 5 * 3600.0)
    assert table.shape == (len(times), tt.n_stops)
    columns = np.arange(tt.n_stops)
    profiles = acct._profiles(tt, {leuven}, columns, 5 * 3600.0, 8 * 3600.0, 9 * 3600.0)
    rng = np.random.default_rng(3)
    # random deadlines, and deadlines exactly at an arrival (that train still counts)
    deadlines = np.r_[rng.uniform(8 * 3600.0, 9 * 3600.0, 10), times[2:6]]
    got = profiles.latest_for(leuven, deadlines, columns)
    for deadline, row in zip(deadlines, got, strict=True):
        direct = latest_departures(tt, np.array([leuven]), np.array([0.0]), deadline)
        reached = direct >= 5 * 3600.0  # the profile ignores trains before its bound
        assert np.array_equal(row[reached], direct[reached])
        assert np.all(row[~reached] < 5 * 3600.0)
        assert row[leuven] == deadline  # standing at the station itself


def test_several_targets_are_the_maximum_of_each(engine: CommuteEngine) -> None:
    tt = engine.transit_planner().timetable(feed_date_for(None).feed_date)
    stops = np.argsort(np.hypot(tt.stop_lon - 4.70, tt.stop_lat - 50.88))[:3]
    egress = np.array([300.0, 90.0, 600.0])
    both = latest_departures(tt, stops, egress, 8.5 * 3600.0)
    each = [
        latest_departures(tt, stops[i : i + 1], egress[i : i + 1], 8.5 * 3600.0) for i in range(3)
    ]
    assert np.array_equal(both, np.maximum.reduce(each))


@pytest.mark.parametrize("mode", ["walk", "bike"])
def test_train_matrix_equals_single_train_queries(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places], mode: str
) -> None:
    facilities = layers["secondary_schools"]
    matrix = acct.train_matrix(engine, mode, origins, facilities)
    assert matrix.reached.sum() > 100  # Leuven and the places near the region's stations
    rng = np.random.default_rng(11)
    picked = rng.choice(len(facilities), 6, replace=False)
    trains_won = 0
    for j in picked:
        place = LatLon(float(facilities.lat[j]), float(facilities.lon[j]))
        single, _ = transit_commute(
            engine.transit_planner(),
            place,
            origins.lon,
            origins.lat,
            access_mode=mode,
            arrive_by=acct.TrainQuestion().arrive_by,
        )
        direct = _inf(engine.times(place, origins.lon, origins.lat, mode=mode).minutes)
        # the single query's median is min(direct, median of the trains)
        batch = np.minimum(direct, matrix.minutes[:, j])
        assert np.all(_same(_inf(single.minutes), batch))
        trains_won += int(np.sum(matrix.minutes[:, j] < direct))
    assert trains_won > 0  # the comparison covered train journeys, not only direct ones


def test_train_matrix_of_all_layers_at_once_equals_each_layer(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places]
) -> None:
    every, columns = acct._layer_slices(layers)
    both = acct.train_matrices(engine, ("walk", "bike"), origins, every)
    for mode in ("walk", "bike"):
        alone = acct.train_matrix(engine, mode, origins, layers["stations"])
        assert np.array_equal(both[mode].minutes[:, columns["stations"]], alone.minutes)


def test_train_rows_take_the_faster_of_train_and_direct(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places]
) -> None:
    picked = {k: layers[k] for k in ("international_schools", "stations")}
    nearest = {
        m: {k: acc.nearest_facility(engine, m, origins, v) for k, v in picked.items()}
        for m in ("walk", "bike")
    }
    within = {
        m: {k: acc.minutes_matrix(engine, m, origins, v, 30.0) for k, v in picked.items()}
        for m in ("walk", "bike")
    }
    table = acct.region_batch(engine, origins, picked, acct.TRAIN_MODES, workers=1)
    assert list(table.columns) == list(acc.COLUMNS)
    assert set(table["mode"]) == set(acct.TRAIN_MODES)
    for mode, access in (("train_walk", "walk"), ("train_bike", "bike")):
        trains = acct.train_matrix(engine, access, origins, picked["stations"])
        rows = table.loc[(table["mode"] == mode) & (table["layer"] == "stations")]
        assert len(rows) == trains.reached.sum()  # only places with a station in reach
        at = np.flatnonzero(trains.reached)
        street = _inf(nearest[access]["stations"].minutes[at])
        expected = np.minimum(street, trains.minutes[at].min(axis=1))
        assert np.all(_same(_inf(rows["nearest_minutes"].to_numpy(float)), expected))
        by_train = rows["method"].str.startswith("train").to_numpy()
        assert by_train.any() and (~by_train).any()
        assert np.all(_same(rows["nearest_minutes"].to_numpy(float)[~by_train], street[~by_train]))
        by_train_30 = (trains.minutes[at] <= 30) | (within[access]["stations"][at] <= 30)
        assert rows["count_30"].tolist() == by_train_30.sum(axis=1).tolist()
        assert np.all(np.diff(rows[[f"count_{t}" for t in acc.THRESHOLDS]].to_numpy(), axis=1) >= 0)


def test_forked_region_batch_equals_the_serial_one(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places]
) -> None:
    # the train matrices run in a forked child beside the street batch where allowed;
    # the test session may run other threads, so worker_count may keep it serial: the
    # table must be the same either way
    picked = {k: layers[k] for k in ("stations",)}
    modes = ("bike", "train_walk")
    serial = acct.region_batch(engine, origins, picked, modes, workers=1)
    other = acct.region_batch(engine, origins, picked, modes, workers=2)
    pd.testing.assert_frame_equal(serial, other, check_exact=True)
    assert list(serial["mode"].unique()) == list(modes)


def test_fewer_pairs_have_a_train_at_six_than_at_nine(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places]
) -> None:
    early = acct.train_matrix(
        engine, "walk", origins, layers["stations"], acct.TrainQuestion(arrive_by=time(6, 0))
    )
    peak = acct.train_matrix(engine, "walk", origins, layers["stations"])
    # more trains run at 9:00 than at 6:00: more pairs have a train journey
    assert np.isfinite(peak.minutes).sum() > np.isfinite(early.minutes).sum()
