"""A SYNTHETIC Flanders-scale street network for the batch accessibility (issue 11 target).

Not real data, never shipped: built in memory for ``python -m benchmarks`` only.  The
issue's target is "~2,000 origins and ~13,000 facilities over a Flanders-size graph: all
street modes <= 60 s on 2 cores".  The bundled detailed graphs cover Leuven municipality
only (coverage area ~79 km2), so this module tiles them:

* **graph** - each real graph (walk, bike; for the car the detailed Leuven car graph,
  without the regional network, which would overlap itself across tiles) is copied
  ``columns x rows`` times, shifted in Lambert 72 by the coverage areas' common extent
  plus :data:`GAP_M`; neighbouring tiles are joined across each seam by
  :data:`JOINS_PER_SEAM` two-way edges, each between the nearest pair of boundary nodes
  in one band of the seam, timed at its real (straight) length over the graph's median
  edge speed.  The result is one graph; the same offsets for every mode, so a place
  lies in the same tile whatever the mode;
* **coverage** - a Flanders network is routed everywhere, so the synthetic coverage
  area is the rectangle round all tiles: every origin and facility is inside it (the
  edge nodes are those near the rectangle's border; no place uses them);
* **origins** - the neighbourhood points inside the real coverage area, one copy per
  tile (most of the 427 lie in the region, outside the detailed graphs: tiling those
  would put them in gaps or other tiles);
* **facilities** - the real facility layers' points inside the coverage area, one copy
  per tile, topped up to :data:`FACILITY_TARGET` with a layer ``synthetic_addresses``:
  address points of the ``addresses`` layer inside the coverage area, a different
  spread of them in each tile.

Every id carries ``@tile`` (``synthetic``).  The default 13 x 5 tiles give ~2,000 origins
and ~13,000 facilities over ~140 x 73 km (Flanders: ~13,500 km2); the row reports the
node counts reached.  Limits of the copy: Leuven's coverage area is irregular, so the
joins across a seam are one to several kilometres long and a search reaches fewer nodes
across a seam than on a continuous network (mostly the car's 30-minute searches).

:func:`run` times the nearest-facility part in full and the counts on a sample of
origins (scaled); only when their sum is within a budget does it run the whole
:func:`~dashboard.engine.accessibility.batch_accessibility` (a measurement run stays
within a few minutes of a shared 2-core machine).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final

import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from dashboard.engine import accessibility as acc
from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.engine.local_search import bound_radius_m, bounded_seconds
from dashboard.engine.network import StreetNetwork, lonlat_to_xy, xy_to_lonlat
from dashboard.engine.settings import GRAPH_OF_MODE, STREET_MODES
from dashboard.engine.street import Coverage
from geodata.io import load_graph, load_layer

Arrays = dict[str, np.ndarray]

#: Tiles (columns, rows): 65 copies of Leuven give ~2,000 origins (31 per tile in the
#: 2026-12 snapshot).
TILES: Final[tuple[int, int]] = (13, 5)
#: Gap between neighbouring tiles' coverage areas (metres).
GAP_M: Final[float] = 250.0
#: Joining edges per seam between two neighbouring tiles (at most; a band can be empty).
JOINS_PER_SEAM: Final[int] = 12
#: Nodes per side and band considered for a join (the ones nearest the seam).
_JOIN_CANDIDATES: Final[int] = 64
#: Facilities of the issue's target (the real layers' copies topped up with addresses).
FACILITY_TARGET: Final[int] = 13_000
#: The issue's target for the batch over the street modes (seconds, 2 cores).
TARGET_S: Final[float] = 60.0
#: The graphs tiled (the car's detailed graph only: see the module docstring).
GRAPHS: Final[tuple[str, ...]] = ("walk", "bike", "car")


def tile_offsets(
    columns: int, rows: int, step_x: float, step_y: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y shift of every tile, tile ``t`` at column ``t % columns``."""
    tiles = np.arange(columns * rows)
    return (tiles % columns) * float(step_x), (tiles // columns) * float(step_y)


def seam_joins(
    x: np.ndarray, y: np.ndarray, shift: tuple[float, float], bands: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of nodes joining a tile (A, as given) to its copy shifted by ``shift`` (B).

    The seam runs across the shift (along y for a shift in x, and the other way); it is
    cut into ``bands`` equal bands, and in each band the nearest pair among A's nodes
    nearest the seam and B's is joined, so the joins spread along the seam.

    Returns
    -------
    tuple of ndarray
        Node of A, node of B (indices into ``x``) and the straight length in metres.
    """
    along, across = (y, x) if shift[0] else (x, y)
    step = shift[0] or shift[1]
    edges = np.linspace(along.min(), along.max(), bands + 1)
    band = np.clip(np.searchsorted(edges, along, side="right") - 1, 0, bands - 1)
    pairs: set[tuple[int, int]] = set()
    for k in range(bands):
        members = np.flatnonzero(band == k)
        if not len(members):
            continue
        a = members[np.argsort(-across[members])[:_JOIN_CANDIDATES]]  # A's side facing B
        b = members[np.argsort(across[members])[:_JOIN_CANDIDATES]]  # B's side facing A
        dist, nearest = cKDTree(np.column_stack([along[b], across[b] + step])).query(
            np.column_stack([along[a], across[a]])
        )
        best = int(np.argmin(dist))
        pairs.add((int(a[best]), int(b[nearest[best]])))
    ordered = sorted(pairs)
    a_ids = np.array([p[0] for p in ordered], dtype=np.int64)
    b_ids = np.array([p[1] for p in ordered], dtype=np.int64)
    length = np.hypot(x[b_ids] + shift[0] - x[a_ids], y[b_ids] + shift[1] - y[a_ids])
    return a_ids, b_ids, length


def _median_speed_mps(arrays: Mapping[str, np.ndarray]) -> float:
    """Median edge speed of a graph (length / time): the speed of the joining edges."""
    speed = np.asarray(arrays["edge_length_m"], float) / np.asarray(arrays["edge_time_s"], float)
    return float(np.median(speed[np.isfinite(speed)]))


def tile_graph(
    arrays: Mapping[str, np.ndarray],
    columns: int,
    rows: int,
    step: tuple[float, float],
    *,
    joins_per_seam: int = JOINS_PER_SEAM,
) -> Arrays:
    """Tile a graph ``columns x rows`` times and join neighbouring tiles.

    Parameters
    ----------
    arrays : mapping of str to ndarray
        Graph arrays as the ETL stores them (``node_x``, ``node_y``, ``edge_from``,
        ``edge_to``, ``edge_time_s``, ``edge_length_m``).
    columns, rows : int
        Tiles across (x) and up (y).
    step : tuple of float
        Shift between neighbouring tiles in x and y (metres; larger than the graph).
    joins_per_seam : int
        Bands per seam, one join (both ways) per band with nodes on both sides.

    Returns
    -------
    dict of str to ndarray
        The same keys for the tiled graph, plus ``node_tile`` and ``edge_is_join``.
        Tile ``t``'s node ``i`` is node ``t * n + i``.
    """
    x, y = np.asarray(arrays["node_x"], float), np.asarray(arrays["node_y"], float)
    n, tiles = len(x), columns * rows
    dx, dy = tile_offsets(columns, rows, *step)
    base = np.arange(tiles, dtype=np.int64) * n
    src = (base[:, None] + np.asarray(arrays["edge_from"], np.int64)[None, :]).ravel()
    dst = (base[:, None] + np.asarray(arrays["edge_to"], np.int64)[None, :]).ravel()
    time_s = np.tile(np.asarray(arrays["edge_time_s"], float), tiles)
    length = np.tile(np.asarray(arrays["edge_length_m"], float), tiles)
    speed = _median_speed_mps(arrays)
    join_src, join_dst, join_len = [], [], []
    for shift, ok in (((step[0], 0.0), columns > 1), ((0.0, step[1]), rows > 1)):
        if not ok:
            continue
        a, b, metres = seam_joins(x, y, shift, joins_per_seam)
        tile_a = np.arange(tiles)
        tile_a = tile_a[
            (tile_a % columns < columns - 1) if shift[0] else (tile_a < tiles - columns)
        ]
        tile_b = tile_a + (1 if shift[0] else columns)
        from_a = (base[tile_a, None] + a[None, :]).ravel()
        to_b = (base[tile_b, None] + b[None, :]).ravel()
        join_src += [from_a, to_b]  # both ways
        join_dst += [to_b, from_a]
        join_len += [np.tile(metres, len(tile_a))] * 2
    joins = np.concatenate(join_len) if join_len else np.zeros(0)
    return {
        "node_x": (x[None, :] + dx[:, None]).ravel(),
        "node_y": (y[None, :] + dy[:, None]).ravel(),
        "node_tile": np.repeat(np.arange(tiles), n),
        "edge_from": np.concatenate([src, *join_src]),
        "edge_to": np.concatenate([dst, *join_dst]),
        "edge_time_s": np.concatenate([time_s, joins / speed]),
        "edge_length_m": np.concatenate([length, joins]),
        "edge_is_join": np.r_[np.zeros(len(src), bool), np.ones(len(joins), bool)],
    }


def tile_places(
    places: acc.Places, offsets: tuple[np.ndarray, np.ndarray], first: int = 0
) -> acc.Places:
    """Copy points into every tile (ids ``<id>@<tile>``), projected and shifted in Lambert 72."""
    x, y = lonlat_to_xy(places.lon, places.lat)
    dx, dy = offsets
    lon, lat = xy_to_lonlat((x[None, :] + dx[:, None]).ravel(), (y[None, :] + dy[:, None]).ravel())
    tiles = np.repeat(np.arange(first, first + len(dx)), len(places))
    ids = np.char.add(np.char.add(np.tile(places.ids.astype(str), len(dx)), "@"), tiles.astype(str))
    return acc.Places(ids.astype(object), lon, lat)


@dataclass
class SyntheticEngine(CommuteEngine):
    """A :class:`CommuteEngine` answering on given networks and coverages.

    Speeds, reference speeds and detour factors are the real snapshot's (read from its
    manifests); only the networks and their coverage areas are replaced.
    """

    networks: dict[str, StreetNetwork] = field(default_factory=dict)
    coverages: dict[str, Coverage] = field(default_factory=dict)

    def _load_network(self, graph: str) -> StreetNetwork:
        return self.networks[graph]

    def _load_coverage(self, graph: str) -> Coverage | None:
        return self.coverages[graph]


@dataclass(frozen=True)
class Flanders:
    """The synthetic benchmark set: an engine over the tiled graphs, origins, facilities.

    ``step`` is the shift between neighbouring tiles (metres, x and y).
    """

    engine: SyntheticEngine
    origins: acc.Places
    layers: dict[str, acc.Places]
    nodes: dict[str, int]
    tiles: int
    step: tuple[float, float]
    area_km2: float
    build_s: float


def _inside(places: acc.Places, area: shapely.Geometry) -> acc.Places:
    x, y = lonlat_to_xy(places.lon, places.lat)
    keep = shapely.contains_xy(area, x, y)
    return acc.Places(places.ids[keep], places.lon[keep], places.lat[keep])


def _address_top_up(area: shapely.Geometry, per_tile: int, tiles: int) -> acc.Places:
    """``per_tile`` address points inside ``area`` for each tile, a different spread each."""
    frame = load_layer("addresses")
    frame = frame.loc[frame["kind"] == "address"]
    points = _inside(
        acc.Places(
            frame["id"].astype(str).to_numpy(),
            frame.geometry.x.to_numpy(),
            frame.geometry.y.to_numpy(),
        ),
        area,
    )
    stride = max(1, len(points) // max(per_tile, 1))
    picks = [(t % stride + stride * np.arange(per_tile)) % len(points) for t in range(tiles)]
    return acc.Places(
        np.concatenate([points.ids[p] for p in picks]),
        np.concatenate([points.lon[p] for p in picks]),
        np.concatenate([points.lat[p] for p in picks]),
    )


def tiled_network(name: str, arrays: dict[str, np.ndarray]) -> StreetNetwork:
    """Return the routable network of :func:`tile_graph`'s arrays (SYNTHETIC)."""
    return StreetNetwork.from_arrays(
        name,
        arrays["node_x"],
        arrays["node_y"],
        arrays["edge_from"],
        arrays["edge_to"],
        arrays["edge_time_s"],
    )


def build(tiles: tuple[int, int] = TILES, facility_target: int = FACILITY_TARGET) -> Flanders:
    """Build the synthetic engine, origins and facility layers (see the module docstring)."""
    started = time.perf_counter()
    area = _real_coverage_area()
    x0, y0, x1, y1 = shapely.bounds(area)
    columns, rows = tiles
    step = (x1 - x0 + GAP_M, y1 - y0 + GAP_M)
    offsets = tile_offsets(columns, rows, *step)
    hull = shapely.box(x0, y0, x1 + offsets[0].max(), y1 + offsets[1].max())
    engine = _tiled_engine(columns, rows, step, hull)
    origins = tile_places(_inside(acc.neighbourhood_points(), area), offsets)
    layers = _tiled_layers(area, offsets, facility_target)
    nodes = {graph: engine.network(graph).n_nodes for graph in GRAPHS}
    build_s = time.perf_counter() - started
    return Flanders(engine, origins, layers, nodes, columns * rows, step, hull.area / 1e6, build_s)


def _real_coverage_area() -> shapely.Geometry:
    """Union of the real graphs' coverage areas (Lambert 72): where the tiled places lie."""
    real = CommuteEngine()
    areas = []
    for graph in GRAPHS:
        coverage = real.coverage(graph)
        if coverage is None:
            msg = f"the snapshot's {graph} graph manifest records no coverage area"
            raise RuntimeError(msg)
        areas.append(coverage.area)
    return shapely.union_all(areas)


def _tiled_engine(
    columns: int, rows: int, step: tuple[float, float], hull: shapely.Geometry
) -> SyntheticEngine:
    """An engine over every tiled graph, each covered by ``hull`` (routed everywhere)."""
    engine = SyntheticEngine()
    for graph in GRAPHS:
        tiled = tile_graph(load_graph(graph), columns, rows, step)
        net = tiled_network(graph, tiled)
        engine.networks[graph] = net
        engine.coverages[graph] = Coverage.of(net, hull, engine.settings.estimate_band_m)
    return engine


def _tiled_layers(
    area: shapely.Geometry, offsets: tuple[np.ndarray, np.ndarray], facility_target: int
) -> dict[str, acc.Places]:
    """The real facility layers inside ``area`` in every tile, topped up with addresses."""
    layers = {k: tile_places(_inside(v, area), offsets) for k, v in acc.facility_points().items()}
    tiles = len(offsets[0])
    per_tile = max(0, (facility_target - sum(len(v) for v in layers.values())) // tiles)
    if per_tile:
        spread = _address_top_up(area, per_tile, tiles)
        layers["synthetic_addresses"] = _tile_each(spread, per_tile, offsets)
    return layers


def _tile_each(
    spread: acc.Places, per_tile: int, offsets: tuple[np.ndarray, np.ndarray]
) -> acc.Places:
    """Put the ``t``-th block of ``per_tile`` points of ``spread`` into tile ``t``."""
    parts = [
        tile_places(
            acc.Places(
                spread.ids[t * per_tile : (t + 1) * per_tile],
                spread.lon[t * per_tile : (t + 1) * per_tile],
                spread.lat[t * per_tile : (t + 1) * per_tile],
            ),
            (offsets[0][t : t + 1], offsets[1][t : t + 1]),
            first=t,
        )
        for t in range(len(offsets[0]))
    ]
    return acc.Places(
        np.concatenate([p.ids for p in parts]),
        np.concatenate([p.lon for p in parts]),
        np.concatenate([p.lat for p in parts]),
    )


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _every(places: acc.Places, step: int) -> acc.Places:
    return acc.Places(places.ids[::step], places.lon[::step], places.lat[::step])


def _profile_top(fn: Callable[[], object], top: int = 8) -> list[str]:
    """The ``top`` functions by own time while running ``fn`` (``seconds  function``).

    scipy's ``dijkstra`` (Cython, unprofiled) counts in the own time of its caller.
    """
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])  # type: ignore[attr-defined]
    return [
        f"{own:.2f} s  {path.rsplit('/', 1)[-1]}:{line}({name})"
        for (path, line, name), (_, _, own, _, _) in rows[:top]
    ]


