"""Stage ``international_schools``: the curated list, mapped where it has coordinates."""

from __future__ import annotations

import geopandas as gpd

from etl.errors import SourceError
from etl.pipeline import BuildContext, Output, Stage
from etl.sources import international_schools as src
from etl.transform.region import assign_areas
from geodata.io import LayerManifest

SOURCE = (
    "Hand-curated list of international, European and foreign-curriculum schools within "
    "about 35 km of Leuven, compiled from the public pages cited per row (evidence_url)"
)
LICENCE = (
    "Facts from the cited pages (see evidence_url); coordinates taken from Wikipedia "
    "infoboxes are CC BY-SA, 'Wikipedia contributors'"
)


def place(
    mapped: gpd.GeoDataFrame, munis: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Add ``nis``, ``municipality``, ``wijk`` and ``in_region``, keeping every school.

    Schools outside the 60 region municipalities (Brussels, Walloon Brabant) matter to
    families too: they stay in the layer with ``in_region`` False and empty area codes.
    """
    placed = assign_areas(mapped, munis, wijken)
    placed["in_region"] = placed["nis"].notna()
    return placed


def build(ctx: BuildContext) -> list[Output]:
    """Build the ``international_schools`` layer."""
    path = ctx.raw(src.FILE)
    mapped, not_mapped = src.parse_international_schools(path)
    if mapped.empty:
        raise SourceError(path, "no school has coordinates; nothing to map")
    placed = place(mapped, ctx.layer("municipalities"), ctx.layer("wijken"))
    columns = [*src.KEPT, "in_region", "nis", "municipality", "wijk", "geometry"]
    layer = placed[columns].sort_values("id").reset_index(drop=True)
    years = layer["last_verified_year"].dropna()
    approximate = layer.loc[
        layer["coord_quality"].str.contains("approximate", case=False), "name"
    ].tolist()
    total = len(layer) + len(not_mapped)
    coverage = (
        f"{total} schools within about 35 km of Leuven, compiled by hand from public pages "
        f"(not an official register; may be incomplete). {len(layer)} with coordinates are "
        f"mapped ({len(approximate)} approximate: see coord_quality); {len(not_mapped)} "
        "without coordinates are listed in not_mapped, not on the map. Schools outside the "
        "60 region municipalities (e.g. central Brussels, Waterloo) are kept with in_region false "
        "and no municipality or wijk. Status, fees and ages are as evidenced in the year "
        "shown (last_verified_year), not checked today."
    )
    span = f"{int(years.min())}-{int(years.max())}" if len(years) else "unknown"
    manifest = LayerManifest(
        "international_schools",
        "International and foreign-curriculum schools (curated)",
        SOURCE,
        "see evidence_url per school",
        LICENCE,
        f"compiled 2026; facts verified {span} (last_verified_year)",
        coverage,
        extra={
            "not_mapped": not_mapped,
            "mapped": len(layer),
            "outside_region": int((~layer["in_region"]).sum()),
            "approximate_coordinates": approximate,
        },
    )
    return [Output(manifest, layer)]


STAGES = [
    Stage(
        name="international_schools",
        inputs=(src.FILE,),
        depends=("municipalities", "wijken"),
        outputs=("international_schools",),
        build=build,
    )
]
