"""Routable street graphs: access rules, speeds, connectivity pruning and compact arrays.

The MATSim network (:func:`etl.sources.osm.parse_matsim_network`) holds one *directed*
link per street direction, with the modes allowed on it; a PBF read by
:func:`etl.sources.osm_streets.streets_from_pbf` gives links of the same shape, with modes
derived from the OSM access tags.  Its ``bike`` and ``car`` modes
are used as given; its ``walk`` mode is unreliable (ordinary residential streets lack it),
so walking access is decided here from the road type.

Access rules
------------

=============  ==========================================================================
mode           a MATSim link is used when ...
=============  ==========================================================================
walk           ``highway`` is in :data:`WALK_HIGHWAYS` **or** the link's modes contain
               ``walk``; and ``highway`` is not in :data:`NO_WALK_HIGHWAYS` (motorway,
               trunk and their links, construction, proposed, ``no``, motorway service
               areas, bridleways); and the link is not rail (modes only ``pt``).
               Primary/secondary roads are assumed to have sidewalks.  Cycleways are
               walkable: the Belgian traffic code (Wegcode art. 42) lets pedestrians use
               the cycle path where there is no usable sidewalk or verge, and where there
               is one it runs alongside.  Walking ignores one-way rules: every walkable
               link is added in both directions.  Links read from an OSM PBF
               (:mod:`etl.sources.osm_streets`, modes from the OSM access tags) are
               also left out when their ``walk_forbidden`` flag is set (``foot=no``).
bike           the link's modes contain ``bike``; direction as given (contraflow cycling
               on one-way streets exists only where MATSim has the reverse bike link).
car            the link's modes contain ``car`` (rail links, modes ``pt`` only, never);
               direction as given.
strategic_car  every link of the strategic network, direction as given.
=============  ==========================================================================

Speeds (edge_time_s = edge_length_m / speed)
--------------------------------------------

=====  =====================================================================================
mode   speed
=====  =====================================================================================
walk   4.8 km/h; ``steps`` 2.4 km/h (stairs take about twice as long)
bike   15 km/h (the engine scales for e-bikes: ``edge_length_m`` is stored too);
       ``pedestrian``/``footway`` 10 km/h (shared with pedestrians; the Wegcode asks for
       walking pace in pedestrian zones); ``steps`` 4 km/h (bike pushed or carried)
car    1. OSM ``maxspeed`` of the way (``maxspeed:forward``/``:backward`` by direction
       when tagged), joined by OSM way id from the Overpass answer;
       2. else ``zone:traffic=BE:rural``/``BE-VLG:rural`` on trunk..unclassified roads:
       70 km/h (Flemish default outside built-up areas since 2017);
       3. else :data:`CAR_SPEED_KMH` by road class (below).
       Free-flow at the limit: no congestion, no junction delay (the engine applies a
       documented peak factor).
=====  =====================================================================================

Car speed by road class when no ``maxspeed`` is tagged (:data:`CAR_SPEED_KMH`, km/h):
motorway 120 (legal), motorway_link 70, trunk 70, trunk_link 50, primary..unclassified
and their links 50 (built-up default), residential 30 (the most common tagged value on
Leuven's residential streets: 938 of 1,308 tagged ways in 2021), living_street 20
(legal "erf"/"woonerf" limit), service 20, track 20 (farm tracks: unpaved or narrow, often
restricted to local traffic; a low speed keeps them from becoming shortcuts), anything
else 30.  These values
are assumptions where OSM is silent; the manifest reports how many car edges use them.

Compaction
----------
Self-loops are dropped; parallel edges between the same two nodes are merged keeping
the fastest (scipy's CSR would otherwise *add* their weights).  Only the largest strongly
connected component is kept, so every node can reach every other node.  Nodes are
renumbered 0..n-1 in OSM-id order; edges are sorted by (from, to).  Lengths and times
are float32; lengths and times below 1 cm / 0.01 s are raised to that floor so that no
edge has zero weight (csgraph would drop explicit zeros in some conversions).

Detour factor
-------------
:func:`detour_factor` measures how much longer the network is than the straight line, on
the graph itself (walk, bike and car alike): 25 random source nodes (fixed seed), one
shortest-path search each on ``edge_length_m`` *in the graph's directions* (the car's
one-way streets count; walk edges run both ways), 20 random reachable
targets per source at least 1 km away in a straight line (the engine uses the factor for
remainders beyond the network; short pairs inflate the ratio); the manifest records the
median, mean, 10th and 90th percentiles and the number of pairs.

Coverage area
-------------
:func:`coverage_polygon` derives the area a graph serves from its own kept edges, in
EPSG:31370: points every :data:`COVERAGE_CELL_M` / 2 along every edge mark the cells of a
:data:`COVERAGE_CELL_M` grid; the marked cells are dilated by a disc of
:data:`COVERAGE_RADIUS_M` (a point in the area is at most that far, plus one cell, from a
street); holes smaller than :data:`COVERAGE_MAX_HOLE_M2` (parks, blocks, fields between
streets) are filled; the cells are joined into polygons and simplified (Douglas-Peucker,
topology preserved) with a tolerance of one cell, doubled until the outline has at most
:data:`COVERAGE_MAX_VERTICES` vertices or until it would exceed :data:`COVERAGE_RADIUS_M`
(beyond that the outline would err by more than the reach itself; an area with hundreds
of large holes, such as a rural region's fields, then keeps more vertices: every ring
keeps at least four).  A grid is used instead of buffering every edge
because a union of 100,000 edge buffers needs gigabytes of memory; the grid needs a few
megabytes for the whole region.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely
from scipy import ndimage
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

#: Road-type names, index = code stored in ``edge_highway`` (0 = missing or other).
HIGHWAY_NAMES: Final[tuple[str, ...]] = (
    "other",
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "track",
    "road",
    "pedestrian",
    "footway",
    "path",
    "cycleway",
    "steps",
    "corridor",
    "platform",
    "elevator",
    "bridleway",
    "construction",
    "services",
)
HIGHWAY_CODE: Final[dict[str, int]] = {name: i for i, name in enumerate(HIGHWAY_NAMES)}

WALK_HIGHWAYS: Final[frozenset[str]] = frozenset(
    {
        "footway",
        "path",
        "pedestrian",
        "steps",
        "living_street",
        "residential",
        "service",
        "track",
        "unclassified",
        "road",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "cycleway",
        "corridor",
        "platform",
        "elevator",
    }
)
NO_WALK_HIGHWAYS: Final[frozenset[str]] = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "construction",
        "proposed",
        "no",
        "services",
        "bridleway",
    }
)

WALK_SPEED_KMH: Final[float] = 4.8
WALK_SPEED_BY_HIGHWAY: Final[dict[str, float]] = {"steps": 2.4}
BIKE_SPEED_KMH: Final[float] = 15.0
BIKE_SPEED_BY_HIGHWAY: Final[dict[str, float]] = {
    "pedestrian": 10.0,
    "footway": 10.0,
    "steps": 4.0,
}
CAR_DEFAULT_SPEED_KMH: Final[float] = 30.0
CAR_SPEED_KMH: Final[dict[str, float]] = {
    "motorway": 120.0,
    "motorway_link": 70.0,
    "trunk": 70.0,
    "trunk_link": 50.0,
    "primary": 50.0,
    "primary_link": 50.0,
    "secondary": 50.0,
    "secondary_link": 50.0,
    "tertiary": 50.0,
    "tertiary_link": 50.0,
    "unclassified": 50.0,
    "residential": 30.0,
    "living_street": 20.0,
    "service": 20.0,
    "track": 20.0,
}
#: Flemish legal default outside built-up areas, used with ``zone:traffic=*:rural``.
CAR_RURAL_SPEED_KMH: Final[float] = 70.0
RURAL_DEFAULT_HIGHWAYS: Final[frozenset[str]] = frozenset(
    {"trunk", "primary", "secondary", "tertiary", "unclassified"}
)
#: Implicit ``maxspeed`` values used in Belgium (Flanders where regions differ).
IMPLICIT_MAXSPEED_KMH: Final[dict[str, float]] = {
    "be:urban": 50.0,
    "be-vlg:urban": 50.0,
    "be:rural": 70.0,
    "be-vlg:rural": 70.0,
    "be:zone30": 30.0,
    "be-vlg:zone30": 30.0,
    "be:living_street": 20.0,
    "be:motorway": 120.0,
}
_RURAL_ZONES: Final[frozenset[str]] = frozenset({"be:rural", "be-vlg:rural"})
#: Smallest stored length (m) and time (s): no zero-weight edges.
MIN_LENGTH_M: Final[float] = 0.01
MIN_TIME_S: Final[float] = 0.01

#: Grid cell (m) of the coverage raster; also the first simplification tolerance.
COVERAGE_CELL_M: Final[float] = 50.0
#: Distance (m) from an edge still counted as covered by the graph.
COVERAGE_RADIUS_M: Final[float] = 200.0
#: Uncovered pockets smaller than this (m², 1 km²) inside the area are filled.
COVERAGE_MAX_HOLE_M2: Final[float] = 1_000_000.0
#: Most vertices kept in the simplified outline.
COVERAGE_MAX_VERTICES: Final[int] = 800
#: Default words for the edges a coverage area is derived from (in its method text).
COVERAGE_ALL_EDGES: Final[str] = "every edge of the graph (after pruning)"

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?\s*$")


# --------------------------------------------------------------------------- access


def has_mode(modes: pd.Series, mode: str) -> pd.Series:
    """Return a boolean mask: the comma-separated ``modes`` contain ``mode``."""
    return modes.str.contains(rf"(?:^|,){re.escape(mode)}(?:,|$)", regex=True)


def walk_mask(links: pd.DataFrame) -> pd.Series:
    """Return which links are walkable (see the access table in the module docstring).

    Links read from an OSM PBF (:mod:`etl.sources.osm_streets`) carry a boolean
    ``walk_forbidden`` column (``foot=no``, ``access=no`` ...) that overrides the road
    class; MATSim links have no such column.
    """
    highway = links["highway"]
    rail_only = links["modes"].str.fullmatch(r"pt(?:,pt)*")
    allowed = highway.isin(WALK_HIGHWAYS) | has_mode(links["modes"], "walk")
    if "walk_forbidden" in links.columns:
        allowed &= ~links["walk_forbidden"].astype(bool)
    return allowed & ~highway.isin(NO_WALK_HIGHWAYS) & ~rail_only


def walk_edges(links: pd.DataFrame) -> pd.DataFrame:
    """Return walk edges: every walkable link in both directions, timed at walking speed."""
    walkable = links[walk_mask(links)]
    forward = walkable[["from_id", "to_id", "length_m", "highway"]]
    backward = forward.rename(columns={"from_id": "to_id", "to_id": "from_id"})
    edges = pd.concat([forward, backward[forward.columns]], ignore_index=True)
    speed = _speed_by_highway(edges["highway"], WALK_SPEED_KMH, WALK_SPEED_BY_HIGHWAY)
    return _with_time(edges, speed)


def bike_edges(links: pd.DataFrame) -> pd.DataFrame:
    """Return bike edges: links whose modes contain ``bike``, direction as given."""
    edges = links.loc[has_mode(links["modes"], "bike"), ["from_id", "to_id", "length_m", "highway"]]
    speed = _speed_by_highway(edges["highway"], BIKE_SPEED_KMH, BIKE_SPEED_BY_HIGHWAY)
    return _with_time(edges.reset_index(drop=True), speed)


def car_edges(links: pd.DataFrame, ways: pd.DataFrame) -> pd.DataFrame:
    """Return car edges with speeds from OSM ``maxspeed``, rural zone or road class.

    Parameters
    ----------
    links : DataFrame
        MATSim links (``way_id``, ``reverse``, ``from_id``, ``to_id``, ``length_m``,
        ``modes``, ``highway``).
    ways : DataFrame
        Overpass ways (``way_id``, ``maxspeed``, ``maxspeed_forward``,
        ``maxspeed_backward``, ``oneway``, ``zone_traffic``).

    Returns
    -------
    DataFrame
        ``from_id``, ``to_id``, ``length_m``, ``highway``, ``speed_kmh``, ``time_s``,
        ``speed_source`` (``"maxspeed"``, ``"rural_zone"`` or ``"class"``),
        ``in_overpass`` (way found in the Overpass answer) and ``against_oneway`` (the
        link runs against an OSM ``oneway`` tag of 2021: a changed or mistagged street).
    """
    car = links[has_mode(links["modes"], "car")].reset_index(drop=True)
    joined = car.merge(ways.drop(columns="highway"), on="way_id", how="left", validate="m:1")
    directed = joined["maxspeed_backward"].where(joined["reverse"], joined["maxspeed_forward"])
    tagged = directed.fillna(joined["maxspeed"]).map(parse_maxspeed)
    rural = joined["zone_traffic"].fillna("").str.lower().isin(_RURAL_ZONES) & joined[
        "highway"
    ].isin(RURAL_DEFAULT_HIGHWAYS)
    by_class = joined["highway"].map(CAR_SPEED_KMH).fillna(CAR_DEFAULT_SPEED_KMH)
    speed = tagged.where(tagged.notna(), np.where(rural, CAR_RURAL_SPEED_KMH, by_class))
    source = np.where(tagged.notna(), "maxspeed", np.where(rural, "rural_zone", "class"))
    edges = joined[["from_id", "to_id", "length_m", "highway"]].copy()
    edges = _with_time(edges, speed.astype("float64"))
    edges["speed_source"] = source
    edges["in_overpass"] = joined["way_id"].isin(ways["way_id"]).to_numpy()
    edges["against_oneway"] = _against_oneway(joined["oneway"], joined["reverse"]).to_numpy()
    return edges


def _against_oneway(oneway: pd.Series, reverse: pd.Series) -> pd.Series:
    tag = oneway.fillna("").astype(str).str.lower()
    return (tag.isin({"yes", "1", "true"}) & reverse) | ((tag == "-1") & ~reverse)


def parse_maxspeed(value: object) -> float | None:
    """Read an OSM ``maxspeed`` value in km/h; None when absent or not a fixed limit.

    Numbers (``"50"``), ``"30 mph"``, Belgian implicit values (``"BE:urban"``,
    ``"BE-VLG:rural"``, ``"BE:zone30"``) are understood; lists such as ``"50;30"``
    (time-dependent limits) give the lowest value; ``"none"``, ``"signals"``,
    ``"walk"`` and unknown text give None.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    speeds = [s for s in (_one_maxspeed(part) for part in re.split(r"[;|]", value)) if s]
    return min(speeds) if speeds else None


