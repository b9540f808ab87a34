"""Stage ``demography``: population and households per municipality, population per sector.

``population`` has one row per region municipality (2025 NIS).  Counts of merged
municipalities are sums of their former municipalities, which is exact for counts.
``sector_population`` holds the 100 statistical sectors the mirror has (Leuven 92,
Herent 7, Bierbeek 1), each placed in a municipality and a wijk by its interior point.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from etl.errors import SourceError
from etl.pipeline import BuildContext, Output, Stage
from etl.settings import METRIC_CRS, REGION_BBOX, STORAGE_CRS
from etl.sources import demography as src
from geodata.io import LayerManifest

SOURCE_POPULATION = (
    "Statbel, legal population 1 Jan 2020 (via vandenbroucke/belgian_municipalities); "
    "Statistiek Vlaanderen, huishoudensvooruitzichten 2024 (via gehuybre/data-blog)"
)
LICENCE_POPULATION = (
    "Statbel open data (Licence Open Data), 'Bron: Statbel'; Statistiek Vlaanderen open "
    "data (Modellicentie Gratis Hergebruik Vlaanderen v1.0), 'Bron: Statistiek Vlaanderen'"
)
SOURCE_SECTORS = "Statbel, population per statistical sector 1 Jan 2024 (via XanderPENG/matsim-xp)"
LICENCE_SECTORS = "Statbel open data (Licence Open Data), 'Bron: Statbel'"


def population_table(
    population: pd.DataFrame,
    households: pd.DataFrame,
    munis: pd.DataFrame,
    mergers: dict[str, list[str]],
) -> tuple[pd.DataFrame, dict[str, dict[str, str]]]:
    """Join population 2020 and households (observed, projected) to the 60 municipalities.

    Returns
    -------
    tuple
        The table, and per column the municipalities whose value is a sum of former
        municipalities (``{"population_2020": {"71071": "71057+71069"}, ...}``).
    """
    pop, pop_summed = src.to_2025_codes(population, "population", mergers)
    hh, hh_summed = src.to_2025_codes(
        households[["nis", "year", "households"]], "households", mergers
    )
    observed = hh[hh["year"] == src.HOUSEHOLDS_LAST_OBSERVED_YEAR].set_index("nis")
    projected = hh[hh["year"] == src.HOUSEHOLDS_PROJECTION_YEAR].set_index("nis")
    out = munis[["nis", "name"]].sort_values("nis").reset_index(drop=True)
    out["population_2020"] = out["nis"].map(pop.set_index("nis")["population"]).astype("Int64")
    out["households_observed"] = out["nis"].map(observed["households"]).astype("Int64")
    year = pd.Series(src.HOUSEHOLDS_LAST_OBSERVED_YEAR, index=out.index, dtype="Int64")
    out["households_observed_year"] = year.where(out["households_observed"].notna())
    out["households_projected_2040"] = out["nis"].map(projected["households"]).astype("Int64")
    out["summed_from"] = out["nis"].map(pop_summed | hh_summed).fillna("")
    region = set(out["nis"])
    summed = {
        "population_2020": {k: v for k, v in pop_summed.items() if k in region},
        "households": {k: v for k, v in hh_summed.items() if k in region},
    }
    return out, summed


def sectors_in_areas(
    sectors: gpd.GeoDataFrame, munis: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Place each sector by its interior point: ``nis``, ``municipality`` and ``wijk``.

    The boundary lookup's ``ggw7`` codes (``24062W01``) do not match the wijken layer's
    codes (``2406210``), and sector codes changed between releases, so the placement is
    spatial.  An interior point always lies inside its own polygon.
    """
    metric = sectors.to_crs(METRIC_CRS)
    points = gpd.GeoDataFrame(
        metric[["sector"]], geometry=metric.representative_point(), crs=METRIC_CRS
    )
    m = munis[["nis", "name", "geometry"]].rename(columns={"name": "municipality"})
    w = wijken[["code", "geometry"]].rename(columns={"code": "wijk"})
    for areas in (m, w):
        points = gpd.sjoin(points, areas.to_crs(METRIC_CRS), how="left", predicate="within")
        points = points[~points.index.duplicated(keep="first")].drop(columns="index_right")
    out = sectors.to_crs(STORAGE_CRS).copy()
    for column in ("nis", "municipality", "wijk"):
        out[column] = points[column].to_numpy()
    return out[["sector", "population_2024", "nis", "municipality", "wijk", "geometry"]]


