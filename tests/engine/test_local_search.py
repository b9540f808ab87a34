"""Bounded searches on subgraphs (dashboard/engine/local_search.py) equal scipy's, bit for bit.

Two kinds of graphs: HAND-MADE ones built here (a grid with a one-way street, a fast
join, a zero-length edge and an isolated node), and the REAL committed walk, bike and car
graphs (the car's with its regional network), plus the real walk graph tiled twice by
the Flanders benchmark's builder (joins across the seam).  Every comparison is exact
(``np.array_equal`` on the bits, ``inf`` included) against
``scipy.sparse.csgraph.dijkstra`` on the whole graph.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from benchmarks import flanders as fl
from dashboard.engine import local_search as ls
from dashboard.engine.core import CommuteEngine
from dashboard.engine.local_search import (
    bound_radius_m,
    bounded_seconds,
    seconds_per_metre,
    start_radius_m,
)
from dashboard.engine.network import StreetNetwork
from geodata.io import load_graph

SPEED = 1.37  # m/s: not 1, so that a time and a length cannot be mistaken for each other
X0, Y0 = 173_000.0, 174_000.0  # Leuven, Lambert 72


def _reference(net: StreetNetwork, sources: np.ndarray, limit: float, direction: str) -> np.ndarray:
    graph = net.forward if direction == "from" else net.reverse
    return np.asarray(dijkstra(graph, directed=True, indices=sources, limit=limit))


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a.view(np.int64), b.view(np.int64)))


def _hand_made() -> StreetNetwork:
    """HAND-MADE: a 12 x 9 grid, 100 m across, 70 m up, at SPEED, with extras.

    * one one-way street (node 13 -> 14 only);
    * a fast join from node 0 to node 107 (the far corner, ~1.3 km) in 60 s: faster
      than any street, so the speed bound must come from it;
    * node 108 at the same place as node 50, joined both ways in 5 s (zero length);
    * node 109: isolated;
    * a dead-end tree hanging off node 20: 20 - 110 - 111 -> 112 (one way) and 111 - 113.
    """
    cols, rows = 12, 9
    col, row = np.meshgrid(np.arange(cols), np.arange(rows))
    x = np.r_[X0 + 100.0 * col.ravel(), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    y = np.r_[Y0 + 70.0 * row.ravel(), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    x[108], y[108] = x[50], y[50]
    x[109], y[109] = X0 - 3000.0, Y0
    x[110:114] = x[20] + np.array([30.0, 60.0, 90.0, 60.0])
    y[110:114] = y[20] + np.array([-20.0, -40.0, -40.0, -75.0])
    n = cols * rows
    pairs = [(i, i + 1) for i in range(n) if i % cols < cols - 1]
    pairs += [(i, i + cols) for i in range(n - cols)]
    src = [a for a, b in pairs] + [b for a, b in pairs]
    dst = [b for a, b in pairs] + [a for a, b in pairs]
    keep = [(a, b) != (14, 13) for a, b in zip(src, dst, strict=True)]
    src = list(np.array(src)[keep])
    dst = list(np.array(dst)[keep])
    tree_from = [20, 110, 110, 111, 111, 111, 113]
    tree_to = [110, 20, 111, 110, 112, 113, 111]
    edge_from = np.array([*src, *tree_from, 0, 50, 108])
    edge_to = np.array([*dst, *tree_to, 107, 108, 50])
    length = np.hypot(x[edge_to] - x[edge_from], y[edge_to] - y[edge_from])
    time_s = length / SPEED
    time_s[-3] = 60.0
    time_s[-2:] = 5.0
    return StreetNetwork.from_arrays("hand", x, y, edge_from, edge_to, time_s)


@pytest.fixture(scope="module")
def hand() -> StreetNetwork:
    return _hand_made()


@pytest.fixture(scope="module")
def engine() -> CommuteEngine:
    return CommuteEngine()


# --- hand-made graph -------------------------------------------------------------------


def test_hand_made_bound_comes_from_the_fast_join(hand: StreetNetwork) -> None:
    join_m = np.hypot(hand.x[107] - hand.x[0], hand.y[107] - hand.y[0])
    assert seconds_per_metre(hand) == pytest.approx(60.0 / join_m)
    assert seconds_per_metre(hand) < 1.0 / SPEED / 10  # far below the streets' 1/SPEED


@pytest.mark.parametrize("direction", ["from", "to"])
@pytest.mark.parametrize("limit", [0.0, 40.0, 73.0, 250.0, 900.0, np.inf])
def test_hand_made_every_source_every_node(
    hand: StreetNetwork, direction: str, limit: float
) -> None:
    sources = np.arange(hand.n_nodes)
    targets = np.arange(hand.n_nodes)
    ours = bounded_seconds(hand, sources, targets, limit, direction=direction)  # type: ignore[arg-type]
    assert _same_bits(ours, _reference(hand, sources, limit, direction))


@pytest.mark.parametrize("block_m", [1.0, 150.0, 10_000.0])
def test_hand_made_blocks_of_any_size(hand: StreetNetwork, block_m: float) -> None:
    sources = np.array([5, 6, 17, 0, 107, 108, 50, 109, 5])  # near, far, repeated
    targets = np.array([107, 3, 3, 109, 108, 14, 13])
    ours = bounded_seconds(hand, sources, targets, 120.0, block_m=block_m)
    assert _same_bits(ours, _reference(hand, sources, 120.0, "from")[:, targets])


def test_hand_made_one_way_and_join_are_used(hand: StreetNetwork) -> None:
    out = bounded_seconds(hand, np.array([13, 14, 0]), np.array([14, 13, 107]), 500.0)
    assert out[0, 0] == pytest.approx(100.0 / SPEED)  # 13 -> 14 direct
    assert out[1, 1] == pytest.approx((70.0 + 100.0 + 70.0) / SPEED)  # 14 -> 13 round a block
    assert out[2, 2] == 60.0  # the join


def test_edge_cases(hand: StreetNetwork) -> None:
    empty = bounded_seconds(hand, np.array([], dtype=int), np.arange(5), 100.0)
    assert empty.shape == (0, 5)
    none = bounded_seconds(hand, np.array([3]), np.array([], dtype=int), 100.0)
    assert none.shape == (1, 0)
    isolated = bounded_seconds(hand, np.array([109]), np.arange(hand.n_nodes), 1e6)
    assert isolated[0, 109] == 0.0
    assert np.isinf(np.delete(isolated[0], 109)).all()
    at_zero = bounded_seconds(hand, np.array([50]), np.arange(hand.n_nodes), 0.0)
    assert at_zero[0, 50] == 0.0
    assert np.isinf(np.delete(at_zero[0], 50)).all()  # 108 is 5 s away, at 0 m


@pytest.mark.parametrize(
    ("sources", "limit"),
    [(np.array([-1]), 10.0), (np.array([1000]), 10.0), (np.array([1.5]), 10.0), ([1], -1.0)],
)
def test_bad_input_is_refused(hand: StreetNetwork, sources: np.ndarray, limit: float) -> None:
    with pytest.raises(ValueError, match=r"sources|limit_s"):
        bounded_seconds(hand, np.asarray(sources), np.arange(3), limit)
    with pytest.raises(ValueError, match="limit_s"):
        bounded_seconds(hand, np.array([1]), np.arange(3), float("nan"))


def test_exact_even_with_a_wrong_bound(
    hand: StreetNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The closure test, not the bound, makes the answer exact: with a bound 100 x too
    small (the join ignored), every search that leaves the subgraph is redone on the
    whole graph."""
    monkeypatch.setattr(ls, "bound_radius_m", lambda net, limit: 1.0 + limit * SPEED / 100)
    monkeypatch.setattr(ls, "start_radius_m", lambda net, limit: 1.0 + limit * SPEED / 100)
    sources = np.arange(hand.n_nodes)
    ours = bounded_seconds(hand, sources, sources, 300.0)
    assert _same_bits(ours, _reference(hand, sources, 300.0, "from"))


