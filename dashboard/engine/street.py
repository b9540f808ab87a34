"""Street-mode travel times (walk, bike, e-bike, car) from or to one anchor.

Every trip is routed on the network as far as the network goes; only the part beyond the
area the detailed graph covers (:func:`inside_coverage`) is estimated.  Method per point,
reported with every result:

``network``
    anchor and point inside the coverage area: each snaps to its nearest detailed node;
    time = snap leg at mode speed + shortest path + snap leg (``estimated`` False,
    ``estimated_share`` 0).  The arithmetic of the first model, unchanged;
``regional network``
    car only: an end lies outside the coverage area and its best route runs to or from
    a node of the strategic regional car network joined to the detailed one
    (``estimated``: the regional network has no street geometry and model speeds);
``straight line x detour``
    an end lies outside the coverage area: the time is the network time to the best of
    the nodes near the area's edge (:attr:`Coverage.edge_nodes`; the end's nearest node
    too) plus the remainder from that node, straight line x detour factor
    (:func:`remainder_seconds`); when the anchor itself is outside, the whole trip
    estimated that way is used where that is faster (``estimated``);
``outside coverage``
    farther from the anchor than ``max_distance_m``: no time (``nan``).

The best over one fixed set of nodes (not the k nearest of each point, whose best member
can drop out of the set as the point moves) makes the time continuous outside the
coverage area: a point moving 50 m changes its time by at most 50 m x detour at the
estimate speed, never by a switch of model (``tests/engine/test_transects.py`` walks four
transects from Leuven station to check it).  Inside the area a point keeps its nearest
node, so a time may jump where the network itself does: across a river, a railway or a
motorway, and where the area ends beside a node that is poorly connected to its
neighbours (the point just outside may start from a better one).

``estimated_share`` says per point which share of the time is estimated (the straight-line
remainders at either end; regional network times count as routed).

Scaling: a network's edge weights are its travel times at the graph's reference speed; for
another speed every shortest path scales by the same factor, so one search serves all
speeds (the time limit is scaled the other way).  Estimated remainders are multiplied by
``estimate_scale`` (the car's peak factor, as on its network times; only the snap leg of
a point inside the coverage area keeps the first model's arithmetic, without it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.geometry.base import BaseGeometry

from dashboard.engine.errors import OutsideCoverageError
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import MIN_WEIGHT_S, StreetNetwork, lonlat_to_xy

Direction = Literal["from", "to"]

METHOD_NETWORK = "network"
METHOD_REGIONAL = "regional network"
METHOD_STRAIGHT = "straight line x detour"
METHOD_OUTSIDE = "outside coverage"

#: Points per block when comparing every edge node for points outside coverage (bounds
#: the memory of the points x nodes arrays).
_CHUNK = 256


def node_times(
    net: StreetNetwork, node: int, *, direction: Direction, limit_s: float | None = None
) -> np.ndarray:
    """Shortest travel time in seconds between ``node`` and every node.

    Parameters
    ----------
    net : StreetNetwork
        The mode's network.
    node : int
        Anchor node index.
    direction : {"from", "to"}
        ``"from"``: anchor -> every node; ``"to"``: every node -> anchor (searches the
        transposed graph, so one-way streets count the right way round).
    limit_s : float, optional
        Stop the search beyond this many seconds (unreached nodes get ``inf``).
    """
    graph = net.forward if direction == "from" else net.reverse
    limit = np.inf if limit_s is None else float(limit_s)
    times = dijkstra(graph, directed=True, indices=int(node), limit=limit)
    return np.asarray(times, dtype=np.float64)


@dataclass(frozen=True)
class StreetTimes:
    """Travel times of many points to or from one anchor.

    Attributes
    ----------
    minutes : ndarray
        Minutes per point; ``nan`` where beyond the limit or outside coverage.
    estimated : ndarray of bool
        True where the time is not from the detailed network.
    method : ndarray of str
        How each time was computed (see module docstring).
    snap_m : ndarray
        Distance from each point to its nearest detailed network node (metres).
    estimated_share : ndarray
        Share (0-1) of each time that is estimated rather than routed on a network: 0 on
        the detailed network, 1 for a trip estimated as a whole; ``nan`` with no time.
    node : ndarray of int
        Network node at which the routed part ends on the point's side: its nearest
        detailed node inside the coverage area, the best node near the area's edge (or a
        regional node) outside it; -1 where the whole trip is one estimate.
    """

    minutes: np.ndarray
    estimated: np.ndarray
    method: np.ndarray
    snap_m: np.ndarray
    estimated_share: np.ndarray
    node: np.ndarray


@dataclass(frozen=True)
class Coverage:
    """Where a network's detailed graph applies, and where estimated legs may start.

    Attributes
    ----------
    area : BaseGeometry
        Area the detailed graph covers (Lambert 72, prepared for point tests): the
        ``coverage_area`` its manifest records.
    edge_nodes : ndarray of int
        Nodes on or near the area's edge, where the routed part of a trip to or from a
        place outside the area can end: detailed nodes outside the area or within
        ``band_m`` of its boundary, and regional nodes likewise.
    """

    area: BaseGeometry
    edge_nodes: np.ndarray

    @classmethod
    def of(cls, net: StreetNetwork, area: BaseGeometry, band_m: float) -> Coverage:
        """Coverage of ``net`` by ``area``, with the nodes within ``band_m`` of its edge."""
        shapely.prepare(area)  # many point-in-polygon tests per request
        inside = shapely.contains_xy(area, net.x, net.y)
        near = np.zeros(net.n_nodes, dtype=bool)
        points = shapely.points(net.x[inside], net.y[inside])
        near[inside] = shapely.distance(area.boundary, points) <= band_m
        edge_nodes = np.flatnonzero(~inside | near)
        edge_nodes.setflags(write=False)  # shared between requests
        return cls(area, edge_nodes)


@dataclass(frozen=True)
class StreetQuery:
    """One street-mode request.

    Attributes
    ----------
    anchor : LatLon
        Workplace (or any fixed end).
    direction : {"from", "to"}
        Whether times run from the anchor to the points or from the points to the anchor.
    speed_mps : float
        Mode speed for snap legs (and for estimated remainders without ``estimate_bands``).
    scale : float
        Factor applied to network times (reference speed / chosen speed, or a peak factor).
    max_snap_m : float
        Coverage without a known area (``coverage`` None): the points within this
        distance of a detailed node (see :func:`inside_coverage`).
    detour_factor : float
        Network / straight-line distance ratio used for estimates.
    max_minutes : float, optional
        Time limit; times beyond it are ``nan``.
    max_distance_m : float
        Points farther from the anchor than this are outside coverage (``nan``).
    estimate_bands : tuple of (float, float)
        Speed of estimated remainders per band of estimated road distance: pairs of
        (band upper bound in metres, speed in m/s), ascending; empty means one band at
        ``speed_mps``.
    estimate_scale : float
        Factor on estimated seconds (the car's peak factor; 1 for walk and bike).
    coverage : Coverage, optional
        The network's coverage area and edge nodes; ``None``: the points within
        ``max_snap_m`` of a detailed node are covered and every node can end a routed
        part (hand-made networks, snapshots without coverage areas).
    """

    anchor: LatLon
    direction: Direction
    speed_mps: float
    scale: float
    max_snap_m: float
    detour_factor: float
    max_minutes: float | None = None
    max_distance_m: float = 60_000.0
    estimate_bands: tuple[tuple[float, float], ...] = ()
    estimate_scale: float = 1.0
    coverage: Coverage | None = None


def remainder_seconds(distance_m: np.ndarray, query: StreetQuery) -> np.ndarray:
    """Estimated seconds for ``distance_m`` of straight line (times the detour factor).

    The road distance (straight line x detour) is split into ``query.estimate_bands``,
    each travelled at its own speed (one band at ``speed_mps`` when there are none), and
    the sum is multiplied by ``query.estimate_scale``.  Continuous and increasing in the
    distance, so a point moving a little changes its remainder a little.
    """
    road = np.asarray(distance_m, dtype=float) * query.detour_factor
    if not query.estimate_bands:
        return road / query.speed_mps * query.estimate_scale
    seconds = np.zeros_like(road)
    lower = 0.0
    for upper, speed in query.estimate_bands:
        seconds += np.clip(road - lower, 0.0, upper - lower) / speed
        lower = upper
    seconds += np.maximum(road - lower, 0.0) / query.estimate_bands[-1][1]
    return seconds * query.estimate_scale


def inside_coverage(
    query: StreetQuery, x: np.ndarray, y: np.ndarray, snap_m: np.ndarray
) -> np.ndarray:
    """Return, per point (Lambert 72), whether it lies in the detailed network's coverage.

    Inside :attr:`Coverage.area` when the query has one; otherwise within
    ``query.max_snap_m`` of a detailed node (``snap_m``).  Points inside are answered on
    the network from their nearest node; the others get an estimated remainder.
    """
    if query.coverage is None:
        return np.asarray(snap_m <= query.max_snap_m)
    return np.asarray(shapely.contains_xy(query.coverage.area, x, y), dtype=bool)


def edge_nodes(net: StreetNetwork, query: StreetQuery) -> np.ndarray:
    """Nodes that can end the routed part of a trip for an end outside coverage."""
    if query.coverage is None:
        return np.arange(net.n_nodes)
    return query.coverage.edge_nodes


@dataclass(frozen=True)
class AnchorSide:
    """Scaled seconds between the anchor and every node, and what of them is estimated.

    Attributes
    ----------
    inside : bool
        Whether the anchor lies in the coverage area.
    snap_m : float
        Anchor's distance to its nearest detailed node.
    network_s : ndarray
        Inside: network seconds from the anchor's nearest node (without its snap leg).
    seconds : ndarray
        Seconds per node with the anchor's own leg (snap leg or estimated remainder).
    estimated_s : ndarray
        Estimated seconds of ``seconds`` (the anchor's remainder; 0 inside).
    via_regional : ndarray of bool
        Outside: the anchor's best start for that node is a regional node.
    """

    inside: bool
    snap_m: float
    network_s: np.ndarray
    seconds: np.ndarray
    estimated_s: np.ndarray
    via_regional: np.ndarray


def _limit_s(query: StreetQuery) -> float | None:
    """Search limit in graph seconds (the time limit scaled the other way)."""
    if query.max_minutes is None:
        return None
    return query.max_minutes * 60.0 / query.scale


def anchor_side(
    net: StreetNetwork, query: StreetQuery, ax: np.ndarray, ay: np.ndarray
) -> AnchorSide:
    """One search from the anchor: from its nearest node inside coverage, else from many.

    Outside coverage the search starts from every candidate node at once, each with the
    anchor's estimated remainder to it as a head start, so every node keeps its best.
    """
    node, snap = net.snap(ax, ay)
    if inside_coverage(query, ax, ay, snap)[0]:
        times = node_times(net, int(node[0]), direction=query.direction, limit_s=_limit_s(query))
        network_s = times * query.scale
        zeros = np.zeros(net.n_nodes)
        seconds = network_s + snap[0] / query.speed_mps
        return AnchorSide(True, float(snap[0]), network_s, seconds, zeros, zeros.astype(bool))
    sources = np.r_[edge_nodes(net, query), node[0]]
    legs = remainder_seconds(np.hypot(net.x[sources] - ax[0], net.y[sources] - ay[0]), query)
    seconds, root = multi_source_times(net, sources, legs / query.scale, query)
    seconds = seconds * query.scale
    leg_of = np.full(net.n_nodes, np.inf)
    np.minimum.at(leg_of, sources, legs)  # the anchor's nearest node may be listed twice
    reached = root >= 0
    est = np.where(reached, leg_of[np.maximum(root, 0)], np.nan)
    regional = reached & net.is_coarse[np.maximum(root, 0)]
    return AnchorSide(False, float(snap[0]), seconds, seconds, est, regional)


@dataclass(frozen=True)
class AnchorSeconds:
    """Scaled seconds between the anchor and every node: :class:`AnchorSide` without origins.

    ``inside``, ``snap_m``, ``network_s`` and ``seconds`` as in :class:`AnchorSide`.
    """

    inside: bool
    snap_m: float
    network_s: np.ndarray
    seconds: np.ndarray


def anchor_seconds(
    net: StreetNetwork,
    query: StreetQuery,
    ax: np.ndarray,
    ay: np.ndarray,
    *,
    snapped: tuple[int, float, bool] | None = None,
) -> AnchorSeconds:
    """Return the seconds of :func:`anchor_side` (the same search, to the last bit), lean.

    For callers that need only times (counting facilities): outside coverage it skips the
    predecessors and path roots that say which part of each time is estimated.
    ``snapped``: the anchor's nearest node, its distance and whether it lies in the
    coverage area, when the caller has them (snapped with many anchors at once).
    """
    if snapped is None:
        nodes, snaps = net.snap(ax, ay)
        snapped = (int(nodes[0]), float(snaps[0]), bool(inside_coverage(query, ax, ay, snaps)[0]))
    node, snap, inside = snapped
    if inside:
        times = node_times(net, node, direction=query.direction, limit_s=_limit_s(query))
        network_s = times * query.scale
        return AnchorSeconds(True, snap, network_s, network_s + snap / query.speed_mps)
    sources = np.r_[edge_nodes(net, query), node]
    legs = remainder_seconds(np.hypot(net.x[sources] - ax[0], net.y[sources] - ay[0]), query)
    seconds = multi_source_seconds(net, sources, legs / query.scale, query) * query.scale
    return AnchorSeconds(False, snap, seconds, seconds)


def multi_source_times(
    net: StreetNetwork, sources: np.ndarray, head_start_s: np.ndarray, query: StreetQuery
) -> tuple[np.ndarray, np.ndarray]:
    """Graph seconds from the best of ``sources`` (each with its head start) to every node.

    One search from a virtual node joined to each source by an edge of its head start.
    Returns the seconds and, per node, the source its best path starts from (-1 where
    unreached).
    """
    dist, pred = _virtual_search(net, sources, head_start_s, query, predecessors=True)
    return dist, _path_roots(pred, net.n_nodes)


def multi_source_seconds(
    net: StreetNetwork, sources: np.ndarray, head_start_s: np.ndarray, query: StreetQuery
) -> np.ndarray:
    """Graph seconds from the best of ``sources``: :func:`multi_source_times` without roots.

    The same search and the same seconds, to the last bit; for callers that need no path
    origins (counting facilities), it skips the predecessors and the pointer jumping.
    """
    return _virtual_search(net, sources, head_start_s, query, predecessors=False)[0]


def _virtual_search(
    net: StreetNetwork,
    sources: np.ndarray,
    head_start_s: np.ndarray,
    query: StreetQuery,
    *,
    predecessors: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Search from a virtual node joined to each source; seconds and predecessors (or [])."""
    graph = net.forward if query.direction == "from" else net.reverse
    n = net.n_nodes
    order = np.lexsort((head_start_s, sources))  # per source, the smallest head start
    first = np.r_[True, sources[order][1:] != sources[order][:-1]]
    src, w = sources[order][first], np.maximum(head_start_s[order][first], MIN_WEIGHT_S)
    limit = _limit_s(query)
    found = dijkstra(
        _with_virtual_node(graph, src, w),
        directed=True,
        indices=n,
        limit=np.inf if limit is None else limit,
        return_predecessors=predecessors,
    )
    if predecessors:
        return np.asarray(found[0][:n], dtype=float), np.asarray(found[1])
    return np.asarray(found[:n], dtype=float), np.empty(0, dtype=np.int64)


def _with_virtual_node(graph: sp.csr_matrix, src: np.ndarray, weight: np.ndarray) -> sp.csr_matrix:
    """Return ``graph`` with one more node (the last) and an edge from it to each of ``src``.

    Built from the CSR arrays directly: the same rows as ``sp.vstack`` of the graph padded
    by ``sp.hstack`` and the virtual row (so the same search), without their conversions,
    which took longer than the search itself on the real graphs.
    """
    n = graph.shape[0]
    order = np.argsort(src, kind="stable")  # sorted column indices, as a CSR row keeps them
    indptr = np.r_[graph.indptr, graph.indptr[-1] + len(src)].astype(graph.indptr.dtype)
    indices = np.r_[graph.indices, src[order].astype(graph.indices.dtype)]
    data = np.r_[graph.data.astype(np.float64, copy=False), weight[order]]
    return sp.csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))


