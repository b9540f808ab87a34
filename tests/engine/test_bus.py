"""Estimated walk + bus model: hand-computed times on a tiny line, never slower than walking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from dashboard.engine import network
from dashboard.engine.bus import (
    BUS_KMH,
    DWELL_S,
    METHOD_BUS,
    METHOD_WALK,
    RIDE_DETOUR,
    WAIT_FRACTION,
    BusNetwork,
    build_bus_network,
    bus_times,
)
from dashboard.engine.core import CommuteEngine, commute_times
from dashboard.engine.errors import OutsideCoverageError
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import StreetNetwork, lonlat_to_xy, xy_to_lonlat
from dashboard.engine.settings import EngineSettings
from geodata.catalog import DATA_DIR, layer_path
from geodata.io import LayerManifest, load_graph, save_graph, save_layer

#: Hand-made street: 31 walk nodes 100 m apart along an east-west line in Leuven.
N_NODES, SPACING_M, EDGE_S = 31, 100.0, 75.0  # 100 m at 4.8 km/h = 75 s
X0, Y0 = (float(v[0]) for v in lonlat_to_xy(np.array([4.70]), np.array([50.88])))
HEADWAY_MIN = 10.0
WAIT_S = WAIT_FRACTION * HEADWAY_MIN * 60  # 300 s
HOP_S = 1000 * RIDE_DETOUR / (BUS_KMH / 3.6) + DWELL_S  # 1 km between stops: 280 s


def line_walk() -> StreetNetwork:
    """Two-way walk edges between neighbouring nodes, 75 s each."""
    x = X0 + SPACING_M * np.arange(N_NODES)
    y = np.full(N_NODES, Y0)
    a = np.arange(N_NODES - 1)
    return StreetNetwork.from_arrays(
        "walk",
        x,
        y,
        np.concatenate([a, a + 1]),
        np.concatenate([a + 1, a]),
        np.full(2 * (N_NODES - 1), EDGE_S),
    )


def node_lonlat(*nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 position of walk nodes of the hand-made line."""
    idx = np.asarray(nodes)
    return xy_to_lonlat(X0 + SPACING_M * idx, np.full(len(idx), Y0))


def one_way_bus(walk: StreetNetwork) -> BusNetwork:
    """One relation eastwards with stops at nodes 0, 10, 20 and 30, every 10 minutes."""
    lon, lat = node_lonlat(0, 10, 20, 30)
    return build_bus_network(walk, np.full(4, 7), np.arange(4), lon, lat, np.full(4, HEADWAY_MIN))


@pytest.fixture
def bus() -> BusNetwork:
    return one_way_bus(line_walk())


def workplace_at(node: int) -> LatLon:
    lon, lat = node_lonlat(node)
    return LatLon(float(lat[0]), float(lon[0]))


# --------------------------------------------------------------------------- by hand


def test_times_by_hand(bus: BusNetwork) -> None:
    lon, lat = node_lonlat(0, 5, 28)
    out = bus_times(bus, workplace_at(30), lon, lat)
    # node 0: wait 300 s + three hops of 280 s, alight at the workplace's own node.
    assert out.minutes[0] == pytest.approx((WAIT_S + 3 * HOP_S) / 60, abs=1e-3)
    assert out.minutes[0] == pytest.approx(19.0, abs=1e-3)  # 1,140 s
    # node 5: walk 5 nodes to the stop at node 10, then two hops (vs 25 nodes on foot).
    assert out.minutes[1] == pytest.approx((5 * EDGE_S + WAIT_S + 2 * HOP_S) / 60, abs=1e-3)
    # node 28: two nodes on foot beat any bus.
    assert out.minutes[2] == pytest.approx(2 * EDGE_S / 60, abs=1e-3)
    assert out.method.tolist() == [METHOD_BUS, METHOD_BUS, METHOD_WALK]
    assert out.estimated.tolist() == [True, True, False]
    assert np.array_equal(out.p10, out.minutes)


