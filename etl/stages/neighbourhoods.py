"""Stage ``neighbourhoods``: one profile row per wijk joining the other layers.

Counts of schools, childcare, stations and bus stops use the ``wijk`` column every point
layer carries.  Population is the sum of the statistical sectors whose interior point is
in the wijk, given only where the sectors cover (practically) the whole wijk.  Prices are
those of the wijk's municipality (Statbel publishes none below the municipality).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from etl.errors import EtlError
from etl.pipeline import BuildContext, Output, Stage
from etl.settings import METRIC_CRS, STORAGE_CRS
from geodata.io import LayerManifest

#: A wijk gets a population only when the sector polygons cover at least this share of
#: its area; the slack absorbs digitising differences between the two boundary sets
#: (covered wijken reach 0.9977-1.0, partly covered ones at most 0.95 on the mirror).
MIN_SECTOR_COVER = 0.99

#: School levels counted separately (tokens of the schools layer's ``levels``).
SCHOOL_LEVELS = ("kleuter", "lager", "secundair", "buitengewoon")

#: Area of the only childcare data without an official export: the OSM extract of central
#: Leuven (lon_min, lat_min, lon_max, lat_max; see the mirror README).
OSM_CHILDCARE_BBOX = (4.645, 50.850, 4.785, 50.940)

POINT_LAYERS = ("schools", "childcare", "stations", "bus_stops")

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


def school_counts(schools: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """Count all schools and the schools offering each level of :data:`SCHOOL_LEVELS`.

    A school teaching several levels counts once in ``n_schools`` and once in each of its
    levels.
    """
    tokens = schools["levels"].fillna("").astype(str).str.split(";")
    out = pd.DataFrame({"n_schools": count_by_wijk(schools, codes)})
    for level in SCHOOL_LEVELS:
        has_level = tokens.apply(lambda items, lv=level: lv in {t.strip() for t in items})
        out[f"n_schools_{level}"] = count_by_wijk(schools[has_level], codes)
    return out


def childcare_counts(
    childcare: pd.DataFrame, wijken: gpd.GeoDataFrame
) -> tuple[pd.Series, pd.Series]:
    """Count childcare per wijk and say how complete that count is.

    Returns
    -------
    tuple of Series
        ``n_childcare`` (nullable int) and ``childcare_coverage``: ``"complete"`` when the
        layer holds an official export (rows whose ``coverage`` mentions neither OSM nor
        "partial"); otherwise ``"partial"`` for wijken touching the OSM extract of
        central Leuven (a lower bound) and ``"none"`` elsewhere, where the count is
        missing rather than a misleading 0.
    """
    counts = count_by_wijk(childcare, wijken["code"])
    text = childcare["coverage"].fillna("").astype(str).str.lower()
    official = ~text.str.contains("osm|partial|openstreetmap", regex=True)
    if len(childcare) and official.any():
        coverage = pd.Series("complete", index=wijken.index)
    else:
        osm_area = box(*OSM_CHILDCARE_BBOX)
        touches = wijken.to_crs(STORAGE_CRS).intersects(osm_area)
        coverage = pd.Series(["partial" if t else "none" for t in touches], index=wijken.index)
    n = counts.where(coverage != "none").astype("Int64")
    return n, coverage


def population_by_wijk(sectors: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame) -> pd.Series:
    """Sum sector populations per wijk where the sectors cover at least MIN_SECTOR_COVER.

    Sectors are assigned by their ``wijk`` column (the interior-point placement of the
    demography stage).  Wijken not (fully) covered get a missing value, not a partial sum.
    """
    metric = wijken.to_crs(METRIC_CRS)
    cover = sectors.to_crs(METRIC_CRS).union_all()
    share = metric.intersection(cover).area / metric.area
    sums = sectors.groupby("wijk")["population_2024"].sum()
    population = wijken["code"].map(sums).where(share >= MIN_SECTOR_COVER)
    return pd.Series(pd.array(population, dtype="Int64"), index=wijken.index)


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
    sectors: gpd.GeoDataFrame,
    points: dict[str, pd.DataFrame],
) -> gpd.GeoDataFrame:
    """Assemble the profile: one row per wijk, geometry = wijk polygon (EPSG:4326)."""
    wijken = wijken.sort_values("code").reset_index(drop=True)
    codes = wijken["code"]
    metric = wijken.to_crs(METRIC_CRS)
    interior = gpd.GeoSeries(metric.representative_point(), crs=METRIC_CRS).to_crs(STORAGE_CRS)
    n_childcare, childcare_coverage = childcare_counts(points["childcare"], wijken)
    out = pd.concat(
        [
            wijken[["code", "name", "nis", "municipality"]],
            pd.DataFrame({"area_km2": (metric.area / 1e6).round(4)}),
            pd.DataFrame({"population": population_by_wijk(sectors, wijken)}),
            prices_by_wijk(summary, wijken["nis"]),
            school_counts(points["schools"], codes),
            pd.DataFrame(
                {
                    "n_childcare": n_childcare,
                    "childcare_coverage": childcare_coverage,
                    "n_stations": count_by_wijk(points["stations"], codes),
                    "n_bus_stops": count_by_wijk(points["bus_stops"], codes),
                    "centroid_lon": interior.x.round(6),
                    "centroid_lat": interior.y.round(6),
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


def build(ctx: BuildContext) -> list[Output]:
    """Load the wijken and the joined layers and assemble the profile."""
    wijken = ctx.layer("wijken")
    points = {name: ctx.layer(name) for name in POINT_LAYERS}
    codes = set(wijken["code"])
    unknown = {name: _check_points(name, frame, codes) for name, frame in points.items()}
    no_wijk = {name: int(frame["wijk"].isna().sum()) for name, frame in points.items()}
    summary = ctx.layer("housing_summary")
    sectors = ctx.layer("sector_population")
    result = profile(wijken, summary, sectors, points)
    with_population = int(result["population"].notna().sum())
    coverage_counts = result["childcare_coverage"].value_counts().to_dict()
    return [
        Output(
            LayerManifest(
                "neighbourhoods",
                "Neighbourhood profiles (wijken)",
                SOURCE,
                "https://github.com/provinciesincijfers/gebiedsniveaus",
                LICENCE,
                "see the joined layers: prices latest Statbel year, population 2024-01-01, "
                "schools 2022, childcare OSM 2024-06, trains 2019, buses 2019",
                f"all {len(result)} wijken. population (1 Jan 2024) only for the "
                f"{with_population} wijken whose area is at least {MIN_SECTOR_COVER:.0%} "
                "covered by the 100 sectors in the data (parts of Leuven and Herent), else "
                "missing. Prices are the municipality's median, not the wijk's. "
                "childcare_coverage: 'partial' = OSM only (a lower bound), 'none' = no data "
                "(n_childcare missing), 'complete' = official export. Bus stop counts are "
                "stops, not services (no bus timetables).",
                extra={
                    "wijken_with_population": with_population,
                    "childcare_coverage": {str(k): int(v) for k, v in coverage_counts.items()},
                    "points_without_wijk": no_wijk,
                    "points_with_unknown_wijk": unknown,
                    "min_sector_cover": MIN_SECTOR_COVER,
                },
            ),
            result,
        )
    ]


STAGES = [
    Stage(
        name="neighbourhoods",
        inputs=(),
        depends=(
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
    )
]