def _path_roots(pred: np.ndarray, virtual: int) -> np.ndarray:
    """First node after ``virtual`` on each node's shortest path (-1 where unreached).

    Pointer jumping: every node points at its predecessor until that is a root (a node
    whose predecessor is the virtual source); log2(path length) rounds.
    """
    idx = np.arange(len(pred))
    parent = np.where((pred < 0) | (pred == virtual), idx, pred)
    while True:
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    roots = parent[:virtual]
    return np.where(pred[:virtual] < 0, -1, roots)


def _check_anchor(net: StreetNetwork, query: StreetQuery, ax: np.ndarray, ay: np.ndarray) -> None:
    """Refuse an anchor farther than ``max_distance_m`` from every detailed node."""
    a_snap = float(net.snap(ax, ay)[1][0])
    if a_snap > query.max_distance_m:
        msg = (
            f"{query.anchor.lat:.5f},{query.anchor.lon:.5f} is "
            f"{a_snap / 1000:.0f} km from the nearest {net.name} network; "
            "choose a place in the Leuven region"
        )
        raise OutsideCoverageError(msg)


@dataclass(frozen=True)
class _Points:
    """Working arrays of the points of one request (filled in place, then finished).

    ``node`` is the node each point's routed part ends at (its nearest node inside the
    coverage area, the best edge node outside, -1 for a whole-trip estimate).
    """

    x: np.ndarray
    y: np.ndarray
    nearest: np.ndarray
    snap_m: np.ndarray
    seconds: np.ndarray
    estimated_s: np.ndarray
    regional: np.ndarray
    node: np.ndarray

    @classmethod
    def of(cls, net: StreetNetwork, lon: np.ndarray, lat: np.ndarray) -> _Points:
        """Project and snap the points; no time yet."""
        x, y = lonlat_to_xy(np.asarray(lon), np.asarray(lat))
        nearest, snap = net.snap(x, y)
        n = len(nearest)
        return cls(
            x, y, nearest, snap, np.full(n, np.inf), np.zeros(n), np.zeros(n, bool), nearest.copy()
        )


