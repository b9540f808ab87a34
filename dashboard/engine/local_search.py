"""Bounded shortest-path searches from many sources that cost what they reach.

``scipy.sparse.csgraph.dijkstra`` initialises one entry per node of the graph for every
source, so on a Flanders-size graph (millions of nodes) a 30-minute search costs the
whole graph however few nodes it reaches.  :func:`bounded_seconds` returns the same
numbers, bit for bit, by running scipy's search on a small subgraph around each block
of nearby sources.

Method
------
The sources are grouped into square blocks (grid cells of ``block_m``).  For a block
whose sources lie within ``h`` metres of their mean position, the subgraph holds every
node within ``r + h`` of that centre (found through a grid of the nodes built once per
network), so every node within ``r`` of any of its sources, and every edge between two
such nodes.  scipy's ``dijkstra`` runs on it with ``indices=`` the block's sources and
the same ``limit``; the answer's columns are read for the targets inside the subgraph
(the others are ``inf``).

The radius ``r`` starts at a typical reach (:func:`start_radius_m`, then a little over
the farthest reach seen on the network with the same direction and limit, kept across
calls) and doubles, up to :func:`bound_radius_m`, for the
sources whose search is not *closed* (below).  At the bound every search is closed
(below); if one were not, it would run on the whole graph.  So no answer depends on the
radius, the grouping or the bound: they only decide the cost.  Dead-end trees that hold
no source or target are left out of every subgraph (*Dead ends* below).

Exactness
---------
scipy settles nodes in order of ``d`` and relaxes an edge ``(u, v, w)`` to
``fl(d[u] + w)`` (double rounding, monotone in ``d[u]``, never below it since
``w >= 0``), keeping it only if ``<= limit``.  So its result is, per node, the minimum
over paths whose every prefix sum is ``<= limit`` of the left-to-right rounded sum of
the path's weights (``inf`` with no such path), whatever the order of the nodes and
edges: the standard Dijkstra argument holds for any sum that is monotone and
non-decreasing along a path.

*Closed search.*  Call a subgraph search from ``s`` closed when for every node ``u`` of
the subgraph with an edge ``(u, v, w)`` to a node outside it, ``fl(d_sub[u] + w_min(u))
> limit`` (``w_min``: the lightest such edge of ``u``; the rounded sum is monotone in
``w``).  Take a full-graph path within the limit that leaves the subgraph, and its first
leaving edge ``(u, v)``: its prefix to ``u`` lies in the subgraph, so ``d_sub[u] <=`` the
prefix's sum and ``fl(d_sub[u] + w) <=`` the path's sum at ``v`` ``<= limit``, so the
search is not closed.  Hence in a closed search every path within the limit lies in the
subgraph, the subgraph's minimum is over the same paths, and ``d_sub`` equals the full
graph's ``d`` to the last bit (``inf`` beyond the limit in both).  The test is the
same double addition scipy makes.

*Dead ends.*  Trees of nodes hanging off the network by one node (dead-end streets,
20-30 % of the Leuven graphs' nodes) are dropped unless they hold a source or a target
(:func:`_dead_end_parents`, :func:`_kept`): a path through such a tree between two other
nodes enters and leaves it by the same node, a cycle, which never makes a rounded sum
smaller; so the kept graph's shortest times between kept nodes are the full graph's,
and the closure test above runs on the kept graph.

*Radius bound* (why the doubling stops).  Let ``c`` be the least graph seconds per metre
of straight line over the edges of positive length (:func:`seconds_per_metre`, from the
data: joins or shortcuts faster than the streets lower it; zero-length edges take time
without moving and impose nothing).  Every edge then takes at least ``c`` x its straight
length, so a path within ``limit`` ends at most ``limit / c`` metres (triangle
inequality) from its start, up to the rounding of the sums, far below the relative
margin :data:`_MARGIN` of :func:`bound_radius_m`.  With ``r`` = that radius, every path
within the limit stays in the subgraph: the search is closed (the closure test still
runs, so an error in the bound could cost time, never exactness).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from dashboard.engine.network import StreetNetwork

SearchDirection = Literal["from", "to"]

#: Relative margin on the bound radius: covers the rounding of a path's sum (at most
#: ~1e-16 per edge) and of the per-edge ratios, many orders of magnitude over.
_MARGIN: Final[float] = 1e-6
#: Bytes of one subgraph search's distance matrix (sources x subgraph nodes), at most:
#: sources of a block are searched in chunks below it.
_CHUNK_BYTES: Final[int] = 64 * 2**20
#: Side of the grid cells sorting the nodes (metres).
_CELL_M: Final[float] = 250.0
#: Start radius over the farthest reach seen so far (same network, direction, limit).
_REACH_FACTOR: Final[float] = 1.1
#: Side of a block of sources as a share of the first radius (see ``bounded_seconds``):
#: larger blocks share one extraction between more sources, smaller ones search less.
_BLOCK_SHARE: Final[float] = 1.0


@dataclass(frozen=True)
class _Geometry:
    """Per network, computed once: a grid of the nodes, the speed bound, a typical speed.

    The grid sorts the nodes by square cell of :data:`_CELL_M` (row, then column), so
    the nodes of a rectangle of cells are one slice of ``order`` per row of cells.
    ``reach_m`` is the farthest reach seen per (direction, limit): the next call's first
    radius (a guess, updated by the searches; answers never depend on it).  ``parent``
    describes the dead-end forest (:func:`_dead_end_parents`).
    """

    order: np.ndarray
    keys: np.ndarray
    columns: int
    x0: float
    y0: float
    seconds_per_metre: float
    median_metres_per_second: float
    reach_m: dict[tuple[str, float], float]
    parent: np.ndarray

    def disc(self, net: StreetNetwork, cx: float, cy: float, radius: float) -> np.ndarray:
        """Return the nodes within ``radius`` of (``cx``, ``cy``), spatially grouped."""
        c0, r0 = self._cell(cx - radius, cy - radius)
        c1, r1 = self._cell(cx + radius, cy + radius)
        rows = np.arange(r0, r1 + 1, dtype=np.int64) * self.columns
        lo = np.searchsorted(self.keys, rows + c0)
        hi = np.searchsorted(self.keys, rows + c1 + 1)
        lens = hi - lo
        pos = np.arange(int(lens.sum()), dtype=np.int64) + np.repeat(
            lo - (np.cumsum(lens) - lens), lens
        )
        nodes = self.order[pos]
        keep = np.hypot(net.x[nodes] - cx, net.y[nodes] - cy) <= radius
        return np.asarray(nodes[keep])

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        """Column and row of the cell holding (``x``, ``y``), clipped to the grid."""
        column = int(np.clip(np.floor((x - self.x0) / _CELL_M), 0, self.columns - 1))
        row = int(np.clip(np.floor((y - self.y0) / _CELL_M), 0, 2**40))
        return column, row


_GEOMETRY: weakref.WeakKeyDictionary[StreetNetwork, _Geometry] = weakref.WeakKeyDictionary()


def _geometry(net: StreetNetwork) -> _Geometry:
    """Return the network's :class:`_Geometry` (built on first use, kept while it lives)."""
    found = _GEOMETRY.get(net)
    if found is None:
        coo = net.forward.tocoo()
        length = np.hypot(net.x[coo.row] - net.x[coo.col], net.y[coo.row] - net.y[coo.col])
        moving = length > 0.0  # a zero-length edge takes time without moving: no bound
        ratio = np.asarray(coo.data, dtype=float)[moving] / length[moving]
        bound = float(ratio.min()) if ratio.size else np.inf
        median = float(np.median(1.0 / ratio)) if ratio.size else 0.0
        x0, y0 = float(net.x.min()), float(net.y.min())
        column = np.floor((net.x - x0) / _CELL_M).astype(np.int64)
        row = np.floor((net.y - y0) / _CELL_M).astype(np.int64)
        columns = int(column.max()) + 1
        key = row * columns + column
        order = np.argsort(key, kind="stable")
        parent = _dead_end_parents(net)
        found = _Geometry(order, key[order], columns, x0, y0, bound, median, {}, parent)
        _GEOMETRY[net] = found
    return found


