"""Stage ``adult_education``: adult-education centres (CVO, basiseducatie) in the region.

International workers look for Dutch courses.  The official school list of Onderwijs
Vlaanderen holds the recognised adult-education centres: centra voor volwassenenonderwijs
(CVO, e.g. the Centrum voor Levende Talen in Leuven) and centra voor basiseducatie.  This
stage keeps those whose main seat lies in the 60 region municipalities, placed like the
schools layer.  The list names each centre's programmes by structure code (secondary adult
education, higher vocational education, basic education) but not its courses, so it does
not tell whether a centre teaches Dutch as a second language (NT2); the manifest says so.
"""

from __future__ import annotations

from typing import Any, Final

import geopandas as gpd
import pandas as pd

from etl.errors import SourceError
from etl.pipeline import BuildContext, Output, Stage
from etl.sources import schools as src
from etl.stages.schools import check_placement, unmapped_in_region
from etl.transform.region import assign_areas, keep_in_region
from geodata.io import LayerManifest

SOURCE: Final = "Onderwijs Vlaanderen, lijst erkende onderwijsinstellingen (June 2022)"
LICENCE: Final = "Modellicentie Gratis Hergebruik Vlaanderen v1.0, 'Bron: Onderwijs Vlaanderen'"

#: Columns of the layer, in order.
COLUMNS: Final = [
    "id",
    "name",
    "kind",
    "institution_type",
    "programmes",
    "net",
    "street",
    "housenumber",
    "postcode",
    "town",
    "address",
    "website",
    "phone",
    "email",
    "nis",
    "municipality",
    "wijk",
    "geometry",
]

#: What the source does not say, stated in the manifest (``extra.nt2``) and coverage.
NT2_UNKNOWN: Final = (
    "The official list names no courses: whether a centre teaches Dutch as a second "
    "language (NT2) is not in the data (not stated, not assumed)."
)


def adult_centres(schools: pd.DataFrame) -> pd.DataFrame:
    """Keep the adult-education centres of a parsed school list and add ``kind``.

    Parameters
    ----------
    schools : DataFrame
        Output of :func:`etl.sources.schools.parse_school_list`.

    Returns
    -------
    DataFrame
        The rows whose ``institution_type`` is in
        :data:`etl.sources.schools.ADULT_EDUCATION_KINDS`, with ``kind`` and
        ``programmes`` (:func:`etl.sources.schools.adult_programmes`).
    """
    kinds = schools["institution_type"].map(src.ADULT_EDUCATION_KINDS)
    out = schools[kinds.notna()].copy()
    out["kind"] = kinds[kinds.notna()]
    out["programmes"] = out["structure_codes"].map(src.adult_programmes)
    return out


def _region_centres(ctx: BuildContext) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Parse, filter, place the centres; return those in the region and manifest facts."""
    path = ctx.raw(src.OFFICIAL)
    centres = adult_centres(src.parse_school_list(path))
    if centres.empty:
        raise SourceError(path, "holds no adult-education centre (CVO, basiseducatie)")
    points, unplaced, excluded = src.schools_to_points(centres, path)
    munis = ctx.layer("municipalities")
    placed = assign_areas(points, munis, ctx.layer("wijken"))
    inside = keep_in_region(placed)
    mergers = src.parse_mergers(ctx.raw(src.MERGERS))
    check_placement(placed, set(munis["nis"]), mergers, path)
    if inside.empty:
        raise SourceError(path, "no adult-education centre lies in the 60 region municipalities")
    excluded["outside the 60 region municipalities"] = len(placed) - len(inside)
    facts: dict[str, Any] = {
        "centres_in_source_file": len(centres),
        "excluded_rows": excluded,
        "not_mapped": unmapped_in_region(unplaced, set(munis["nis"]), mergers),
        "by_kind": {str(k): int(v) for k, v in inside["kind"].value_counts().sort_index().items()},
        "nt2": NT2_UNKNOWN,
        "nt2_stated_by_source": False,
    }
    return inside, facts


def build(ctx: BuildContext) -> list[Output]:
    """Build the ``adult_education`` layer."""
    inside, facts = _region_centres(ctx)
    layer = inside.assign(id=inside["schoolnummer"])
    if layer["id"].duplicated().any():
        raise SourceError(ctx.raw(src.OFFICIAL), "an adult-education centre is listed twice")
    layer = gpd.GeoDataFrame(layer[COLUMNS], geometry="geometry", crs=inside.crs)
    layer = layer.sort_values("id", key=lambda ids: ids.str.zfill(16)).reset_index(drop=True)
    kinds = ", ".join(f"{n} {kind}" for kind, n in facts["by_kind"].items())
    coverage = (
        f"The {len(layer)} recognised adult-education centres ({kinds}) of the Flemish "
        "Community whose main seat lies in the 60 region municipalities (list of June "
        "2022); a centre teaching at other addresses shows only its main seat. kind: 'cvo' "
        "= centrum voor volwassenenonderwijs, 'basiseducatie' = centrum voor basiseducatie. "
        "programmes = what the structure codes name (secundair volwassenenonderwijs, hoger "
        f"beroepsonderwijs, basiseducatie). {NT2_UNKNOWN} French-community adult education "
        "(Brussels) and non-recognised language schools are not included."
    )
    manifest = LayerManifest(
        "adult_education",
        "Adult-education centres (official list, June 2022)",
        SOURCE,
        src.LISTS_PAGE,
        LICENCE,
        "2022-06",
        coverage,
        extra=facts,
    )
    return [Output(manifest, layer)]


STAGES = [
    Stage(
        name="adult_education",
        inputs=(src.OFFICIAL, src.MERGERS),
        depends=("municipalities", "wijken"),
        outputs=("adult_education",),
        build=build,
    )
]
