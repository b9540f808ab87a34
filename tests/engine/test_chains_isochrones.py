"""Two workplaces, the morning chain and isochrones, on the real Leuven graphs."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point, shape

from dashboard.engine.chains import Commuter, couple_times, morning_chain
from dashboard.engine.core import CommuteEngine, commute_times
from dashboard.engine.errors import OutsideCoverageError
from dashboard.engine.inputs import LatLon
from dashboard.engine.isochrones import isochrone_bands

STATION = LatLon(50.8812, 4.7155)
ARENBERG = LatLon(50.8640, 4.6724)
HOMES_LON = np.array([4.7009, 4.6900, 4.7300, 4.8650])
HOMES_LAT = np.array([50.8789, 50.8700, 50.8900, 50.9830])


@pytest.fixture(scope="module")
def engine() -> CommuteEngine:
    return CommuteEngine()


def test_couple_needs_both_within_their_limits(engine: CommuteEngine) -> None:
    a = Commuter(STATION, "bike", 20)
    b = Commuter(ARENBERG, "walk", 30)
    out = couple_times(engine, a, b, HOMES_LON, HOMES_LAT)
    alone_a = commute_times(engine, STATION, HOMES_LON, HOMES_LAT, mode="bike", max_minutes=20)
    np.testing.assert_array_equal(out.first.minutes, alone_a.minutes)
    expected = np.isfinite(out.first.minutes) & np.isfinite(out.second.minutes)
    np.testing.assert_array_equal(out.both_within, expected)
    assert not out.both_within[-1]  # Aarschot is not 30 minutes' walk from Arenberg
    ok = out.both_within
    np.testing.assert_allclose(
        out.worst_minutes[ok], np.maximum(out.first.minutes, out.second.minutes)[ok]
    )


def test_chain_equals_sum_of_its_legs_and_beats_worse_stops(engine: CommuteEngine) -> None:
    commuter = Commuter(STATION, "bike", 45)
    stops_lon = np.array([4.6950, 4.7600])  # one near the homes, one far east
    stops_lat = np.array([50.8760, 50.8950])
    chain = morning_chain(engine, commuter, HOMES_LON[:3], HOMES_LAT[:3], stops_lon, stops_lat)
    for h in range(3):
        s = chain.stop_index[h]
        assert s >= 0
        stop = LatLon(stops_lat[s], stops_lon[s])
        leg1 = commute_times(engine, stop, HOMES_LON[h : h + 1], HOMES_LAT[h : h + 1], mode="bike")
        leg2 = commute_times(
            engine, STATION, stops_lon[s : s + 1], stops_lat[s : s + 1], mode="bike"
        )
        assert chain.first_leg_minutes[h] == pytest.approx(leg1.minutes[0])
        assert chain.total_minutes[h] == pytest.approx(leg1.minutes[0] + 5 + leg2.minutes[0])
        other = 1 - s
        stop_o = LatLon(stops_lat[other], stops_lon[other])
        o1 = commute_times(engine, stop_o, HOMES_LON[h : h + 1], HOMES_LAT[h : h + 1], mode="bike")
        o2 = commute_times(
            engine, STATION, stops_lon[other : other + 1], stops_lat[other : other + 1], mode="bike"
        )
        assert chain.total_minutes[h] <= o1.minutes[0] + 5 + o2.minutes[0] + 1e-9


def test_isochrone_bands_are_nested_and_contain_the_anchor(engine: CommuteEngine) -> None:
    lon, lat, minutes = engine.reach_nodes(STATION, mode="bike", max_minutes=15)
    assert minutes.max() <= 15
    features = isochrone_bands(lon, lat, minutes, (5, 10, 15))
    assert [f["properties"]["minutes"] for f in features] == [5.0, 10.0, 15.0]
    shapes = [shape(f["geometry"]) for f in features]
    assert shapes[0].area < shapes[1].area < shapes[2].area
    assert shapes[0].buffer(0.002).contains(Point(STATION.lon, STATION.lat))
    assert shapes[1].buffer(1e-9).contains(shapes[0].buffer(-1e-6))


def test_isochrone_anchor_off_the_network_is_refused(engine: CommuteEngine) -> None:
    with pytest.raises(OutsideCoverageError, match="no isochrone"):
        engine.reach_nodes(LatLon(50.9830, 4.8650), mode="walk", max_minutes=10)


def test_engine_isochrones_from_cached_cells_equal_the_direct_binning(
    engine: CommuteEngine,
) -> None:
    bands = (5.0, 10.0, 15.0)
    fast = engine.isochrones(STATION, mode="bike", bands=bands, direction="to")
    lon, lat, minutes = engine.reach_nodes(STATION, mode="bike", max_minutes=15, direction="to")
    direct = isochrone_bands(lon, lat, minutes, bands)
    assert [f["properties"] for f in fast] == [f["properties"] for f in direct]
    for a, b in zip(fast, direct, strict=True):
        assert shape(a["geometry"]).equals(shape(b["geometry"]))