def _one_maxspeed(text: str) -> float | None:
    match = _NUMBER.match(text)
    if match:
        number = float(match.group(1))
        return number * 1.609344 if match.group(2) == "mph" else number
    return IMPLICIT_MAXSPEED_KMH.get(text.strip().lower())


def _speed_by_highway(
    highway: pd.Series, default_kmh: float, overrides: Mapping[str, float]
) -> pd.Series:
    return highway.map(overrides).fillna(default_kmh).astype("float64")


def _with_time(edges: pd.DataFrame, speed_kmh: pd.Series | np.ndarray) -> pd.DataFrame:
    out = edges.copy()
    out["length_m"] = out["length_m"].clip(lower=MIN_LENGTH_M)
    out["speed_kmh"] = np.asarray(speed_kmh, dtype="float64")
    out["time_s"] = (out["length_m"] / (out["speed_kmh"] / 3.6)).clip(lower=MIN_TIME_S)
    return out


# --------------------------------------------------------------------------- compaction


def merge_parallel_edges(edges: pd.DataFrame) -> pd.DataFrame:
    """Drop self-loops and keep only the fastest edge per (from, to) pair.

    Ties are broken by length, then by the remaining columns' order, so the result
    does not depend on input order.
    """
    loops = edges["from_id"] == edges["to_id"]
    ordered = edges[~loops].sort_values(
        ["from_id", "to_id", "time_s", "length_m"], kind="mergesort"
    )
    return ordered.drop_duplicates(["from_id", "to_id"], keep="first").reset_index(drop=True)


