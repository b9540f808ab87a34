"""Street-mode travel times (walk, bike, e-bike, car) from or to one anchor.

One continuous model: every trip is routed on the network as far as the network goes and
only the remainder is estimated.  Method per point, reported with every result:

``network``
    both ends snap to the detailed OSM network within ``max_snap_m``; time = snap leg at
    mode speed + shortest path + snap leg (``estimated`` is False, ``estimated_s`` 0).
    Exception: when another node within ``max_reroute_m`` plus its estimated leg is
    faster by more than :data:`REROUTE_GAIN_S` (the nearest node is a clipped dead end
    at the graph's edge, or across a railway), that route is used and the point is
    ``straight line x detour`` (or ``regional network``);
``regional network``
    car only: an end lies off the detailed (Leuven municipality) graph and the best route
    runs over the strategic regional car network joined to it (``estimated``: the regional
    network has no street geometry and model speeds);
``straight line x detour``
    an end lies off the network: the time is the network time to the best of its nearby
    nodes (every detailed node within :data:`REROUTE_RADIUS_M`, the :data:`N_CANDIDATES`
    nearest detailed and regional nodes, and a thinned set reaching a kilometre or two
    farther, :attr:`StreetNetwork.spread`) plus the
    remainder from that node, straight line x detour factor at the estimate speed
    (:func:`remainder_seconds`), or the whole trip estimated that way when that is
    faster (``estimated``);
``outside coverage``
    farther from the anchor than ``max_distance_m``: no time (``nan``).

The minimum over nearby nodes makes the time (nearly) continuous in the point's position:
a point moving 50 m changes its time by 50 m at the estimate speed (times the detour and
``estimate_scale``) plus at most :data:`REROUTE_GAIN_S` where a point on the network
leaves its nearest node, never by a switch of model (``tests/engine/test_transects.py``
walks four transects from Leuven station to check it).  ``estimated_s`` says per point how many
seconds of the answer are estimated (anchor side and point side remainders).

Scaling: a network's edge weights are its travel times at the graph's reference speed; for
another speed every shortest path scales by the same factor, so one search serves all
speeds (the time limit is scaled the other way).  Estimated remainders are multiplied by
``estimate_scale`` (the car's peak factor: every part of a car trip gets the same peak
assumption).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.sparse.csgraph import dijkstra

from dashboard.engine.errors import OutsideCoverageError
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import StreetNetwork, lonlat_to_xy

Direction = Literal["from", "to"]

METHOD_NETWORK = "network"
METHOD_REGIONAL = "regional network"
METHOD_STRAIGHT = "straight line x detour"
METHOD_OUTSIDE = "outside coverage"

#: Nearby nodes of each kind (detailed, thinned detailed, regional) tried per end.
N_CANDIDATES = 24
#: A point on the detailed network keeps its nearest node's time unless another nearby
#: node is faster by more than this (seconds): the nearest node is then a clipped dead
#: end at the graph's edge or lies across a barrier.  Smaller gains are left alone, so
#: times on the detailed network stay those of the snap rule.  Multiplied by
#: ``estimate_scale``, so that the car's peak factor does not change which node is used.
REROUTE_GAIN_S = 60.0
#: Radius (metres) within which every detailed node is tried for a point.
REROUTE_RADIUS_M = 500.0


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
    estimated_s : ndarray
        Seconds of each time that are estimated rather than routed on a network (0 on the
        detailed network; the whole time for a pure straight-line estimate).
    """

    minutes: np.ndarray
    estimated: np.ndarray
    method: np.ndarray
    snap_m: np.ndarray
    estimated_s: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def estimated_share(self) -> np.ndarray:
        """Share (0-1) of each time that is estimated; ``nan`` where there is no time."""
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.clip(self.estimated_s / (self.minutes * 60.0), 0.0, 1.0)
        return np.where(self.minutes == 0, 0.0, share)  # 0 of 0 s estimated


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
        Mode speed for snap legs and straight-line estimates.
    scale : float
        Factor applied to network times (reference speed / chosen speed, or a peak factor).
    max_snap_m : float
        Beyond this snap distance a point is outside the detailed network.
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
    max_reroute_m : float, optional
        A point on the detailed network may start from a node other than its nearest, at
        most this far (estimated leg), when that is faster: where the nearest node is a
        clipped dead end at the graph's edge or lies across a barrier.  ``None``: up to
        ``max_snap_m``.  Walkers and cyclists ignore one-way streets, so the engine
        lets them reroute at any distance (``inf``); cars up to ``max_snap_m``.
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
    max_reroute_m: float | None = None