def _dead_end_parents(net: StreetNetwork) -> np.ndarray:
    """Peel the dead ends off the network; return each node's parent in the forest peeled.

    Nodes with at most one neighbour (either direction) are removed, round after round;
    a removed node's parent is its one neighbour left (-1 when none: the last node of a
    component that is a tree); -2 marks the core, never removed.  A path between two
    nodes through a dead-end tree that holds neither enters and leaves it by the same
    node, so it is a cycle: dropping the tree changes no shortest path (the rounded
    sums are monotone along a path, so a cycle never makes one shorter).
    """
    n = net.n_nodes
    coo = net.forward.tocoo()
    loop = coo.row == coo.col
    a, b = coo.row[~loop], coo.col[~loop]
    pattern = sp.csr_matrix(
        (np.ones(2 * len(a), dtype=np.int8), (np.r_[a, b], np.r_[b, a])), shape=(n, n)
    )
    pattern.sum_duplicates()
    degree = np.diff(pattern.indptr).astype(np.int64)
    alive = np.ones(n, dtype=bool)
    parent = np.full(n, -2, dtype=np.int64)
    leaves = np.flatnonzero(degree <= 1)
    while len(leaves):
        alive[leaves] = False
        starts = pattern.indptr[leaves].astype(np.int64)
        lens = pattern.indptr[leaves + 1].astype(np.int64) - starts
        pos = np.arange(int(lens.sum()), dtype=np.int64) + np.repeat(
            starts - (np.cumsum(lens) - lens), lens
        )
        neighbour = pattern.indices[pos].astype(np.int64)
        owner = np.repeat(leaves, lens)
        left = alive[neighbour]  # at most one per leaf
        parent[leaves] = -1
        parent[owner[left]] = neighbour[left]
        np.subtract.at(degree, neighbour[left], 1)
        touched = np.unique(neighbour[left])
        leaves = touched[alive[touched] & (degree[touched] <= 1)]
    return parent


