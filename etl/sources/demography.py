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
from collections.abc import Callable
from dataclasses import dataclass
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

#: How a wijk's sectors were found (values of ``sector_mapping``, see
#: :func:`sector_wijk_mapping`).
MAPPED_BY_POLYGONS: Final[str] = "sector polygons"
MAPPED_BY_PREFIX: Final[str] = "sector code prefix"
MAPPED_BY_GGW7: Final[str] = "ggw7 code"
UNMAPPED: Final[str] = "unmapped"
#: Share of a sector polygon that must lie in one wijk to place the sector there (the
#: rest absorbs digitising differences between the two boundary sets).
MIN_SECTOR_IN_WIJK: Final[float] = 0.95
#: Share of a wijk's area that must lie in the deelgemeenten of the sectors mapped to it.
MIN_WIJK_IN_DEELGEMEENTEN: Final[float] = 0.9
#: Length of the sector-code prefix some wijken are numbered by (``12005A0``).
PREFIX_LENGTH: Final[int] = 7


@dataclass(frozen=True)
class SectorWijkMapping:
    """Which statistical sectors make up which wijk, and how that was established.

    Attributes
    ----------
    sectors : DataFrame
        ``sector``, ``wijk``, ``ggw7`` (the lookup's own wijk code) and ``rule`` for
        every mapped sector, sorted by sector.
    wijken : DataFrame
        One row per wijk, sorted by code: ``wijk``, ``sector_mapping`` (a rule or
        :data:`UNMAPPED`), ``ggw7`` and ``sectors`` (count; missing when unmapped).
    refused : dict
        Rule -> the municipalities (NIS) where the evidence contradicted it.
    ambiguous : list of str
        Wijken left unmapped because two rules linked them differently.
    """

    sectors: pd.DataFrame
    wijken: pd.DataFrame
    refused: dict[str, list[str]]
    ambiguous: list[str]


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


def sector_wijk_mapping(
    lookup: pd.DataFrame,
    wijken: gpd.GeoDataFrame,
    deelgemeenten: gpd.GeoDataFrame,
    sector_polygons: gpd.GeoDataFrame,
) -> SectorWijkMapping:
    """Map the lookup's statistical sectors to the wijken, using only verified rules.

    The lookup (``boundaries/statsec_lookup_leuven_region.csv``) puts every sector in a
    wijk of its own scheme (``ggw7``: ``12005W01``), which the wijken file does not use
    (``12005A0``, ``1201401``, ``240621``, ``24038A0N``, ``21018_92``, ...).  So each
    lookup wijk (its group of sectors) is linked to at most one wijk of the file by one
    of three rules, and only where the evidence supports it:

    ``sector polygons``
        A sector of the group that also has a polygon (the mirror's sectors, same code)
        lies for at least :data:`MIN_SECTOR_IN_WIJK` of its area in one wijk; every such
        sector of the group must name the same wijk.
    ``sector code prefix``
        The wijk's code is the first 7 characters of the group's sector codes.  Used in
        a municipality only when its lookup wijken are exactly its prefix groups: each
        group has one prefix, no two groups share one, and every wijk of the file there
        is such a prefix.
    ``ggw7 code``
        The wijk's code is the ggw7 code without its ``W`` (``12014W01`` ->
        ``1201401``) or with ``_`` for it (``21018W92`` -> ``21018_92``).

    Every link must pass the deelgemeente check: at least
    :data:`MIN_WIJK_IN_DEELGEMEENTEN` of the wijk's area lies in the deelgemeenten of
    the group's sectors (the lookup's ``deelgemeente`` column, the deelgemeenten
    layer's polygons).  A code rule is used in a municipality only when *all* its links
    there pass that check and none contradicts a polygon link; a link refuted anywhere
    in a municipality discredits the rule's numbering there.  Finally a group linked to
    two wijken, or a wijk linked to two groups, is left unmapped.  Sectors outside any
    wijk of the lookup (``...ZZZZ``, ggw7 ``...WONB``) are never mapped.

    Parameters
    ----------
    lookup : DataFrame
        ``statsec``, ``ggw7``, ``deelgemeente``, ``deelgemeente_naam`` (one row per
        sector).
    wijken : GeoDataFrame
        ``code``, ``nis`` and polygons.
    deelgemeenten : GeoDataFrame
        ``code`` (``12005A``) and polygons.
    sector_polygons : GeoDataFrame
        ``sector`` and polygons (the sectors with a population and a shape).

    Returns
    -------
    SectorWijkMapping
        The sectors of each mapped wijk, how each wijk was mapped, and the rules
        refused per municipality.
    """
    groups = _lookup_groups(lookup)
    wijk_nis = dict(zip(wijken["code"].astype(str), wijken["nis"].astype(str), strict=True))
    inside = _deelgemeente_share(groups, wijken, deelgemeenten)
    by_polygon = _polygon_links(groups, wijken, sector_polygons)
    checked = [inside(g, w) for g, w in zip(by_polygon["ggw7"], by_polygon["wijk"], strict=True)]
    by_polygon = by_polygon[pd.Series(checked, index=by_polygon.index, dtype=bool)]
    links = [by_polygon.assign(rule=MAPPED_BY_POLYGONS)]
    refused: dict[str, list[str]] = {}
    for rule, candidates in (
        (MAPPED_BY_PREFIX, _prefix_links(groups, wijk_nis)),
        (MAPPED_BY_GGW7, _ggw7_links(groups, wijk_nis)),
    ):
        kept, refused[rule] = _verified(candidates, by_polygon, inside)
        links.append(kept.assign(rule=rule))
    return _assemble(groups, wijken, pd.concat(links, ignore_index=True), refused)


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


