"""Export the planner's indicator table as CSV, GeoJSON or GeoPackage bytes.

The same rules as the Explore page's exports (:mod:`dashboard.layers.export`): the CSV's
text cells that a spreadsheet would read as a formula get a leading ``'`` (names come
from the sources), numbers stay numbers; GeoJSON and GeoPackage keep every value exact
with the neighbourhood polygons (EPSG:4326).  Each row says which question it answers
(layer, mode, threshold, indicator), so a file read later is never ambiguous.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.i18n import t
from dashboard.layers.export import formula_safe
from dashboard.planner.service_gaps import GapQuery

GPKG_LAYER = "service_gaps"


def export_table(table: pd.DataFrame, query: GapQuery, lang: str) -> pd.DataFrame:
    """Return the table with the question's columns and the missing reason as text."""
    out = table.drop(columns=["reason"]).copy()
    out.insert(3, "facility_layer", query.layer)
    out.insert(4, "mode", query.mode)
    out.insert(5, "threshold_min", query.threshold)
    out.insert(6, "indicator", query.indicator)
    out["missing_reason"] = [
        t(f"pl_reason_{r}", lang) if isinstance(r, str) else "" for r in table["reason"]
    ]
    return out


def _geo(table: pd.DataFrame, polygons: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    shapes = polygons.set_index(polygons["code"].astype(str)).geometry
    geometry = shapes.reindex(pd.Index(table["code"].astype(str))).to_numpy()
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=geometry, crs=polygons.crs)


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """Return the export table as UTF-8 CSV (CRLF lines, formula-like text quoted)."""
    safe = formula_safe(table)
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def to_geojson_bytes(table: pd.DataFrame, polygons: gpd.GeoDataFrame) -> bytes:
    """Return the export table with neighbourhood polygons as GeoJSON (EPSG:4326)."""
    text: str = _geo(table, polygons).to_crs(4326).to_json(drop_id=True)
    return text.encode("utf-8")


def to_gpkg_bytes(table: pd.DataFrame, polygons: gpd.GeoDataFrame) -> bytes:
    """Return the export table as a GeoPackage (one layer, :data:`GPKG_LAYER`)."""
    frame = _geo(table, polygons).to_crs(4326)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{GPKG_LAYER}.gpkg"
        frame.to_file(path, layer=GPKG_LAYER, driver="GPKG")
        return path.read_bytes()