def _kept(net: StreetNetwork, needed: np.ndarray) -> np.ndarray:
    """Return per node whether to keep it: the core and the dead ends leading to ``needed``.

    A dead-end node is kept when its subtree in the peeled forest holds a needed node
    (a source or a target): the needed nodes and all their ancestors.  The path
    between two kept nodes of one tree runs through their common ancestor: kept too.
    """
    parent = _geometry(net).parent
    keep = parent == -2
    frontier = np.unique(needed)
    keep[frontier] = True
    while len(frontier):
        up = parent[frontier]
        up = up[up >= 0]
        up = np.unique(up[~keep[up]])
        keep[up] = True
        frontier = up
    return np.asarray(keep)


def seconds_per_metre(net: StreetNetwork) -> float:
    """Least graph seconds per metre of straight line over the network's edges.

    Every edge ``(u, v)`` of positive straight length ``L`` has weight ``>= c x L``
    (``c`` the value returned), whatever the mode: computed from the data, so joins
    and shortcuts faster than the streets count.  ``inf`` when no edge moves.
    """
    return _geometry(net).seconds_per_metre


def bound_radius_m(net: StreetNetwork, limit_s: float) -> float:
    """Metres from a source within which every path of at most ``limit_s`` stays.

    ``limit_s / seconds_per_metre(net)`` plus a relative margin for rounding (see the
    module docstring); ``inf`` when the network has an edge of no time but some length.
    """
    bound = seconds_per_metre(net)
    if bound <= 0.0:
        return float(np.inf)
    return float(limit_s / bound * (1.0 + _MARGIN) + _MARGIN)


def start_radius_m(net: StreetNetwork, limit_s: float) -> float:
    """First radius tried: ``limit_s`` at the network's median edge speed (<= the bound).

    Paths bend and start slowly, so most searches reach less far; those that reach
    farther (motorways) fail the closure test and are searched again with a larger radius.
    """
    return min(bound_radius_m(net, limit_s), limit_s * _geometry(net).median_metres_per_second)


