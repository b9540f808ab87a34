"""Population and households per municipality, population per sector, 2025 mergers.

Sources: Statbel municipal population, Statistiek Vlaanderen household projections,
Statbel statistical-sector population, and the 2025 municipality mergers lookup.

Population and household *counts* add up, so a 2025 municipality formed by a merger gets
the sum of its former municipalities (Tessenderlo-Ham 71071 = Tessenderlo 71057 + Ham
71069).  The mergers list comes from ``boundaries/lookups/municipality_mergers_2025.csv``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from etl.errors import SourceError
from etl.settings import METRIC_CRS, LiveSource
from etl.sources.contracts import read_text, require_unique
from etl.sources.vector import read_csv, read_vector
from etl.transform.region import LEUVEN_REGION, check_geometries_inside

POPULATION_2020: Final[str] = "demography/population_2020_by_municipality_belgium.csv"
HOUSEHOLDS: Final[str] = "demography/households_2010_2040_projection_leuven_region_flanders.csv"
SECTORS: Final[str] = "demography/statbel_sectors_leuven_area_population_epsg31370.geojson"
MERGERS: Final[str] = "boundaries/lookups/municipality_mergers_2025.csv"

#: First year of the Statistiek Vlaanderen 2024 projection is 2024; it starts from the
#: legal population of 1 January 2023, so 2023 is the last observed year in the file.
HOUSEHOLDS_LAST_OBSERVED_YEAR: Final[int] = 2023
#: Projection horizon reported next to the observed count.
HOUSEHOLDS_PROJECTION_YEAR: Final[int] = 2040

#: Reference date of the sector populations (Statbel, 1 January).
SECTOR_POPULATION_DATE: Final[str] = "2024-01-01"

LIVE_SOURCES = (
    LiveSource(
        "population_municipalities",
        POPULATION_2020,
        "https://statbel.fgov.be/sites/default/files/files/opendata/"
        "bevolking%20naar%20woonplaats%2C%20nationaliteit%20burgelijke%20staat%20%2C"
        "%20leeftijd%20en%20geslacht/TF_SOC_POP_STRUCT_2025.zip",
        "https://statbel.fgov.be/nl/themas/bevolking/structuur-van-de-bevolking",
        "live file: zip of a '|'-separated text, one row per municipality x sex x age x "
        "nationality x marital status (CD_REFNIS, MS_POPULATION, ...) on 1 Jan 2025 with "
        "2025 NIS codes; it must be summed per CD_REFNIS. The mirror is a processed 2020 "
        "table (GitHub vandenbroucke/belgian_municipalities: NIS_code, names, "
        "inhabitants) with pre-2025 codes. parse_population reads the mirror format only.",
    ),
    LiveSource(
        "households_projection",
        HOUSEHOLDS,
        "https://assets.vlaanderen.be/raw/upload/v1716295326/"
        "aantal_huishoudens_naar_huishoudgrootte_zwfmvn.csv",
        "https://www.vlaanderen.be/statistiek-vlaanderen/bevolking/"
        "huishoudensvooruitzichten-aantal-en-groei",
        "live file is long by household size (jaar, niscode, aantal_huishoudleden, aantal) "
        "for all Flemish municipalities on pre-2025 codes; the mirror (gehuybre/data-blog) "
        "sums the sizes per municipality and year (y, nis, n, name, p = province, gr = "
        "growth vs 2023) and keeps the region's municipalities.",
    ),
    LiveSource(
        "population_sectors",
        SECTORS,
        "https://statbel.fgov.be/sites/default/files/files/opendata/bevolking/sectoren/"
        "OPENDATA_SECTOREN_2024.zip",
        "https://statbel.fgov.be/en/open-data/population-statistical-sector-2024",
        "live data are two files: a '|'-separated table (CD_SECTOR, TOTAL, ...) for all "
        "Belgian sectors, and the sector polygons (Statbel 'statistical sectors 2024', "
        "EPSG:31370). The mirror is one GeoJSON (GitHub XanderPENG/matsim-xp "
        "leuven_census.geojson) that already joins them for 100 sectors of Leuven, Herent "
        "and Bierbeek (cd_sector, CD_SECTOR, TOTAL).",
    ),
)

#: Columns each parser needs.
REQUIRED_POPULATION: Final[tuple[str, ...]] = ("NIS_code", "inhabitants")
REQUIRED_HOUSEHOLDS: Final[tuple[str, ...]] = ("y", "nis", "n")
REQUIRED_SECTORS: Final[tuple[str, ...]] = ("CD_SECTOR", "TOTAL")

_CODE_IN_PARENS = re.compile(r"\((\d{5})\)")


def parse_mergers(path: Path) -> dict[str, list[str]]:
    """Parse the 2025 mergers: new NIS code -> former NIS codes.

    The file has lines such as ``Ham (71069) + Tessenderlo (71057),<TAB>Tessenderlo-Ham
    (71071)``; only the codes in parentheses are used.

    Raises
    ------
    SourceError
        For an empty file or a line without exactly one new code and two or more old ones.
    """
    text = read_text(path)
    lines = [line for line in text.splitlines()[1:] if line.strip()]
    if not lines:
        raise SourceError(path, "has no merger lines")
    mergers: dict[str, list[str]] = {}
    for number, line in enumerate(lines, start=2):
        old_part, sep, new_part = line.rpartition(",")
        old = _CODE_IN_PARENS.findall(old_part)
        new = _CODE_IN_PARENS.findall(new_part)
        if not sep or len(new) != 1 or len(old) < 2:
            raise SourceError(path, f"line {number} is not 'A (code) + B (code), New (code)'")
        mergers[new[0]] = sorted(old)
    return mergers


def parse_population(path: Path) -> pd.DataFrame:
    """Parse the legal population per municipality on 1 January 2020 (pre-2025 codes).

    Returns
    -------
    DataFrame
        ``nis`` (str), ``population`` (int), sorted by nis.

    Raises
    ------
    SourceError
        For missing columns, bad codes, duplicate codes or non-integer counts.
    """
    frame = read_csv(path, REQUIRED_POPULATION)
    out = pd.DataFrame(
        {
            "nis": frame["NIS_code"].str.strip(),
            "population": _whole_numbers(frame["inhabitants"], "inhabitants", path),
        }
    )
    _check_codes(out["nis"], path)
    return out.sort_values("nis").reset_index(drop=True)


def parse_households(path: Path) -> pd.DataFrame:
    """Parse private households per municipality and year (observed and projected).

    Returns
    -------
    DataFrame
        ``nis``, ``year`` (int), ``households`` (int), ``observed`` (bool: year up to
        :data:`HOUSEHOLDS_LAST_OBSERVED_YEAR`), sorted by nis and year.

    Raises
    ------
    SourceError
        For missing columns, bad numbers, duplicates, or a file whose growth column is
        not zero in the expected base year (a different projection edition).
    """
    frame = read_csv(path, REQUIRED_HOUSEHOLDS)
    out = pd.DataFrame(
        {
            "nis": frame["nis"].str.strip(),
            "year": _whole_numbers(frame["y"], "y", path),
            "households": _whole_numbers(frame["n"], "n", path),
        }
    )
    _check_codes(out["nis"], path, unique=False)
    require_unique(out[["nis", "year"]], path, "municipality/year")
    if HOUSEHOLDS_LAST_OBSERVED_YEAR not in set(out["year"]):
        raise SourceError(path, f"has no rows for base year {HOUSEHOLDS_LAST_OBSERVED_YEAR}")
    if "gr" in frame.columns:
        # gr is the growth against the projection's base year; it must be 0 there, or this
        # is another projection edition and the observed/projected split would be wrong.
        growth = pd.to_numeric(frame["gr"], errors="coerce")
        at_base = growth[out["year"] == HOUSEHOLDS_LAST_OBSERVED_YEAR]
        if not (at_base == 0).all():
            msg = f"growth column 'gr' is not 0 in {HOUSEHOLDS_LAST_OBSERVED_YEAR}: not the "
            raise SourceError(path, msg + "2024 projection edition this ETL expects")
    out["observed"] = out["year"] <= HOUSEHOLDS_LAST_OBSERVED_YEAR
    return out.sort_values(["nis", "year"]).reset_index(drop=True)


def parse_sectors(path: Path) -> gpd.GeoDataFrame:
    """Parse statistical-sector polygons with their population (1 January 2024).

    Returns
    -------
    GeoDataFrame
        ``sector`` (9-character Statbel code), ``population_2024`` (int), geometry in
        EPSG:31370, sorted by sector.

    Raises
    ------
    SourceError
        For an unreadable file, another CRS, missing columns, bad codes, duplicate codes
        or negative / non-integer populations.
    """
    frame = read_vector(path, REQUIRED_SECTORS, METRIC_CRS)
    sectors = frame["CD_SECTOR"].astype(str).str.strip()
    bad = ~sectors.str.fullmatch(r"\d{5}[0-9A-Z]{3}[0-9A-Z-]")
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0])
        msg = f"feature {first + 1} has CD_SECTOR {sectors.iloc[first]!r}, not a sector code"
        raise SourceError(path, msg)
    require_unique(sectors, path, "CD_SECTOR", first_line=1, unit="features")
    labels = [f"feature {i + 1} (sector {code})" for i, code in enumerate(sectors)]
    check_geometries_inside(frame, LEUVEN_REGION, path, what="sectors", labels=labels)
    population = _whole_numbers(frame["TOTAL"].astype(str), "TOTAL", path)
    out = gpd.GeoDataFrame(
        {"sector": sectors, "population_2024": population},
        geometry=frame.geometry,
        crs=frame.crs,
    )
    return out.sort_values("sector").reset_index(drop=True)


def to_2025_codes(
    frame: pd.DataFrame, value: str, mergers: dict[str, list[str]]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Replace the rows of former municipalities by rows of their 2025 merger (summed).

    Only for counts (people, households), which add up; never for medians or rates.
    Summing happens per value of the other columns (e.g. per year) and only when *every*
    former municipality has a value there, so a partial sum is never reported.  A new
    code already present that is not also a former code (data already on 2025 codes) is
    kept as published.  When the new code reuses a former one (Antwerpen 11002 =
    11002 + Borsbeek 11007), its old row is replaced by the sum.

    Parameters
    ----------
    frame : DataFrame
        Has ``nis``, ``value`` and possibly key columns such as ``year``.
    value : str
        The count column to sum.
    mergers : dict
        New code -> former codes (see :func:`parse_mergers`).

    Returns
    -------
    tuple
        The converted frame, and new code -> ``"71057+71069"`` for each summed merger.
    """
    keys = [c for c in frame.columns if c not in {"nis", value}] or ["_all"]
    work = frame.assign(_all=0) if keys == ["_all"] else frame
    added: list[pd.DataFrame] = []
    summed: dict[str, str] = {}
    for new, old in sorted(mergers.items()):
        if new in set(work["nis"]) and new not in old:
            continue
        parts = work[work["nis"].isin(old)]
        parts = parts[parts.groupby(keys)["nis"].transform("nunique") == len(old)]
        if parts.empty:
            continue
        work = work.drop(index=parts.index)
        added.append(parts.groupby(keys, as_index=False)[value].sum().assign(nis=new))
        summed[new] = "+".join(old)
    out = pd.concat([work, *added], ignore_index=True) if added else work
    return out.drop(columns="_all", errors="ignore"), summed


def _whole_numbers(values: pd.Series, column: str, path: Path) -> pd.Series:
    """Convert text counts to int64, refusing blanks, fractions and negatives."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any() or (numbers % 1 != 0).any() or (numbers < 0).any():
        raise SourceError(path, f"column {column!r} has missing, negative or non-integer values")
    return numbers.astype("int64")


def _check_codes(codes: pd.Series, path: Path, *, unique: bool = True) -> None:
    """Refuse NIS codes that are not 5 digits (and duplicates when ``unique``)."""
    bad = ~codes.fillna("").str.fullmatch(r"\d{5}")
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0])
        msg = f"line {first + 2} has {codes.iloc[first]!r}, not a 5-digit NIS code"
        raise SourceError(path, msg)
    if unique:
        require_unique(codes, path, "NIS code")