def test_bus_runs_one_way_only(bus: BusNetwork) -> None:
    """Towards a workplace at the line's start the eastbound bus cannot help."""
    lon, lat = node_lonlat(30)
    out = bus_times(bus, workplace_at(0), lon, lat)
    assert out.minutes[0] == pytest.approx(30 * EDGE_S / 60, abs=1e-3)
    assert out.method[0] == METHOD_WALK


def test_never_slower_than_walking(bus: BusNetwork) -> None:
    rng = np.random.default_rng(3)
    nodes = rng.integers(0, N_NODES, 200)
    lon, lat = node_lonlat(*nodes)
    lon = lon + rng.normal(0, 2e-4, len(lon))  # off-node points: snap legs at walk speed
    for anchor in (0, 13, 30):
        with_bus = bus_times(bus, workplace_at(anchor), lon, lat)
        walk_only = bus_times(
            build_bus_network(bus.walk, *(np.zeros(0) for _ in range(5))),
            workplace_at(anchor),
            lon,
            lat,
        )
        assert (walk_only.method == METHOD_WALK).all()
        assert np.all(with_bus.minutes <= walk_only.minutes + 1e-9)
        faster = with_bus.minutes < walk_only.minutes - 1e-9
        assert (with_bus.method[faster] == METHOD_BUS).all()
        assert (with_bus.method[~faster] == METHOD_WALK).all()


def test_time_limit(bus: BusNetwork) -> None:
    lon, lat = node_lonlat(0, 5)
    out = bus_times(bus, workplace_at(30), lon, lat, max_minutes=19.5)
    assert out.minutes[0] == pytest.approx(19.0, abs=1e-3)
    assert np.isnan(out.minutes[1])  # 20.6 minutes


def test_rows_without_headway_or_position_gaps_are_not_ridden() -> None:
    walk = line_walk()
    lon, lat = node_lonlat(0, 10, 20, 30)
    headway = np.array([HEADWAY_MIN, HEADWAY_MIN, np.nan, HEADWAY_MIN])
    # positions 0, 1 then a jump to 9 (the route left the extract): only one ride edge.
    net = build_bus_network(walk, np.full(4, 7), np.array([0, 1, 8, 9]), lon, lat, headway)
    assert net.ride_edges == 1
    assert net.combined.n_nodes == N_NODES + 3
    # node 10 -> 30: no bus (stop at 20 lacks a headway, 30 is cut off by the gap).
    out = bus_times(net, workplace_at(30), *node_lonlat(10))
    assert out.method[0] == METHOD_WALK
    # node 0 -> 10: the one remaining hop.
    out = bus_times(net, workplace_at(10), *node_lonlat(0))
    assert out.minutes[0] == pytest.approx((WAIT_S + HOP_S) / 60, abs=1e-3)


def test_points_off_the_network_are_straight_line_walks(bus: BusNetwork) -> None:
    lon, lat = node_lonlat(0)
    out = bus_times(bus, workplace_at(30), lon, lat + 0.01)  # about 1.1 km north
    assert out.method[0] == "walk (straight line x detour)"
    assert out.estimated[0]


def test_workplace_far_away_is_refused(bus: BusNetwork) -> None:
    lon, lat = node_lonlat(0)
    with pytest.raises(OutsideCoverageError):
        bus_times(bus, LatLon(51.5, 4.70), lon, lat)


def test_engine_loads_snapshot_once(tmp_path: Path) -> None:
    """Through a CommuteEngine: the walk graph and bus_routes layer of its data_dir."""
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
    # the speed the edge times are stored at, and a detour factor as the ETL measures one
    manifest.extra = {"rules": {"speed_kmh": 4.8}, "detour_factor": {"median": 1.2}}
    save_graph(arrays, manifest, tmp_path)
    s_lon, s_lat = node_lonlat(0, 10, 20, 30)
    routes = pd.DataFrame(
        {
            "relation_id": np.full(4, 7, dtype=np.int64),
            "position": np.arange(4, dtype=np.int64),
            "stop_lon": s_lon,
            "stop_lat": s_lat,
            "headway_min": np.full(4, HEADWAY_MIN),
        }
    )
    save_layer(routes, LayerManifest("bus_routes", "b", "s", "u", "l", "d", "c"), tmp_path)
    engine = CommuteEngine(data_dir=tmp_path)
    out = bus_times(engine, workplace_at(30), *node_lonlat(0))
    assert out.minutes[0] == pytest.approx(19.0, abs=1e-3)
    assert engine.bus_network() is engine.bus_network()
    # A slower walker: walking legs follow the engine's speed, like the walk mode.
    slow = CommuteEngine(data_dir=tmp_path, settings=EngineSettings(walk_kmh=4.0))
    lon, lat = node_lonlat(28, 0)
    out = bus_times(slow, workplace_at(30), lon, lat)
    walking = commute_times(slow, workplace_at(30), lon, lat, mode="walk")
    assert out.minutes[0] == pytest.approx(walking.minutes[0])
    assert out.minutes[0] == pytest.approx(2 * 90 / 60, abs=1e-3)  # 100 m at 4 km/h: 90 s
    assert out.minutes[1] == pytest.approx((WAIT_S + 3 * HOP_S) / 60, abs=1e-3)


