"""Stage ``neighbourhoods``: one profile row per wijk joining the other layers.

Counts of schools, childcare, stations and bus stops use the ``wijk`` column every point
layer carries; schools are counted both as school numbers (``n_schools``) and as distinct
sites (``n_school_sites``: distinct coordinates, since several school numbers often share
one address).  Childcare is counted only where the OSM extract has mapped objects (the
convex hull of its address points, :mod:`etl.transform.coverage`, stored in the
childcare manifest); elsewhere it is
unknown, not 0.  Wijken that the source names only by code (e.g. ``24028A0 (Geetbets)``)
get a readable name from their statistical sectors (:func:`readable_names`).

Population (:func:`population_by_wijk`) is the sum of the statistical sectors of the
wijk, given only when all of them are known: where the sector polygons cover (practically)
the whole wijk, or where every sector that :func:`etl.sources.demography.sector_wijk_mapping`
maps to the wijk by a verified rule has a value in the sector population source
(Statbel's live table when fetched, else the mirror's sectors).  ``population_coverage``
says how many of them are known and ``population_note`` why a value is missing.  Prices
are those of the wijk's municipality (Statbel publishes none below the municipality).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd
import shapely.wkt
from shapely.geometry.base import BaseGeometry

from etl.errors import EtlError
from etl.pipeline import BuildContext, Output, Stage
from etl.report import ARR_COVERAGE_KEY
from etl.settings import ARR_LEUVEN_NIS, METRIC_CRS, STORAGE_CRS
from etl.sources import demography as src
from etl.sources.contracts import require_unique
from etl.sources.vector import read_csv
from etl.transform.coverage import share_inside
from geodata.io import LayerManifest, load_manifest

#: A wijk gets a population only when the sector polygons cover at least this share of
#: its area; the slack absorbs digitising differences between the two boundary sets
#: (covered wijken reach 0.9977-1.0, partly covered ones at most 0.95 on the mirror).
MIN_SECTOR_COVER = 0.99

#: School levels counted separately (tokens of the schools layer's ``levels``).
SCHOOL_LEVELS = ("kleuter", "lager", "secundair", "buitengewoon")

#: The statistical sectors of the region with their names (sector code -> name).
SECTOR_LOOKUP: Final = "boundaries/statsec_lookup_leuven_region.csv"

#: Decimals of WGS84 coordinates that make two schools one site (1e-6 deg ~ 0.1 m).
SITE_DECIMALS: Final = 6

POINT_LAYERS = ("schools", "childcare", "stations", "bus_stops")
#: The layers joined into the profile whose dates its manifest repeats, each with the
#: word the date is written after (plain words: a report table wraps them cleanly).
JOINED_LAYERS: Final = {
    "housing_summary": "prices",
    "sector_population": "population",
    "schools": "schools",
    "childcare": "childcare",
    "stations": "trains",
    "bus_stops": "bus stops",
}

#: The population columns of the profile, in order (see :func:`population_by_wijk`).
POPULATION_COLUMNS: Final = (
    "population",
    "population_coverage",
    "population_sectors",
    "population_method",
    "population_note",
    "sector_mapping",
)

#: Columns of the sector lookup the stage reads (names, wijk and deelgemeente).
LOOKUP_COLUMNS: Final = ("statsec", "statsec_naam", "ggw7", "deelgemeente", "deelgemeente_naam")

SOURCE = (
    "Leuven Atlas, joined from: Provincies in Cijfers (wijken), Statbel (prices, sector "
    "population), Onderwijs Vlaanderen (schools), OpenStreetMap / Opgroeien (childcare), "
    "NMBS/SNCB and iRail (stations), De Lijn (bus stops)"
)
LICENCE = (
    "Derived from the layers named in source; keep their attributions: 'Wijken voor "
    "omgevingsanalyse. © gemeentebesturen, verzameld door Data & Analyse van de Vlaamse "
    "provincies'; 'Bron: Statbel'; 'Bron: Onderwijs Vlaanderen'; '© OpenStreetMap "
    "contributors' (ODbL); 'NMBS/SNCB'; 'De Lijn'"
)


def count_by_wijk(points: pd.DataFrame, codes: pd.Series) -> pd.Series:
    """Count the rows of a point layer per wijk code, aligned to ``codes`` (0 when none)."""
    counts = points["wijk"].dropna().astype(str).value_counts()
    return codes.map(counts).fillna(0).astype("int64")


def school_sites(schools: gpd.GeoDataFrame, codes: pd.Series) -> pd.Series:
    """Count distinct school sites (coordinates rounded to :data:`SITE_DECIMALS`) per wijk.

    The source lists one row per school number at its main seat; several numbers (a
    kleuter-, lager and secundair school of one campus) share one address and point.
    """
    keys = pd.DataFrame(
        {
            "wijk": schools["wijk"],
            "x": schools.geometry.x.round(SITE_DECIMALS),
            "y": schools.geometry.y.round(SITE_DECIMALS),
        }
    )
    sites = keys.dropna(subset=["wijk"]).drop_duplicates()
    return count_by_wijk(sites, codes)


def school_counts(schools: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """Count all schools, their sites and the schools offering each level.

    A school teaching several levels counts once in ``n_schools`` and once in each of its
    levels (:data:`SCHOOL_LEVELS`); ``n_school_sites`` counts distinct locations.
    """
    tokens = schools["levels"].fillna("").astype(str).str.split(";")
    out = pd.DataFrame(
        {
            "n_schools": count_by_wijk(schools, codes),
            "n_school_sites": school_sites(gpd.GeoDataFrame(schools), codes),
        }
    )
    for level in SCHOOL_LEVELS:
        has_level = tokens.apply(lambda items, lv=level: lv in {t.strip() for t in items})
        out[f"n_schools_{level}"] = count_by_wijk(schools[has_level], codes)
    return out


def childcare_counts(
    childcare: pd.DataFrame, wijken: gpd.GeoDataFrame, mapped_area: BaseGeometry
) -> pd.DataFrame:
    """Count childcare per wijk and say how complete that count is.

    Parameters
    ----------
    mapped_area : shapely geometry
        Where the OSM extract has mapped objects (EPSG:4326).

    Returns
    -------
    DataFrame
        ``n_childcare`` (nullable int), ``childcare_coverage``: ``"complete"`` when the
        layer holds an official export (rows whose ``coverage`` mentions neither OSM nor
        "partial"); otherwise ``"partial"`` for wijken overlapping the OSM-mapped area
        (a lower bound) and ``"none"`` elsewhere, where the count is missing rather than
        a misleading 0; ``childcare_mapped_share``: the share of the wijk's area inside
        the OSM-mapped area (missing with an official export).
    """
    counts = count_by_wijk(childcare, wijken["code"])
    text = childcare["coverage"].fillna("").astype(str).str.lower()
    official = ~text.str.contains("osm|partial|openstreetmap", regex=True)
    if len(childcare) and official.any():
        coverage = pd.Series("complete", index=wijken.index)
        share = pd.Series(float("nan"), index=wijken.index)
    else:
        share = share_inside(wijken, mapped_area)
        coverage = pd.Series(["partial" if v > 0 else "none" for v in share], index=wijken.index)
    return pd.DataFrame(
        {
            "n_childcare": counts.where(coverage != "none").astype("Int64"),
            "childcare_coverage": coverage,
            "childcare_mapped_share": share,
        }
    )


def readable_names(wijken: pd.DataFrame, sectors: pd.DataFrame) -> pd.DataFrame:
    """Name the wijken the source names only by code after their statistical sectors.

    Such a wijk's code is the first 7 characters of its sectors' codes.  Its name becomes
    that of its main sector - the lowest code, which Statbel gives the core (kern,
    centrum) - plus ``e.o.`` ("en omgeving", and surroundings) when it has more sectors,
    and the municipality: ``24028A0 (Geetbets)`` -> ``Geetbets-Centrum e.o. (Geetbets)``.

    Returns
    -------
    DataFrame
        ``name`` and ``name_origin`` (``"wijken file"`` or ``"statistical sector
        <code>"``), aligned to ``wijken``.  A code-named wijk without sectors keeps its
        name.
    """
    names = wijken["name"].astype(str).tolist()
    origin = ["wijken file"] * len(names)
    ordered = sectors.sort_values("statsec")
    pairs = zip(wijken["code"], wijken["municipality"], strict=True)
    for i, (code, municipality) in enumerate(pairs):
        # A name that is only "<code> (<municipality>)" says nothing to a reader.
        if names[i].split(" (")[0].strip() != str(code):
            continue
        own = ordered[ordered["statsec"].str.startswith(str(code))]
        if own.empty:
            continue
        main = own.iloc[0]
        more = " e.o." if len(own) > 1 else ""
        names[i] = f"{main['statsec_naam']}{more} ({municipality})"
        origin[i] = f"statistical sector {main['statsec']}"
    return pd.DataFrame({"name": names, "name_origin": origin}, index=wijken.index)


def childcare_mapped_area(ctx: BuildContext) -> BaseGeometry:
    """Where the OSM childcare data has mapped objects: the childcare manifest's area.

    The childcare stage derives it from the same extract as its points
    (:mod:`etl.transform.coverage`) and stores it as ``osm_mapped_area.wkt``; reading it
    from there keeps one definition for the layer and the counts.

    Raises
    ------
    EtlError
        When the childcare manifest does not hold the area (built by older code).
    """
    extra = load_manifest("childcare", ctx.out_dir).extra
    area = extra.get("osm_mapped_area", {}).get("wkt") if isinstance(extra, dict) else None
    if not isinstance(area, str):
        msg = "the childcare manifest lacks osm_mapped_area.wkt; rebuild the childcare stage"
        raise EtlError(msg)
    return shapely.wkt.loads(area)


def read_sector_lookup(ctx: BuildContext) -> pd.DataFrame:
    """Read the columns :data:`LOOKUP_COLUMNS` of :data:`SECTOR_LOOKUP` (unique codes)."""
    path = ctx.raw(SECTOR_LOOKUP)
    frame = read_csv(path, list(LOOKUP_COLUMNS))
    require_unique(frame["statsec"], path, "statsec")
    return frame[list(LOOKUP_COLUMNS)]


def population_source(ctx: BuildContext, polygons: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Sector populations: Statbel's live table when fetched, else the mirror's sectors.

    Returns
    -------
    tuple
        ``sector``, ``population`` and a sentence naming the source used.
    """
    live = live_sector_file(ctx)
    if live is not None:
        table = src.parse_sector_population(live)
        return table[["sector", "population"]], f"Statbel's live table {live.name} (all sectors)"
    frame = polygons[["sector", "population_2024"]].rename(
        columns={"population_2024": "population"}
    )
    return pd.DataFrame(frame), f"the mirror's {len(frame)} sectors (no live Statbel table fetched)"


def live_sector_file(ctx: BuildContext) -> Path | None:
    """Statbel's sector table in the raw folder (``etl fetch population_sectors``), if any."""
    path = ctx.source_dir / src.SECTORS_LIVE
    return path if path.is_file() else None


def extra_inputs(ctx: BuildContext) -> list[Path]:
    """Digest the live sector table only when it is there (an optional input)."""
    path = live_sector_file(ctx)
    return [path] if path is not None else []


def polygon_cover(sectors: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame) -> pd.DataFrame:
    """Sector polygons per wijk: the share of its area they cover, their count and sum.

    Sectors are assigned by their ``wijk`` column (the interior-point placement of the
    demography stage).

    Returns
    -------
    DataFrame
        ``area_share`` (float), ``polygons`` and ``population`` (Int64; missing when
        no polygon lies in the wijk), aligned to ``wijken``.
    """
    metric = wijken.to_crs(METRIC_CRS)
    cover = sectors.to_crs(METRIC_CRS).union_all()
    share = metric.intersection(cover).area / metric.area
    grouped = sectors.groupby("wijk")["population_2024"]
    codes = wijken["code"]
    return pd.DataFrame(
        {
            "area_share": share.to_numpy(),
            "polygons": codes.map(grouped.size()).astype("Int64").to_numpy(),
            "population": codes.map(grouped.sum()).astype("Int64").to_numpy(),
        },
        index=wijken.index,
    )


def population_by_wijk(
    wijken: gpd.GeoDataFrame,
    polygons: gpd.GeoDataFrame,
    mapping: src.SectorWijkMapping,
    population: pd.DataFrame,
) -> pd.DataFrame:
    """Give each wijk its population, how it was found and how complete it is.

    Two ways, the first that applies wins:

    1. ``sector polygons``: the sector polygons with a population (the mirror's) cover at
       least :data:`MIN_SECTOR_COVER` of the wijk: the sum of the polygons placed in it;
       every sector of the wijk is then known (coverage 1).
    2. ``sector codes``: the wijk's sectors of the lookup (:func:`sector_wijk_mapping`)
       looked up by code in ``population``; the sum is given only when every one of
       them has a value, never a partial sum (coverage < 1: missing).

    Parameters
    ----------
    wijken : GeoDataFrame
        ``code`` and polygons.
    polygons : GeoDataFrame
        The ``sector_population`` layer (``population_2024``, ``wijk``, polygons).
    mapping : SectorWijkMapping
        The verified sector -> wijk mapping.
    population : DataFrame
        ``sector``, ``population``: the population source (Statbel's live table, or the
        mirror's sectors).

    Returns
    -------
    DataFrame
        Aligned to ``wijken``: ``population`` (Int64), ``population_coverage`` (share
        of the wijk's sectors with a value; missing where the wijk has no known
        sectors), ``population_sectors`` (Int64, how many sectors it has),
        ``population_method`` (``"sector polygons"``, ``"sector codes"`` or ``""``),
        ``population_note`` (why the population or its coverage is missing; ``""`` when
        given) and ``sector_mapping`` (how the wijk's lookup sectors were found).
    """
    cover = polygon_cover(polygons, wijken)
    by_code = src.population_to_neighbourhoods(
        population, mapping.sectors[["sector", "wijk"]]
    ).set_index("wijk")
    codes = wijken["code"].astype(str)
    rules = mapping.wijken.set_index("wijk")["sector_mapping"]
    rule = [str(rules.get(c, src.UNMAPPED)) for c in codes]
    rows = [
        _population_row(cover.loc[i], by_code.loc[c] if c in by_code.index else None)
        for i, c in zip(wijken.index, codes, strict=True)
    ]
    out = pd.DataFrame(rows, index=wijken.index)
    out["population"] = out["population"].astype("Int64")
    out["population_coverage"] = out["population_coverage"].astype("float64")
    out["population_sectors"] = out["population_sectors"].astype("Int64")
    out["sector_mapping"] = rule
    return out


def _population_row(cover: pd.Series, by_code: pd.Series | None) -> dict[str, object]:
    """One wijk's population fields (see :func:`population_by_wijk`)."""
    if cover["area_share"] >= MIN_SECTOR_COVER and pd.isna(cover["population"]):
        # Covered, yet no figure (a missing value in the source): unknown, not a crash.
        return {
            "population": None,
            "population_coverage": None,
            "population_sectors": int(cover["polygons"]),
            "population_method": "",
            "population_note": "the sector polygons covering this wijk give no population",
        }
    if cover["area_share"] >= MIN_SECTOR_COVER:
        return {
            "population": int(cover["population"]),
            "population_coverage": 1.0,
            "population_sectors": int(cover["polygons"]),
            "population_method": "sector polygons",
            "population_note": "",
        }
    polygons = f"sector polygons with a population cover {cover['area_share']:.0%} of its area"
    if by_code is None:
        return {
            "population": None,
            "population_coverage": None,
            "population_sectors": None,
            "population_method": "",
            "population_note": f"no statistical sectors mapped to this wijk; {polygons}",
        }
    known, total = int(by_code["sectors_known"]), int(by_code["sectors"])
    complete = known == total
    return {
        "population": int(by_code["population"]) if complete else None,
        "population_coverage": float(by_code["sector_coverage"]),
        "population_sectors": total,
        "population_method": "sector codes" if complete else "",
        "population_note": ""
        if complete
        else f"{known} of {total} sectors have a population in the source; {polygons}",
    }


def prices_by_wijk(summary: pd.DataFrame, nis: pd.Series) -> pd.DataFrame:
    """Latest municipal median prices and their year for each wijk's municipality."""
    table = summary.set_index("nis")
    return pd.DataFrame(
        {
            "median_house_price_muni": nis.map(table["median_house"]),
            "median_apartment_price_muni": nis.map(table["median_apartment"]),
            "price_year": nis.map(table["latest_year"]).astype("Int64"),
        }
    )


def profile(
    wijken: gpd.GeoDataFrame,
    summary: pd.DataFrame,
    people: pd.DataFrame,
    points: dict[str, pd.DataFrame],
    mapped_area: BaseGeometry,
    sector_names: pd.DataFrame,
) -> gpd.GeoDataFrame:
    """Assemble the profile: one row per wijk, geometry = wijk polygon (EPSG:4326).

    ``people`` holds the population columns of :func:`population_by_wijk`, indexed by
    wijk code.
    """
    wijken = wijken.sort_values("code").reset_index(drop=True)
    codes = wijken["code"]
    metric = wijken.to_crs(METRIC_CRS)
    interior = gpd.GeoSeries(metric.representative_point(), crs=METRIC_CRS).to_crs(STORAGE_CRS)
    childcare = childcare_counts(points["childcare"], wijken, mapped_area)
    names = readable_names(wijken, sector_names)
    out = pd.concat(
        [
            wijken[["code"]],
            names[["name"]],
            wijken[["nis", "municipality"]],
            pd.DataFrame({"area_km2": (metric.area / 1e6).round(4)}),
            people.loc[codes.astype(str)].reset_index(drop=True)[list(POPULATION_COLUMNS)],
            prices_by_wijk(summary, wijken["nis"]),
            school_counts(points["schools"], codes),
            childcare,
            pd.DataFrame(
                {
                    "n_stations": count_by_wijk(points["stations"], codes),
                    "n_bus_stops": count_by_wijk(points["bus_stops"], codes),
                    "centroid_lon": interior.x.round(6),
                    "centroid_lat": interior.y.round(6),
                    "name_origin": names["name_origin"],
                }
            ),
        ],
        axis=1,
    )
    return gpd.GeoDataFrame(out, geometry=wijken.geometry.to_crs(STORAGE_CRS), crs=STORAGE_CRS)


def _check_points(name: str, frame: pd.DataFrame, codes: set[str]) -> int:
    """Check a point layer's contract; return how many rows name an unknown wijk."""
    needed = {"wijk", "nis", "municipality"}
    needed |= {"levels"} if name == "schools" else set()
    needed |= {"category", "coverage"} if name == "childcare" else set()
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise EtlError(f"layer {name!r} lacks column(s) {', '.join(missing)}")
    known = frame["wijk"].dropna().astype(str)
    return int((~known.isin(codes)).sum())


def joined_data_date(out_dir: Path) -> str:
    """Return the profile's ``data_date``: each joined layer's own, from its manifest.

    Typed dates went stale when a source was updated; the manifests are the record.
    """
    dates = ", ".join(
        f"{word} {load_manifest(name, out_dir).data_date}" for name, word in JOINED_LAYERS.items()
    )
    return f"see the joined layers: {dates}"


def build(ctx: BuildContext) -> list[Output]:
    """Load the wijken and the joined layers and assemble the profile."""
    wijken = ctx.layer("wijken")
    points = {name: ctx.layer(name) for name in POINT_LAYERS}
    codes = set(wijken["code"])
    unknown = {name: _check_points(name, frame, codes) for name, frame in points.items()}
    no_wijk = {name: int(frame["wijk"].isna().sum()) for name, frame in points.items()}
    summary = ctx.layer("housing_summary")
    polygons = ctx.layer("sector_population")
    lookup = read_sector_lookup(ctx)
    mapping = src.sector_wijk_mapping(lookup, wijken, ctx.layer("deelgemeenten"), polygons)
    population, population_from = population_source(ctx, polygons)
    people = population_by_wijk(wijken, polygons, mapping, population)
    people.index = wijken["code"].astype(str)
    names = lookup[["statsec", "statsec_naam"]].dropna()
    result = profile(wijken, summary, people, points, childcare_mapped_area(ctx), names)
    facts = _population_facts(result, mapping, ctx.layer("municipalities"))
    renamed = int((result["name_origin"] != "wijken file").sum())
    coverage_counts = result["childcare_coverage"].value_counts().to_dict()
    return [
        Output(
            LayerManifest(
                "neighbourhoods",
                "Neighbourhood profiles (wijken)",
                SOURCE,
                "https://github.com/provinciesincijfers/gebiedsniveaus",
                LICENCE,
                joined_data_date(ctx.out_dir),
                f"all {len(result)} wijken. {_population_sentence(facts, population_from)} "
                "Prices are the municipality's median, not the wijk's. "
                "childcare_coverage: 'partial' = the wijk overlaps the area where the OSM "
                "extract has mapped objects (a lower bound; childcare_mapped_share says how "
                "much of it), 'none' = no data (n_childcare missing, not 0), 'complete' = "
                "official export. n_schools counts school numbers, n_school_sites distinct "
                "locations; the source lists main seats only, so other campuses are "
                f"missing. {renamed} wijken named only by code in the source are named "
                "after their main statistical sector (name_origin). Bus stop counts are "
                "stops, not services (no bus timetables).",
                extra={
                    "wijken_with_population": facts["with_population"],
                    "population_source": population_from,
                    "sector_mapping": facts["by_rule"],
                    "sectors_mapped": len(mapping.sectors),
                    "sector_rules_refused": mapping.refused,
                    "sector_links_ambiguous": mapping.ambiguous,
                    ARR_COVERAGE_KEY: facts["arr_sentence"],
                    "arr_leuven_wijken_with_mapped_sectors": facts["arr_mapped"],
                    "childcare_coverage": {str(k): int(v) for k, v in coverage_counts.items()},
                    "points_without_wijk": no_wijk,
                    "points_with_unknown_wijk": unknown,
                    "min_sector_cover": MIN_SECTOR_COVER,
                    "wijken_named_after_sectors": renamed,
                    "childcare_mapped_area": "osm_mapped_area of the childcare manifest",
                },
            ),
            result,
        )
    ]


def _population_facts(
    result: pd.DataFrame, mapping: src.SectorWijkMapping, munis: pd.DataFrame
) -> dict[str, Any]:
    """Count what the manifest states about population: overall, per rule, arrondissement."""
    by_rule = result["sector_mapping"].value_counts().sort_index()
    arr = set(munis.loc[munis["arr_nis"].astype(str) == ARR_LEUVEN_NIS, "nis"].astype(str))
    in_arr = result[result["nis"].astype(str).isin(arr)]
    known = int(in_arr["population"].notna().sum())
    mapped = int((in_arr["sector_mapping"] != src.UNMAPPED).sum())
    return {
        "with_population": int(result["population"].notna().sum()),
        "with_coverage": int(result["population_coverage"].notna().sum()),
        "by_rule": {str(k): int(v) for k, v in by_rule.items()},
        "sectors": len(mapping.sectors),
        "arr_sentence": f"population {known}/{len(in_arr)} wijken",
        "arr_mapped": mapped,
    }


def _population_sentence(facts: dict[str, Any], population_from: str) -> str:
    """Write the manifest's coverage sentence about population."""
    rules = ", ".join(f"{rule}: {n}" for rule, n in facts["by_rule"].items())
    return (
        f"population ({src.SECTOR_POPULATION_DATE}) for {facts['with_population']} wijken "
        f"only, else missing (never 0), from {population_from}: where sector polygons "
        f"cover at least {MIN_SECTOR_COVER:.0%} of the wijk, or where every statistical "
        "sector mapped to the wijk has a value. The sector lookup numbers wijken in "
        "another scheme; only verified rules map sectors to wijken (sector_mapping: "
        f"{rules}; {facts['sectors']} sectors), the rest is unmapped. "
        "population_coverage = share of the wijk's sectors with a value (missing with a "
        "population_note where no sector is mapped)."
    )


STAGES = [
    Stage(
        name="neighbourhoods",
        inputs=(SECTOR_LOOKUP,),
        depends=(
            "municipalities",
            "deelgemeenten",
            "wijken",
            "housing_summary",
            "sector_population",
            "schools",
            "childcare",
            "stations",
            "bus_stops",
        ),
        outputs=("neighbourhoods",),
        build=build,
        extra_inputs=extra_inputs,
    )
]
