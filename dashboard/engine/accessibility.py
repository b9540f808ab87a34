"""Batch accessibility: every neighbourhood x facility layer x street mode at once.

For planners: minutes from each neighbourhood (its representative point, as on the
Explore page) to the nearest facility of a layer, and how many of the layer's facilities
lie within 5, 10, 15, 20 and 30 minutes, per street mode.  One tidy row per
(code, layer, mode): ``nearest_minutes``, ``count_5`` ... ``count_30``, ``estimated``,
``method`` (see :data:`COLUMNS`).

Two computations, each giving what single queries from the neighbourhood give
(:func:`dashboard.engine.street.street_times` with the neighbourhood as anchor,
direction "from"):

* **nearest** - ONE multi-source search per (layer, mode) over the transposed graph,
  from a virtual node joined to every facility's start: a facility inside the graph's
  coverage area starts at its nearest node with its snap leg as head start; one outside
  starts at every edge node of the coverage area (and its own nearest node) with its
  estimated remainder as head start - per node only the smallest head start matters, so
  the outside facilities reduce to "the remainder to the nearest outside facility" per
  node (a KD-tree query).  Each neighbourhood then reads the search at its own node
  (inside coverage: + its snap leg) or at the best edge node (outside: + its remainder);
  a neighbourhood outside coverage also takes the whole trip estimated as one straight
  line where that is faster, as ``street_times`` does for an anchor outside coverage.
  Every leg (snap leg, path, remainder) is the same whichever end the search starts
  from, so this is the minimum over the layer's facilities of the single queries, up to
  floating-point summation order (tested on samples to 1e-9 minutes).  Not applied:
  ``max_distance_m`` (60 km; no facility of the region is that far).
* **counts** - per (neighbourhood, mode) the bounded single query to every facility of
  every layer at once (:func:`minutes_matrix`, the same formulas as ``street_times``),
  limited to the longest threshold.  A count is a number of distinct facilities, which a
  multi-source search cannot give; the bound keeps each search small.

Facilities: primary schools (``levels`` with ``lager``), secondary schools
(``secundair``), international schools, childcare (central Leuven only: see that layer's
coverage), railway stations and adult-education centres, read from the committed layers.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Final, TypeVar

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import StreetNetwork, lonlat_to_xy
from dashboard.engine.settings import GRAPH_OF_MODE, STREET_MODES
from dashboard.engine.street import (
    METHOD_NETWORK,
    METHOD_REGIONAL,
    METHOD_STRAIGHT,
    StreetQuery,
    anchor_seconds,
    edge_nodes,
    inside_coverage,
    multi_source_times,
    remainder_seconds,
)
from geodata.catalog import LAYER_COLUMNS
from geodata.io import load_layer

#: Thresholds (minutes) of the ``count_<t>`` columns.
THRESHOLDS: Final[tuple[int, ...]] = (5, 10, 15, 20, 30)
#: Origins per block when comparing every edge node (bounds the origins x nodes arrays).
_CHUNK: Final[int] = 256
#: Most origin x edge-node remainders kept for the nearest part of all layers (8 bytes each).
_CACHE_CELLS: Final[int] = 8_000_000
#: Setting: worker processes of the batch counts (1: serial; default 2, at most the cores).
WORKERS_ENV: Final[str] = "LEUVEN_ATLAS_ACCESSIBILITY_WORKERS"
#: Fewest origins per worker process worth a fork (below it the counts run serially).
_MIN_ROWS: Final[int] = 16
#: Seconds by which the candidate pairs' budget exceeds the limit (see ``_Candidates``):
#: a margin far above the rounding of the sums compared, so no needed pair is left out.
_MARGIN_S: Final[float] = 1e-3
#: Width (seconds) of the remainder bins by which candidate pairs are picked.
_BIN_S: Final[float] = 10.0
#: The job a forked child runs (set only while :func:`_fork` forks).
_JOB: Callable[[], Any] | None = None
_A = TypeVar("_A")
_B = TypeVar("_B")
_FORK_LOCK = threading.Lock()
#: Columns of the batch table, in order (the catalog's contract of the layer).
COLUMNS: Final[tuple[str, ...]] = LAYER_COLUMNS["accessibility"]


def _has_level(level: str) -> Callable[[pd.DataFrame], pd.Series]:
    def keep(frame: pd.DataFrame) -> pd.Series:
        return frame["levels"].astype(str).str.split(";").apply(lambda parts: level in parts)

    return keep


#: Facility layer name -> (snapshot layer, row filter or None).
FACILITY_LAYERS: Final[dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series] | None]]] = {
    "primary_schools": ("schools", _has_level("lager")),
    "secondary_schools": ("schools", _has_level("secundair")),
    "international_schools": ("international_schools", None),
    "childcare": ("childcare", None),
    "stations": ("stations", None),
    "adult_education": ("adult_education", None),
}


@dataclass(frozen=True)
class Places:
    """Points with ids: origins (neighbourhoods) or the facilities of one layer."""

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def neighbourhood_points(data_dir: Path | None = None) -> Places:
    """Return every neighbourhood's representative point (as the Explore page uses it)."""
    frame = load_layer("neighbourhoods", data_dir)
    points = frame.geometry.representative_point()
    return Places(frame["code"].astype(str).to_numpy(), points.x.to_numpy(), points.y.to_numpy())


