"""The engine on the committed Leuven graphs: agreement with networkx, sane real answers."""

from __future__ import annotations

from dataclasses import replace

import networkx as nx
import numpy as np
import pytest

from dashboard.engine import core
from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import load_street_network, lonlat_to_xy, xy_to_lonlat
from dashboard.engine.settings import GRAPH_OF_MODE
from dashboard.engine.street import Direction, inside_coverage, node_times
from geodata.coverage import COVERAGE_KEY, coverage_area
from geodata.io import SnapshotError, load_graph, load_layer, load_manifest

LEUVEN_STATION = LatLon(50.8812, 4.7155)
GROTE_MARKT = LatLon(50.8789, 4.7009)


@pytest.fixture(scope="module")
def engine() -> CommuteEngine:
    return CommuteEngine()


@pytest.mark.parametrize("mode", ["walk", "bike", "car"])
def test_sampled_pairs_agree_with_networkx(mode: str) -> None:
    arrays = load_graph(mode)
    net = load_street_network(mode)
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(len(arrays["node_x"])))
    for a, b, t in zip(
        arrays["edge_from"].tolist(),
        arrays["edge_to"].tolist(),
        arrays["edge_time_s"].tolist(),
        strict=True,
    ):
        g.add_edge(a, b, travel_time=max(t, 1e-3))
    rng = np.random.default_rng(7)
    for source in rng.integers(0, net.n_nodes, 3):
        ours = node_times(net, int(source), direction="from")
        theirs = nx.single_source_dijkstra_path_length(g, int(source), weight="travel_time")
        targets = rng.integers(0, net.n_nodes, 200)
        for t in targets:
            assert ours[t] == pytest.approx(theirs.get(int(t), np.inf), rel=1e-5, abs=1e-3)


def test_walk_station_to_grote_markt_is_plausible(engine: CommuteEngine) -> None:
    out = engine.times(
        LEUVEN_STATION,
        np.array([GROTE_MARKT.lon]),
        np.array([GROTE_MARKT.lat]),
        mode="walk",
        direction="from",
    )
    # 1.0 km straight line: between 12 and 20 minutes on foot, on the real network
    assert 12 < out.minutes[0] < 20
    assert not out.estimated[0]


def test_faster_modes_are_faster(engine: CommuteEngine) -> None:
    lon, lat = np.array([4.6724]), np.array([50.8640])  # Arenberg campus, Heverlee
    minutes = {
        m: engine.times(LEUVEN_STATION, lon, lat, mode=m, direction="from").minutes[0]
        for m in ("walk", "bike", "ebike", "car")
    }
    assert minutes["walk"] > minutes["bike"] > minutes["ebike"]
    assert minutes["bike"] > minutes["car"]


def test_outside_leuven_walk_is_estimated_and_car_uses_regional_network(
    engine: CommuteEngine,
) -> None:
    lon, lat = np.array([4.8650]), np.array([50.9830])  # Aarschot, ~17 km away
    walk = engine.times(LEUVEN_STATION, lon, lat, mode="walk", direction="to")
    assert walk.estimated[0] and walk.method[0] == "straight line x detour"
    car = engine.times(LEUVEN_STATION, lon, lat, mode="car", direction="to")
    assert car.estimated[0] and car.method[0] == "regional network"
    assert 10 < car.minutes[0] < 45


def snap_and_dijkstra_minutes(
    engine: CommuteEngine,
    mode: str,
    anchor: LatLon,
    lon: np.ndarray,
    lat: np.ndarray,
    direction: Direction,
) -> np.ndarray:
    """The plain model: both ends to their nearest node, snap legs at mode speed + Dijkstra."""
    query = engine.query_for(mode, anchor, direction, None)
    net = engine.network(GRAPH_OF_MODE[mode])
    a_node, a_snap = net.snap(*lonlat_to_xy(np.array([anchor.lon]), np.array([anchor.lat])))
    p_node, p_snap = net.snap(*lonlat_to_xy(lon, lat))
    times = node_times(net, int(a_node[0]), direction=direction)
    return np.asarray((times[p_node] * query.scale + (a_snap[0] + p_snap) / query.speed_mps) / 60.0)


