"""Street engine arithmetic and boundaries, with values that tell the operations apart.

Hand-made network (Lambert 72 metres near Leuven), expected values computed by hand:

* detailed nodes 0 -> 1 -> 2 -> 3 on a one-way line, 100 m apart, 20 s per edge;
* regional (coarse) nodes 4 (5 km east of node 0) and 5 (10 km east): 3 -> 4 takes 200 s,
  4 -> 5 takes 300 s, and 5 -> 4 -> 3 back the same.

Without a coverage area the network covers the points within ``max_snap_m`` (50 m) of a
detailed node; beyond, a point's time is the best node's time plus the remainder, straight
line x 1.3 at 2 m/s, i.e. 0.65 s per metre (``R`` below).

Speeds are never 1, scales never 1 and points sit off their nodes, so ``*`` and ``/``,
``+`` and ``-`` or a dropped snap leg give different answers.  Boundaries (snap
distance, coverage distance, time limit) are set to the exact value the engine computes,
so ``>`` and ``>=`` differ.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from dashboard.engine.errors import OutsideCoverageError
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import StreetNetwork, lonlat_to_xy, xy_to_lonlat
from dashboard.engine.street import (
    METHOD_NETWORK,
    METHOD_OUTSIDE,
    METHOD_REGIONAL,
    METHOD_STRAIGHT,
    Coverage,
    StreetQuery,
    inside_coverage,
    remainder_seconds,
    street_times,
)

X0, Y0 = 173_000.0, 174_000.0  # central Leuven in Lambert 72
SPEED = 2.0  # m/s
DETOUR = 1.3
NODE_DX = (0.0, 100.0, 200.0, 300.0, 5_000.0, 10_000.0)
TOL_MIN = 1e-4  # minutes; positions are exact to ~1 mm
R = DETOUR / SPEED  # estimated seconds per metre of straight line


def _network() -> StreetNetwork:
    # nodes placed where their own lon/lat project to, so a point given by a node's
    # lon/lat snaps at exactly 0 m (projecting there and back is off by ~0.3 mm)
    x, y = lonlat_to_xy(*_points(*[(dx, 0.0) for dx in NODE_DX]))
    src = np.array([0, 1, 2, 3, 4, 5, 4])
    dst = np.array([1, 2, 3, 4, 5, 4, 3])
    w = np.array([20.0, 20.0, 20.0, 200.0, 300.0, 300.0, 200.0])
    detailed = np.array([True, True, True, True, False, False])
    return StreetNetwork.from_arrays("test", x, y, src, dst, w, detailed=detailed)


def _at(dx: float, dy: float) -> tuple[float, float]:
    """(lon, lat) of the point ``dx, dy`` metres from node 0."""
    lon, lat = xy_to_lonlat(np.array([X0 + dx]), np.array([Y0 + dy]))
    return float(lon[0]), float(lat[0])


def _latlon(dx: float, dy: float) -> LatLon:
    lon, lat = _at(dx, dy)
    return LatLon(lat, lon)


def _points(*offsets: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    pts = [_at(dx, dy) for dx, dy in offsets]
    return np.array([p[0] for p in pts]), np.array([p[1] for p in pts])


def _query(anchor: LatLon, **kw: object) -> StreetQuery:
    base: dict[str, object] = {
        "direction": "from",
        "speed_mps": SPEED,
        "scale": 1.5,
        "max_snap_m": 50.0,
        "detour_factor": DETOUR,
    }
    base.update(kw)
    return StreetQuery(anchor, **base)  # type: ignore[arg-type]


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Straight-line metres between two (lon, lat) points, as the engine projects them."""
    x, y = lonlat_to_xy(np.array([a[0], b[0]]), np.array([a[1], b[1]]))
    return float(np.hypot(x[1] - x[0], y[1] - y[0]))