def bounded_seconds(
    net: StreetNetwork,
    sources: np.ndarray,
    targets: np.ndarray,
    limit_s: float,
    *,
    direction: SearchDirection = "from",
    block_m: float | None = None,
) -> np.ndarray:
    """Bounded shortest graph seconds from each source to each target.

    Exactly ``dijkstra(graph, indices=sources, limit=limit_s)[:, targets]`` (``graph``:
    ``net.forward`` for ``"from"``, ``net.reverse`` for ``"to"``), to the last bit, at a
    cost close to what each search reaches (see the module docstring).

    Parameters
    ----------
    net : StreetNetwork
        The network (graph seconds and node positions in metres).
    sources : ndarray of int
        Source nodes (any order, repeats allowed).
    targets : ndarray of int
        Nodes whose times are returned (any order, repeats allowed).
    limit_s : float
        Search limit in graph seconds (>= 0); ``inf`` searches the whole graph.
    direction : {"from", "to"}
        ``"from"``: source -> target on ``net.forward``; ``"to"``: target -> source
        (the search runs on ``net.reverse``).
    block_m : float, optional
        Side of the square blocks grouping the sources (default: the first
        radius).  Larger blocks extract fewer, larger subgraphs.

    Returns
    -------
    ndarray
        Shape (sources, targets), float64 seconds; ``inf`` beyond the limit.

    Raises
    ------
    ValueError
        When the limit is negative or NaN, or a node index is outside the network.
    """
    src = _node_array(net, sources, "sources")
    tgt = _node_array(net, targets, "targets")
    limit = float(limit_s)
    if not limit >= 0.0:  # also catches NaN
        msg = f"limit_s must be >= 0 seconds, got {limit_s!r}"
        raise ValueError(msg)
    graph = net.forward if direction == "from" else net.reverse
    out = np.full((len(src), len(tgt)), np.inf)
    if not len(src):
        return out
    if not np.isfinite(limit):
        return np.asarray(dijkstra(graph, directed=True, indices=src, limit=limit))[:, tgt]
    local = np.full(net.n_nodes, -1, np.int64)
    search = _Search(net, graph, src, tgt, limit, out, local, _kept(net, np.r_[src, tgt]))
    side = block_m if block_m is not None else max(_BLOCK_SHARE * search.start_m, 1.0)
    cell = np.floor(np.column_stack([net.x[src], net.y[src]]) / side).astype(np.int64)
    _, block = np.unique(cell, axis=0, return_inverse=True)
    block = block.ravel()
    for rows in np.split(np.argsort(block, kind="stable"), np.cumsum(np.bincount(block))[:-1]):
        search.block(rows)
    return out


def _node_array(net: StreetNetwork, nodes: np.ndarray, name: str) -> np.ndarray:
    """Check and return ``nodes`` as a 1-d int64 array of indices into ``net``."""
    arr = np.asarray(nodes).ravel()
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        msg = f"{name} must be integer node indices, got dtype {arr.dtype}"
        raise ValueError(msg)
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= net.n_nodes):
        msg = f"{name} must lie in [0, {net.n_nodes}), got {arr.min()}..{arr.max()}"
        raise ValueError(msg)
    return arr


@dataclass(frozen=True)
class _Subgraph:
    """A node set's induced subgraph and, per node, its lightest edge leaving the set."""

    nodes: np.ndarray
    graph: sp.csr_matrix
    exit_rows: np.ndarray
    exit_w: np.ndarray