def test_dead_end_tree_kept_only_towards_sources_and_targets(hand: StreetNetwork) -> None:
    assert not ls._kept(hand, np.array([5]))[[109, 110, 111, 112, 113]].any()
    assert ls._kept(hand, np.array([5]))[20]
    assert ls._kept(hand, np.array([112]))[[110, 111, 112]].all()
    assert not ls._kept(hand, np.array([112]))[113]


@pytest.mark.parametrize("direction", ["from", "to"])
@pytest.mark.parametrize("targets", [[112], [113, 5], [110], [5, 7, 20], [109]])
def test_dead_ends_dropped_exactly(hand: StreetNetwork, direction: str, targets: list[int]) -> None:
    sources = np.arange(hand.n_nodes)
    wanted = np.array(targets)
    ours = bounded_seconds(hand, sources, wanted, 200.0, direction=direction)  # type: ignore[arg-type]
    assert _same_bits(ours, _reference(hand, sources, 200.0, direction)[:, wanted])


def test_small_start_radius_is_doubled(
    hand: StreetNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ls, "start_radius_m", lambda net, limit: 10.0)
    sources = np.array([0, 1, 60, 109])
    ours = bounded_seconds(hand, sources, np.arange(hand.n_nodes), 400.0, direction="to")
    assert _same_bits(ours, _reference(hand, sources, 400.0, "to"))