def test_network_time_scales_and_adds_both_snap_legs_at_mode_speed() -> None:
    anchor = _latlon(0.0, -30.0)  # 30 m south of node 0
    lon, lat = _points((200.0, 40.0))  # 40 m north of node 2
    out = street_times(_network(), _query(anchor), lon, lat)
    # 40 s on the network x 1.5, plus (30 + 40) m at 2 m/s
    assert out.minutes[0] == pytest.approx((40 * 1.5 + 70 / SPEED) / 60, abs=TOL_MIN)
    assert out.snap_m[0] == pytest.approx(40.0, abs=0.01)
    assert out.method[0] == METHOD_NETWORK
    assert not out.estimated[0]


def test_time_limit_is_scaled_the_other_way() -> None:
    # scale 0.5: node 3 is 60 s away on the graph, 30 s at the chosen speed; a 1-minute
    # limit must search 120 s of graph time, not 30 s
    anchor = _latlon(0.0, 0.0)
    lon, lat = _points((300.0, 0.0))
    out = street_times(_network(), _query(anchor, scale=0.5, max_minutes=1.0), lon, lat)
    assert out.minutes[0] == pytest.approx(0.5, abs=1e-9)


def test_a_time_exactly_at_the_limit_is_kept() -> None:
    anchor = _latlon(0.0, 0.0)
    lon, lat = _points((100.0, 0.0), (300.0, 0.0))
    out = street_times(_network(), _query(anchor, max_minutes=0.5), lon, lat)
    assert out.minutes[0] == pytest.approx(0.5, abs=TOL_MIN)  # 20 s x 1.5 = 30 s
    assert np.isnan(out.minutes[1])  # 60 s x 1.5 = 90 s


def test_no_limit_without_max_minutes() -> None:
    anchor = _latlon(0.0, 0.0)
    lon, lat = _points((300.0, 0.0))
    out = street_times(_network(), _query(anchor, max_minutes=None), lon, lat)
    assert out.minutes[0] == pytest.approx(60 * 1.5 / 60, abs=TOL_MIN)


def test_beyond_the_network_the_remainder_runs_from_the_best_node() -> None:
    anchor = _latlon(0.0, 0.0)
    lon, lat = _points((900.0, 0.0))  # 600 m beyond node 3, the end of the one-way line
    out = street_times(_network(), _query(anchor), lon, lat)
    # node 3: 60 s x 1.5 + 600 m x 0.65 s/m = 480 s (node 2: 60 + 455; node 0: 585)
    assert out.minutes[0] == pytest.approx(480 / 60, abs=TOL_MIN)
    assert out.method[0] == METHOD_STRAIGHT
    assert out.estimated[0]
    assert out.estimated_share[0] == pytest.approx(390 / 480, abs=1e-6)
    assert out.node[0] == 3
    assert out.snap_m[0] == pytest.approx(600.0, abs=0.01)


def test_remainders_grow_by_the_step_at_the_estimate_speed() -> None:
    anchor = _latlon(0.0, 0.0)
    lon, lat = _points((900.0, 0.0), (950.0, 0.0))
    out = street_times(_network(), _query(anchor), lon, lat)
    assert (out.minutes[1] - out.minutes[0]) * 60 == pytest.approx(50 * R, abs=0.01)


def test_crossing_the_coverage_edge_adds_only_the_detour_on_the_snap_leg() -> None:
    anchor = _latlon(0.0, 0.0)
    lon, lat = _points((300.0, 49.9), (300.0, 50.1))  # either side of max_snap_m
    out = street_times(_network(), _query(anchor), lon, lat)
    assert out.method.tolist() == [METHOD_NETWORK, METHOD_STRAIGHT]
    assert out.minutes[0] == pytest.approx((90 + 49.9 / SPEED) / 60, abs=TOL_MIN)
    assert out.minutes[1] == pytest.approx((90 + 50.1 * R) / 60, abs=TOL_MIN)


