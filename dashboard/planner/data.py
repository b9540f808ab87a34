"""The planner page's data, cached: layers, catchment matrices and indicator tables.

Kept apart from :mod:`dashboard.cache` (shared by the other pages) but by the same
rules: everything is keyed by the snapshot folder in force and by the question (plain
strings and numbers, or a frozen :class:`~dashboard.planner.service_gaps.GapQuery`);
resources are shared between reruns and never modified (callers get copies of tables);
errors are not cached.  A catchment matrix costs one engine query per neighbourhood
(seconds; tens of seconds by car), so it is computed only for a catchment indicator and
kept per (facility layer, mode).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard import cache
from dashboard.engine import accessibility as acc
from dashboard.planner import service_gaps as sg
from geodata.catalog import default_data_dir
from geodata.io import load_layer

#: Neighbourhood columns the planner reads besides the catalog's.
PLACE_COLUMNS: Final[tuple[str, ...]] = ("population", "population_note", "childcare_coverage")


def places() -> gpd.GeoDataFrame:
    """Return the neighbourhoods with population and childcare coverage (read-only)."""
    return _places(str(default_data_dir()))


@st.cache_resource(show_spinner=False)
def _places(data_dir: str) -> gpd.GeoDataFrame:
    frame: gpd.GeoDataFrame = load_layer("neighbourhoods", Path(data_dir), columns=PLACE_COLUMNS)
    return frame


def catchments(layer: str, mode: str) -> sg.Catchments | None:
    """Return the catchment matrix of a facility layer and mode (None: no capacities).

    Raises ``SnapshotError`` when a layer is missing, damaged or lacks its capacity column.
    """
    if layer not in sg.CAPACITY_COLUMNS:
        return None
    return _catchments(layer, mode, str(default_data_dir()))


@st.cache_resource(show_spinner=False, max_entries=12)
def _catchments(layer: str, mode: str, data_dir: str) -> sg.Catchments:
    folder = Path(data_dir)
    origins = acc.neighbourhood_points(folder)
    facilities = acc.facility_points(folder)[layer]
    source, column = sg.CAPACITY_COLUMNS[layer]
    capacity = sg.facility_capacity(
        layer, facilities, load_layer(source, folder, columns=("id", column))
    )
    minutes = sg.catchment_matrix(cache.engine(), origins, facilities, mode)
    return sg.Catchments(origins.ids, minutes, capacity)


def indicator_table(query: sg.GapQuery) -> pd.DataFrame:
    """Return :func:`dashboard.planner.service_gaps.indicator_table` (a copy).

    Raises ``GapQueryError`` for a question naming a value that is not offered, and
    ``SnapshotError`` for a missing or damaged layer.
    """
    query.check()
    return _indicator_table(query, str(default_data_dir())).copy()


@st.cache_resource(show_spinner=False, max_entries=64)
def _indicator_table(query: sg.GapQuery, data_dir: str) -> pd.DataFrame:
    needs_matrix = query.indicator in sg.CATCHMENT_INDICATORS
    matrix = catchments(query.layer, query.mode) if needs_matrix else None
    if matrix is not None:
        order = pd.Index(places()["code"].astype(str))
        rows = pd.Index(matrix.codes.astype(str)).get_indexer(order)
        matrix = sg.Catchments(matrix.codes[rows], matrix.minutes[rows], matrix.capacity)
    return sg.indicator_table(query, cache.layer("accessibility"), places(), matrix)
