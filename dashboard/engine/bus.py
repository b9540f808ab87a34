"""Estimated walk + bus commutes in central Leuven (no bus timetable is available).

The 2019 De Lijn feed has no stop times, so this is a frequency-based ESTIMATE built
from the ``bus_routes`` layer (stop order of OpenStreetMap route relations, 2024; trips
per weekday of the same line in the 2019 feed).  One combined graph holds

* the walk network (edge times at the chosen walking speed);
* one "on board" node per (route relation, stop position);
* boarding edges: walk node nearest the stop -> on-board node, weight = walk from the
  node to the stop + average wait of half the estimated headway (:data:`WAIT_FRACTION`:
  random arrival at the stop, evenly spaced buses);
* ride edges: on-board node -> next on-board node of the same relation, weight =
  straight-line distance x :data:`RIDE_DETOUR` at :data:`BUS_KMH` plus a dwell of
  :data:`DWELL_S` at the next stop;
* alighting edges: on-board node -> walk node nearest the stop, weight = the walk from the
  stop to that node (no wait).

A time is the shortest path over this graph; it is never slower than walking alone (the
walk edges are part of it).  Where a bus leg shortens the trip the result is flagged
``estimated`` with :data:`METHOD_BUS`; elsewhere the walking time stands (``"walk"``).
Coverage: the bus lines of the OSM extract of central Leuven only (lines leaving it are cut
at its edge); relations without a 2019 frequency are left out.  Which places can take the
bus is decided by walking's own coverage rule (:func:`dashboard.engine.street.inside_coverage`:
inside the walk graph's coverage area, or within the snap distance of a hand-built
network): a workplace or home that walking routes on the network can also use the bus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from dashboard.engine.base import CommuteTimes, StreetEngine
from dashboard.engine.inputs import LatLon, check_minutes
from dashboard.engine.network import MIN_WEIGHT_S, StreetNetwork, lonlat_to_xy
from dashboard.engine.settings import FALLBACK_DETOUR, EngineSettings
from dashboard.engine.street import METHOD_NETWORK, StreetQuery, inside_coverage, street_times

#: Average bus speed between stops in town (assumption, not measured).
BUS_KMH = 18.0
#: Road distance / straight-line distance between consecutive stops (assumption).
RIDE_DETOUR = 1.3
#: Seconds a bus stands at each stop it passes (assumption).
DWELL_S = 20.0
#: Average wait as a share of the headway (people arrive at random, buses evenly spaced).
WAIT_FRACTION = 0.5
#: Stops farther than this from the walk network cannot be boarded (metres).
MAX_STOP_SNAP_M = 250.0
#: Consecutive stops of a relation are joined by a ride edge only when at most this many
#: positions apart: larger gaps mean the route left the extract (or stops are unknown).
MAX_POSITION_GAP = 3

METHOD_BUS = "walk + bus (estimated: OSM stop order 2024, 2019 frequencies, assumed speed)"
METHOD_WALK = "walk"


@dataclass(frozen=True, eq=False)
class BusNetwork:
    """Walk network plus on-board nodes of the bus relations.

    Attributes
    ----------
    walk : StreetNetwork
        The walk network alone (edge times at the reference speed of its graph).
    combined : StreetNetwork
        Walk nodes ``0 .. walk.n_nodes - 1`` (edge times already at ``walk_kmh``) followed
        by the on-board nodes; only walk nodes are "detailed", so points never snap to a
        bus.
    walk_kmh : float
        Walking speed the combined graph's walk and transfer edges use.
    walk_scale : float
        Factor from the walk graph's stored times to ``walk_kmh`` times.
    onboard_relation : ndarray
        Relation id of each on-board node (index ``i`` is combined node ``walk.n_nodes + i``).
    ride_edges : int
        Number of ride edges (between consecutive stops).
    """

    walk: StreetNetwork
    combined: StreetNetwork
    walk_kmh: float
    walk_scale: float
    onboard_relation: np.ndarray
    ride_edges: int


def build_bus_network(
    walk: StreetNetwork,
    relation_id: np.ndarray,
    position: np.ndarray,
    stop_lon: np.ndarray,
    stop_lat: np.ndarray,
    headway_min: np.ndarray,
    *,
    walk_kmh: float = EngineSettings.walk_kmh,
    walk_scale: float = 1.0,
) -> BusNetwork:
    """Build the combined walk + bus graph from the rows of the ``bus_routes`` layer.

    Parameters
    ----------
    walk : StreetNetwork
        Walk network (edge times in seconds at its reference speed).
    relation_id, position, stop_lon, stop_lat, headway_min : ndarray
        One entry per relation stop (the layer's columns); rows without coordinates or
        headway are left out.
    walk_kmh : float
        Walking speed of the boarding and alighting legs.
    walk_scale : float
        Multiplies the walk graph's edge times (reference speed / ``walk_kmh``).
    """
    rel = np.asarray(relation_id, dtype=np.int64)
    pos = np.asarray(position, dtype=np.int64)
    lon, lat = np.asarray(stop_lon, dtype=float), np.asarray(stop_lat, dtype=float)
    headway = np.asarray(headway_min, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat) & np.isfinite(headway) & (headway > 0)
    order = np.lexsort((pos[ok], rel[ok]))
    rel, pos, lon, lat, headway = (a[ok][order] for a in (rel, pos, lon, lat, headway))
    x, y = lonlat_to_xy(lon, lat)
    n_walk, n_bus = walk.n_nodes, len(rel)
    onboard = n_walk + np.arange(n_bus)
    walk_mps = walk_kmh / 3.6

    coo = walk.forward.tocoo()
    parts_from, parts_to, parts_w = [coo.row], [coo.col], [coo.data * walk_scale]

    node, snap = walk.snap(x, y) if n_bus else (np.zeros(0, np.int64), np.zeros(0))
    usable = snap <= MAX_STOP_SNAP_M
    leg_s = snap[usable] / walk_mps
    wait_s = WAIT_FRACTION * headway[usable] * 60.0
    parts_from += [node[usable], onboard[usable]]  # board, then alight
    parts_to += [onboard[usable], node[usable]]
    parts_w += [leg_s + wait_s, np.maximum(leg_s, MIN_WEIGHT_S)]

    nxt = (rel[1:] == rel[:-1]) & (np.diff(pos) <= MAX_POSITION_GAP) if n_bus else np.zeros(0, bool)
    a, b = np.flatnonzero(nxt), np.flatnonzero(nxt) + 1
    ride_s = np.hypot(x[b] - x[a], y[b] - y[a]) * RIDE_DETOUR / (BUS_KMH / 3.6) + DWELL_S
    parts_from.append(onboard[a])
    parts_to.append(onboard[b])
    parts_w.append(ride_s)

    combined = StreetNetwork.from_arrays(
        "walk+bus",
        np.concatenate([walk.x, x]),
        np.concatenate([walk.y, y]),
        np.concatenate(parts_from).astype(np.int64),
        np.concatenate(parts_to).astype(np.int64),
        np.concatenate(parts_w).astype(np.float64),
        detailed=np.arange(n_walk + n_bus) < n_walk,
    )
    return BusNetwork(walk, combined, walk_kmh, walk_scale, rel, len(a))


def bus_network_from_layer(
    walk: StreetNetwork, routes: pd.DataFrame, *, walk_kmh: float, reference_kmh: float
) -> BusNetwork:
    """Build the :class:`BusNetwork` from the ``bus_routes`` layer and the walk network.

    Parameters
    ----------
    walk : StreetNetwork
        The engine's walk network (shared, not copied: the combined graph adds its own
        arrays and leaves ``walk`` untouched).
    routes : DataFrame
        The ``bus_routes`` layer.
    walk_kmh : float
        Walking speed of the walk, boarding and alighting legs.
    reference_kmh : float
        Speed at which the walk graph's edge times are stored (its manifest's
        ``extra.rules.speed_kmh``).
    """
    return build_bus_network(
        walk,
        routes["relation_id"].to_numpy(),
        routes["position"].to_numpy(),
        routes["stop_lon"].to_numpy(dtype=float),
        routes["stop_lat"].to_numpy(dtype=float),
        routes["headway_min"].to_numpy(dtype=float),
        walk_kmh=walk_kmh,
        walk_scale=reference_kmh / walk_kmh,
    )


class BusEngine(StreetEngine, Protocol):
    """An engine that holds a bus network (:class:`dashboard.engine.core.CommuteEngine`)."""

    def bus_network(self) -> BusNetwork:
        """Return the walk + bus network built on the engine's own walk network."""