def _lookup_groups(lookup: pd.DataFrame) -> pd.DataFrame:
    """Return the lookup's sectors that belong to a wijk, with their ``nis``.

    ``...ZZZZ`` sectors (people without a known address) sit in a ``...WONB`` ("onbekend")
    wijk that has no place on a map.
    """
    columns = ["statsec", "ggw7", "deelgemeente", "deelgemeente_naam"]
    rows = lookup[columns].dropna().astype(str)
    placed = ~rows["ggw7"].str.endswith("WONB") & ~rows["statsec"].str.endswith("ZZZZ")
    out = rows[placed].copy()
    out["nis"] = out["ggw7"].str[:5]
    return out.sort_values("statsec").reset_index(drop=True)


def deelgemeente_codes(lookup: pd.DataFrame, deelgemeenten: pd.DataFrame) -> dict[str, str]:
    """Match the lookup's deelgemeente codes to the deelgemeenten layer's codes.

    Most codes are equal (``12005A``); some differ in spelling (lookup ``24062Z`` =
    layer ``24062-Z``, both "Heverlee (Leuven)"), so an unequal code is matched by its
    full name when exactly one layer row has it.  Deelgemeenten outside the layer (the
    region's edge) stay unmatched.
    """
    layer_codes = set(deelgemeenten["code"].astype(str))
    names = deelgemeenten["name"].astype(str)
    unique_names = names[~names.duplicated(keep=False)]
    by_name = dict(zip(unique_names, deelgemeenten.loc[unique_names.index, "code"], strict=True))
    pairs = lookup[["deelgemeente", "deelgemeente_naam"]].dropna().astype(str)
    out: dict[str, str] = {}
    for code, name in pairs.drop_duplicates("deelgemeente").itertuples(index=False):
        match = code if code in layer_codes else by_name.get(name)
        if match is not None:
            out[code] = str(match)
    return out


def _deelgemeente_share(
    groups: pd.DataFrame, wijken: gpd.GeoDataFrame, deelgemeenten: gpd.GeoDataFrame
) -> Callable[[str, str], bool]:
    """Return ``inside(ggw7, wijk)``: whether the wijk lies in the group's deelgemeenten."""
    shapes = wijken.to_crs(METRIC_CRS).set_index(wijken["code"].astype(str)).geometry
    parts = deelgemeenten.to_crs(METRIC_CRS).set_index(deelgemeenten["code"].astype(str))
    matched = groups["deelgemeente"].map(deelgemeente_codes(groups, deelgemeenten))
    of_group = matched.groupby(groups["ggw7"]).unique()

    def inside(ggw7: str, wijk: str) -> bool:
        codes = [c for c in of_group.get(ggw7, []) if isinstance(c, str)]
        if not codes or wijk not in shapes.index:
            return False
        shape = shapes.loc[wijk]
        covered = shape.intersection(parts.loc[codes].geometry.union_all()).area
        return bool(covered >= MIN_WIJK_IN_DEELGEMEENTEN * shape.area)

    return inside