def points_inside_coverage(engine: CommuteEngine, mode: str, n: int) -> tuple[np.ndarray, ...]:
    """Up to ``n`` random points (lon, lat) inside the mode's coverage area."""
    net = engine.network(GRAPH_OF_MODE[mode])
    query = engine.query_for(mode, LEUVEN_STATION, "to", None)
    rng = np.random.default_rng(9)
    nx_, ny_ = net.x[net.detailed_ids], net.y[net.detailed_ids]  # the car's regional too
    x = rng.uniform(nx_.min(), nx_.max(), 4 * n)
    y = rng.uniform(ny_.min(), ny_.max(), 4 * n)
    inside = inside_coverage(query, x, y, net.snap(x, y)[1])
    lon, lat = xy_to_lonlat(x[inside][:n], y[inside][:n])
    return lon, lat


@pytest.mark.parametrize("mode", ["walk", "bike", "ebike", "car"])
def test_leuven_neighbourhoods_are_answered_on_the_network_as_snap_and_dijkstra(
    engine: CommuteEngine, mode: str
) -> None:
    # issue 9: a continuous model must not move points inside the graph's coverage off
    # their nearest node (an earlier attempt marked 11 of these 24 as estimated by walk)
    wijken = load_layer("wijken", columns=("code", "name", "municipality"))
    points = wijken[wijken["municipality"] == "Leuven"].geometry.representative_point()
    lon, lat = points.x.to_numpy(), points.y.to_numpy()
    assert len(lon) >= 20
    for direction in ("to", "from"):
        out = engine.times(LEUVEN_STATION, lon, lat, mode=mode, direction=direction)
        expected = snap_and_dijkstra_minutes(engine, mode, LEUVEN_STATION, lon, lat, direction)
        np.testing.assert_array_equal(out.minutes, expected)
        assert (out.method == "network").all() and not out.estimated.any()
        assert (out.estimated_share == 0).all()


@pytest.mark.parametrize("mode", ["walk", "bike", "car"])
def test_random_points_inside_coverage_keep_the_snap_and_dijkstra_answer(
    engine: CommuteEngine, mode: str
) -> None:
    lon, lat = points_inside_coverage(engine, mode, 300)
    assert len(lon) == 300
    out = engine.times(GROTE_MARKT, lon, lat, mode=mode, direction="to")
    expected = snap_and_dijkstra_minutes(engine, mode, GROTE_MARKT, lon, lat, "to")
    np.testing.assert_array_equal(out.minutes, expected)
    assert (out.method == "network").all() and (out.estimated_share == 0).all()


def test_coverage_comes_from_the_manifest_and_a_damaged_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = load_manifest("graph:walk")
    engine = CommuteEngine()
    area = engine.coverage("walk")
    assert area is not None and area.area.equals(coverage_area(real))
    without = CommuteEngine()
    older = replace(real, extra={k: v for k, v in real.extra.items() if k != COVERAGE_KEY})
    monkeypatch.setattr(core, "load_manifest", lambda name, data_dir: older)
    assert without.coverage("walk") is None  # an older snapshot: the snap distance
    damaged = replace(real, extra={**real.extra, COVERAGE_KEY: {"crs": "EPSG:4326"}})
    monkeypatch.setattr(core, "load_manifest", lambda name, data_dir: damaged)
    with pytest.raises(SnapshotError, match="coverage_area"):
        CommuteEngine().coverage("walk")


def test_isochrones_start_anywhere_inside_the_coverage_area(engine: CommuteEngine) -> None:
    # inside the area but farther from a node than the old snap limit: the street times
    # treat the point as on the network, so the isochrone must not refuse it
    lon, lat = points_inside_coverage(engine, "car", 600)
    net = engine.network("car")
    snap = net.snap(*lonlat_to_xy(lon, lat))[1]
    far = np.flatnonzero(snap > engine.settings.max_snap_m)
    assert len(far), "a point of the area farther than max_snap_m from every node"
    anchor = LatLon(float(lat[far[0]]), float(lon[far[0]]))
    _, _, minutes = engine.reach_nodes(anchor, mode="car", max_minutes=10)
    assert len(minutes) and minutes.min() >= snap[far[0]] / engine.settings.speed_mps("car") / 60