def largest_scc(
    edge_from: np.ndarray, edge_to: np.ndarray, n_nodes: int
) -> tuple[np.ndarray, list[int]]:
    """Return the node mask of the largest strongly connected component and all sizes.

    Nodes without any edge are not counted as components.

    Returns
    -------
    keep : ndarray of bool
        True for nodes of the largest component (lowest label on ties).
    sizes : list of int
        Sizes of the components of nodes that have edges, largest first.
    """
    adjacency = csr_matrix(
        (np.ones(len(edge_from), dtype=np.int8), (edge_from, edge_to)), shape=(n_nodes, n_nodes)
    )
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    used = np.zeros(n_nodes, dtype=bool)
    used[edge_from] = used[edge_to] = True
    counts = np.bincount(labels[used], minlength=int(labels.max()) + 1)
    keep = labels == int(np.argmax(counts))
    return keep, sorted((int(c) for c in counts if c), reverse=True)


def compact_graph(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    id_array: str,
    node_columns: Mapping[str, str],
    edge_columns: Mapping[str, str],
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Keep the largest strongly connected component and pack it into typed arrays.

    Parameters
    ----------
    nodes : DataFrame
        ``node_id``, ``x``, ``y``, ``lon``, ``lat`` plus the columns of ``node_columns``.
    edges : DataFrame
        ``from_id``, ``to_id`` (node ids) plus the columns of ``edge_columns``; already
        free of parallel edges.
    id_array : str
        Name of the array holding the original node ids (``"node_osm_id"``, ``"node_id"``).
    node_columns, edge_columns : mapping
        Extra column -> numpy dtype; stored as ``node_<column>`` / ``edge_<column>``.

    Returns
    -------
    arrays : dict
        ``node_lon``, ``node_lat``, ``node_x``, ``node_y`` (float64), ``<id_array>``
        (int64), ``edge_from``, ``edge_to`` (int32) and the extra arrays.
    stats : dict
        Node and edge counts before/after and the strongly connected component sizes.
    """
    ordered = nodes.sort_values("node_id", ignore_index=True)
    ids = ordered["node_id"].to_numpy(dtype=np.int64)
    src = np.searchsorted(ids, edges["from_id"].to_numpy(dtype=np.int64))
    dst = np.searchsorted(ids, edges["to_id"].to_numpy(dtype=np.int64))
    used = np.zeros(len(ids), dtype=bool)
    used[src] = used[dst] = True
    keep, sizes = largest_scc(src, dst, len(ids))
    new_index = np.cumsum(keep) - 1
    kept_edges = keep[src] & keep[dst]
    kept_nodes = ordered[keep]
    arrays: dict[str, np.ndarray] = {
        "node_lon": np.round(kept_nodes["lon"].to_numpy(dtype=np.float64), 7),
        "node_lat": np.round(kept_nodes["lat"].to_numpy(dtype=np.float64), 7),
        "node_x": kept_nodes["x"].to_numpy(dtype=np.float64),
        "node_y": kept_nodes["y"].to_numpy(dtype=np.float64),
        id_array: kept_nodes["node_id"].to_numpy(dtype=np.int64),
    }
    for column, dtype in node_columns.items():
        arrays[f"node_{column}"] = kept_nodes[column].to_numpy(dtype=dtype)
    edge_from = new_index[src[kept_edges]].astype(np.int32)
    edge_to = new_index[dst[kept_edges]].astype(np.int32)
    order = np.lexsort((edge_to, edge_from))
    arrays["edge_from"], arrays["edge_to"] = edge_from[order], edge_to[order]
    kept = edges[kept_edges]
    for column, dtype in edge_columns.items():
        arrays[f"edge_{column}"] = kept[column].to_numpy(dtype=dtype)[order]
    stats = {
        "nodes_with_edges": int(used.sum()),
        "nodes_kept": int(keep.sum()),
        "nodes_dropped": int(used.sum() - keep.sum()),
        "edges_in": len(edges),
        "edges_kept": int(kept_edges.sum()),
        "edges_dropped": int(len(edges) - kept_edges.sum()),
        "scc_count": len(sizes),
        "scc_largest_sizes": sizes[:5],
    }
    return arrays, stats


def highway_codes(highway: pd.Series) -> np.ndarray:
    """Map road-type names to the int8 codes of :data:`HIGHWAY_NAMES` (0 = other)."""
    return highway.map(HIGHWAY_CODE).fillna(0).to_numpy(dtype=np.int8)


# --------------------------------------------------------------------------- detour


def detour_factor(
    arrays: Mapping[str, np.ndarray],
    *,
    n_sources: int = 25,
    targets_per_source: int = 20,
    min_distance_m: float = 1000.0,
    seed: int = 20210331,
) -> dict[str, float | None]:
    """Measure network distance / straight-line distance on random node pairs.

    ``n_sources`` one-to-all searches on ``edge_length_m`` give ``targets_per_source``
    random reachable targets each (default 25 x 20 = 500 pairs).  Pairs closer than
    ``min_distance_m`` in a straight line are skipped: the engine uses the factor for
    trips beyond the detailed network, and very short pairs inflate the ratio.

    Returns
    -------
    dict
        ``pairs``, ``median``, ``mean``, ``p10``, ``p90`` and ``min_distance_m``.
    """
    n = len(arrays["node_x"])
    graph = csr_matrix(
        (arrays["edge_length_m"].astype(np.float64), (arrays["edge_from"], arrays["edge_to"])),
        shape=(n, n),
    )
    rng = np.random.default_rng(seed)
    sources = rng.choice(n, size=min(n_sources, n), replace=False)
    dist = dijkstra(graph, directed=True, indices=sources)
    ratios: list[np.ndarray] = []
    for row, source in zip(dist, sources, strict=True):
        straight = np.hypot(
            arrays["node_x"] - arrays["node_x"][source], arrays["node_y"] - arrays["node_y"][source]
        )
        candidates = np.flatnonzero(np.isfinite(row) & (straight >= min_distance_m))
        if candidates.size == 0:
            continue
        picked = rng.choice(
            candidates, size=min(targets_per_source, candidates.size), replace=False
        )
        ratios.append(row[picked] / straight[picked])
    values = np.concatenate(ratios) if ratios else np.array([])
    if values.size == 0:  # network smaller than min_distance_m: nothing to measure
        return {
            "pairs": 0,
            "median": None,
            "mean": None,
            "p10": None,
            "p90": None,
            "min_distance_m": min_distance_m,
        }
    return {
        "pairs": int(values.size),
        "median": round(float(np.median(values)), 3),
        "mean": round(float(np.mean(values)), 3),
        "p10": round(float(np.percentile(values, 10)), 3),
        "p90": round(float(np.percentile(values, 90)), 3),
        "min_distance_m": min_distance_m,
    }


# --------------------------------------------------------------------------- coverage


def coverage_polygon(
    arrays: Mapping[str, np.ndarray],
    *,
    edge_mask: np.ndarray | None = None,
    edges_used: str = COVERAGE_ALL_EDGES,
) -> tuple[shapely.Geometry, str]:
    """Derive the area a graph covers from its edges (see "Coverage area" above).

    Parameters
    ----------
    arrays : mapping
        Graph arrays with ``node_x``, ``node_y`` (EPSG:31370), ``edge_from``, ``edge_to``.
    edge_mask : ndarray of bool, optional
        Edges to use (e.g. not the strategic model's zone connectors); default all.
    edges_used : str, optional
        Which edges were used, in words, for the method text.

    Returns
    -------
    geometry : Polygon or MultiPolygon
        The coverage area in EPSG:31370, vertices on the grid (whole metres).
    method : str
        How it was derived, with the numbers used.

    Raises
    ------
    ValueError
        When the graph has no edges to derive an area from.
    """
    x, y = arrays["node_x"], arrays["node_y"]
    start, end = arrays["edge_from"], arrays["edge_to"]
    if edge_mask is not None:
        start, end = start[edge_mask], end[edge_mask]
    if len(start) == 0:
        msg = "graph has no edges: no coverage area can be derived"
        raise ValueError(msg)
    px, py = _edge_samples(x[start], y[start], x[end], y[end], COVERAGE_CELL_M / 2)
    radius = round(COVERAGE_RADIUS_M / COVERAGE_CELL_M)
    mask, x0, y0 = _grid_mask(px, py, COVERAGE_CELL_M, pad=radius + 1)
    mask = ndimage.binary_dilation(mask, structure=_disc(radius))
    max_hole_cells = COVERAGE_MAX_HOLE_M2 / COVERAGE_CELL_M**2
    mask, holes_filled = _fill_small_holes(mask, max_hole_cells)
    area = _cells_to_polygon(mask, x0, y0, COVERAGE_CELL_M)
    simple, tolerance = _simplify_to(
        area, COVERAGE_CELL_M, COVERAGE_MAX_VERTICES, max_tolerance=COVERAGE_RADIUS_M
    )
    method = (
        f"{edges_used}, sampled every {COVERAGE_CELL_M / 2:g} m onto a "
        f"{COVERAGE_CELL_M:g} m grid (EPSG:31370); cells within {COVERAGE_RADIUS_M:g} m of a "
        f"sampled cell; {holes_filled} hole(s) under {COVERAGE_MAX_HOLE_M2 / 1e6:g} km² "
        f"filled; outline simplified (Douglas-Peucker) with a {tolerance:g} m tolerance to "
        f"{shapely.get_num_coordinates(simple)} vertices (at most {COVERAGE_MAX_VERTICES} "
        f"unless that needs a tolerance over {COVERAGE_RADIUS_M:g} m)"
    )
    return simple, method


def _edge_samples(
    x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, spacing: float
) -> tuple[np.ndarray, np.ndarray]:
    """Points along every segment, both ends included, at most ``spacing`` apart."""
    steps = np.maximum(1, np.ceil(np.hypot(x1 - x0, y1 - y0) / spacing)).astype(np.int64)
    counts = steps + 1
    edge = np.repeat(np.arange(len(steps)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    share = (np.arange(int(counts.sum())) - first) / steps[edge]
    return x0[edge] + (x1 - x0)[edge] * share, y0[edge] + (y1 - y0)[edge] * share


def _grid_mask(
    px: np.ndarray, py: np.ndarray, cell: float, *, pad: int
) -> tuple[np.ndarray, float, float]:
    """Boolean raster (rows = y) of the cells holding a point, ``pad`` cells of margin.

    The origin is a multiple of ``cell``, so polygon vertices fall on whole metres.
    """
    x0 = (np.floor(px.min() / cell) - pad) * cell
    y0 = (np.floor(py.min() / cell) - pad) * cell
    col = ((px - x0) // cell).astype(np.int64)
    row = ((py - y0) // cell).astype(np.int64)
    mask = np.zeros((int(row.max()) + pad + 1, int(col.max()) + pad + 1), dtype=bool)
    mask[row, col] = True
    return mask, float(x0), float(y0)


def _disc(radius: int) -> np.ndarray:
    yy, xx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    return np.asarray(xx**2 + yy**2 <= radius**2)


def _fill_small_holes(mask: np.ndarray, max_cells: float) -> tuple[np.ndarray, int]:
    """Fill the empty pockets (not touching the raster border) smaller than ``max_cells``."""
    labels, count = ndimage.label(~mask)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    border = np.zeros(count + 1, dtype=bool)
    for edge in (labels[0], labels[-1], labels[:, 0], labels[:, -1]):
        border[edge] = True
    fill = ~border & (sizes < max_cells)
    fill[0] = False  # label 0 is the covered cells themselves
    return mask | fill[labels], int(fill.sum())


def _cells_to_polygon(mask: np.ndarray, x0: float, y0: float, cell: float) -> shapely.Geometry:
    """Union of the marked cells, one box per run of marked cells in a row."""
    boxes = []
    for row in np.flatnonzero(mask.any(axis=1)):
        change = np.diff(np.concatenate([[0], mask[row].astype(np.int8), [0]]))
        starts, ends = np.flatnonzero(change == 1), np.flatnonzero(change == -1)
        bottom = y0 + row * cell
        boxes.append(shapely.box(x0 + starts * cell, bottom, x0 + ends * cell, bottom + cell))
    return shapely.union_all(np.concatenate(boxes))


def _simplify_to(
    geometry: shapely.Geometry, tolerance: float, max_vertices: int, *, max_tolerance: float
) -> tuple[shapely.Geometry, float]:
    """Simplify with ``tolerance``, doubled while over ``max_vertices`` and ``max_tolerance``.

    The bound on the tolerance also ends the loop when the rings alone hold more than
    ``max_vertices`` (topology-preserving simplification keeps every ring).
    """
    simple = shapely.simplify(geometry, tolerance, preserve_topology=True)
    while shapely.get_num_coordinates(simple) > max_vertices and tolerance * 2 <= max_tolerance:
        tolerance *= 2
        simple = shapely.simplify(geometry, tolerance, preserve_topology=True)
    return simple, tolerance