@dataclass
class _Search:
    """One :func:`bounded_seconds` call: the graph, the nodes, the answer filled in.

    ``local`` maps a node of the full graph to its row in the current subgraph (-1
    elsewhere); it is reset after each subgraph, so one N-sized array serves them all.
    ``start_m`` is the radius a block starts with: a little over the farthest reach
    seen so far on the network with the same direction and limit (kept across calls),
    :func:`start_radius_m` before any (a guess: only the cost depends on it).
    """

    net: StreetNetwork
    graph: sp.csr_matrix
    src: np.ndarray
    targets: np.ndarray
    limit: float
    out: np.ndarray
    local: np.ndarray
    keep: np.ndarray
    start_m: float = 0.0
    bound_m: float = 0.0
    seen_m: float = 0.0

    def __post_init__(self) -> None:
        self.bound_m = bound_radius_m(self.net, self.limit)
        self.seen_m = _geometry(self.net).reach_m.get(self._key, 0.0)
        self.start_m = start_radius_m(self.net, self.limit)
        if self.seen_m > 0.0:
            self.start_m = min(self.bound_m, _REACH_FACTOR * self.seen_m)

    @property
    def _key(self) -> tuple[str, float]:
        """Key of the reach learnt for this graph direction and limit (kept across calls)."""
        return ("from" if self.graph is self.net.forward else "to", self.limit)

    def block(self, rows: np.ndarray) -> None:
        """Fill ``out[rows]``: search on a disc, doubled for the searches not closed."""
        radius = self.start_m
        while len(rows):
            rows = self._on_disc(rows, radius)
            if len(rows) and radius >= self.bound_m:  # cannot happen if the bound holds
                found = dijkstra(
                    self.graph, directed=True, indices=self.src[rows], limit=self.limit
                )
                self.out[rows] = np.asarray(found)[:, self.targets]
                return
            radius = min(2.0 * radius, self.bound_m)

    def _on_disc(self, rows: np.ndarray, radius: float) -> np.ndarray:
        """Search ``src[rows]`` on the disc round them; return the rows not closed."""
        nodes = self.src[rows]
        x, y = self.net.x, self.net.y
        cx, cy = float(x[nodes].mean()), float(y[nodes].mean())
        spread = float(np.hypot(x[nodes] - cx, y[nodes] - cy).max())
        members = _geometry(self.net).disc(
            self.net, cx, cy, radius + spread * (1.0 + _MARGIN) + _MARGIN
        )
        members = members[self.keep[members]]  # dead ends leading to no source or target
        self.local[members] = 0
        missing = np.unique(nodes[self.local[nodes] < 0])  # never, short of rounding
        members = np.r_[members, missing] if len(missing) else members
        sub = _subgraph(self.graph, members, self.local, self.keep)
        try:
            open_rows, far = self._search(sub, rows, nodes, (cx, cy))
        finally:
            self.local[members] = -1
        self.seen_m = max(self.seen_m, far - spread)
        self.start_m = min(self.bound_m, max(_REACH_FACTOR * self.seen_m, 1.0))
        _geometry(self.net).reach_m[self._key] = self.seen_m
        return open_rows

    def _search(
        self, sub: _Subgraph, rows: np.ndarray, nodes: np.ndarray, centre: tuple[float, float]
    ) -> tuple[np.ndarray, float]:
        """Run scipy on the subgraph in chunks; fill the closed rows.

        Returns the rows not closed and the farthest distance from ``centre`` of a node
        reached by a closed search.
        """
        at = self.local[self.targets]
        hit = np.flatnonzero(at >= 0)
        chunk = max(1, _CHUNK_BYTES // (8 * len(sub.nodes)))
        open_rows, far = [], 0.0
        for start in range(0, len(rows), chunk):
            part = slice(start, start + chunk)
            dist = np.asarray(
                dijkstra(
                    sub.graph, directed=True, indices=self.local[nodes[part]], limit=self.limit
                )
            )
            # closed: no edge leaving the subgraph is relaxed within the limit (docstring)
            leaves = dist[:, sub.exit_rows] + sub.exit_w[None, :] <= self.limit
            closed = ~leaves.any(axis=1)
            done = rows[part][closed]
            self.out[np.ix_(done, hit)] = dist[np.ix_(np.flatnonzero(closed), at[hit])]
            open_rows.append(rows[part][~closed])
            reached = sub.nodes[np.isfinite(dist[closed]).any(axis=0)]
            if len(reached):
                gap = np.hypot(self.net.x[reached] - centre[0], self.net.y[reached] - centre[1])
                far = max(far, float(gap.max()))
        return np.concatenate(open_rows), far


def _subgraph(
    graph: sp.csr_matrix, members: np.ndarray, local: np.ndarray, keep: np.ndarray
) -> _Subgraph:
    """Induced subgraph of ``members``; sets ``local[members]`` to their rows.

    Gathers the members' CSR rows directly (``graph[members][:, members]`` would build
    an N-sized column map per call); edges to kept non-members become the exits (the
    others lead into dead ends that no shortest path between kept nodes uses).
    """
    k = len(members)
    local[members] = np.arange(k)
    starts = graph.indptr[members].astype(np.int64)
    lens = graph.indptr[members + 1].astype(np.int64) - starts
    total = int(lens.sum())
    offsets = np.cumsum(lens) - lens
    pos = np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, lens)
    row = np.repeat(np.arange(k, dtype=np.int64), lens)
    col = local[graph.indices[pos]]
    weight = graph.data[pos]
    inside = col >= 0
    indptr = np.r_[0, np.cumsum(np.bincount(row[inside], minlength=k))]
    sub = sp.csr_matrix((weight[inside], col[inside].astype(np.int32), indptr), shape=(k, k))
    leaving = ~inside & keep[graph.indices[pos]]
    exit_w = np.full(k, np.inf)
    np.minimum.at(exit_w, row[leaving], weight[leaving])
    exit_rows = np.flatnonzero(np.isfinite(exit_w))
    return _Subgraph(members, sub, exit_rows, exit_w[exit_rows])
