"""Street-mode travel times (walk, bike, e-bike, car) from or to one anchor.

Method per point, reported with every result:

``network``
    both ends snap to the detailed OSM network within ``max_snap_m``; time = snap leg at
    mode speed + shortest path + snap leg (``estimated`` is False);
``regional network``
    car only: an end lies outside the detailed (Leuven municipality) graph and is
    reached over the strategic regional car network joined to it (``estimated``: the
    regional network has no street geometry and model speeds);
``straight line x detour``
    walk and bike outside the detailed network, or car beyond the regional network:
    straight-line distance times a detour factor measured on Leuven's own network,
    at mode speed (``estimated``);
``outside coverage``
    farther from the anchor than ``max_distance_m``: no time (``nan``).

Scaling: a network's edge weights are its travel times at the graph's reference speed; for
another speed every shortest path scales by the same factor, so one search serves all
speeds (the time limit is scaled the other way).
"""

from __future__ import annotations

from dataclasses import dataclass
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
        Distance from each point to its network node (metres).
    """

    minutes: np.ndarray
    estimated: np.ndarray
    method: np.ndarray
    snap_m: np.ndarray


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
    max_regional_snap_m : float
        Farthest snap to a regional (coarse) node; beyond it a straight-line estimate.
    """

    anchor: LatLon
    direction: Direction
    speed_mps: float
    scale: float
    max_snap_m: float
    detour_factor: float
    max_minutes: float | None = None
    max_distance_m: float = 60_000.0
    max_regional_snap_m: float = 3_000.0


def straight_line_minutes(distance_m: np.ndarray, query: StreetQuery) -> np.ndarray:
    """Estimate minutes as straight-line distance x detour factor at mode speed."""
    return distance_m * query.detour_factor / query.speed_mps / 60.0


def _snap_ends(
    net: StreetNetwork, x: np.ndarray, y: np.ndarray, query: StreetQuery
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Snap points: detailed node within ``max_snap_m``, else a regional node.

    Returns node index, snap distance and method per point; points reachable by neither
    get method :data:`METHOD_STRAIGHT` (their node index is meaningless).
    """
    node, snap = net.snap(x, y)
    method = np.full(len(node), METHOD_NETWORK, dtype=object)
    off = snap > query.max_snap_m
    if off.any():
        c_node, c_snap = net.snap_coarse(x[off], y[off])
        regional = c_snap <= query.max_regional_snap_m
        idx = np.flatnonzero(off)
        node[idx[regional]] = c_node[regional]
        snap[idx[regional]] = c_snap[regional]
        method[idx[regional]] = METHOD_REGIONAL
        method[idx[~regional]] = METHOD_STRAIGHT
    return node, snap, method


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
    a_node, a_snap, a_method = _snap_ends(net, ax, ay, query)
    if net.snap(ax, ay)[1][0] > query.max_distance_m:
        msg = (
            f"{query.anchor.lat:.5f},{query.anchor.lon:.5f} is "
            f"{net.snap(ax, ay)[1][0] / 1000:.0f} km from the nearest {net.name} network; "
            "choose a place in the Leuven region"
        )
        raise OutsideCoverageError(msg)
    px, py = lonlat_to_xy(np.asarray(lon), np.asarray(lat))
    p_node, p_snap, method = _snap_ends(net, px, py, query)
    straight = np.hypot(px - ax[0], py - ay[0])

    minutes = straight_line_minutes(straight, query)
    routed = method != METHOD_STRAIGHT
    if a_method[0] == METHOD_STRAIGHT:
        routed[:] = False
        method[:] = METHOD_STRAIGHT
    elif a_method[0] == METHOD_REGIONAL:
        method[routed] = METHOD_REGIONAL
    if routed.any():
        limit_s = None
        if query.max_minutes is not None:
            limit_s = query.max_minutes * 60.0 / query.scale
        times = node_times(net, int(a_node[0]), direction=query.direction, limit_s=limit_s)
        legs_s = (a_snap[0] + p_snap[routed]) / query.speed_mps
        minutes[routed] = (times[p_node[routed]] * query.scale + legs_s) / 60.0
    minutes = minutes.astype(float)
    minutes[~np.isfinite(minutes)] = np.nan  # unreachable within the limit
    too_far = straight > query.max_distance_m
    minutes[too_far] = np.nan
    method[too_far] = METHOD_OUTSIDE
    if query.max_minutes is not None:
        minutes[minutes > query.max_minutes] = np.nan
    estimated = method != METHOD_NETWORK
    return StreetTimes(minutes, estimated, method.astype(str), p_snap)