def _nearest_every_layer(
    engine: CommuteEngine, mode: str, origins: acc.Places, layers: list[acc.Places]
) -> None:
    for facilities in layers:
        acc.nearest_facility(engine, mode, origins, facilities)


def _part_seconds(
    flanders: Flanders, modes: Sequence[str], sample_step: int
) -> dict[str, dict[str, float]]:
    """Seconds of the batch's two parts per mode: nearest (every origin, every layer) and
    counts, estimated for every origin from two samples.

    The counts run on every ``2 * sample_step``-th and every ``sample_step``-th origin; a
    line through the two times (a fixed cost per call, such as forking the workers, and
    a cost per origin) is extended to all origins, never below the larger sample's time.
    """
    engine, origins, layers = flanders.engine, flanders.origins, flanders.layers
    small, large = _every(origins, 2 * sample_step), _every(origins, sample_step)
    parts: dict[str, dict[str, float]] = {}
    for mode in modes:
        nearest_s = _timed(
            partial(_nearest_every_layer, engine, mode, origins, list(layers.values()))
        )
        small_s = _timed(partial(acc.counts_within, engine, mode, small, layers))
        large_s = _timed(partial(acc.counts_within, engine, mode, large, layers))
        per_origin_s = max(0.0, (large_s - small_s) / (len(large) - len(small)))
        counts_s = max(large_s, large_s + per_origin_s * (len(origins) - len(large)))
        parts[mode] = {
            "nearest_s": round(nearest_s, 2),
            "counts_s": round(counts_s, 2),
            "counts_ms_per_origin": round(1000 * per_origin_s, 2),
        }
    return parts