def street_times(
    net: StreetNetwork, query: StreetQuery, lon: np.ndarray, lat: np.ndarray
) -> StreetTimes:
    """Travel times between ``query.anchor`` and each point (lon/lat arrays).

    Raises
    ------
    OutsideCoverageError
        When the anchor is farther than ``max_distance_m`` from every network node.
    """
    ax, ay = lonlat_to_xy(np.array([query.anchor.lon]), np.array([query.anchor.lat]))
    _check_anchor(net, query, ax, ay)
    anchor = anchor_side(net, query, ax, ay)
    pts = _Points.of(net, lon, lat)
    inside = inside_coverage(query, pts.x, pts.y, pts.snap_m)
    _route_inside(query, anchor, pts, np.flatnonzero(inside))
    _route_outside(net, query, anchor, pts, np.flatnonzero(~inside))
    straight_m = np.hypot(pts.x - ax[0], pts.y - ay[0])
    if not anchor.inside:  # both ends estimated: the whole trip as one estimate if faster
        direct = remainder_seconds(straight_m, query)
        use = direct < pts.seconds
        pts.seconds[use], pts.estimated_s[use] = direct[use], direct[use]
        pts.regional[use], pts.node[use] = False, -1
    method = np.full(len(inside), METHOD_NETWORK, dtype=object)
    partial = ~inside | (not anchor.inside)
    method[partial] = METHOD_STRAIGHT
    method[partial & pts.regional] = METHOD_REGIONAL
    return _finish(pts, method, straight_m, query)


