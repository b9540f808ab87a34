"""Administrative boundaries: municipalities, wijken and deelgemeenten.

Publisher: Provincies in Cijfers (Statbel-derived ``gebiedsniveaus``).

The mirror holds the region extracts of the ``gebiedsniveaus`` repository; the live
files are the same GeoJSON published there.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from etl.errors import SourceError
from etl.settings import STORAGE_CRS, LiveSource
from etl.sources.vector import read_vector

BASE = "https://raw.githubusercontent.com/provinciesincijfers/gebiedsniveaus/master"
LIVE_SOURCES = (
    LiveSource(
        "municipalities",
        "boundaries/municipalities_2025_leuven_region.geojson",
        f"{BASE}/verwerkt/4326/gemeente2025.geojson",
        "https://github.com/provinciesincijfers/gebiedsniveaus",
        "live file covers all of Flanders and Brussels and names columns differently; "
        "the region extract in the mirror is derived from it",
    ),
)

MUNICIPALITIES = "boundaries/municipalities_2025_leuven_region.geojson"
WIJKEN = "boundaries/wijken_ggw7_2024_leuven_region.geojson"
DEELGEMEENTEN = "boundaries/deelgemeenten_2024_leuven_region.geojson"


def parse_municipalities(path: Path) -> gpd.GeoDataFrame:
    """Parse the 2025 municipality polygons: ``nis``, ``name``, arrondissement, flag."""
    frame = read_vector(path, ["nis", "name", "arr_nis", "arr_name", "in_arr_leuven"], STORAGE_CRS)
    frame["nis"] = frame["nis"].astype(str).str.strip()
    if not frame["nis"].str.fullmatch(r"\d{5}").all():
        raise SourceError(path, "column 'nis' holds values that are not 5-digit NIS codes")
    if frame["nis"].duplicated().any():
        raise SourceError(path, "column 'nis' has duplicate codes")
    frame["arr_nis"] = frame["arr_nis"].astype(str)
    frame["in_arr_leuven"] = frame["in_arr_leuven"].astype(str).str.lower().isin({"true", "1"})
    return frame[["nis", "name", "arr_nis", "arr_name", "in_arr_leuven", "geometry"]]


def parse_areas(path: Path) -> gpd.GeoDataFrame:
    """Parse wijken or deelgemeenten polygons (``code``, ``name``)."""
    frame = read_vector(path, ["code", "name"], STORAGE_CRS)
    frame["code"] = frame["code"].astype(str).str.strip()
    if frame["code"].duplicated().any():
        raise SourceError(path, "column 'code' has duplicate codes")
    return frame[["code", "name", "geometry"]]
