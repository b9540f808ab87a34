"""Continuity of street times on the committed snapshot: no jumps at model boundaries.

Four radial transects from Leuven station in 50 m steps, one engine call per transect:
a step may change the time by at most the step's length at the mode's speed plus two
minutes (issue 9: car times jumped by 21 minutes where the regional network ended, walk
and bike by 12 and 4 minutes at the walk/bike graph's edge).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from dashboard.engine.core import CommuteEngine, commute_times
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import lonlat_to_xy
from dashboard.engine.street import METHOD_REGIONAL, remainder_seconds

LEUVEN_STATION = LatLon(50.8812, 4.7155)
BRUSSELS_CENTRAL = LatLon(50.8453, 4.3571)
STEP_M = 50.0
SLACK_MIN = 2.0
#: Transect length (km) and the speed (km/h) a step is allowed at, per mode.
REACH_KM = {"walk": 5, "bike": 10, "car": 30}
STEP_KMH = {"walk": 4.8, "bike": 15.0, "car": 40.0}
BEARINGS = {"north": (1.0, 0.0), "east": (0.0, 1.0), "south": (-1.0, 0.0), "west": (0.0, -1.0)}
M_PER_DEG_LAT = 111_200.0


@pytest.fixture(scope="module")
def engine() -> CommuteEngine:
    return CommuteEngine()


def transect(bearing: str, km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distances (m), longitudes and latitudes of a 50 m-step line from the station."""
    north, east = BEARINGS[bearing]
    d = np.arange(0.0, km * 1000.0 + 1.0, STEP_M)
    lat = LEUVEN_STATION.lat + north * d / M_PER_DEG_LAT
    m_per_deg_lon = M_PER_DEG_LAT * np.cos(np.radians(LEUVEN_STATION.lat))
    lon = LEUVEN_STATION.lon + east * d / m_per_deg_lon
    return d, lon, lat


@pytest.mark.parametrize("bearing", list(BEARINGS))
@pytest.mark.parametrize("mode", list(REACH_KM))
def test_no_step_jumps_more_than_its_length_allows(
    engine: CommuteEngine, mode: str, bearing: str
) -> None:
    d, lon, lat = transect(bearing, REACH_KM[mode])
    out = engine.times(LEUVEN_STATION, lon, lat, mode=mode, direction="to")
    assert np.isfinite(out.minutes).all(), "every point of the transect has a time"
    allowed = STEP_M / (STEP_KMH[mode] / 3.6) / 60.0 + SLACK_MIN
    jumps = np.abs(np.diff(out.minutes))
    worst = int(np.argmax(jumps))
    assert jumps[worst] <= allowed, (
        f"{mode} {bearing}: {out.minutes[worst]:.1f} -> {out.minutes[worst + 1]:.1f} min "
        f"between {d[worst]:.0f} and {d[worst + 1]:.0f} m "
        f"({out.method[worst]} -> {out.method[worst + 1]})"
    )


def test_estimated_seconds_are_zero_on_the_network_and_at_most_the_time(
    engine: CommuteEngine,
) -> None:
    _, lon, lat = transect("north", 15)
    out = engine.times(LEUVEN_STATION, lon, lat, mode="car", direction="to")
    on_network = out.method == "network"
    assert on_network.any() and (~on_network).any()
    assert (out.estimated_s[on_network] == 0).all()
    assert (out.estimated_s[~on_network] > 0).all()
    assert (out.estimated_s <= out.minutes * 60.0 + 1e-6).all()
    assert out.estimated[~on_network].all() and not out.estimated[on_network].any()


def _leuven_to_brussels(engine: CommuteEngine) -> tuple[float, float]:
    out = engine.times(
        BRUSSELS_CENTRAL,
        np.array([LEUVEN_STATION.lon]),
        np.array([LEUVEN_STATION.lat]),
        mode="car",
        direction="to",
    )
    assert out.method[0] == METHOD_REGIONAL
    return float(out.minutes[0]), float(out.estimated_s[0])


def test_leuven_to_brussels_runs_on_the_regional_network_most_of_the_way(
    engine: CommuteEngine,
) -> None:
    minutes, estimated_s = _leuven_to_brussels(engine)
    # the strategic network (E40) ends ~6 km short of Brussels-Central, ~25.5 km away:
    # only a remainder of less than a third of the distance is estimated (the whole trip
    # was one 40 km/h straight line, 47.9 minutes, with no peak factor)
    x, y = lonlat_to_xy(
        np.array([LEUVEN_STATION.lon, BRUSSELS_CENTRAL.lon]),
        np.array([LEUVEN_STATION.lat, BRUSSELS_CENTRAL.lat]),
    )
    third_m = float(np.hypot(x[1] - x[0], y[1] - y[0])) / 3.0
    query = engine.query_for("car", BRUSSELS_CENTRAL, "to", None)
    assert 0.0 < estimated_s < float(remainder_seconds(np.array([third_m]), query)[0])
    assert 20.0 < minutes < 45.0


def test_peak_factor_applies_to_the_estimated_part_too(engine: CommuteEngine) -> None:
    free = CommuteEngine(settings=replace(engine.settings, car_peak_factor=1.0))
    peak_minutes, peak_est = _leuven_to_brussels(engine)
    free_minutes, free_est = _leuven_to_brussels(free)
    factor = engine.settings.car_peak_factor
    assert factor > 1.0 and free_est > 0.0
    # everything but Leuven station's short snap leg scales by the peak factor (before,
    # the straight-line trip was 47.9 minutes at any peak factor)
    assert peak_minutes == pytest.approx(factor * free_minutes, rel=0.01)
    assert peak_est == pytest.approx(factor * free_est, rel=0.05)
    d = np.array([500.0, 3_000.0, 20_000.0])
    peak_q = engine.query_for("car", BRUSSELS_CENTRAL, "to", None)
    free_q = free.query_for("car", BRUSSELS_CENTRAL, "to", None)
    assert np.allclose(remainder_seconds(d, peak_q), factor * remainder_seconds(d, free_q))


def test_commute_answers_carry_the_estimated_seconds(engine: CommuteEngine) -> None:
    _, lon, lat = transect("west", 30)
    street = engine.times(LEUVEN_STATION, lon, lat, mode="car", direction="to")
    commute = commute_times(engine, LEUVEN_STATION, lon, lat, mode="car")
    assert commute.estimated_s is not None
    assert np.array_equal(commute.estimated_s, street.estimated_s, equal_nan=True)
    assert (commute.estimated_s[commute.estimated] > 0).all()
