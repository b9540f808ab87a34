"""Export a ranking as CSV, GeoJSON or GeoPackage bytes (for download buttons)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd

from dashboard.layers.candidates import result_table

GPKG_LAYER = "candidates"


def _export_frame(candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    table = result_table(candidates)
    return gpd.GeoDataFrame(table, geometry=candidates.geometry.values, crs=candidates.crs)


def to_csv_bytes(candidates: gpd.GeoDataFrame) -> bytes:
    """Return the results table as UTF-8 CSV (centroid coordinates, no polygons)."""
    return result_table(candidates).to_csv(index=False).encode("utf-8")


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