def _polygon_links(
    groups: pd.DataFrame, wijken: gpd.GeoDataFrame, sector_polygons: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Link groups to the wijk their sector polygons lie in (``ggw7``, ``wijk``).

    A sector is placed when :data:`MIN_SECTOR_IN_WIJK` of its polygon lies in one wijk.
    A group is linked only when every one of its sectors with a polygon is placed, all in
    the same wijk: a sector straddling two wijken says the group does not follow the
    wijk's boundary.
    """
    known = sector_polygons[sector_polygons["sector"].isin(groups["statsec"])]
    if known.empty:
        return pd.DataFrame(columns=["ggw7", "wijk"])
    metric = known[["sector", "geometry"]].to_crs(METRIC_CRS)
    areas = gpd.GeoDataFrame({"wijk": wijken["code"].astype(str)}, geometry=wijken.geometry)
    pieces = gpd.overlay(metric, areas.to_crs(METRIC_CRS), how="intersection", keep_geom_type=True)
    pieces["share"] = pieces.area / pieces["sector"].map(metric.set_index("sector").area)
    best = pieces.sort_values("share", ascending=False).drop_duplicates("sector")
    best = best.merge(groups, left_on="sector", right_on="statsec")
    best["wijk"] = best["wijk"].where(best["share"] >= MIN_SECTOR_IN_WIJK)
    straddling = set(best.loc[best["wijk"].isna(), "ggw7"])
    wijk_sets = best.dropna(subset=["wijk"]).groupby("ggw7")["wijk"].unique()
    single = wijk_sets[(wijk_sets.map(len) == 1) & ~wijk_sets.index.isin(straddling)]
    return pd.DataFrame({"ggw7": single.index, "wijk": [w[0] for w in single]})


def _prefix_links(groups: pd.DataFrame, wijk_nis: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """Candidate links by sector-code prefix, in municipalities whose groups are prefixes.

    Returns the candidates and the municipalities where some group's prefix is a wijk
    code but the groups are not the prefix groups (so the prefix says nothing there).
    """
    links: list[pd.DataFrame] = []
    refused: list[str] = []
    prefixes = groups.assign(prefix=groups["statsec"].str[:PREFIX_LENGTH])
    for nis, own in prefixes.groupby("nis", sort=True):
        per_group = own.groupby("ggw7")["prefix"].unique()
        firsts = [p[0] for p in per_group]
        matched = [p for p in firsts if p in wijk_nis]
        if not matched:
            continue
        wijken_here = {code for code, n in wijk_nis.items() if n == nis}
        exact = (
            all(len(p) == 1 for p in per_group)
            and len(set(firsts)) == len(firsts)
            and wijken_here <= set(firsts)
        )
        if not exact:
            refused.append(str(nis))
            continue
        found = [(g, p[0]) for g, p in per_group.items() if p[0] in wijk_nis]
        links.append(pd.DataFrame(found, columns=["ggw7", "wijk"]).assign(nis=nis))
    return _frame(links), refused


def _ggw7_links(groups: pd.DataFrame, wijk_nis: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """Candidate links by ggw7 code: ``12014W01`` -> ``1201401`` or ``12014_01``."""
    found = []
    for ggw7 in sorted(groups["ggw7"].unique()):
        nis, number = ggw7[:5], ggw7[6:]
        for code in (nis + number, f"{nis}_{number}"):
            if wijk_nis.get(code) == nis:
                found.append((ggw7, code, nis))
    return pd.DataFrame(found, columns=["ggw7", "wijk", "nis"]), []


def _verified(
    candidates: tuple[pd.DataFrame, list[str]],
    by_polygon: pd.DataFrame,
    inside: Callable[[str, str], bool],
) -> tuple[pd.DataFrame, list[str]]:
    """Keep a rule's links in the municipalities where none of them is refuted."""
    links, refused = candidates
    polygon_wijk = dict(zip(by_polygon["ggw7"], by_polygon["wijk"], strict=True))
    polygon_group = dict(zip(by_polygon["wijk"], by_polygon["ggw7"], strict=True))
    kept: list[pd.DataFrame] = []
    refused = list(refused)
    for nis, own in links.groupby("nis", sort=True):
        ok = all(
            inside(g, w) and polygon_wijk.get(g, w) == w and polygon_group.get(w, g) == g
            for g, w in zip(own["ggw7"], own["wijk"], strict=True)
        )
        if ok:
            kept.append(own[["ggw7", "wijk"]])
        else:
            refused.append(str(nis))
    return _frame(kept), sorted(refused)


def _assemble(
    groups: pd.DataFrame,
    wijken: gpd.GeoDataFrame,
    links: pd.DataFrame,
    refused: dict[str, list[str]],
) -> SectorWijkMapping:
    """Drop ambiguous links and build the per-sector and per-wijk tables."""
    links = links.drop_duplicates(["ggw7", "wijk"], keep="first")
    two_wijken = links["ggw7"].duplicated(keep=False)
    two_groups = links["wijk"].duplicated(keep=False)
    ambiguous = sorted(set(links.loc[two_wijken | two_groups, "wijk"]))
    links = links[~(two_wijken | two_groups)]
    sectors = groups.merge(links, on="ggw7")[["statsec", "wijk", "ggw7", "rule"]]
    sectors = sectors.rename(columns={"statsec": "sector"}).sort_values("sector")
    per_wijk = links.set_index("wijk")
    counts = sectors.groupby("wijk")["sector"].size()
    codes = wijken["code"].astype(str).sort_values().reset_index(drop=True)
    table = pd.DataFrame(
        {
            "wijk": codes,
            "sector_mapping": [str(per_wijk["rule"].get(c, UNMAPPED)) for c in codes],
            "ggw7": codes.map(per_wijk["ggw7"]),
            "sectors": codes.map(counts).astype("Int64"),
        }
    )
    return SectorWijkMapping(sectors.reset_index(drop=True), table, refused, ambiguous)


def _frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate link frames (``ggw7``, ``wijk``, maybe ``nis``); empty when none."""
    if not parts:
        return pd.DataFrame(columns=["ggw7", "wijk", "nis"])
    return pd.concat(parts, ignore_index=True)


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