def run(
    tiles: tuple[int, int] = TILES, sample_step: int = 10, full_budget_s: float = 2 * TARGET_S
) -> list[dict[str, Any]]:
    """Return the Flanders-scale row (see the module docstring).

    The nearest-facility part is timed in full per mode; the counts on two samples of
    origins, extended to all (:func:`_part_seconds`).  When the sum stays within
    ``full_budget_s`` the whole
    :func:`~dashboard.engine.accessibility.batch_accessibility` is then run and its own
    time reported; otherwise the row reports the sum, says so, and carries a profile of
    one mode (bike: nearest stations for every origin, counts on a sample, in this
    process so that the profiler sees every call) to show where the time goes.
    """
    load_start = os.getloadavg()
    flanders = build(tiles)
    modes = STREET_MODES
    # warm: coverage areas, projections of the places, reference speeds
    acc.nearest_facility(
        flanders.engine, modes[0], _every(flanders.origins, 500), flanders.layers["stations"]
    )
    parts = _part_seconds(flanders, modes, sample_step)
    estimate_s = sum(p["nearest_s"] + p["counts_s"] for p in parts.values())
    row: dict[str, Any] = {
        "benchmark": f"accessibility: SYNTHETIC Flanders-scale batch ({flanders.tiles} tiles of "
        "the Leuven graphs; nearest + counts, street modes)",
        "nodes": flanders.nodes,
        "tiled_area_km2": round(flanders.area_km2),
        "origins": len(flanders.origins),
        "facilities": sum(len(p) for p in flanders.layers.values()),
        "layers": len(flanders.layers),
        "build_s": round(flanders.build_s, 1),
        "per_mode": parts,
    }
    if estimate_s <= full_budget_s:
        seconds = _timed(
            lambda: acc.batch_accessibility(flanders.engine, flanders.origins, flanders.layers)
        )
        row["measured"] = "the whole batch_accessibility"
    else:
        seconds = estimate_s
        row["measured"] = (
            "sum of parts: nearest in full, counts extended from every "
            f"{2 * sample_step}th and {sample_step}th origin (the whole batch would exceed "
            f"{full_budget_s:.0f} s)"
        )
        sample = _every(flanders.origins, 4 * sample_step)
        row["profile_bike_serial_top_own_time"] = _profile_top(
            lambda: (
                acc.nearest_facility(
                    flanders.engine, "bike", flanders.origins, flanders.layers["stations"]
                ),
                acc.counts_within(flanders.engine, "bike", sample, flanders.layers, workers=1),
            )
        )
    row |= {
        "seconds": round(seconds, 1),
        "target_s": TARGET_S,
        "target_met": seconds <= TARGET_S,
        # wall times grow with the load on a shared machine
        "load_average_1min_start_end": [round(load_start[0], 2), round(os.getloadavg()[0], 2)],
    }
    return [row]


