"""Population and households per municipality, population per sector, 2025 mergers.

Sources: Statbel municipal population, Statistiek Vlaanderen household projections,
Statbel statistical-sector population, and the 2025 municipality mergers lookup.
Statbel's live sector table (``OPENDATA_SECTOREN_<year>.zip``, every Belgian sector, no
polygons) is read by :func:`parse_sector_population` and summed per neighbourhood by
:func:`population_to_neighbourhoods`; offline the mirror's 100 sectors are used.

Population and household *counts* add up, so a 2025 municipality formed by a merger gets
the sum of its former municipalities (Tessenderlo-Ham 71071 = Tessenderlo 71057 + Ham
71069).  The mergers list comes from ``boundaries/lookups/municipality_mergers_2025.csv``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from etl.errors import SourceError, require_columns
from etl.settings import (
    METRIC_CRS,
    SECTOR_POPULATION_URL,
    SECTOR_POPULATION_YEAR,
    LiveSource,
)
from etl.sources.contracts import (
    check_row_lengths,
    decode_text,
    read_text,
    read_zip_member,
    require_unique,
    zip_text_members,
)
from etl.sources.vector import read_csv, read_vector
from etl.transform.region import LEUVEN_REGION, check_geometries_inside

POPULATION_2020: Final[str] = "demography/population_2020_by_municipality_belgium.csv"
HOUSEHOLDS: Final[str] = "demography/households_2010_2040_projection_leuven_region_flanders.csv"
SECTORS: Final[str] = "demography/statbel_sectors_leuven_area_population_epsg31370.geojson"
#: Where ``etl fetch population_sectors`` saves Statbel's zip (all Belgian sectors).
SECTORS_LIVE: Final[str] = f"demography/OPENDATA_SECTOREN_{SECTOR_POPULATION_YEAR}.zip"
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
        SECTORS_LIVE,
        SECTOR_POPULATION_URL,
        f"https://statbel.fgov.be/en/open-data/population-statistical-sector-{SECTOR_POPULATION_YEAR}",
        "live file: zip of OPENDATA_SECTOREN_<year>.txt, '|'-separated UTF-8, one row per "
        "statistical sector of Belgium (CD_REFNIS, CD_SECTOR, TOTAL, DT_STRT_SECTOR, "
        "DT_STOP_SECTOR, OPPERVLAKKTE IN HM², TX_DESCR_SECTOR_NL/FR, TX_DESCR_NL/FR), "
        "read by parse_sector_population and aggregated by population_to_neighbourhoods. "
        "It has no polygons. The mirror's GeoJSON (GitHub XanderPENG/matsim-xp "
        "leuven_census.geojson: cd_sector, CD_SECTOR, TOTAL) joins the same numbers to "
        "the polygons of 100 sectors of Leuven, Herent and Bierbeek; offline, "
        "sector_population keeps those 100 sectors.",
    ),
)

#: Columns each parser needs.
REQUIRED_POPULATION: Final[tuple[str, ...]] = ("NIS_code", "inhabitants")
REQUIRED_HOUSEHOLDS: Final[tuple[str, ...]] = ("y", "nis", "n")
REQUIRED_SECTORS: Final[tuple[str, ...]] = ("CD_SECTOR", "TOTAL")
#: Columns :func:`parse_sector_population` needs in Statbel's live sector file.
REQUIRED_SECTOR_TABLE: Final[tuple[str, ...]] = ("CD_REFNIS", "CD_SECTOR", "TOTAL")

#: A Statbel statistical-sector code: NIS code, letter and two characters, and a last
#: character that is a digit, a letter or '-' (``24062A00-``, ``24038A112``, ``12005A00K``).
_SECTOR_CODE = r"\d{5}[0-9A-Z]{3}[0-9A-Z-]"

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
    bad = ~sectors.str.fullmatch(_SECTOR_CODE)
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


def parse_sector_population(path: Path) -> pd.DataFrame:
    """Parse Statbel's population per statistical sector (the live zip, all of Belgium).

    The zip holds one ``OPENDATA_SECTOREN_<year>.txt``: UTF-8 text, ``|``-separated,
    one row per sector with ``CD_REFNIS`` (municipality), ``CD_SECTOR`` and ``TOTAL``
    (inhabitants on 1 January) and, unused here but kept when present, the sector's
    Dutch name ``TX_DESCR_SECTOR_NL``.

    Returns
    -------
    DataFrame
        ``sector`` (9-character code), ``nis`` (5 digits), ``population`` (int) and
        ``name_nl`` (str, empty when the file has no names), sorted by sector.

    Raises
    ------
    SourceError
        Naming the zip (or ``archive.zip!member.txt``) for a corrupt or truncated zip
        (the member's CRC is checked), a zip without exactly one ``.txt``, text that is
        not UTF-8, a record cut short, missing columns, bad or repeated sector codes, or
        populations that are blank, negative or fractional.
    """
    data = _read_bytes(path)
    member = _only_text_member(data, path)
    where = Path(f"{path}!{member}")
    text = decode_text(read_zip_member(data, member, path), where)
    frame = _pipe_table(text, where)
    sectors = frame["CD_SECTOR"].fillna("").str.strip()
    bad = ~sectors.str.fullmatch(_SECTOR_CODE)
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0])
        msg = f"line {first + 2} has CD_SECTOR {sectors.iloc[first]!r}, not a sector code"
        raise SourceError(where, msg)
    require_unique(sectors, where, "CD_SECTOR")
    nis = frame["CD_REFNIS"].fillna("").str.strip()
    _check_codes(nis, where, unique=False)
    names = frame.get("TX_DESCR_SECTOR_NL", pd.Series("", index=frame.index))
    out = pd.DataFrame(
        {
            "sector": sectors,
            "nis": nis,
            "population": _whole_numbers(frame["TOTAL"], "TOTAL", where),
            "name_nl": names.fillna("").str.strip(),
        }
    )
    return out.sort_values("sector").reset_index(drop=True)


def sector_to_wijk_by_code(sectors: pd.Series, wijk_codes: pd.Series) -> pd.DataFrame:
    """Map sectors to the wijk whose code starts their own code (longest such code).

    The wijken the source numbers after their sectors (``12005A0`` holds ``12005A00K``,
    ``12005A01-``, ...) can be matched by code alone; wijken with a municipal numbering
    (``2406210``) match no sector and need a spatial placement instead.

    Returns
    -------
    DataFrame
        ``sector`` and ``wijk`` for every sector that matched a wijk.
    """
    codes = set(wijk_codes.astype(str))
    lengths = sorted({len(c) for c in codes}, reverse=True)
    pairs = []
    for sector in sectors.astype(str):
        wijk = next((sector[:n] for n in lengths if sector[:n] in codes), None)
        if wijk is not None:
            pairs.append((sector, wijk))
    return pd.DataFrame(pairs, columns=["sector", "wijk"])


def population_to_neighbourhoods(
    population: pd.DataFrame, lookup: pd.DataFrame, *, min_coverage: float = 1.0
) -> pd.DataFrame:
    """Sum sector populations per neighbourhood (wijk), saying how many sectors are known.

    Parameters
    ----------
    population : DataFrame
        ``sector`` and ``population`` (e.g. from :func:`parse_sector_population`).
    lookup : DataFrame
        ``sector`` and ``wijk``: every sector of each wijk (from the mirror's sector
        lookup, or :func:`sector_to_wijk_by_code`).  A sector in two wijken is refused.
    min_coverage : float, default 1.0
        Smallest share of a wijk's sectors that must have a population for
        ``population`` to be given; below it the sum would be an undercount, so it is
        missing (``population_known_sectors`` still has the partial sum).

    Returns
    -------
    DataFrame
        One row per wijk of ``lookup``, sorted by wijk: ``wijk``, ``sectors`` (count in
        the lookup), ``sectors_known`` (with a population), ``sector_coverage``
        (``sectors_known / sectors``), ``population_known_sectors`` (Int64 sum over
        the known sectors, missing when none is known) and ``population`` (Int64, that
        sum where ``sector_coverage >= min_coverage``, else missing).

    Raises
    ------
    ValueError
        When a sector appears twice in ``lookup`` or in ``population``, or
        ``min_coverage`` is not in (0, 1].
    """
    if not 0 < min_coverage <= 1:
        raise ValueError(f"min_coverage must be in (0, 1], got {min_coverage}")
    for frame, what in ((lookup, "lookup"), (population, "population")):
        repeated = frame["sector"][frame["sector"].duplicated()]
        if not repeated.empty:
            raise ValueError(f"sector {repeated.iloc[0]!r} appears twice in the {what}")
    people = lookup[["sector", "wijk"]].merge(
        population[["sector", "population"]], on="sector", how="left"
    )
    grouped = people.groupby("wijk", sort=True)
    out = pd.DataFrame(
        {
            "sectors": grouped["sector"].size(),
            "sectors_known": grouped["population"].count(),
        }
    )
    sums = grouped["population"].sum(min_count=1)
    out["sector_coverage"] = out["sectors_known"] / out["sectors"]
    out["population_known_sectors"] = sums.astype("Int64")
    complete = out["sector_coverage"] >= min_coverage
    out["population"] = out["population_known_sectors"].where(complete)
    return out.reset_index()


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


def _read_bytes(path: Path) -> bytes:
    """Return the whole file, or raise a SourceError naming it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"unreadable ({exc})") from exc


def _only_text_member(data: bytes, path: Path) -> str:
    """Name of the zip's single ``.txt`` member (Statbel zips hold exactly one)."""
    members = zip_text_members(data, path)
    if len(members) != 1:
        found = ", ".join(members) or "none"
        raise SourceError(path, f"zip archive must hold one .txt file, found: {found}")
    return members[0]


def _pipe_table(text: str, where: Path) -> pd.DataFrame:
    """Read Statbel's '|'-separated text as strings, checking whole rows and columns."""
    if not text.strip():
        raise SourceError(where, "file is empty")
    check_row_lengths(text, where, sep="|")
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep="|", dtype=str, keep_default_na=False, na_values=[""]
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(where, f"not a readable '|'-separated table ({exc})") from exc
    if frame.empty:
        raise SourceError(where, "has a header but no rows")
    require_columns(frame.columns, REQUIRED_SECTOR_TABLE, where)
    return frame
