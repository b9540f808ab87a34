"""Stage ``boundaries``: municipalities, deelgemeenten and wijken of the region."""

from __future__ import annotations

import geopandas as gpd

from etl.pipeline import BuildContext, Output, Stage
from etl.settings import METRIC_CRS
from etl.sources import boundaries as src
from geodata.io import LayerManifest

SOURCE = "Provincies in Cijfers, gebiedsniveaus (Statbel-derived boundaries)"
LICENCE = (
    "Modellicentie Gratis Hergebruik Vlaanderen v1.0; wijken: 'Wijken voor omgevingsanalyse. "
    "© gemeentebesturen, verzameld door Data & Analyse van de Vlaamse provincies'"
)
URL = "https://github.com/provinciesincijfers/gebiedsniveaus"


def _with_municipality(areas: gpd.GeoDataFrame, munis: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``nis`` and ``municipality`` of the municipality holding each area's interior point.

    An interior point (not the centroid) is always inside its own polygon, so thin or
    crescent-shaped areas are still placed correctly.
    """
    points = areas.copy()
    points["geometry"] = areas.to_crs(METRIC_CRS).representative_point().to_crs(areas.crs)
    m = munis[["nis", "name", "geometry"]].rename(columns={"name": "municipality"})
    joined = gpd.sjoin(
        points.to_crs(METRIC_CRS), m.to_crs(METRIC_CRS), how="left", predicate="within"
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    out = areas.copy()
    out["nis"] = joined["nis"].values
    out["municipality"] = joined["municipality"].values
    return out


def build(ctx: BuildContext) -> list[Output]:
    """Parse and join the three boundary layers."""
    munis = src.parse_municipalities(ctx.raw(src.MUNICIPALITIES)).sort_values("nis")
    wijken = _with_municipality(src.parse_areas(ctx.raw(src.WIJKEN)), munis).sort_values("code")
    deel = _with_municipality(src.parse_areas(ctx.raw(src.DEELGEMEENTEN)), munis).sort_values(
        "code"
    )
    unplaced = int(wijken["nis"].isna().sum())
    return [
        Output(
            LayerManifest(
                "municipalities",
                "Municipalities (2025)",
                SOURCE,
                URL,
                LICENCE,
                "2025-01-01",
                "the 60 municipalities meeting lon 4.45-5.15, lat 50.70-51.05; 30 in "
                "arrondissement Leuven (in_arr_leuven); 2025 NIS codes after the mergers",
            ),
            munis,
        ),
        Output(
            LayerManifest(
                "deelgemeenten",
                "Former municipalities (deelgemeenten)",
                SOURCE,
                URL,
                LICENCE,
                "2024",
                "the former municipalities of the 60 region municipalities",
            ),
            deel,
        ),
        Output(
            LayerManifest(
                "wijken",
                "Neighbourhoods (wijken)",
                SOURCE,
                URL,
                LICENCE,
                "2024",
                "427 'gemeentegedragen wijken' (groups of statistical sectors) of the region",
                extra={"unplaced_wijken": unplaced},
            ),
            wijken,
        ),
    ]


STAGES = [
    Stage(
        name="boundaries",
        inputs=(src.MUNICIPALITIES, src.DEELGEMEENTEN, src.WIJKEN),
        depends=(),
        outputs=("municipalities", "deelgemeenten", "wijken"),
        build=build,
    )
]