# --- real graphs -----------------------------------------------------------------------


def _sources(net: StreetNetwork, rng: np.random.Generator) -> np.ndarray:
    """Random nodes, plus a cluster of nearby ones (the same block) and a repeat."""
    spread = rng.integers(0, net.n_nodes, 12)
    centre = int(rng.integers(0, net.n_nodes))
    near = np.argsort(np.hypot(net.x - net.x[centre], net.y - net.y[centre]))[:6]
    return np.r_[spread, near, spread[0]]


@pytest.mark.parametrize("graph", ["walk", "bike", "car"])
@pytest.mark.parametrize("direction", ["from", "to"])
def test_real_graphs_equal_scipy(engine: CommuteEngine, graph: str, direction: str) -> None:
    net = engine.network(graph)
    rng = np.random.default_rng(11)
    sources = _sources(net, rng)
    everything = np.arange(net.n_nodes)
    # 30 minutes at the walk/bike reference, the e-bike's and the car's peak scale
    for limit in (0.0, 300.0, 1800.0, 2400.0, 1800.0 / 1.3):
        ours = bounded_seconds(net, sources, everything, limit, direction=direction)  # type: ignore[arg-type]
        reference = _reference(net, sources, limit, direction)
        assert _same_bits(ours, reference), limit
        few = rng.integers(0, net.n_nodes, 300)  # most dead ends dropped
        ours = bounded_seconds(net, sources, few, limit, direction=direction)  # type: ignore[arg-type]
        assert _same_bits(ours, reference[:, few]), limit


@pytest.mark.parametrize("graph", ["walk", "bike", "car"])
def test_real_graphs_respect_the_radius_bound(engine: CommuteEngine, graph: str) -> None:
    net = engine.network(graph)
    coo = net.forward.tocoo()
    length = np.hypot(net.x[coo.row] - net.x[coo.col], net.y[coo.row] - net.y[coo.col])
    # no edge faster than the bound
    assert (coo.data >= seconds_per_metre(net) * length).all()
    # and every node a search reaches lies within the bound radius of its source
    rng = np.random.default_rng(5)
    sources = rng.integers(0, net.n_nodes, 8)
    for limit in (600.0, 1800.0):
        reached = np.isfinite(_reference(net, sources, limit, "from"))
        for row, s in enumerate(sources):
            far = np.hypot(net.x[reached[row]] - net.x[s], net.y[reached[row]] - net.y[s])
            assert far.max() <= bound_radius_m(net, limit)
        assert start_radius_m(net, limit) <= bound_radius_m(net, limit)


def test_tiled_walk_graph_with_joins_equals_scipy() -> None:
    arrays = fl.tile_graph(load_graph("walk"), 2, 1, (10_400.0, 14_400.0))
    net = fl.tiled_network("walk", arrays)
    joins = np.flatnonzero(arrays["edge_is_join"])
    ends = np.r_[arrays["edge_from"][joins[:3]], arrays["edge_to"][joins[:3]]]
    sources = np.r_[ends, np.random.default_rng(3).integers(0, net.n_nodes, 6)]
    targets = np.arange(0, net.n_nodes, 3)
    for direction in ("from", "to"):
        ours = bounded_seconds(net, sources, targets, 1800.0, direction=direction)  # type: ignore[arg-type]
        ref = _reference(net, sources, 1800.0, direction)[:, targets]
        assert _same_bits(ours, ref)
        assert np.isfinite(ref[:6]).sum() > 0


@pytest.mark.parametrize("learnt_m", [0.5, 1e9])
def test_reach_learnt_by_earlier_calls_changes_no_answer(learnt_m: float) -> None:
    net = _hand_made()  # its own cache of learnt reaches
    ls._geometry(net).reach_m[("to", 300.0)] = learnt_m
    sources = np.arange(net.n_nodes)
    ours = bounded_seconds(net, sources, sources, 300.0, direction="to")
    assert _same_bits(ours, _reference(net, sources, 300.0, "to"))
    assert ls._geometry(net).reach_m[("to", 300.0)] >= learnt_m  # the farthest seen