def test_remainder_bands_each_at_their_speed_then_scaled() -> None:
    anchor = _latlon(0.0, 0.0)
    query = _query(anchor, estimate_bands=((1000.0, 5.0), (3000.0, 10.0)), estimate_scale=1.2)
    # 2 km straight = 2.6 km of road: 1 km at 5 m/s + 1.6 km at 10 m/s = 360 s, x 1.2;
    # 4 km = 5.2 km of road: 200 s + 2 km at 10 m/s + 2.2 km beyond at 10 m/s = 620 s
    seconds = remainder_seconds(np.array([2_000.0, 4_000.0, 0.0]), query)
    np.testing.assert_allclose(seconds, [432.0, 744.0, 0.0])
    plain = remainder_seconds(np.array([1_000.0]), _query(anchor, estimate_scale=1.2))
    assert plain[0] == pytest.approx(1000 * R * 1.2)


def test_the_peak_factor_scales_the_estimated_part_too() -> None:
    anchor = _latlon(0.0, 0.0)
    lon, lat = _points((900.0, 0.0))
    out = street_times(_network(), _query(anchor, estimate_scale=1.5), lon, lat)
    # 90 s on the network + 600 m x 0.65 s/m x 1.5
    assert out.minutes[0] == pytest.approx((90 + 585) / 60, abs=TOL_MIN)
    assert out.estimated_share[0] == pytest.approx(585 / 675, abs=1e-6)


def test_regional_network_beyond_the_detailed_one() -> None:
    anchor = _latlon(0.0, -30.0)
    lon, lat = _points((10_000.0, 100.0))  # 100 m north of regional node 5
    out = street_times(_network(), _query(anchor), lon, lat)
    assert out.method[0] == METHOD_REGIONAL
    assert out.estimated[0]
    # 0 -> 5: 60 + 200 + 300 s, x 1.5, plus 30 m at 2 m/s, plus 100 m x 0.65 s/m
    assert out.minutes[0] == pytest.approx((560 * 1.5 + 15 + 65) / 60, abs=TOL_MIN)
    assert out.estimated_share[0] == pytest.approx(65 / 920, abs=1e-6)
    assert out.node[0] == 5
    assert out.snap_m[0] == pytest.approx(np.hypot(9_700.0, 100.0), abs=0.01)


def test_regional_anchor_makes_every_routed_point_regional() -> None:
    anchor = _latlon(5_000.0, 100.0)  # 100 m from regional node 4: outside coverage
    lon, lat = _points((10_000.0, 0.0), (300.0, 10.0))
    out = street_times(_network(), _query(anchor), lon, lat)
    assert out.method.tolist() == [METHOD_REGIONAL, METHOD_REGIONAL]
    # anchor -> node 4: 100 m x 0.65 = 65 s estimated; then 300 s (or 200 s) x 1.5
    assert out.minutes[0] == pytest.approx((65 + 300 * 1.5) / 60, abs=TOL_MIN)
    assert out.minutes[1] == pytest.approx((65 + 200 * 1.5 + 10 / SPEED) / 60, abs=TOL_MIN)
    np.testing.assert_allclose(out.estimated_share, [65 / 515, 65 / 370], atol=1e-6)


def test_a_trip_from_the_first_node_of_a_network_knows_it_is_regional() -> None:
    # node 0 regional, 5 km east; detailed nodes 1 -> 2 at the origin, 100 m apart
    x, y = lonlat_to_xy(*_points((5_000.0, 0.0), (0.0, 0.0), (100.0, 0.0)))
    net = StreetNetwork.from_arrays(
        "first",
        x,
        y,
        np.array([0, 1]),
        np.array([1, 2]),
        np.array([200.0, 20.0]),
        detailed=np.array([False, True, True]),
    )
    anchor = _latlon(5_000.0, 100.0)  # 100 m from node 0: 65 s estimated
    out = street_times(net, _query(anchor), *_points((100.0, 0.0)))
    assert out.method[0] == METHOD_REGIONAL
    assert out.minutes[0] == pytest.approx((65 + 220 * 1.5) / 60, abs=TOL_MIN)


