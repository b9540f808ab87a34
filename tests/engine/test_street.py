"""Street engine: exact agreement with networkx, one-way direction, snapping, estimates."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from dashboard.engine.errors import OutsideCoverageError
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import StreetNetwork, csr_from_edges, lonlat_to_xy
from dashboard.engine.street import (
    METHOD_NETWORK,
    METHOD_STRAIGHT,
    StreetQuery,
    node_times,
    street_times,
)


def random_network(seed: int, n: int = 60, m: int = 240) -> tuple[StreetNetwork, nx.MultiDiGraph]:
    """A random directed multigraph (hand-made test data) and the same graph in networkx."""
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    w = rng.uniform(1, 100, len(src)).astype(np.float32)
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    net = StreetNetwork.from_arrays("test", x, y, src, dst, w)
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(n))
    for a, b, t in zip(src, dst, w, strict=True):
        g.add_edge(int(a), int(b), travel_time=float(t))
    return net, g


@pytest.mark.parametrize("seed", range(5))
def test_one_to_all_matches_networkx_both_directions(seed: int) -> None:
    net, g = random_network(seed)
    for anchor in (0, 7, 33):
        ours = node_times(net, anchor, direction="from")
        theirs = nx.single_source_dijkstra_path_length(g, anchor, weight="travel_time")
        for node in range(net.n_nodes):
            expected = theirs.get(node, np.inf)
            assert ours[node] == pytest.approx(expected, rel=1e-6), (anchor, node)
        to_anchor = node_times(net, anchor, direction="to")
        back = nx.single_source_dijkstra_path_length(g.reverse(), anchor, weight="travel_time")
        for node in range(net.n_nodes):
            assert to_anchor[node] == pytest.approx(back.get(node, np.inf), rel=1e-6)


def test_parallel_edges_keep_the_fastest_not_the_sum() -> None:
    csr = csr_from_edges(2, np.array([0, 0]), np.array([1, 1]), np.array([30.0, 10.0]))
    assert csr[0, 1] == 10.0


def test_limit_stops_the_search() -> None:
    # chain 0 -> 1 -> 2 -> 3, 60 s per edge
    net = StreetNetwork.from_arrays(
        "chain",
        np.arange(4.0) * 100,
        np.zeros(4),
        np.array([0, 1, 2]),
        np.array([1, 2, 3]),
        np.full(3, 60.0),
    )
    times = node_times(net, 0, direction="from", limit_s=130)
    assert list(times[:3]) == [0, 60, 120]
    assert np.isinf(times[3])


def _line_network() -> tuple[StreetNetwork, np.ndarray, np.ndarray]:
    """A one-way street east along lat 50.88 near Leuven: nodes every ~100 m, 1 s per edge."""
    lon = 4.70 + np.arange(5) * 0.0014
    lat = np.full(5, 50.88)
    x, y = lonlat_to_xy(lon, lat)
    net = StreetNetwork.from_arrays("oneway", x, y, np.arange(4), np.arange(1, 5), np.full(4, 20.0))
    return net, lon, lat


def _query(anchor: LatLon, direction: str, **kw: float) -> StreetQuery:
    base = {"speed_mps": 1.0, "scale": 1.0, "max_snap_m": 50.0, "detour_factor": 1.3}
    base.update(kw)
    return StreetQuery(anchor, direction, **base)  # type: ignore[arg-type]


def test_one_way_street_changes_the_answer_in_the_expected_direction() -> None:
    net, lon, lat = _line_network()
    west = LatLon(lat[0], lon[0])
    out = street_times(net, _query(west, "from"), lon[4:], lat[4:])
    assert out.minutes[0] == pytest.approx(80 / 60, abs=0.01)  # 4 edges downstream
    back = street_times(net, _query(west, "to"), lon[4:], lat[4:])
    # against the one-way direction the east end cannot reach the west end on the network
    assert np.isnan(back.minutes[0])
    assert back.method[0] == METHOD_NETWORK


def test_snap_legs_are_added_at_mode_speed() -> None:
    net, lon, lat = _line_network()
    anchor = LatLon(lat[0] + 0.0002, lon[0])  # ~22 m north of node 0
    out = street_times(net, _query(anchor, "from", speed_mps=2.0), lon[1:2], lat[1:2])
    snap = 0.0002 * 111_200
    assert out.minutes[0] == pytest.approx((20 + snap / 2.0) / 60, rel=0.02)
    assert not out.estimated[0]


def test_points_off_the_network_are_estimated_by_straight_line() -> None:
    net, lon, lat = _line_network()
    anchor = LatLon(lat[0], lon[0])
    far = np.array([lat[0] + 0.01])  # ~1.1 km north: beyond max_snap_m
    out = street_times(net, _query(anchor, "from"), np.array([lon[0]]), far)
    assert out.estimated[0]
    assert out.method[0] == METHOD_STRAIGHT
    assert out.minutes[0] == pytest.approx(out.snap_m[0] * 1.3 / 60, rel=0.01)


def test_time_limit_and_max_distance_give_nan() -> None:
    net, lon, lat = _line_network()
    anchor = LatLon(lat[0], lon[0])
    out = street_times(net, _query(anchor, "from", max_minutes=0.5), lon, lat)
    assert np.isnan(out.minutes[-1]) and out.minutes[0] == pytest.approx(0)
    far = street_times(
        net, _query(anchor, "from", max_distance_m=500.0), np.array([5.5]), np.array([51.0])
    )
    assert np.isnan(far.minutes[0])


def test_anchor_far_from_any_network_is_refused() -> None:
    net, _, _ = _line_network()
    with pytest.raises(OutsideCoverageError, match="km from the nearest oneway network"):
        street_times(
            net,
            _query(LatLon(51.5, 2.5), "from", max_distance_m=60_000),
            np.array([4.7]),
            np.array([50.88]),
        )