def _route_inside(query: StreetQuery, anchor: AnchorSide, pts: _Points, rows: np.ndarray) -> None:
    """Time the points inside coverage: nearest node + snap leg at mode speed."""
    node, snap = pts.nearest[rows], pts.snap_m[rows]
    if anchor.inside:  # the first model's arithmetic, to the last bit
        legs_s = (anchor.snap_m + snap) / query.speed_mps
        pts.seconds[rows] = anchor.network_s[node] + legs_s
        return
    pts.seconds[rows] = anchor.seconds[node] + snap / query.speed_mps
    pts.estimated_s[rows] = anchor.estimated_s[node]
    pts.regional[rows] = anchor.via_regional[node]


def _route_outside(
    net: StreetNetwork, query: StreetQuery, anchor: AnchorSide, pts: _Points, rows: np.ndarray
) -> None:
    """Time the points outside coverage: the best node plus the estimated remainder.

    Each point takes the node near the coverage edge (:attr:`Coverage.edge_nodes`) or
    its own nearest node whose anchor time plus the point's remainder from it is
    smallest: one fixed set of nodes for every point, so the time is continuous.
    """
    ids = edge_nodes(net, query)
    ids = ids[np.isfinite(anchor.seconds[ids])]  # reached within the limit
    for start in range(0, len(rows), _CHUNK):
        part = rows[start : start + _CHUNK]
        nodes = np.concatenate(
            [np.broadcast_to(ids, (len(part), len(ids))), pts.nearest[part, None]], axis=1
        )
        dist = np.hypot(net.x[nodes] - pts.x[part, None], net.y[nodes] - pts.y[part, None])
        legs = remainder_seconds(dist, query)
        total = anchor.seconds[nodes] + legs
        pick = np.arange(len(part))
        best = np.argmin(total, axis=1)
        chosen = nodes[pick, best]
        pts.seconds[part] = total[pick, best]
        pts.estimated_s[part] = anchor.estimated_s[chosen] + legs[pick, best]
        pts.regional[part] = net.is_coarse[chosen] | anchor.via_regional[chosen]
        pts.node[part] = chosen


def _finish(
    pts: _Points, method: np.ndarray, straight_m: np.ndarray, query: StreetQuery
) -> StreetTimes:
    """Minutes, limits and the estimated share of each point, as a :class:`StreetTimes`."""
    minutes = pts.seconds / 60.0
    minutes[~np.isfinite(minutes)] = np.nan  # unreachable within the limit
    too_far = straight_m > query.max_distance_m
    minutes[too_far] = np.nan
    method[too_far] = METHOD_OUTSIDE
    if query.max_minutes is not None:
        minutes[minutes > query.max_minutes] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.clip(pts.estimated_s / pts.seconds, 0.0, 1.0)
    share[pts.estimated_s == 0] = 0.0  # 0 of 0 s estimated
    share[np.isnan(minutes)] = np.nan
    estimated = method != METHOD_NETWORK
    return StreetTimes(minutes, estimated, method.astype(str), pts.snap_m, share, pts.node)
