"""Hand-curated international, European and foreign-curriculum schools near Leuven.

The list (20 schools within about 35 km of Leuven) was compiled from public pages; each
row cites its evidence (``evidence_url``, several URLs separated by ``" | "``), says
where its coordinates come from (``coord_source``) and how good they are
(``coord_quality``).  Rows without coordinates cannot be mapped; they are returned
separately so the manifest can list them.  There is no live source: the file is
maintained by hand, so this module declares no ``LIVE_SOURCES``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from etl.errors import SourceError
from etl.settings import REGION_BBOX, STORAGE_CRS
from etl.sources.contracts import require_unique
from etl.sources.vector import read_csv
from etl.transform.region import points_from_xy

FILE: Final[str] = "international_schools/international_schools.csv"

REQUIRED: Final[tuple[str, ...]] = (
    "name",
    "type",
    "languages",
    "age_range",
    "curriculum",
    "street",
    "postcode",
    "municipality",
    "lat",
    "lon",
    "coord_source",
    "coord_quality",
    "status",
    "evidence_url",
    "fees_note",
    "last_verified_year",
    "note",
)

#: Degrees added around the region box to get the file's scope (~35 km of Leuven):
#: 0.35 degree is about 25 km east-west and 39 km north-south here.
SCOPE_MARGIN_DEG: Final[float] = 0.35

NO_COORDS = "no coordinates in source"

#: Columns kept from the file (``municipality`` is renamed ``municipality_text`` so it
#: cannot be confused with the region municipality the point lies in).
KEPT: Final[tuple[str, ...]] = (
    "id",
    "name",
    "type",
    "languages",
    "age_range",
    "curriculum",
    "street",
    "postcode",
    "municipality_text",
    "coord_quality",
    "coord_source",
    "status",
    "fees_note",
    "evidence_url",
    "last_verified_year",
    "note",
)


def slug(name: str) -> str:
    """Return a stable, URL-safe id from a name: ASCII, lower case, hyphens.

    Examples
    --------
    >>> slug("Internationale Deutsche Schule Brüssel (iDSB)")
    'internationale-deutsche-schule-brussel-idsb'
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def parse_international_schools(path: Path) -> tuple[gpd.GeoDataFrame, list[dict[str, Any]]]:
    """Parse the curated list into mapped points and a list of schools left unmapped.

    Parameters
    ----------
    path : Path
        The curated CSV (WGS84 ``lat``/``lon``).

    Returns
    -------
    mapped : GeoDataFrame
        Schools with coordinates, EPSG:4326, columns :data:`KEPT` plus geometry.
    not_mapped : list of dict
        ``id``, ``name``, ``municipality_text``, ``evidence_url`` and ``reason`` of each
        school without coordinates (the reason quotes ``coord_source``).

    Raises
    ------
    SourceError
        When a column is missing, a name, ``coord_source`` or ``evidence_url`` is empty,
        a name repeats, a row has only one of
        lat/lon or non-numeric ones, a mapped row has no ``coord_quality`` or
        ``coord_source``, a postcode or year is malformed, or coordinates lie outside
        the file's scope (region box plus :data:`SCOPE_MARGIN_DEG`).
    """
    raw = read_csv(path, REQUIRED)
    frame = _tidy(raw, path)
    has_xy = _check_coordinates(frame, path)
    mapped = points_from_xy(frame[has_xy], "lon", "lat", STORAGE_CRS)
    _check_scope(mapped, path)
    not_mapped = [
        {
            "id": row.id,
            "name": row.name,
            "municipality_text": row.municipality_text,
            "evidence_url": row.evidence_url,
            "reason": f"{NO_COORDS} ({row.coord_source})",
        }
        for row in frame[~has_xy].sort_values("id").itertuples()
    ]
    return mapped[[*KEPT, "geometry"]], not_mapped


def _tidy(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Strip text, derive ``id``, normalise postcode and year; check names."""
    frame = raw.apply(lambda col: col.str.strip()).replace("", pd.NA)
    if frame["name"].isna().any():
        raise SourceError(path, f"line {_first_line(frame['name'].isna())} has an empty 'name'")
    for column in ("coord_source", "evidence_url"):
        # every row must say where its facts come from; a gap also betrays a cut-off row
        if frame[column].isna().any():
            line = _first_line(frame[column].isna())
            raise SourceError(path, f"line {line} has no {column!r} (truncated file?)")
    frame["id"] = frame["name"].map(slug)
    require_unique(frame["id"], path, "school id (slug of 'name')")
    frame["postcode"] = _whole_numbers(frame["postcode"], "postcode", path).map(
        lambda v: None if pd.isna(v) else f"{v:04d}"
    )
    frame["last_verified_year"] = _whole_numbers(
        frame["last_verified_year"], "last_verified_year", path
    )
    return frame.rename(columns={"municipality": "municipality_text"})


def _whole_numbers(values: pd.Series, column: str, path: Path) -> pd.Series:
    """Parse whole numbers written as ``3080`` or ``3080.0`` (the file's style)."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & (numbers.isna() | numbers.mod(1).ne(0))
    if bad.any():
        msg = f"line {_first_line(bad)} has a malformed {column!r}: {values[bad].iloc[0]!r}"
        raise SourceError(path, msg)
    return numbers.round().astype("Int64")


def _check_coordinates(frame: pd.DataFrame, path: Path) -> pd.Series:
    """Return which rows have coordinates, refusing half or non-numeric ones."""
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    for column, parsed in (("lat", lat), ("lon", lon)):
        bad = frame[column].notna() & parsed.isna()
        if bad.any():
            raise SourceError(path, f"line {_first_line(bad)} has a non-numeric {column!r}")
    half = lat.isna() != lon.isna()
    if half.any():
        raise SourceError(path, f"line {_first_line(half)} has only one of 'lat' and 'lon'")
    has_xy = lat.notna()
    for column in ("coord_quality", "coord_source"):
        missing = has_xy & frame[column].isna()
        if missing.any():
            msg = f"line {_first_line(missing)} has coordinates but no {column!r}"
            raise SourceError(path, msg)
    return has_xy


def _check_scope(points: gpd.GeoDataFrame, path: Path) -> None:
    """Refuse coordinates outside the region box widened by the scope margin."""
    lon0, lat0, lon1, lat1 = REGION_BBOX
    m = SCOPE_MARGIN_DEG
    inside = points.geometry.x.between(lon0 - m, lon1 + m) & points.geometry.y.between(
        lat0 - m, lat1 + m
    )
    if not inside.all():
        name = points.loc[~inside, "name"].iloc[0]
        msg = (
            f"coordinates of {name!r} lie outside lon {lon0 - m:.2f}-{lon1 + m:.2f}, "
            f"lat {lat0 - m:.2f}-{lat1 + m:.2f} (about 35 km around Leuven); "
            "swapped lat/lon?"
        )
        raise SourceError(path, msg)


def _first_line(mask: pd.Series) -> int:
    """File line of the first True row (header is line 1)."""
    return int(mask.to_numpy().nonzero()[0][0]) + 2