def test_anchor_far_from_every_node_is_one_estimate_to_a_point_on_the_network() -> None:
    anchor_at = _at(2_500.0, 5_000.0)  # far from every node
    anchor = LatLon(anchor_at[1], anchor_at[0])
    lon, lat = _points((100.0, 0.0))
    out = street_times(_network(), _query(anchor), lon, lat)
    assert out.method.tolist() == [METHOD_STRAIGHT]
    assert out.estimated.tolist() == [True]
    d = _distance(anchor_at, (lon[0], lat[0]))
    assert out.minutes[0] == pytest.approx(d * R / 60, rel=1e-9)
    assert out.estimated_share[0] == pytest.approx(1.0)


def test_on_a_tie_the_routed_answer_stands_over_the_whole_trip_estimate() -> None:
    # scale 2 keeps the head start exact (R / 2 x 2): via node 1 and the whole trip as
    # one estimate take exactly the same time; the answer stays routed through node 1
    anchor_at = _at(2_500.0, 5_000.0)
    lon, lat = _points((100.0, 0.0))
    out = street_times(_network(), _query(LatLon(anchor_at[1], anchor_at[0]), scale=2.0), lon, lat)
    assert out.minutes[0] * 60 == _distance(anchor_at, (lon[0], lat[0])) * R
    assert out.node[0] == 1


def test_both_ends_off_the_network_and_close_is_one_estimate() -> None:
    anchor = _latlon(-2_000.0, 0.0)
    lon, lat = _points((-2_000.0, 300.0))
    out = street_times(_network(), _query(anchor), lon, lat)
    assert out.method[0] == METHOD_STRAIGHT
    assert out.minutes[0] == pytest.approx(300 * R / 60, abs=TOL_MIN)
    assert out.node[0] == -1 and out.estimated_share[0] == 1.0


def test_a_time_limit_stops_the_search_from_an_anchor_off_the_network() -> None:
    anchor = _latlon(-100.0, 0.0)  # 100 m west of node 0: 65 s to reach it
    lon, lat = _points((100.0, 0.0), (300.0, 0.0))
    out = street_times(_network(), _query(anchor, max_minutes=2.0), lon, lat)
    # node 1: 65 + 30 = 95 s; node 3: 65 + 90 = 155 s > 120 s (its estimate: 260 s)
    assert out.minutes[0] == pytest.approx(95 / 60, abs=TOL_MIN)
    assert out.estimated_share[0] == pytest.approx(65 / 95, abs=1e-6)  # node 0's leg
    assert np.isnan(out.minutes[1]) and np.isnan(out.estimated_share[1])


def test_a_coverage_area_decides_inside_not_the_snap_distance() -> None:
    net = _network()
    box = lonlat_to_xy(*_points((-20.0, -20.0), (320.0, 20.0)))
    area = shapely.box(box[0][0], box[1][0], box[0][1], box[1][1])
    anchor = _latlon(0.0, 0.0)
    query = _query(anchor, coverage=Coverage.of(net, area, 400.0))
    lon, lat = _points((200.0, 15.0), (200.0, 40.0))  # both within max_snap_m
    px, py = lonlat_to_xy(lon, lat)
    inside = inside_coverage(query, px, py, net.snap(px, py)[1])
    assert inside.tolist() == [True, False]
    out = street_times(net, query, lon, lat)
    assert out.method.tolist() == [METHOD_NETWORK, METHOD_STRAIGHT]
    assert out.minutes[0] == pytest.approx((60 + 15 / SPEED) / 60, abs=TOL_MIN)
    assert out.minutes[1] == pytest.approx((60 + 40 * R) / 60, abs=TOL_MIN)