#: Limits of the local-search row: 30 minutes per street mode, in graph seconds.
LOCAL_SEARCH_MINUTES: Final[float] = 30.0


def _middle_tiles(flanders: Flanders, tiles: tuple[int, int], count: int) -> acc.Places:
    """The origins of ``count`` neighbouring tiles in the middle row (real density)."""
    columns, rows = tiles
    middle = (rows // 2) * columns + columns // 2
    wanted = {str(middle + d) for d in range(-(count // 2), count - count // 2)}
    tile = np.array([str(i).rsplit("@", 1)[1] for i in flanders.origins.ids])
    keep = np.isin(tile, list(wanted))
    return acc.Places(
        flanders.origins.ids[keep], flanders.origins.lon[keep], flanders.origins.lat[keep]
    )


def _local_search_mode(
    flanders: Flanders,
    mode: str,
    origins: acc.Places,
    targets: np.ndarray,
    full_sample: int,
    rounds: int = 3,
) -> dict[str, Any]:
    """Time :func:`bounded_seconds` against per-origin full-graph ``dijkstra`` for one mode.

    The same bounded search a count runs per origin: from the origin's nearest node,
    limit 30 minutes scaled to graph seconds (``query.scale``), direction "from".
    ``bounded_seconds`` runs once cold (first radius from the median edge speed), then
    ``rounds`` times warm (from the reach learnt), each round followed by the full-graph
    searches of the first ``full_sample`` origins, whose rows must be equal to the last
    bit; the fastest round of each is reported (the rounds interleave, so a load spike
    from other users of the machine hits both sides alike).
    """
    engine = flanders.engine
    net = engine.network(GRAPH_OF_MODE[mode])
    query = engine.query_for(mode, LatLon(50.88, 4.70), "from", LOCAL_SEARCH_MINUTES)
    limit = LOCAL_SEARCH_MINUTES * 60.0 / query.scale
    x, y = lonlat_to_xy(origins.lon, origins.lat)
    sources, _ = net.snap(x, y)
    geometry_s = _timed(partial(bound_radius_m, net, limit))  # grid and bound, once per net
    cold_s = _timed(partial(bounded_seconds, net, sources, targets, limit))
    sample = sources[:full_sample]
    local_s, full_s, equal = [], [], True
    for _ in range(rounds):
        started = time.perf_counter()
        ours = bounded_seconds(net, sources, targets, limit)
        local_s.append((time.perf_counter() - started) / len(sources))
        started = time.perf_counter()
        full = np.vstack(
            [dijkstra(net.forward, indices=int(s), limit=limit)[targets] for s in sample]
        )
        full_s.append((time.perf_counter() - started) / len(sample))
        equal &= bool(np.array_equal(ours[: len(sample)], full))
    return {
        "graph": net.name,
        "nodes": net.n_nodes,
        "limit_graph_s": round(limit, 1),
        "bound_radius_km": round(bound_radius_m(net, limit) / 1000, 2),
        "grid_bound_dead_ends_s": round(geometry_s, 2),
        "full_ms_per_origin": round(1000 * min(full_s), 2),
        "local_cold_ms_per_origin": round(1000 * cold_s / len(sources), 2),
        "local_warm_ms_per_origin": round(1000 * min(local_s), 2),
        "speedup_warm": round(min(full_s) / min(local_s), 2),
        "bit_equal_on_sample": equal,
    }


def run_local_search(
    tiles: tuple[int, int] = TILES, tile_count: int = 3, full_sample: int = 12
) -> list[dict[str, Any]]:
    """Per street mode: ms per origin of :func:`bounded_seconds` vs full-graph searches.

    Origins: those of ``tile_count`` neighbouring tiles in the middle of the SYNTHETIC
    Flanders graph (the batch's density: ~31 per tile); targets: every 277th node
    (~13,000, as many as the facilities).  See :func:`_local_search_mode`.
    """
    load_start = os.getloadavg()
    flanders = build(tiles)
    origins = _middle_tiles(flanders, tiles, tile_count)
    per_mode = {}
    for mode in STREET_MODES:
        net = flanders.engine.network(GRAPH_OF_MODE[mode])
        targets = np.arange(0, net.n_nodes, 277)
        per_mode[mode] = _local_search_mode(flanders, mode, origins, targets, full_sample)
    return [
        {
            "benchmark": "local_search.bounded_seconds vs full-graph dijkstra per origin "
            f"(SYNTHETIC Flanders, {flanders.tiles} tiles; 30-minute searches)",
            "origins": len(origins),
            "build_s": round(flanders.build_s, 1),
            "per_mode": per_mode,
            "load_average_1min_start_end": [round(load_start[0], 2), round(os.getloadavg()[0], 2)],
        }
    ]


if __name__ == "__main__":
    import json

    print(json.dumps(run_local_search(), indent=1))