def remainder_seconds(distance_m: np.ndarray, query: StreetQuery) -> np.ndarray:
    """Estimated seconds for ``distance_m`` of straight line (times the detour factor).

    The road distance (straight line x detour) is split into ``query.estimate_bands``,
    each driven at its own speed, and the sum is multiplied by ``estimate_scale``.
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


def _candidates(net: StreetNetwork, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return nearby nodes of each point and their distances, as ``(len(x), k)`` arrays.

    :data:`N_CANDIDATES` nearest detailed nodes, twice as many of the thinned set
    :attr:`StreetNetwork.spread` (nodes in every direction, a kilometre or two round) and
    :data:`N_CANDIDATES` regional nodes (fewer on tiny networks).
    """
    pts = np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])
    spread_tree, spread_ids = net.spread
    nodes, dists = [], []
    for tree, ids, wanted in (
        (net.tree, net.detailed_ids, N_CANDIDATES),
        (spread_tree, spread_ids, 2 * N_CANDIDATES),
        (net.coarse_tree, net.coarse_ids, N_CANDIDATES),
    ):
        if tree is None or len(ids) == 0:
            continue
        k = min(wanted, len(ids))
        dist, idx = tree.query(pts, k=k)
        nodes.append(ids[np.asarray(idx, dtype=np.int64).reshape(len(pts), k)])
        dists.append(np.asarray(dist, dtype=float).reshape(len(pts), k))
    return np.concatenate(nodes, axis=1), np.concatenate(dists, axis=1)


