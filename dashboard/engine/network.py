"""Street networks in CSR form, with snapping of points to their nearest node.

A :class:`StreetNetwork` holds one mode's directed graph twice, as it is (for "from the
anchor" searches) and transposed (for "to the anchor": one-way streets matter), plus a
KD-tree of node positions in Lambert 72 for snapping.  Objects are read-only once built,
so one instance can be shared by every request (Streamlit's ``cache_resource``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import h3
import numpy as np
import scipy.sparse as sp
from pyproj import Transformer
from scipy.spatial import cKDTree

from geodata.io import load_graph

#: Smallest edge weight in seconds: scipy's csgraph would read an explicit 0 as no edge.
MIN_WEIGHT_S = 1e-3


@lru_cache(maxsize=1)
def _to_lambert() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:31370", always_xy=True)


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:31370", "EPSG:4326", always_xy=True)


def xy_to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project Lambert 72 metres back to WGS84 longitudes/latitudes."""
    lon, lat = _to_wgs84().transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def lonlat_to_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitudes/latitudes to Lambert 72 metres.

    The same place sets (neighbourhood centres, schools, stations) are projected on every
    request, so results for larger arrays are memoised by their bytes.
    """
    lon = np.ascontiguousarray(lon, dtype=float)
    lat = np.ascontiguousarray(lat, dtype=float)
    if lon.size < 16:
        return _project(lon, lat)
    return _project_cached(lon.tobytes(), lat.tobytes())


def _project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _to_lambert().transform(lon, lat)
    return np.asarray(x), np.asarray(y)


@lru_cache(maxsize=64)
def _project_cached(lon: bytes, lat: bytes) -> tuple[np.ndarray, np.ndarray]:
    x, y = _project(np.frombuffer(lon), np.frombuffer(lat))
    x.setflags(write=False)  # shared between callers: never modified in place
    y.setflags(write=False)
    return x, y


def csr_from_edges(
    n_nodes: int, edge_from: np.ndarray, edge_to: np.ndarray, weight: np.ndarray
) -> sp.csr_matrix:
    """Build a CSR adjacency matrix keeping the lightest of parallel edges.

    ``scipy.sparse`` would *sum* duplicate entries, which is wrong for travel times.
    """
    order = np.lexsort((weight, edge_to, edge_from))
    src, dst, w = edge_from[order], edge_to[order], weight[order]
    first = np.ones(len(src), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    w = np.maximum(w[first].astype(np.float64), MIN_WEIGHT_S)
    return sp.csr_matrix((w, (src[first], dst[first])), shape=(n_nodes, n_nodes))


@dataclass(frozen=True, eq=False)
class StreetNetwork:
    """One mode's routable network.

    Attributes
    ----------
    name : str
        Graph name (``walk``, ``bike``, ``car``).
    x, y : ndarray
        Node positions in Lambert 72 metres.
    forward, reverse : csr_matrix
        Edge travel times in seconds (reverse = transposed).
    tree : cKDTree
        Spatial index of the detailed nodes (``detailed_ids`` maps its rows to nodes).
    detailed_ids : ndarray
        Node indices of the detailed (OSM street) network.
    coarse_ids : ndarray
        Node indices of the regional nodes (empty when none).
    is_coarse : ndarray of bool
        Per node: True for the regional nodes.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    forward: sp.csr_matrix
    reverse: sp.csr_matrix
    tree: cKDTree
    detailed_ids: np.ndarray
    coarse_ids: np.ndarray
    is_coarse: np.ndarray

    @classmethod
    def from_arrays(
        cls,
        name: str,
        x: np.ndarray,
        y: np.ndarray,
        edge_from: np.ndarray,
        edge_to: np.ndarray,
        edge_time_s: np.ndarray,
        detailed: np.ndarray | None = None,
    ) -> StreetNetwork:
        """Build from node coordinates (Lambert 72) and edge arrays.

        ``detailed`` marks the nodes of the detailed street network (default: all); the
        others belong to a coarse regional network used only where the detailed one
        does not reach.
        """
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        forward = csr_from_edges(len(x), edge_from, edge_to, edge_time_s)
        reverse = forward.transpose().tocsr()
        mask = np.ones(len(x), dtype=bool) if detailed is None else np.asarray(detailed, bool)
        detailed_ids = np.flatnonzero(mask)
        coarse_ids = np.flatnonzero(~mask)
        tree = cKDTree(np.column_stack([x[detailed_ids], y[detailed_ids]]))
        return cls(name, x, y, forward, reverse, tree, detailed_ids, coarse_ids, ~mask)

    @cached_property
    def lonlat(self) -> tuple[np.ndarray, np.ndarray]:
        """WGS84 longitude and latitude of every node (projected once, then kept)."""
        return xy_to_lonlat(self.x, self.y)

    def h3_cells(self, resolution: int) -> np.ndarray:
        """H3 cell (as int) of every node at ``resolution``, computed once per resolution.

        Isochrones group reached nodes by cell; computing the cells per query was the
        slowest part of drawing them.
        """
        cache: dict[int, np.ndarray] = self.__dict__.setdefault("_h3_cells", {})
        if resolution not in cache:
            lon, lat = self.lonlat
            cache[resolution] = np.fromiter(
                (
                    h3.str_to_int(h3.latlng_to_cell(b, a, resolution))
                    for a, b in zip(lon, lat, strict=True)
                ),
                dtype=np.uint64,
                count=len(lon),
            )
        return cache[resolution]

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.x.shape[0])

    def snap(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the nearest detailed node of each point and its distance in metres."""
        dist, idx = self.tree.query(np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]))
        return self.detailed_ids[np.asarray(idx, dtype=np.int64)], np.asarray(dist, dtype=float)


def load_street_network(name: str, data_dir: Path | None = None) -> StreetNetwork:
    """Load ``geodata/graphs/<name>.npz`` as a :class:`StreetNetwork` (edge_time_s weights)."""
    arrays = load_graph(name, data_dir)
    if "node_x" in arrays and "node_y" in arrays:
        x, y = arrays["node_x"], arrays["node_y"]
    else:
        x, y = lonlat_to_xy(arrays["node_lon"], arrays["node_lat"])
    return StreetNetwork.from_arrays(
        name, x, y, arrays["edge_from"], arrays["edge_to"], arrays["edge_time_s"]
    )
