"""Administrative boundaries: municipalities, wijken and deelgemeenten.

Publisher: Provincies in Cijfers (Statbel-derived ``gebiedsniveaus``).

The mirror holds the region extracts of the ``gebiedsniveaus`` repository; the live
files are the same GeoJSON published there.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.errors import SourceError
from etl.settings import STORAGE_CRS, LiveSource
from etl.sources.contracts import require_unique
from etl.sources.vector import read_vector
from etl.transform.region import LEUVEN_REGION, check_geometries_inside

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

#: Attribute columns each parser needs (checked before anything is read).
REQUIRED_MUNICIPALITIES = ("nis", "name", "arr_nis", "arr_name", "in_arr_leuven")
REQUIRED_AREAS = ("code", "name")

MUNICIPALITIES = "boundaries/municipalities_2025_leuven_region.geojson"
WIJKEN = "boundaries/wijken_ggw7_2024_leuven_region.geojson"
DEELGEMEENTEN = "boundaries/deelgemeenten_2024_leuven_region.geojson"


def check_nis_codes(codes: pd.Series, path: Path) -> pd.Series:
    """Return the features' NIS codes stripped; each must be 5 digits and unique.

    Raises
    ------
    SourceError
        Naming the first feature whose code is not 5 digits, or a repeated code and its
        features.
    """
    codes = codes.astype(str).str.strip()
    bad = ~codes.str.fullmatch(r"\d{5}")
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0])
        msg = f"feature {first + 1} has nis {codes.iloc[first]!r}, not a 5-digit NIS code"
        raise SourceError(path, msg)
    require_unique(codes, path, "NIS code", first_line=1, unit="features")
    return codes


def parse_municipalities(path: Path) -> gpd.GeoDataFrame:
    """Parse the 2025 municipality polygons: ``nis``, ``name``, arrondissement, flag.

    Raises
    ------
    SourceError
        For an unreadable file, a missing column, a code that is not 5 digits, a
        repeated code (naming it and its features) or a polygon outside
        :data:`etl.transform.region.LEUVEN_REGION`.
    """
    frame = read_vector(path, REQUIRED_MUNICIPALITIES, STORAGE_CRS)
    frame["nis"] = check_nis_codes(frame["nis"], path)
    _check_in_region(frame, "nis", path, "municipalities")
    frame["arr_nis"] = frame["arr_nis"].astype(str)
    frame["in_arr_leuven"] = frame["in_arr_leuven"].astype(str).str.lower().isin({"true", "1"})
    return frame[["nis", "name", "arr_nis", "arr_name", "in_arr_leuven", "geometry"]]


def parse_areas(path: Path) -> gpd.GeoDataFrame:
    """Parse wijken or deelgemeenten polygons (``code``, ``name``).

    Raises
    ------
    SourceError
        For an unreadable file, a missing column, an empty or repeated code (naming it
        and its features) or a polygon outside :data:`etl.transform.region.LEUVEN_REGION`.
    """
    frame = read_vector(path, REQUIRED_AREAS, STORAGE_CRS)
    frame["code"] = frame["code"].astype(str).str.strip()
    empty = frame["code"].isin(["", "None", "nan"])
    if empty.any():
        first = int(empty.to_numpy().nonzero()[0][0])
        raise SourceError(path, f"feature {first + 1} has an empty 'code'")
    require_unique(frame["code"], path, "code", first_line=1, unit="features")
    _check_in_region(frame, "code", path, "areas")
    return frame[["code", "name", "geometry"]]


def _check_in_region(frame: gpd.GeoDataFrame, key: str, path: Path, what: str) -> None:
    """Refuse polygons outside the region envelope (moved geometry or another CRS).

    These files are region extracts, so no polygon may lie outside.
    """
    labels = [f"feature {i + 1} ({key} {v})" for i, v in enumerate(frame[key])]
    check_geometries_inside(frame, LEUVEN_REGION, path, what=what, labels=labels)