def _ball_pairs(
    net: StreetNetwork, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (point, detailed node) pair closer than :data:`REROUTE_RADIUS_M`.

    Returns point index, node index and distance per pair: near barriers the node that
    gives a point its best time can be any of the hundreds of nodes round it.
    """
    pts = np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])
    lists = net.tree.query_ball_point(pts, r=REROUTE_RADIUS_M, return_sorted=False)
    counts = np.fromiter((len(ix) for ix in lists), dtype=np.int64, count=len(pts))
    if counts.sum() == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    rows = np.repeat(np.arange(len(pts)), counts)
    local = np.concatenate([np.asarray(ix, dtype=np.int64) for ix in lists if len(ix)])
    node = net.detailed_ids[local]
    dist = np.hypot(net.x[node] - pts[rows, 0], net.y[node] - pts[rows, 1])
    return rows, node, dist


@dataclass(frozen=True)
class _AnchorTimes:
    """Seconds from the anchor to every node, and the estimated part of each.

    ``network_s`` leaves out the anchor's snap leg (on the network; equal to ``seconds``
    off it); ``via_regional`` marks nodes whose best start is a regional node.
    """

    seconds: np.ndarray
    network_s: np.ndarray
    estimated_s: np.ndarray
    via_regional: np.ndarray
    on_network: bool
    snap_m: float


def _anchor_times(
    net: StreetNetwork, query: StreetQuery, ax: np.ndarray, ay: np.ndarray
) -> _AnchorTimes:
    """Scaled seconds between the anchor and every node (snap or estimated leg included).

    On the detailed network: one search from the nearest node plus the snap leg at mode
    speed.  Off it: one search from each nearby node, each plus its estimated remainder
    (:func:`remainder_seconds`); every node keeps the best.
    """
    node, snap = net.snap(ax, ay)
    limit_s = None
    if query.max_minutes is not None:
        limit_s = query.max_minutes * 60.0 / query.scale
    if snap[0] <= query.max_snap_m:
        times = node_times(net, int(node[0]), direction=query.direction, limit_s=limit_s)
        network_s = times * query.scale
        seconds = network_s + snap[0] / query.speed_mps
        none = np.zeros(net.n_nodes, dtype=bool)
        return _AnchorTimes(seconds, network_s, np.zeros(net.n_nodes), none, True, float(snap[0]))
    c_node, c_dist = _candidates(net, ax, ay)
    sources, first = np.unique(c_node[0], return_index=True)  # thinned nodes repeat
    graph = net.forward if query.direction == "from" else net.reverse
    limit = np.inf if limit_s is None else float(limit_s)
    rows = dijkstra(graph, directed=True, indices=sources, limit=limit)
    legs = remainder_seconds(c_dist[0][first], query)
    total = np.asarray(rows, dtype=float) * query.scale + legs[:, None]
    best = np.argmin(total, axis=0)
    cols = np.arange(net.n_nodes)
    seconds = total[best, cols]
    via_regional = ~np.isin(sources[best], net.detailed_ids)
    return _AnchorTimes(seconds, seconds, legs[best], via_regional, False, float(snap[0]))


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
    a_snap = net.snap(ax, ay)[1][0]
    if a_snap > query.max_distance_m:
        msg = (
            f"{query.anchor.lat:.5f},{query.anchor.lon:.5f} is "
            f"{a_snap / 1000:.0f} km from the nearest {net.name} network; "
            "choose a place in the Leuven region"
        )
        raise OutsideCoverageError(msg)
    anchor = _anchor_times(net, query, ax, ay)
    px, py = lonlat_to_xy(np.asarray(lon), np.asarray(lat))
    p_node, p_snap = net.snap(px, py)
    n = len(p_node)
    seconds = np.full(n, np.inf)
    est_s = np.zeros(n)
    via_regional = np.zeros(n, dtype=bool)
    on = p_snap <= query.max_snap_m
    # on the detailed network: nearest node + snap leg at mode speed (not estimated)
    if anchor.on_network:  # the first model's arithmetic, to the last bit
        legs_s = (anchor.snap_m + p_snap[on]) / query.speed_mps
        seconds[on] = anchor.network_s[p_node[on]] + legs_s
    else:
        seconds[on] = anchor.seconds[p_node[on]] + p_snap[on] / query.speed_mps
    est_s[on] = anchor.estimated_s[p_node[on]]
    # every point: the best nearby node plus its estimated remainder, where that beats
    # the nearest node (off the network; at the graph's clipped edge; across a barrier
    # whose far side is the nearest node)
    c_node, c_dist = _candidates(net, px, py)
    b_row, b_node, b_dist = _ball_pairs(net, px, py)
    rows = np.concatenate([np.repeat(np.arange(n), c_node.shape[1]), b_row])
    node = np.concatenate([c_node.ravel(), b_node])
    dist = np.concatenate([c_dist.ravel(), b_dist])
    legs = remainder_seconds(dist, query)
    total = anchor.seconds[node] + legs
    # a point on the network may start from another node only within max_reroute_m: a
    # longer estimated car leg would cut through the one-way streets the network has
    reroute_m = query.max_snap_m if query.max_reroute_m is None else query.max_reroute_m
    total[on[rows] & (dist > reroute_m)] = np.inf
    order = np.lexsort((total, rows))  # per point, best first
    first = order[np.flatnonzero(np.r_[True, rows[order][1:] != rows[order][:-1]])]
    # on the network, only a clear gain counts: small ones are the snap rule's own noise
    gain_s = REROUTE_GAIN_S * query.estimate_scale  # peak-invariant; off: seconds is inf
    better = total[first] < seconds - gain_s
    chosen = node[first]
    seconds[better] = total[first][better]
    est_s[better] = anchor.estimated_s[chosen][better] + legs[first][better]
    via_regional[on] = anchor.via_regional[p_node[on]]
    via_regional[better] = (
        ~np.isin(chosen[better], net.detailed_ids) | (anchor.via_regional[chosen[better]])
    )
    partial = better | ~on
    # the whole trip as one straight-line estimate, where that is faster (off-network ends)
    straight = np.hypot(px - ax[0], py - ay[0])
    direct = remainder_seconds(straight, query)
    use_direct = (~on | (not anchor.on_network)) & (direct < seconds)
    seconds[use_direct] = direct[use_direct]
    est_s[use_direct] = direct[use_direct]
    method = np.full(n, METHOD_NETWORK, dtype=object)
    method[partial | (not anchor.on_network)] = METHOD_STRAIGHT
    method[(method == METHOD_STRAIGHT) & via_regional & ~use_direct] = METHOD_REGIONAL
    minutes = seconds / 60.0
    minutes[~np.isfinite(minutes)] = np.nan  # unreachable within the limit
    too_far = straight > query.max_distance_m
    minutes[too_far] = np.nan
    method[too_far] = METHOD_OUTSIDE
    if query.max_minutes is not None:
        minutes[minutes > query.max_minutes] = np.nan
    est_s[np.isnan(minutes)] = np.nan
    estimated = method != METHOD_NETWORK
    return StreetTimes(minutes, estimated, method.astype(str), p_snap, est_s)
