"""Export a ranking as CSV, GeoJSON or GeoPackage bytes (for download buttons).

The CSV is meant to be opened in a spreadsheet, so its text cells that a spreadsheet
would read as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first: names come from the
sources) get a leading ``'`` (:func:`dashboard.escaping.spreadsheet_cell`); numbers,
negative ones too, stay numbers.  GeoJSON and GeoPackage keep every value exact: they
are read by GIS software, which evaluates no formulas.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.escaping import spreadsheet_cell
from dashboard.layers.candidates import result_table

GPKG_LAYER = "candidates"


def _export_frame(candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    table = result_table(candidates)
    return gpd.GeoDataFrame(table, geometry=candidates.geometry.values, crs=candidates.crs)


def formula_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` with every text cell passed through :func:`spreadsheet_cell`.

    Only text is changed: numeric and boolean columns are left alone, and in a column of
    mixed values only the strings are.
    """
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        out[column] = values.map(
            lambda v: spreadsheet_cell(v) if isinstance(v, str) else v, na_action="ignore"
        )
    return out


def to_csv_bytes(candidates: gpd.GeoDataFrame) -> bytes:
    """Return the results table as UTF-8 CSV (centroid coordinates, no polygons).

    Text cells that would start a spreadsheet formula are quoted (see the module notes).
    Lines end in CRLF (RFC 4180), so a CR or LF inside a name is quoted, not a new row.
    """
    table = formula_safe(result_table(candidates))
    return table.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def to_geojson_bytes(candidates: gpd.GeoDataFrame) -> bytes:
    """Return the ranking with neighbourhood polygons as GeoJSON (EPSG:4326)."""
    text: str = _export_frame(candidates).to_crs(4326).to_json(drop_id=True)
    return text.encode("utf-8")


def to_gpkg_bytes(candidates: gpd.GeoDataFrame) -> bytes:
    """Return the ranking as a GeoPackage file (one layer, ``candidates``)."""
    frame = _export_frame(candidates)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "candidates.gpkg"
        # GeoPackage cannot store a layer without rows' geometry type; an empty result
        # still gets a valid file with the columns.
        frame.to_file(path, layer=GPKG_LAYER, driver="GPKG")
        return path.read_bytes()
