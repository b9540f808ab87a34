"""The committed accessibility layers: train rows and statistical sectors.

Checks the snapshot in force (``geodata/``) against its own manifests and against single
engine queries on sampled rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.engine import accessibility as acc
from dashboard.engine import accessibility_train as acct
from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from etl.stages.accessibility import sector_points
from geodata.io import load_layer, load_manifest


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_layer("accessibility")


@pytest.fixture(scope="module")
def sectors() -> pd.DataFrame:
    return load_layer("accessibility_sectors")


def _by(frame: pd.DataFrame, mode: str) -> pd.DataFrame:
    rows = frame.loc[frame["mode"] == mode]
    return rows.set_index(["code", "layer"]).sort_index()


def test_train_rows_are_the_places_with_a_station_within_reach(table: pd.DataFrame) -> None:
    train = load_manifest("accessibility").extra["train"]
    for mode in acct.TRAIN_MODES:
        codes = table.loc[table["mode"] == mode, "code"]
        assert codes.nunique() == train["neighbourhoods_with_station"][mode]
        assert 0 < codes.nunique() < 427  # not every village has a station within reach
        assert (codes.value_counts() == len(acc.FACILITY_LAYERS)).all()
    # bike access reaches farther than walking access: every walk-reached place is bike-reached
    walk = set(table.loc[table["mode"] == "train_walk", "code"])
    assert walk <= set(table.loc[table["mode"] == "train_bike", "code"])


@pytest.mark.parametrize(("mode", "access"), [("train_walk", "walk"), ("train_bike", "bike")])
def test_train_never_slower_and_never_fewer_than_the_access_mode(
    table: pd.DataFrame, mode: str, access: str
) -> None:
    train = _by(table, mode)
    street = _by(table, access).loc[train.index]
    known = train["nearest_minutes"].notna()
    assert (train.loc[known, "nearest_minutes"] <= street.loc[known, "nearest_minutes"]).all()
    by_train = train["method"].str.startswith("train")
    assert by_train.sum() > 100  # the train is the faster way for many pairs
    assert (
        train.loc[known & by_train, "nearest_minutes"]
        < street.loc[known & by_train, "nearest_minutes"]
    ).all()
    counts = [f"count_{t}" for t in acc.THRESHOLDS]
    kept = train[counts].notna().all(axis=1)
    assert (train.loc[kept, counts].to_numpy() >= street.loc[kept, counts].to_numpy()).all()


def test_sectors_layer_covers_the_mirrors_sectors(sectors: pd.DataFrame) -> None:
    polygons = load_layer("sector_population")
    assert set(sectors["code"]) == set(polygons["sector"].astype(str))
    for mode in ("walk", "bike", "ebike", "car"):
        assert (sectors["mode"] == mode).sum() == len(polygons) * len(acc.FACILITY_LAYERS)
    assert list(sectors.columns) == list(acc.COLUMNS)
    # sectors lie mostly in Leuven, inside the street graphs: few estimated rows
    street = sectors.loc[sectors["mode"].isin(["walk", "bike", "car"])]
    assert street["estimated"].mean() < 0.2


def test_sector_rows_equal_single_street_queries(sectors: pd.DataFrame) -> None:
    engine = CommuteEngine()
    points = sector_points(load_layer("sector_population"))
    stations = acc.facility_points()["stations"]
    walk = _by(sectors, "walk")
    for i in range(0, len(points), 17):
        home = LatLon(float(points.lat[i]), float(points.lon[i]))
        single = engine.times(home, stations.lon, stations.lat, mode="walk", direction="from")
        row = walk.loc[(points.ids[i], "stations")]
        assert row["nearest_minutes"] == pytest.approx(np.nanmin(single.minutes), abs=1e-9)
        assert row["count_15"] == int(np.sum(single.minutes <= 15))
