"""Join the detailed Leuven car graph to the strategic regional car network.

The detailed OSM car graph covers the area its manifest records (``extra.coverage_area``:
Leuven municipality in the bundled snapshot, the whole region after ``python -m etl fetch
osm``); the strategic model network covers the region's main roads without street
geometry.  The joined network holds both: regional
nodes within ``join_m`` of a detailed node are linked to it both ways (a short access
hop), so a trip can start on a street in Leuven and continue over the regional network.
Zone centroids and their connector links are model artefacts (a whole zone's traffic
enters at one point): they are left out, so a trip never runs through a centroid.
Beyond the regional network's last node a trip continues as an estimated remainder
(:func:`dashboard.engine.street.remainder_seconds`), never as one straight line from
the start.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.spatial import cKDTree

from dashboard.engine.network import StreetNetwork, lonlat_to_xy


def _xy(arrays: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    if "node_x" in arrays:
        return np.asarray(arrays["node_x"], float), np.asarray(arrays["node_y"], float)
    return lonlat_to_xy(arrays["node_lon"], arrays["node_lat"])


def _regional_part(
    arrays: Mapping[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Regional nodes (without centroids) and links (without connectors), renumbered."""
    x, y = _xy(arrays)
    keep_node = ~arrays.get("node_is_zone_centroid", np.zeros(len(x), bool)).astype(bool)
    src, dst = arrays["edge_from"], arrays["edge_to"]
    keep_edge = ~arrays.get("edge_is_connector", np.zeros(len(src), bool)).astype(bool)
    keep_edge &= keep_node[src] & keep_node[dst]
    new_id = np.cumsum(keep_node) - 1
    return (
        x[keep_node],
        y[keep_node],
        new_id[src[keep_edge]],
        new_id[dst[keep_edge]],
        np.asarray(arrays["edge_time_s"], float)[keep_edge],
    )


def join_regional(
    detailed: Mapping[str, np.ndarray],
    regional: Mapping[str, np.ndarray],
    *,
    join_m: float = 150.0,
    access_kmh: float = 20.0,
) -> StreetNetwork:
    """Build the joined car network.

    Parameters
    ----------
    detailed, regional : mapping of str to ndarray
        Graph arrays as stored by the ETL (``graphs/car.npz``, ``graphs/strategic_car.npz``).
    join_m : float
        A regional node this close to a detailed node is joined to it.
    access_kmh : float
        Speed of the joining hop.

    Returns
    -------
    StreetNetwork
        Detailed nodes first (``detailed_ids``), regional nodes after (``coarse_ids``).
    """
    dx, dy = _xy(detailed)
    rx, ry, r_src, r_dst, r_time = _regional_part(regional)
    n_detailed = len(dx)
    dist, nearest = cKDTree(np.column_stack([dx, dy])).query(np.column_stack([rx, ry]))
    joined = np.flatnonzero(dist <= join_m)
    hop_s = np.maximum(dist[joined] / (access_kmh / 3.6), 1.0)
    reg_ids = joined + n_detailed
    edge_from = np.concatenate(
        [detailed["edge_from"], r_src + n_detailed, reg_ids, nearest[joined]]
    ).astype(np.int64)
    edge_to = np.concatenate(
        [detailed["edge_to"], r_dst + n_detailed, nearest[joined], reg_ids]
    ).astype(np.int64)
    time_s = np.concatenate([detailed["edge_time_s"], r_time, hop_s, hop_s])
    is_detailed = np.concatenate([np.ones(n_detailed, bool), np.zeros(len(rx), bool)])
    return StreetNetwork.from_arrays(
        "car",
        np.concatenate([dx, rx]),
        np.concatenate([dy, ry]),
        edge_from,
        edge_to,
        time_s,
        detailed=is_detailed,
    )
