"""Isochrone polygons for display, from one-to-all node times.

Reached network nodes are binned into H3 cells (resolution 9, ~0.1 km² each) and the
cells of each time band are merged into one (multi)polygon.  This is fast (no buffering
or union of street geometry) and compact as GeoJSON.  Only network-based reach is drawn:
beyond the detailed network times are estimates and are shown per place, not as areas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import h3
import numpy as np

#: H3 resolution: res 9 cells are ~174 m across, finer than a street block at the edges.
H3_RESOLUTION = 9


def isochrone_bands(
    node_lon: np.ndarray,
    node_lat: np.ndarray,
    node_minutes: np.ndarray,
    bands: Sequence[float],
    *,
    resolution: int = H3_RESOLUTION,
) -> list[dict[str, Any]]:
    """Return one GeoJSON Feature per band (cumulative: band 20 includes band 10).

    Parameters
    ----------
    node_lon, node_lat : ndarray
        Node positions (EPSG:4326).
    node_minutes : ndarray
        Minutes to or from the anchor per node (``inf``/``nan`` when unreached).
    bands : sequence of float
        Upper limits in minutes, ascending (e.g. ``(10, 20, 30)``).
    resolution : int
        H3 resolution.

    Returns
    -------
    list of dict
        Features with ``properties = {"minutes": band, "cells": n}``; bands with no
        reached node are omitted.
    """
    minutes = np.where(np.isfinite(node_minutes), node_minutes, np.inf)
    # A cell takes the best time of its nodes, so each cell is drawn in its fastest band.
    best: dict[str, float] = {}
    reached = np.flatnonzero(minutes <= max(bands))
    for i in reached:
        cell = h3.latlng_to_cell(float(node_lat[i]), float(node_lon[i]), resolution)
        value = float(minutes[i])
        if value < best.get(cell, np.inf):
            best[cell] = value
    features = []
    for band in sorted(bands):
        cells = [c for c, m in best.items() if m <= band]
        if not cells:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"minutes": float(band), "cells": len(cells)},
                "geometry": h3.cells_to_geo(cells),
            }
        )
    return features


def isochrone_bands_from_cells(
    cells: np.ndarray, node_minutes: np.ndarray, bands: Sequence[float]
) -> list[dict[str, Any]]:
    """Like :func:`isochrone_bands`, from each node's precomputed H3 cell (as int).

    Vectorised: the best time per cell is a sort and a group minimum, no Python loop over
    nodes.
    """
    minutes = np.where(np.isfinite(node_minutes), node_minutes, np.inf)
    reached = minutes <= max(bands)
    cell, best = _best_per_cell(cells[reached], minutes[reached])
    features = []
    for band in sorted(bands):
        chosen = cell[best <= band]
        if not len(chosen):
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"minutes": float(band), "cells": len(chosen)},
                "geometry": h3.cells_to_geo([h3.int_to_str(int(c)) for c in chosen]),
            }
        )
    return features


def _best_per_cell(cells: np.ndarray, minutes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((minutes, cells))
    cells, minutes = cells[order], minutes[order]
    first = np.ones(len(cells), dtype=bool)
    first[1:] = cells[1:] != cells[:-1]
    return cells[first], minutes[first]
