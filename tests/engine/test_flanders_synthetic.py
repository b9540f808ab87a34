"""The synthetic Flanders-scale builder (benchmarks/flanders.py) tiles graphs correctly.

Hand-made 3 x 3 grid (100 m across, 70 m up, edge times at 1.37 m/s, one one-way
edge), tiled; expected values from the original grid's own shortest paths.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from benchmarks import flanders as fl
from dashboard.engine.accessibility import Places, nearest_facility
from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import StreetNetwork, lonlat_to_xy, xy_to_lonlat
from dashboard.engine.street import Coverage
from geodata.io import load_graph

SPEED = 1.37  # m/s: not 1, so that a time and a length cannot be mistaken for each other
X0, Y0 = 173_000.0, 174_000.0  # Leuven, Lambert 72
STEP = (400.0, 300.0)  # tile shift: the grid is 200 x 140 m


def _grid() -> dict[str, np.ndarray]:
    col, row = np.meshgrid(np.arange(3), np.arange(3))
    x, y = X0 + 100.0 * col.ravel(), Y0 + 70.0 * row.ravel()
    pairs = [(i, i + 1) for i in range(9) if i % 3 < 2] + [(i, i + 3) for i in range(6)]
    src = [a for a, b in pairs] + [b for a, b in pairs]
    dst = [b for a, b in pairs] + [a for a, b in pairs]
    keep = [k for k, (a, b) in enumerate(zip(src, dst, strict=True)) if (a, b) != (4, 3)]
    src, dst = np.array(src)[keep], np.array(dst)[keep]  # 3 -> 4 one way
    length = np.hypot(x[dst] - x[src], y[dst] - y[src])
    return {
        "node_x": x,
        "node_y": y,
        "edge_from": src,
        "edge_to": dst,
        "edge_length_m": length,
        "edge_time_s": length / SPEED,
    }


def _network(arrays: dict[str, np.ndarray]) -> StreetNetwork:
    return fl.tiled_network("walk", arrays)


def _times(net: StreetNetwork) -> np.ndarray:
    return np.asarray(dijkstra(net.forward, directed=True))


def test_tiling_2x1_doubles_nodes_and_edges() -> None:
    grid = _grid()
    tiled = fl.tile_graph(grid, 2, 1, STEP, joins_per_seam=3)
    n, m = len(grid["node_x"]), len(grid["edge_from"])
    assert len(tiled["node_x"]) == 2 * n
    assert int((~tiled["edge_is_join"]).sum()) == 2 * m
    assert int(tiled["edge_is_join"].sum()) == 2 * 3  # one join per row, both ways
    assert tiled["node_tile"].tolist() == [0] * n + [1] * n


def test_copies_are_disjoint_shifted_copies() -> None:
    grid = _grid()
    tiled = fl.tile_graph(grid, 2, 1, STEP, joins_per_seam=3)
    n = len(grid["node_x"])
    np.testing.assert_array_equal(tiled["node_x"][n:], grid["node_x"] + STEP[0])
    np.testing.assert_array_equal(tiled["node_y"][n:], grid["node_y"])
    inner = ~tiled["edge_is_join"]
    tile = tiled["node_tile"]
    src, dst = tiled["edge_from"][inner], tiled["edge_to"][inner]
    assert (tile[src] == tile[dst]).all()  # only the joins cross tiles
    second = tile[src] == 1
    assert sorted(zip(src[second] - n, dst[second] - n, strict=True)) == sorted(
        zip(grid["edge_from"].tolist(), grid["edge_to"].tolist(), strict=True)
    )


def test_a_path_inside_one_copy_takes_the_original_time() -> None:
    grid = _grid()
    tiled = _times(_network(fl.tile_graph(grid, 2, 1, STEP, joins_per_seam=3)))
    original = _times(_network(grid))
    n = len(grid["node_x"])
    np.testing.assert_allclose(tiled[n:, n:], original, rtol=0, atol=1e-9)
    np.testing.assert_allclose(tiled[:n, :n], original, rtol=0, atol=1e-9)
    assert original[3, 4] == pytest.approx(100 / SPEED)
    assert original[4, 3] > original[3, 4]  # the one-way edge survived the tiling


def test_joins_cross_the_seam_at_their_real_length_both_ways() -> None:
    grid = _grid()
    tiled = fl.tile_graph(grid, 2, 1, STEP, joins_per_seam=3)
    join = tiled["edge_is_join"]
    src, dst = tiled["edge_from"][join], tiled["edge_to"][join]
    x, y = tiled["node_x"], tiled["node_y"]
    metres = np.hypot(x[dst] - x[src], y[dst] - y[src])
    np.testing.assert_allclose(tiled["edge_length_m"][join], metres)
    np.testing.assert_allclose(tiled["edge_time_s"][join], metres / SPEED)
    assert (tiled["node_tile"][src] != tiled["node_tile"][dst]).all()
    assert set(zip(src.tolist(), dst.tolist(), strict=True)) == set(
        zip(dst.tolist(), src.tolist(), strict=True)
    )
    # the nearest boundary nodes: each row's east node to the next tile's west node
    assert sorted(metres.tolist()) == pytest.approx([200.0] * 6)


def test_crossing_the_one_join_is_shortest_path_consistent() -> None:
    grid = _grid()
    tiled = fl.tile_graph(grid, 2, 1, STEP, joins_per_seam=1)
    n = len(grid["node_x"])
    join = np.flatnonzero(tiled["edge_is_join"] & (tiled["node_tile"][tiled["edge_from"]] == 0))
    assert len(join) == 1
    a, b = int(tiled["edge_from"][join[0]]), int(tiled["edge_to"][join[0]]) - n
    w = float(tiled["edge_time_s"][join[0]])
    original = _times(_network(grid))
    expected = original[:, a][:, None] + w + original[b, :][None, :]
    np.testing.assert_allclose(_times(_network(tiled))[:n, n:], expected, rtol=0, atol=1e-9)


def test_a_2x2_tiling_is_joined_across_rows_and_columns() -> None:
    tiled = fl.tile_graph(_grid(), 2, 2, STEP, joins_per_seam=3)
    tile = tiled["node_tile"]
    join = tiled["edge_is_join"]
    crossings = {
        (int(tile[s]), int(tile[d]))
        for s, d in zip(tiled["edge_from"][join], tiled["edge_to"][join], strict=True)
    }
    assert crossings == {(0, 1), (1, 0), (2, 3), (3, 2), (0, 2), (2, 0), (1, 3), (3, 1)}
    assert np.isfinite(_times(_network(tiled))).all()  # one strongly connected graph


def test_tile_places_copies_every_point_into_every_tile() -> None:
    lon, lat = xy_to_lonlat(np.array([X0 + 30.0, X0 + 170.0]), np.array([Y0 + 20.0, Y0 + 90.0]))
    offsets = fl.tile_offsets(2, 2, *STEP)
    copies = fl.tile_places(Places(np.array(["a", "b"]), lon, lat), offsets)
    assert copies.ids.tolist() == ["a@0", "b@0", "a@1", "b@1", "a@2", "b@2", "a@3", "b@3"]
    x, y = lonlat_to_xy(copies.lon, copies.lat)
    np.testing.assert_allclose(x, X0 + np.array([30, 170] * 4) + np.repeat([0, 400, 0, 400], 2))
    np.testing.assert_allclose(y, Y0 + np.array([20, 90] * 4) + np.repeat([0, 0, 300, 300], 2))


def test_the_synthetic_engine_answers_in_a_copy_as_on_the_original() -> None:
    grid = _grid()
    tiled = _network(fl.tile_graph(grid, 2, 1, STEP, joins_per_seam=3))
    original = _network(grid)

    def engine(net: StreetNetwork, width: float) -> fl.SyntheticEngine:
        area = shapely.box(X0 - 50, Y0 - 50, X0 + width + 50, Y0 + 190)
        return fl.SyntheticEngine(
            networks={"walk": net}, coverages={"walk": Coverage.of(net, area, 400.0)}
        )

    def ask(net: StreetNetwork, width: float, shift: float) -> np.ndarray:
        lon, lat = xy_to_lonlat(X0 + shift + np.array([10.0, 40.0, 180.0]), Y0 + 60 + np.zeros(3))
        a_lon, a_lat = xy_to_lonlat(np.array([X0 + shift + 95.0]), np.array([Y0 + 5.0]))
        anchor = LatLon(float(a_lat[0]), float(a_lon[0]))
        times = engine(net, width).times(anchor, lon, lat, mode="walk", direction="from")
        assert not times.estimated.any()
        return times.minutes

    copy = ask(tiled, STEP[0] + 200, STEP[0])
    # the places go through lon/lat and back: snap legs agree to micrometres, not bits
    np.testing.assert_allclose(copy, ask(original, 200, 0.0), rtol=0, atol=1e-6)
    assert np.all(copy > 0)


def test_the_built_set_holds_two_copies_and_answers_like_the_real_engine_nearby() -> None:
    """2 x 1 tiles of the real graphs: a station nearer (on foot) to a place in tile 0
    than the shortest join is found as on the real graph (no path through tile 1 can be
    shorter); farther ones can only get nearer."""
    two = fl.build((2, 1), facility_target=0)
    real = CommuteEngine()
    assert two.nodes["walk"] == 2 * real.network("walk").n_nodes
    assert "synthetic_addresses" not in two.layers
    half = len(two.origins) // 2
    assert len(two.origins) == 2 * half > 0
    assert {i.rsplit("@", 1)[1] for i in two.origins.ids[:half]} == {"0"}
    first = Places(two.origins.ids[:half], two.origins.lon[:half], two.origins.lat[:half])
    stations = two.layers["stations"]
    at_0 = np.char.endswith(stations.ids.astype(str), "@0")
    own = Places(stations.ids[at_0], stations.lon[at_0], stations.lat[at_0])
    tiled = nearest_facility(two.engine, "walk", first, stations).minutes
    original = nearest_facility(real, "walk", first, own).minutes
    walk = load_graph("walk")
    *_, metres = fl.seam_joins(
        walk["node_x"], walk["node_y"], (two.step[0], 0.0), fl.JOINS_PER_SEAM
    )
    shortest_join_min = metres.min() / (real.reference_kmh("walk") / 3.6) / 60
    near = original < shortest_join_min
    assert near.any() and (~near).any()
    np.testing.assert_allclose(tiled[near], original[near], rtol=0, atol=1e-9)
    assert (tiled <= original + 1e-9).all()