# --------------------------------------------------------------------------- real snapshot


@pytest.mark.skipif(
    not layer_path("bus_routes", DATA_DIR).exists(), reason="no bus_routes layer in the snapshot"
)
def test_bus_network_shares_the_engines_walk_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bus model runs on the engine's walk network: one object, the graph read once."""
    reads: list[str] = []
    real_load = load_graph

    def counting(name: str, data_dir: Path | None = None) -> dict[str, np.ndarray]:
        reads.append(name)
        return real_load(name, data_dir)

    monkeypatch.setattr(network, "load_graph", counting, raising=False)
    engine = CommuteEngine(data_dir=DATA_DIR)
    walk = engine.network("walk")
    assert engine.bus_network().walk is walk
    assert reads == ["walk"]


@pytest.mark.skipif(
    not layer_path("bus_routes", DATA_DIR).exists(), reason="no bus_routes layer in the snapshot"
)
def test_real_line_3_beats_walking() -> None:
    """Gasthuisberg Campus to Leuven station (about 3 km along line 3): bus < walk."""
    engine = CommuteEngine(data_dir=DATA_DIR)
    station = LatLon(50.8810, 4.7160)
    lon, lat = np.array([4.672941]), np.array([50.881034])  # stop Leuven Gasthuisberg Campus
    walk = commute_times(engine, station, lon, lat, mode="walk")
    out = bus_times(engine, station, lon, lat, max_minutes=90)
    assert walk.minutes[0] > 30
    assert out.minutes[0] < walk.minutes[0] - 5
    assert out.method[0] == METHOD_BUS
    assert out.estimated[0]


@pytest.mark.skipif(
    not layer_path("bus_routes", DATA_DIR).exists(), reason="no bus_routes layer in the snapshot"
)
def test_workplace_far_from_a_node_but_inside_the_walk_coverage_takes_the_bus() -> None:
    """A workplace in Wilsele inside the walk graph's coverage area (a filled hole between
    streets) but more than max_snap_m from any walk node: walking routes it on the network,
    so the bus may serve it too (it used to be refused by the snap distance alone)."""
    engine = CommuteEngine(data_dir=DATA_DIR)
    workplace = LatLon(50.91322, 4.69509)
    x, y = lonlat_to_xy(np.array([workplace.lon]), np.array([workplace.lat]))
    coverage = engine.coverage("walk")
    assert coverage is not None
    assert coverage.area.contains(shapely.Point(x[0], y[0]))
    assert engine.network("walk").snap(x, y)[1][0] > engine.settings.max_snap_m
    lon, lat = (
        g.ravel() for g in np.meshgrid(np.linspace(4.68, 4.74, 7), np.linspace(50.86, 50.90, 5))
    )
    walk = commute_times(engine, workplace, lon, lat, mode="walk")
    out = bus_times(engine, workplace, lon, lat)
    on_network = walk.method == "network"
    assert on_network.any()
    # where walking routes on the network, the answer is walking or the bus, never an estimate
    assert set(out.method[on_network]) <= {METHOD_WALK, METHOD_BUS}
    assert (out.method == METHOD_BUS).any()
    assert np.all(out.minutes <= walk.minutes + 1e-9)