def test_only_nodes_near_the_coverage_edge_end_a_routed_part() -> None:
    net = _network()
    box = lonlat_to_xy(*_points((-20.0, -20.0), (320.0, 20.0)))
    area = shapely.box(box[0][0], box[1][0], box[0][1], box[1][1])
    # detailed nodes lie 20 m inside the area's edge; regional nodes 4 and 5 outside it
    assert Coverage.of(net, area, 19.0).edge_nodes.tolist() == [4, 5]
    assert Coverage.of(net, area, 21.0).edge_nodes.tolist() == [0, 1, 2, 3, 4, 5]
    # a node exactly at the band's width from the edge belongs to it
    node_1 = shapely.Point(net.x[1], net.y[1])
    exact = float(shapely.distance(area.boundary, node_1))
    assert 1 in Coverage.of(net, area, exact).edge_nodes
    # a point off the network, nearest to node 3 (204 m) but best reached via node 2
    # (60 s x 1.5 + 209 m x 0.65 = 195.7 s; node 3: 90 + 132.6 = 222.6 s): node 2 may
    # end the routed part only when it lies in the band; the point's nearest node always
    anchor = _latlon(0.0, 0.0)
    lon, lat = _points((260.0, 200.0))
    d2, d3 = (_distance(_at(dx, 0.0), (lon[0], lat[0])) for dx in (200.0, 300.0))
    wide = street_times(net, _query(anchor, coverage=Coverage.of(net, area, 21.0)), lon, lat)
    assert wide.node[0] == 2
    assert wide.minutes[0] == pytest.approx((60 + d2 * R) / 60, abs=TOL_MIN)
    narrow = street_times(net, _query(anchor, coverage=Coverage.of(net, area, 19.0)), lon, lat)
    assert narrow.node[0] == 3
    assert narrow.minutes[0] == pytest.approx((90 + d3 * R) / 60, abs=TOL_MIN)


def test_snap_exactly_at_max_snap_stays_on_the_network() -> None:
    net = _network()
    anchor = _latlon(0.0, 0.0)
    lon, lat = _points((200.0, 40.0))
    _, snap = net.snap(*lonlat_to_xy(lon, lat))
    out = street_times(net, _query(anchor, max_snap_m=float(snap[0])), lon, lat)
    assert out.method[0] == METHOD_NETWORK


def test_default_coverage_is_sixty_kilometres() -> None:
    anchor = _latlon(0.0, 0.0)
    lon, lat = _points((0.0, 59_999.5), (0.0, 60_000.5))
    assert _distance(_at(0.0, 0.0), (lon[1], lat[1])) == pytest.approx(60_000.5, abs=0.01)
    out = street_times(_network(), _query(anchor), lon, lat)
    assert out.method.tolist() == [METHOD_STRAIGHT, METHOD_OUTSIDE]
    assert np.isfinite(out.minutes[0]) and np.isnan(out.minutes[1])


def test_point_exactly_at_max_distance_is_covered() -> None:
    origin = _at(0.0, 0.0)
    lon, lat = _points((1_000.0, 1_000.0))
    limit = _distance(origin, (lon[0], lat[0]))
    out = street_times(
        _network(), _query(LatLon(origin[1], origin[0]), max_distance_m=limit), lon, lat
    )
    assert out.method[0] != METHOD_OUTSIDE
    assert np.isfinite(out.minutes[0])


def test_anchor_exactly_at_max_distance_is_accepted_and_beyond_refused() -> None:
    net = _network()
    at = _at(-2_000.0, 0.0)
    _, snap = net.snap(*lonlat_to_xy(np.array([at[0]]), np.array([at[1]])))
    anchor = LatLon(at[1], at[0])
    lon, lat = _points((-2_000.0, 10.0))
    out = street_times(net, _query(anchor, max_distance_m=float(snap[0])), lon, lat)
    assert out.method[0] == METHOD_STRAIGHT
    with pytest.raises(OutsideCoverageError):
        street_times(net, _query(anchor, max_distance_m=float(snap[0]) - 1.0), lon, lat)