def _walk_query(net: BusNetwork, workplace: LatLon, max_minutes: float | None) -> StreetQuery:
    settings = EngineSettings()
    return StreetQuery(
        anchor=workplace,
        direction="to",
        speed_mps=net.walk_kmh / 3.6,
        scale=net.walk_scale,
        max_snap_m=settings.max_snap_m,
        detour_factor=FALLBACK_DETOUR,
        max_minutes=max_minutes,
        max_distance_m=settings.max_distance_km * 1000,
    )


def bus_times(
    source: BusEngine | BusNetwork,
    workplace: LatLon,
    lon: np.ndarray,
    lat: np.ndarray,
    max_minutes: float | None = None,
) -> CommuteTimes:
    """Estimated minutes from each place (lon/lat) to ``workplace`` on foot and by bus.

    Parameters
    ----------
    source : BusEngine or BusNetwork
        An engine (its bus network, built once on its walk graph, and its walking speed
        and detour factor apply) or a ready network.
    workplace : LatLon
        Destination.
    lon, lat : ndarray
        Places (origins).
    max_minutes : float, optional
        Times beyond this are ``nan``.

    Returns
    -------
    CommuteTimes
        ``method`` :data:`METHOD_BUS` (``estimated`` True) where a bus leg makes the trip
        faster than walking alone; otherwise the walking time with method ``"walk"``
        (or ``"walk (straight line x detour)"``, estimated, off the walk network).

    Raises
    ------
    OutsideCoverageError
        When the workplace is too far from the walk network, as for walking.
    """
    if max_minutes is not None:
        check_minutes(max_minutes)
    if isinstance(source, BusNetwork):
        net = source
        query = _walk_query(net, workplace, max_minutes)
    else:
        net = source.bus_network()
        query = source.query_for("walk", workplace, "to", max_minutes)
    lon, lat = np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(np.asarray(lat, float))
    walk = street_times(net.walk, query, lon, lat)
    walk_min = walk.minutes.astype(float)
    bus_min = _bus_minutes(net, query, lon, lat, walk.method == METHOD_NETWORK)
    use_bus = np.isfinite(bus_min) & ~(bus_min >= walk_min)  # nan walk (over limit) too
    minutes = np.where(use_bus, bus_min, walk_min)
    if max_minutes is not None:
        minutes[minutes > max_minutes] = np.nan
    method = np.where(
        walk.method == METHOD_NETWORK, METHOD_WALK, np.char.add("walk (", walk.method) + ")"
    ).astype(object)
    method[use_bus] = METHOD_BUS
    estimated = walk.estimated | use_bus
    return CommuteTimes(minutes, minutes, minutes, estimated, method.astype(str))


def _bus_minutes(
    net: BusNetwork, query: StreetQuery, lon: np.ndarray, lat: np.ndarray, on_network: np.ndarray
) -> np.ndarray:
    """Minutes over the combined graph for points on the walk network (``inf`` elsewhere).

    The anchor takes the bus when walking would route it on the network: inside the walk
    coverage (:func:`~dashboard.engine.street.inside_coverage`, the rule of the walk
    mode), not within a separate snap distance.
    """
    out = np.full(len(lon), np.inf)
    ax, ay = lonlat_to_xy(np.array([query.anchor.lon]), np.array([query.anchor.lat]))
    a_node, a_snap = net.walk.snap(ax, ay)
    if not inside_coverage(query, ax, ay, a_snap)[0] or not on_network.any():
        return out
    speed = query.speed_mps
    limit = np.inf if query.max_minutes is None else query.max_minutes * 60.0
    seconds = dijkstra(net.combined.reverse, directed=True, indices=int(a_node[0]), limit=limit)
    px, py = lonlat_to_xy(lon[on_network], lat[on_network])
    p_node, p_snap = net.walk.snap(px, py)
    out[on_network] = (seconds[p_node] + (a_snap[0] + p_snap) / speed) / 60.0
    return out
