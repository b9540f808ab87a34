"""The engine on the committed Leuven graphs: agreement with networkx, sane real answers."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import load_street_network
from dashboard.engine.street import node_times
from geodata.io import load_graph

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