def facility_points(data_dir: Path | None = None) -> dict[str, Places]:
    """Return the facilities of every :data:`FACILITY_LAYERS` entry (points with a position)."""
    out: dict[str, Places] = {}
    for name, (layer, keep) in FACILITY_LAYERS.items():
        frame = load_layer(layer, data_dir)
        if keep is not None:
            frame = frame.loc[keep(frame)]
        frame = frame.loc[frame.geometry.notna() & ~frame.geometry.is_empty]
        out[name] = Places(
            frame["id"].astype(str).to_numpy(),
            frame.geometry.x.to_numpy(),
            frame.geometry.y.to_numpy(),
        )
    return out


@dataclass(frozen=True)
class Nearest:
    """Minutes from each origin to the nearest facility, and how they were obtained."""

    minutes: np.ndarray
    estimated: np.ndarray
    method: np.ndarray


def _facility_sources(
    net: StreetNetwork, query: StreetQuery, facilities: Places
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the source nodes, head starts (graph seconds) and kinds of one search.

    The kind says whether each source stands for a facility outside coverage.
    """
    fx, fy = lonlat_to_xy(facilities.lon, facilities.lat)
    node, snap = net.snap(fx, fy)
    inside = inside_coverage(query, fx, fy, snap)
    nodes = [node[inside]]
    heads = [snap[inside] / query.speed_mps / query.scale]
    outside_kind = [np.zeros(int(inside.sum()), dtype=bool)]
    if (~inside).any():
        tree = cKDTree(np.column_stack([fx[~inside], fy[~inside]]))
        # every edge node starts with the remainder to its nearest outside facility
        # (remainders grow with distance, so the nearest is the best head start) ...
        ends = edge_nodes(net, query)
        dist, _ = tree.query(np.column_stack([net.x[ends], net.y[ends]]))
        nodes.append(ends)
        heads.append(remainder_seconds(np.asarray(dist), query) / query.scale)
        # ... and each outside facility also from its own nearest node
        own = node[~inside]
        own_dist = np.hypot(net.x[own] - fx[~inside], net.y[own] - fy[~inside])
        nodes.append(own)
        heads.append(remainder_seconds(own_dist, query) / query.scale)
        outside_kind += [np.ones(len(ends), dtype=bool), np.ones(len(own), dtype=bool)]
    return np.concatenate(nodes), np.concatenate(heads), np.concatenate(outside_kind)


def nearest_facility(
    engine: CommuteEngine, mode: str, origins: Places, facilities: Places
) -> Nearest:
    """Minutes from each origin to the nearest of ``facilities`` by street ``mode``.

    One multi-source search over the transposed graph (see the module docstring).
    Origins with no facility at all get ``nan``.
    """
    return nearest_facilities(engine, mode, origins, {"": facilities})[""]


def nearest_facilities(
    engine: CommuteEngine, mode: str, origins: Places, layers: dict[str, Places]
) -> dict[str, Nearest]:
    """Return :func:`nearest_facility` for every layer (the same answers).

    The origins' remainders from the coverage area's edge nodes are the same for every
    layer, so they are computed once (:class:`_OriginLegs`).
    """
    n = len(origins)
    net = engine.network(GRAPH_OF_MODE[mode])
    anchor = _anchor(origins, 0) if n else LatLon(50.88, 4.70)
    query = engine.query_for(mode, anchor, "to", None)  # points -> facilities
    legs = _OriginLegs.of(net, query, origins)
    return {name: legs.nearest(net, query, facilities) for name, facilities in layers.items()}


@dataclass(frozen=True)
class _OriginLegs:
    """Origins of one mode, snapped, with their remainders from every edge node.

    The nearest-facility part of every layer reads the same remainders (from each edge
    node and the origin's own nearest node to each origin outside coverage), so they are
    computed once per mode, per block of :data:`_CHUNK` origins (``None`` beyond
    :data:`_CACHE_CELLS` values: then each layer computes them again, as before).
    """

    x: np.ndarray
    y: np.ndarray
    nearest_node: np.ndarray
    snap_m: np.ndarray
    inside: np.ndarray
    ends: np.ndarray
    remainder_s: list[np.ndarray] | None

    @classmethod
    def of(cls, net: StreetNetwork, query: StreetQuery, origins: Places) -> _OriginLegs:
        """Snap the origins and compute their remainders (one query's settings)."""
        ox, oy = lonlat_to_xy(origins.lon, origins.lat)
        node, snap = net.snap(ox, oy)
        inside = inside_coverage(query, ox, oy, snap)
        ends = edge_nodes(net, query)
        legs = cls(ox, oy, node, snap, inside, ends, None)
        outside = np.flatnonzero(~inside)
        if len(outside) * (len(ends) + 1) > _CACHE_CELLS:
            return legs
        blocks = [
            legs.block_remainders(net, query, outside[start : start + _CHUNK], ends)
            for start in range(0, len(outside), _CHUNK)
        ]
        return replace(legs, remainder_s=blocks)

    def block_remainders(
        self, net: StreetNetwork, query: StreetQuery, part: np.ndarray, ends: np.ndarray
    ) -> np.ndarray:
        """Remainders from ``ends`` and each origin's own nearest node to origins ``part``."""
        nodes = self.block_nodes(part, ends)
        dist = np.hypot(net.x[nodes] - self.x[part, None], net.y[nodes] - self.y[part, None])
        return remainder_seconds(dist, query)

    def block_nodes(self, part: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Candidate nodes of origins ``part``: ``ends``, then the origin's own node."""
        return np.concatenate(
            [np.broadcast_to(ends, (len(part), len(ends))), self.nearest_node[part, None]], axis=1
        )

    def nearest(self, net: StreetNetwork, query: StreetQuery, facilities: Places) -> Nearest:
        """Minutes from each origin to the nearest of ``facilities`` (one search)."""
        n = len(self.x)
        if not len(facilities):
            return Nearest(np.full(n, np.nan), np.zeros(n, bool), np.full(n, "", dtype=object))
        seconds, via_estimate, via_regional = _facility_search(net, query, facilities)
        total = np.full(n, np.inf)
        estimated = np.zeros(n, dtype=bool)
        regional = np.zeros(n, dtype=bool)
        rows = np.flatnonzero(self.inside)
        node = self.nearest_node[rows]
        total[rows] = seconds[node] + self.snap_m[rows] / query.speed_mps
        estimated[rows] = via_estimate[node]
        regional[rows] = via_regional[node]
        reached = np.isfinite(seconds[self.ends])
        ends = self.ends[reached]
        outside = np.flatnonzero(~self.inside)
        for k, start in enumerate(range(0, len(outside), _CHUNK)):
            part = outside[start : start + _CHUNK]
            nodes = self.block_nodes(part, ends)
            if self.remainder_s is None:
                legs = self.block_remainders(net, query, part, ends)
            else:  # the same values, computed once for every layer
                kept = self.remainder_s[k]
                legs = kept if reached.all() else kept[:, np.r_[reached, True]]
            cand = seconds[nodes] + legs
            best = np.argmin(cand, axis=1)
            chosen = nodes[np.arange(len(part)), best]
            total[part] = cand[np.arange(len(part)), best]
            estimated[part] = True
            regional[part] = net.is_coarse[chosen] | via_regional[chosen]
        if len(outside):  # an origin outside coverage: also the whole trip as one estimate
            fx, fy = lonlat_to_xy(facilities.lon, facilities.lat)
            near_m, _ = cKDTree(np.column_stack([fx, fy])).query(
                np.column_stack([self.x[outside], self.y[outside]])
            )
            direct = remainder_seconds(np.asarray(near_m), query)
            faster = direct < total[outside]
            use = outside[faster]
            total[use] = direct[faster]
            estimated[use] = True
            regional[use] = False
        minutes = np.where(np.isfinite(total), total / 60.0, np.nan)
        method = np.where(
            ~estimated, METHOD_NETWORK, np.where(regional, METHOD_REGIONAL, METHOD_STRAIGHT)
        ).astype(object)
        return Nearest(minutes, estimated, method)


def _facility_search(
    net: StreetNetwork, query: StreetQuery, facilities: Places
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds from every node to the nearest facility, and how each was reached.

    Returns the seconds and, per node, whether its best path ends at a facility outside
    coverage (estimated) and whether it starts at a regional node.
    """
    sources, heads, outside_kind = _facility_sources(net, query, facilities)
    # the smallest head start per node, and whether it stands for an outside facility
    # (multi_source_times keeps the smallest too, but the kind of each is needed here)
    order = np.lexsort((heads, sources))
    first = np.r_[True, sources[order][1:] != sources[order][:-1]]
    src, head, src_outside = sources[order][first], heads[order][first], outside_kind[order][first]
    graph_s, root = multi_source_times(net, src, head, query)
    outside_root = np.zeros(net.n_nodes, dtype=bool)
    outside_root[src[src_outside]] = True
    via_estimate = np.where(root >= 0, outside_root[np.maximum(root, 0)], False)
    via_regional = np.where(root >= 0, net.is_coarse[np.maximum(root, 0)], False)
    return graph_s * query.scale, via_estimate, via_regional


def minutes_matrix(
    engine: CommuteEngine,
    mode: str,
    origins: Places,
    facilities: Places,
    max_minutes: float | None = None,
    *,
    workers: int | None = 1,
) -> np.ndarray:
    """Return minutes from each origin to each facility (``inf`` beyond ``max_minutes``).

    Row ``i`` is the single query from origin ``i`` to every facility
    (:func:`dashboard.engine.street.street_times` with the origin as anchor, direction
    "from", bounded by ``max_minutes``), computed with the same formulas; the estimated
    remainders from the facilities outside coverage to the coverage area's edge nodes do
    not depend on the origin, so they are computed once instead of once per origin
    (:class:`_FacilityLegs`).  ``workers`` > 1 (``None``: :func:`worker_count`'s
    setting) splits the origins over forked processes, with the same answers.
    """
    if not len(origins) or not len(facilities):
        return np.full((len(origins), len(facilities)), np.inf)
    net = engine.network(GRAPH_OF_MODE[mode])
    # the settings of every origin's query (each row's anchor is its origin's position)
    query = engine.query_for(mode, _anchor(origins, 0), "from", max_minutes)
    legs = _FacilityLegs.of(net, query, facilities.lon, facilities.lat)

    def rows(part: np.ndarray) -> np.ndarray:
        return legs.minutes_rows(net, query, origins.lon[part], origins.lat[part])

    return _by_rows(rows, len(origins), worker_count(workers, len(origins)))


def street_minutes_within(
    engine: CommuteEngine,
    mode: str,
    origins: Places,
    layers: dict[str, Places],
    max_minutes: float | None,
    *,
    workers: int | None = None,
) -> dict[str, np.ndarray]:
    """Return per layer the minutes from each origin to each of its facilities.

    Per layer exactly :func:`minutes_matrix` (origins x facilities, ``inf`` beyond
    ``max_minutes``), computed in one pass over the facilities of every layer at once:
    one search per origin serves them all.
    """
    names = list(layers)
    every = Places(
        np.concatenate([layers[k].ids for k in names]),
        np.concatenate([layers[k].lon for k in names]),
        np.concatenate([layers[k].lat for k in names]),
    )
    matrix = minutes_matrix(engine, mode, origins, every, max_minutes, workers=workers)
    cuts = np.cumsum([len(layers[k]) for k in names])[:-1]
    return dict(zip(names, np.split(matrix, cuts, axis=1), strict=True))


def counts_within(
    engine: CommuteEngine,
    mode: str,
    origins: Places,
    layers: dict[str, Places],
    thresholds: Sequence[int] = THRESHOLDS,
    *,
    workers: int | None = None,
) -> dict[str, np.ndarray]:
    """Return the number of facilities per layer within each threshold, per origin.

    One bounded :func:`street_minutes_within` over the facilities of every layer at once
    (one search per origin serves them all).

    Returns
    -------
    dict of str to ndarray
        Layer -> int array of shape (origins, thresholds).
    """
    limit = float(max(thresholds))
    minutes = street_minutes_within(engine, mode, origins, layers, limit, workers=workers)
    return _counts(minutes, thresholds)


def _counts(minutes: dict[str, np.ndarray], thresholds: Sequence[int]) -> dict[str, np.ndarray]:
    """Count per layer and origin the facilities within each threshold."""
    limits = np.asarray(thresholds, dtype=float)
    return {
        name: (m[:, :, None] <= limits[None, None, :]).sum(axis=1).astype(np.int64)
        for name, m in minutes.items()
    }


def _anchor(places: Places, i: int) -> LatLon:
    return LatLon(float(places.lat[i]), float(places.lon[i]))


@dataclass(frozen=True)
class _Candidates:
    """Pairs (edge node, outside facility) whose remainder fits in a search's budget.

    For a bounded query, a facility outside coverage gets a time only where its best
    (anchor seconds at an edge node + remainder from there) is within the limit; the edge
    node achieving it then has a remainder <= limit - its anchor seconds.  So only such
    pairs need adding up: the pairs are grouped by edge node and, within a group, by
    :data:`_BIN_S` bins of their remainder; per origin, each reached edge node takes its
    pairs up to the bin holding ``budget_s`` - its anchor seconds (a few more than
    needed, found without a search).  The best is then the minimum over a subset that
    holds the best whenever it is within the limit, of the same sums: the same value to
    the last bit.  Beyond the limit it may be larger, which is ``inf`` either way.
    ``budget_s`` exceeds the limit by :data:`_MARGIN_S`, far more than the rounding of
    these sums.

    Attributes
    ----------
    budget_s : float
        Limit in seconds plus the margin.
    start : ndarray of int
        Per edge node, the first of its pairs.
    stop : ndarray of int
        Edge nodes x bins: the end of the node's pairs in that bin or a lower one.
    facility : ndarray of int
        Row of each pair's facility among the outside facilities.
    remainder_s : ndarray
        Each pair's remainder (the same value as in the dense matrix).
    """

    budget_s: float
    start: np.ndarray
    stop: np.ndarray
    facility: np.ndarray
    remainder_s: np.ndarray

    @classmethod
    def of(cls, remainder_s: np.ndarray, max_minutes: float) -> _Candidates:
        """Keep the pairs of ``remainder_s`` (facilities x edge nodes) within the budget."""
        budget = max_minutes * 60.0 + _MARGIN_S
        by_end = remainder_s.T
        end, fac = np.nonzero(by_end <= budget)  # grouped by edge node already
        rem = by_end[end, fac]
        n_ends, bins = by_end.shape[0], int(budget // _BIN_S) + 1
        group = end * bins + (rem // _BIN_S).astype(np.int64)
        order = np.argsort(group, kind="stable")
        per_group = np.bincount(group, minlength=n_ends * bins).reshape(n_ends, bins)
        stop = np.cumsum(per_group).reshape(n_ends, bins)
        start = stop[:, -1] - per_group.sum(axis=1)
        return cls(budget, start, stop, fac[order], rem[order])

    def best(self, at_end: np.ndarray, own: np.ndarray) -> np.ndarray:
        """Return per facility min(``own``, min over its pairs of ``at_end`` + remainder)."""
        room = self.budget_s - at_end  # -inf where not reached
        ok = np.flatnonzero(room >= 0.0)
        col = np.minimum((room[ok] // _BIN_S).astype(np.int64), self.stop.shape[1] - 1)
        first = self.start[ok]
        lens = self.stop[ok, col] - first
        offset = np.cumsum(lens) - lens  # where each node's pairs go in the flat list
        pick = np.arange(int(lens.sum())) + np.repeat(first - offset, lens)
        out = own.copy()
        sums = np.repeat(at_end[ok], lens) + self.remainder_s[pick]
        np.minimum.at(out, self.facility[pick], sums)
        return out


@dataclass(frozen=True)
class _FacilityLegs:
    """Facilities of one mode, snapped, with their remainders to every edge node.

    Attributes
    ----------
    x, y : ndarray
        Facility positions (Lambert 72).
    nearest, snap_m : ndarray
        Nearest detailed node of each facility and the distance to it.
    inside : ndarray of bool
        Facilities inside the coverage area.
    ends : ndarray of int
        The coverage area's edge nodes.
    remainder_s : ndarray
        Outside facilities x (edge nodes + the facility's own nearest node): estimated
        seconds from the node to the facility, as ``street_times`` computes them.
    ends_tree : cKDTree
        Spatial index of the edge nodes (is the network within reach of an anchor?).
    candidates : _Candidates or None
        The pairs worth adding up under the query's time limit (``None``: no limit).
    """

    x: np.ndarray
    y: np.ndarray
    nearest: np.ndarray
    snap_m: np.ndarray
    inside: np.ndarray
    ends: np.ndarray
    remainder_s: np.ndarray
    ends_tree: cKDTree
    candidates: _Candidates | None

    @classmethod
    def of(
        cls, net: StreetNetwork, query: StreetQuery, lon: np.ndarray, lat: np.ndarray
    ) -> _FacilityLegs:
        """Snap the facilities and compute their remainders (one query's settings)."""
        x, y = lonlat_to_xy(lon, lat)
        nearest, snap = net.snap(x, y)
        inside = inside_coverage(query, x, y, snap)
        ends = edge_nodes(net, query)
        out = np.flatnonzero(~inside)
        # outside facilities x (edge nodes, then the facility's own nearest node)
        dist = np.empty((len(out), len(ends) + 1))
        ex, ey = net.x[ends], net.y[ends]
        np.hypot(ex[None, :] - x[out, None], ey[None, :] - y[out, None], out=dist[:, :-1])
        own = nearest[out]
        dist[:, -1] = np.hypot(net.x[own] - x[out], net.y[own] - y[out])
        remainder = remainder_seconds(dist, query)
        tree = cKDTree(np.column_stack([net.x[ends], net.y[ends]]))
        candidates = None
        if query.max_minutes is not None:
            candidates = _Candidates.of(remainder[:, :-1], query.max_minutes)
        return cls(x, y, nearest, snap, inside, ends, remainder, tree, candidates)

    def out_of_reach(
        self,
        query: StreetQuery,
        ax: np.ndarray,
        ay: np.ndarray,
        snap_m: np.ndarray,
        inside: np.ndarray,
    ) -> np.ndarray:
        """Tell per anchor whether it is outside coverage and reaches no node in the limit.

        ``anchor_side`` starts such an anchor from the edge nodes and its own nearest node,
        each with its estimated remainder as head start; when even the smallest head start
        exceeds the limit, the bounded search reaches nothing and only whole-trip
        estimates remain, so the search can be skipped without changing any answer.
        """
        if query.max_minutes is None:
            return np.zeros(len(ax), dtype=bool)
        to_end, _ = self.ends_tree.query(np.column_stack([ax, ay]))
        head = remainder_seconds(np.minimum(np.asarray(to_end), snap_m), query)
        return np.asarray(~inside & (head > query.max_minutes * 60.0))

    def minutes_rows(
        self, net: StreetNetwork, query: StreetQuery, lon: np.ndarray, lat: np.ndarray
    ) -> np.ndarray:
        """Minutes from each anchor (lon/lat) to every facility: ``minutes_from`` per anchor.

        The anchors are projected and snapped at once, and those whose bounded search
        would reach nothing get their whole-trip estimates at once.
        """
        ax, ay = lonlat_to_xy(lon, lat)
        node, snap = net.snap(ax, ay)
        inside = inside_coverage(query, ax, ay, snap)
        far = self.out_of_reach(query, ax, ay, snap, inside)
        out = np.empty((len(ax), len(self.x)))
        straight = np.hypot(self.x[None, :] - ax[far, None], self.y[None, :] - ay[far, None])
        out[far] = self._within_limits(remainder_seconds(straight, query) / 60.0, query, straight)
        for k in np.flatnonzero(~far):
            at = (int(node[k]), float(snap[k]), bool(inside[k]))
            out[k] = self._minutes_at(net, query, ax[k : k + 1], ay[k : k + 1], at)
        return out

    def minutes_from(self, net: StreetNetwork, query: StreetQuery) -> np.ndarray:
        """Minutes from ``query.anchor`` to every facility (``inf`` beyond the limit)."""
        lon, lat = np.array([query.anchor.lon]), np.array([query.anchor.lat])
        minutes: np.ndarray = self.minutes_rows(net, query, lon, lat)[0]
        return minutes

    def _minutes_at(
        self,
        net: StreetNetwork,
        query: StreetQuery,
        ax: np.ndarray,
        ay: np.ndarray,
        snapped: tuple[int, float, bool],
    ) -> np.ndarray:
        """Minutes from one anchor (its search) to every facility."""
        anchor = anchor_seconds(net, query, ax, ay, snapped=snapped)
        seconds = np.full(len(self.x), np.inf)
        rows = np.flatnonzero(self.inside)
        node, snap = self.nearest[rows], self.snap_m[rows]
        if anchor.inside:  # street_times' "first model" arithmetic, to the last bit
            seconds[rows] = anchor.network_s[node] + (anchor.snap_m + snap) / query.speed_mps
        else:
            seconds[rows] = anchor.seconds[node] + snap / query.speed_mps
        out = np.flatnonzero(~self.inside)
        if len(out):
            seconds[out] = self._outside_seconds(anchor.seconds, query, out)
        straight = np.hypot(self.x - ax[0], self.y - ay[0])
        if not anchor.inside:  # both ends estimated: the whole trip if faster
            seconds = np.minimum(seconds, remainder_seconds(straight, query))
        return self._within_limits(seconds / 60.0, query, straight)

    def _outside_seconds(
        self, anchor_s: np.ndarray, query: StreetQuery, out: np.ndarray
    ) -> np.ndarray:
        """Seconds to the facilities outside coverage: the best edge node or own node.

        Only edge nodes reached within the limit can start a remainder (as in
        ``street_times``); the facility's own nearest node is the last column.
        """
        at_end = anchor_s[self.ends]
        own = anchor_s[self.nearest[out]] + self.remainder_s[:, -1]
        pairs, limit = self.candidates, query.max_minutes
        if pairs is not None and limit is not None and limit * 60.0 + _MARGIN_S <= pairs.budget_s:
            return pairs.best(at_end, own)
        cols = np.flatnonzero(np.isfinite(at_end))
        total = at_end[cols][None, :] + self.remainder_s[:, cols]
        best: np.ndarray = np.minimum(np.min(total, axis=1, initial=np.inf), own)
        return best

    def _within_limits(
        self, minutes: np.ndarray, query: StreetQuery, straight_m: np.ndarray
    ) -> np.ndarray:
        """Set ``inf`` beyond the query's distance and time limits (as ``street_times``)."""
        minutes[straight_m > query.max_distance_m] = np.inf
        if query.max_minutes is not None:
            minutes[minutes > query.max_minutes] = np.inf
        return minutes


@dataclass(frozen=True)
class StreetBatch:
    """What the street batch computes, per mode and layer, before it becomes rows.

    Attributes
    ----------
    minutes : dict
        Mode -> layer -> origins x facilities minutes, ``inf`` beyond the limit
        (:func:`street_minutes_within`).
    nearest : dict
        Mode -> layer -> the nearest facility, unbounded (:func:`nearest_facilities`).
    """

    minutes: dict[str, dict[str, np.ndarray]]
    nearest: dict[str, dict[str, Nearest]]


def street_batch(
    engine: CommuteEngine,
    origins: Places,
    layers: dict[str, Places],
    modes: Sequence[str],
    limit: float,
    *,
    workers: int | None = None,
) -> StreetBatch:
    """Compute the street batch's minutes within ``limit`` and nearest facilities.

    ``workers`` (:func:`worker_count`): with more than one, the counts' origins are split
    over forked processes and the nearest-facility searches run in one more, beside
    them; the results are the same.
    """

    def street_minutes() -> dict[str, dict[str, np.ndarray]]:
        return {
            m: street_minutes_within(engine, m, origins, layers, limit, workers=workers)
            for m in modes
        }

    def nearest() -> dict[str, dict[str, Nearest]]:
        return {m: nearest_facilities(engine, m, origins, layers) for m in modes}

    forked = worker_count(workers, len(origins)) > 1
    minutes, near = _side_by_side(street_minutes, nearest, fork=forked)
    return StreetBatch(minutes, near)


def street_table(
    origins: Places,
    layers: dict[str, Places],
    modes: Sequence[str],
    parts: StreetBatch,
    thresholds: Sequence[int] = THRESHOLDS,
) -> pd.DataFrame:
    """Return the rows of ``modes`` (:data:`COLUMNS`) from a :class:`StreetBatch`."""
    frames = []
    for mode in modes:
        counts = _counts(parts.minutes[mode], thresholds)
        frames += [
            _rows(origins, k, mode, parts.nearest[mode][k], counts[k], thresholds) for k in layers
        ]
    table = pd.concat(frames, ignore_index=True)
    return table.astype({"code": "str", "layer": "str", "mode": "str", "method": "str"})


def batch_accessibility(
    engine: CommuteEngine,
    origins: Places,
    layers: dict[str, Places],
    modes: Sequence[str] = STREET_MODES,
    thresholds: Sequence[int] = THRESHOLDS,
    *,
    workers: int | None = None,
) -> pd.DataFrame:
    """Return the tidy table: one row per (origin, facility layer, mode); see :data:`COLUMNS`.

    ``workers``: processes sharing the work (:func:`street_batch`); the table is the same.
    """
    limit = float(max(thresholds))
    parts = street_batch(engine, origins, layers, modes, limit, workers=workers)
    return street_table(origins, layers, modes, parts, thresholds)


def _rows(
    origins: Places,
    layer: str,
    mode: str,
    near: Nearest,
    counts: np.ndarray,
    thresholds: Sequence[int],
) -> pd.DataFrame:
    """Return the batch rows of one layer and mode."""
    return pd.DataFrame(
        {
            "code": origins.ids,
            "layer": layer,
            "mode": mode,
            "nearest_minutes": near.minutes,
            **{f"count_{t}": counts[:, j] for j, t in enumerate(thresholds)},
            "estimated": near.estimated,
            "method": near.method.astype(str),
        }
    )


def worker_count(workers: int | None, n_rows: int) -> int:
    """Return how many processes share ``n_rows`` origins (1: serial, in this process).

    ``workers`` None reads the setting :data:`WORKERS_ENV` (default: 2, at most the
    cores).  Serial whatever is asked where forking is unsafe or impossible: no ``fork``
    start method (Windows, macOS default), a daemonic process (a Dask or
    multiprocessing worker may not have children), or other Python threads running (a
    forked child could inherit a lock another thread holds, as in a Streamlit server);
    and with fewer than :data:`_MIN_ROWS` origins per process, where forking costs more
    than it saves.
    """
    if workers is None:
        workers = int(os.environ.get(WORKERS_ENV, "2"))
    workers = min(workers, os.cpu_count() or 1, n_rows // _MIN_ROWS)
    unsafe = (
        "fork" not in mp.get_all_start_methods()
        or mp.current_process().daemon
        or threading.active_count() > 1
    )
    return 1 if unsafe else max(workers, 1)


def _by_rows(compute: Callable[[np.ndarray], np.ndarray], n: int, workers: int) -> np.ndarray:
    """Return ``compute(rows)`` for all ``n`` rows, the rows split over ``workers`` processes.

    This process computes one share and forked children the others (:func:`_fork`).
    Each share is every ``workers``-th row, so the costly origins (far out, many nodes
    reached) spread evenly.
    """
    if workers <= 1:
        return compute(np.arange(n))
    shares = [np.arange(k, n, workers) for k in range(workers)]
    children = [_fork(partial(compute, rows)) for rows in shares[1:]]
    try:
        results = [compute(shares[0])] + [_collect(*child) for child in children]
    finally:
        for child, _ in children:
            _stop(child)
    out = np.empty((n, results[0].shape[1]))
    for rows, result in zip(shares, results, strict=True):
        out[rows] = result
    return out


def _side_by_side(
    first: Callable[[], _A], second: Callable[[], _B], *, fork: bool
) -> tuple[_A, _B]:
    """Return ``first()`` and ``second()``; with ``fork``, ``second`` in a forked child."""
    if not fork:
        return first(), second()
    child = _fork(second)
    try:
        return first(), _collect(*child)
    finally:
        _stop(child[0])


def _fork(job: Callable[[], Any]) -> tuple[BaseProcess, Connection]:
    """Start ``job`` in a forked child process; :func:`_collect` returns its result.

    The child inherits ``job`` with everything it refers to (the loaded graphs): only
    its result travels, through a pipe.
    """
    global _JOB
    context = mp.get_context("fork")
    with _FORK_LOCK:
        _JOB = job
        try:
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_run_job, args=(send,), daemon=True)
            child.start()
        finally:
            _JOB = None
    send.close()  # the child holds its own end
    return child, receive


def _collect(child: BaseProcess, receive: Connection) -> Any:
    """Receive a forked child's result (or re-raise its error)."""
    try:
        ok, payload = receive.recv()
    except EOFError:  # died without a word (killed, out of memory)
        child.join()
        msg = f"accessibility worker process ended with exit code {child.exitcode}"
        raise RuntimeError(msg) from None
    finally:
        receive.close()
    if not ok:
        raise payload
    return payload


def _stop(child: BaseProcess) -> None:
    """End a forked child and reap it (its result is in, or its caller failed)."""
    if child.is_alive():
        child.terminate()
    child.join()


def _run_job(send: Connection) -> None:
    """Run the forked job and send back (True, result) or (False, error)."""
    try:
        if _JOB is None:  # only a child started by _fork runs this
            msg = "no accessibility job to run in this process"
            raise RuntimeError(msg)
        send.send((True, _JOB()))
    except Exception as error:  # the parent re-raises it
        send.send((False, error))
    finally:
        send.close()