def _check_in_region(sectors: gpd.GeoDataFrame, path: object) -> None:
    """Refuse sector polygons that reach outside the region box."""
    minx, miny, maxx, maxy = sectors.to_crs(STORAGE_CRS).total_bounds
    lon_min, lat_min, lon_max, lat_max = REGION_BBOX
    if minx < lon_min or miny < lat_min or maxx > lon_max or maxy > lat_max:
        raise SourceError(str(path), "sector polygons lie outside the region box")


def build(ctx: BuildContext) -> list[Output]:
    """Parse population, households and sectors; join them to the region's areas."""
    munis = ctx.layer("municipalities")
    wijken = ctx.layer("wijken")
    mergers = src.parse_mergers(ctx.raw(src.MERGERS))
    population = src.parse_population(ctx.raw(src.POPULATION_2020))
    households = src.parse_households(ctx.raw(src.HOUSEHOLDS))
    sectors_path = ctx.raw(src.SECTORS)
    sectors = src.parse_sectors(sectors_path)
    _check_in_region(sectors, sectors_path)
    table, summed = population_table(population, households, munis, mergers)
    placed = sectors_in_areas(sectors, munis, wijken).sort_values("sector")
    counts = placed["nis"].map(dict(zip(munis["nis"], munis["name"], strict=True)))
    coverage = ", ".join(f"{name} ({n})" for name, n in counts.value_counts().items())
    no_hh = sorted(table.loc[table["households_observed"].isna(), "nis"])
    return [
        Output(
            LayerManifest(
                "population",
                "Population and households per municipality",
                SOURCE_POPULATION,
                "https://statbel.fgov.be/nl/themas/bevolking/structuur-van-de-bevolking",
                LICENCE_POPULATION,
                "2020-01-01 (population); 2023-01-01 (households observed)",
                f"the {len(table)} region municipalities (2025 NIS). population_2020: legal "
                "population on 1 Jan 2020; merged municipalities are the sum of their former "
                "municipalities (counts add up exactly). households_observed: private "
                f"households on 1 Jan {src.HOUSEHOLDS_LAST_OBSERVED_YEAR} (observed, the base "
                "of the Statistiek Vlaanderen 2024 projection); households_projected_2040: "
                "PROJECTED, not observed. Households cover Flemish municipalities only: "
                f"missing for {', '.join(no_hh)} (Brussels is outside the Flemish "
                "projection; the mirror lacks Tessenderlo and Ham for 71071)",
                extra={"summed_from_former_municipalities": summed, "no_households": no_hh},
            ),
            table,
        ),
        Output(
            LayerManifest(
                "sector_population",
                "Population per statistical sector",
                SOURCE_SECTORS,
                "https://statbel.fgov.be/en/open-data/population-statistical-sector-2024",
                LICENCE_SECTORS,
                src.SECTOR_POPULATION_DATE,
                f"{len(placed)} statistical sectors only: {coverage}; no other sector of "
                "the region is in the mirror (Leuven itself is not complete). wijk and "
                "nis are assigned by each sector's interior point.",
                extra={
                    "population_total": int(placed["population_2024"].sum()),
                    "sectors_without_wijk": int(placed["wijk"].isna().sum()),
                },
            ),
            placed,
        ),
    ]


STAGES = [
    Stage(
        name="demography",
        inputs=(src.POPULATION_2020, src.HOUSEHOLDS, src.SECTORS, src.MERGERS),
        depends=("municipalities", "wijken"),
        outputs=("population", "sector_population"),
        build=build,
    )
]
