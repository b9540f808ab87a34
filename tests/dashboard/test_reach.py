"""Isochrone bands of the Explore map on the real snapshot (bike from Leuven station)."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import Point, shape

from dashboard.engine.core import CommuteEngine
from dashboard.engine.errors import OutsideCoverageError
from dashboard.engine.inputs import LatLon
from dashboard.layers import reach

LEUVEN_STATION = LatLon(50.88228, 4.71587)


@pytest.mark.parametrize(
    ("limit", "bands"),
    [
        (5, (5,)),
        (20, (5, 10, 15, 20)),
        (25, (10, 20, 25)),
        (30, (10, 20, 30)),
        (45, (15, 30, 45)),
        (120, (30, 60, 90, 120)),
    ],
)
def test_band_limits(limit: int, bands: tuple[int, ...]) -> None:
    assert reach.band_limits(limit) == tuple(float(b) for b in bands)


def test_bike_bands_nest_around_the_station() -> None:
    features = reach.isochrone_features(
        CommuteEngine(), LEUVEN_STATION, mode="bike", max_minutes=20
    )
    assert [f["properties"]["minutes"] for f in features] == [20.0, 15.0, 10.0, 5.0]
    shapes = [shape(f["geometry"]) for f in features]
    station = Point(LEUVEN_STATION.lon, LEUVEN_STATION.lat)
    assert all(s.buffer(0.002).contains(station) for s in shapes)
    areas = [s.area for s in shapes]
    assert areas == sorted(areas, reverse=True)  # larger bands hold the smaller ones
    assert len(json.dumps(features)) < 60_000  # small map payload


def test_anchor_off_the_network_is_refused() -> None:
    with pytest.raises(OutsideCoverageError, match="no isochrone"):
        reach.isochrone_features(CommuteEngine(), LatLon(50.80, 4.90), mode="bike", max_minutes=20)
