"""Stage ``schools``: recognised schools in the 60 region municipalities, with enrolments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from etl.errors import SourceError
from etl.pipeline import BuildContext, Output, Stage
from etl.settings import REGION_BBOX
from etl.sources import schools as src
from etl.transform.region import MAX_OUTSIDE_SHARE, assign_areas, keep_in_region
from geodata.io import LayerManifest

SOURCE = (
    "Onderwijs Vlaanderen, lijst erkende onderwijsinstellingen (June 2022); enrolments_2022 "
    "from MapComplete's amended copy (scripts/schools/amended_schools.geojson)"
)
LICENCE = "Modellicentie Gratis Hergebruik Vlaanderen v1.0, 'Bron: Onderwijs Vlaanderen'"
OUTSIDE_REGION = "outside the 60 region municipalities"

#: Columns of the layer, in order.
COLUMNS = [
    "id",
    "name",
    "level",
    "levels",
    "institution_type",
    "net",
    "net_raw",
    "language",
    "street",
    "housenumber",
    "postcode",
    "town",
    "address",
    "website",
    "phone",
    "email",
    "enrolments_2022",
    "nis",
    "municipality",
    "wijk",
    "geometry",
]


def make_ids(schools: pd.DataFrame) -> tuple[pd.Series, str]:
    """Return a unique ``id`` per school and the rule used, for the manifest.

    The id is the school number; a school number that repeats within the layer (one
    school with two listed seats) becomes ``schoolnummer-vplnummer`` on those rows.

    Raises
    ------
    ValueError
        When even ``schoolnummer-vplnummer`` repeats (the parser prevents this).
    """
    repeated = schools["schoolnummer"].duplicated(keep=False)
    ids = schools["schoolnummer"].where(
        ~repeated, schools["schoolnummer"] + "-" + schools["vplnummer"]
    )
    if ids.duplicated().any():
        raise ValueError("school ids are not unique even with the seat number")
    if repeated.any():
        rule = (
            f"id = schoolnummer; the {int(repeated.sum())} rows whose schoolnummer repeats "
            "in the region use 'schoolnummer-intern_vplnummer'"
        )
    else:
        rule = "id = schoolnummer (unique in the region)"
    return ids, rule


def add_enrolments(schools: pd.DataFrame, enrolments: pd.DataFrame) -> pd.DataFrame:
    """Join ``enrolments_2022`` on (schoolnummer, vplnummer); unmatched schools get <NA>."""
    joined = schools.merge(enrolments, on=["schoolnummer", "vplnummer"], how="left")
    joined.index = schools.index
    joined["enrolments_2022"] = joined["enrolments_2022"].astype("Int64")
    return joined


def unmapped_in_region(
    unplaced: pd.DataFrame, region_nis: set[str], mergers: dict[str, str]
) -> list[dict[str, Any]]:
    """List left-out schools whose NIS code in the file is a region municipality.

    The file uses pre-2025 NIS codes, so codes of merged municipalities are translated
    with ``mergers`` first.
    """
    nis = unplaced["file_nis"].map(lambda code: mergers.get(code, code))
    rows = unplaced[nis.isin(region_nis)].sort_values("schoolnummer", key=_numeric_order)
    return [
        {
            "id": row.schoolnummer,
            "name": row.name,
            "address": row.address,
            "reason": row.reason,
        }
        for row in rows.itertuples()
    ]


def nis_disagreements(schools: pd.DataFrame, mergers: dict[str, str]) -> dict[str, int]:
    """Count schools whose placed ``nis`` differs from the file's (after 2025 mergers)."""
    file_nis = schools["file_nis"].map(lambda code: mergers.get(code, code))
    differ = schools[file_nis.ne(schools["nis"])]
    pairs = differ["file_nis"].fillna("?") + " -> " + differ["nis"]
    return {str(k): int(v) for k, v in pairs.value_counts().sort_index().items()}


def check_placement(
    placed: gpd.GeoDataFrame, region_nis: set[str], mergers: dict[str, str], path: Path
) -> None:
    """Refuse coordinates that disagree with the file's own municipality codes.

    A school whose ``niscode`` (after the 2025 mergers) is a region municipality must be
    placed in that municipality.  Swapped ``lx``/``ly`` of a region extract stays inside
    Flanders but moves most schools to another municipality or out of the region (the
    June 2022 list: 0 of 626 disagree; swapped: 527).  More than
    :data:`etl.transform.region.MAX_OUTSIDE_SHARE` of them is an error.

    Raises
    ------
    SourceError
        Naming the count and the first misplaced school.
    """
    file_nis = placed["file_nis"].map(lambda code: mergers.get(code, code))
    claims = file_nis.isin(region_nis)
    misplaced = claims & file_nis.ne(placed["nis"])
    if misplaced.sum() > max(MAX_OUTSIDE_SHARE * claims.sum(), 1):
        first = placed[misplaced].iloc[0]
        where = first["nis"] if isinstance(first["nis"], str) else "outside the region"
        msg = (
            f"{int(misplaced.sum())} of {int(claims.sum())} schools whose niscode is a region "
            f"municipality lie elsewhere, e.g. school {first['schoolnummer']} (niscode "
            f"{first['file_nis']}) at lon {first.geometry.x:.5f}, lat {first.geometry.y:.5f} "
            f"({where}); swapped 'lx'/'ly'?"
        )
        raise SourceError(path, msg)


def _numeric_order(ids: pd.Series) -> pd.Series:
    """Sort key: school numbers in numeric order (``"9" < "10"``), ties stay stable."""
    return ids.str.zfill(16)


def _region_schools(ctx: BuildContext) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Parse, place and filter the schools; return them with facts for the manifest."""
    path = ctx.raw(src.OFFICIAL)
    schools = src.parse_school_list(path)
    points, unplaced, excluded = src.schools_to_points(schools, path)
    munis = ctx.layer("municipalities")
    placed = assign_areas(points, munis, ctx.layer("wijken"))
    inside = keep_in_region(placed)
    if inside.empty:
        raise SourceError(path, "no school lies in the 60 region municipalities; wrong file?")
    excluded[OUTSIDE_REGION] = len(placed) - len(inside)
    mergers = src.parse_mergers(ctx.raw(src.MERGERS))
    check_placement(placed, set(munis["nis"]), mergers, path)
    unknown = sorted({c for codes in inside["unknown_codes"] for c in codes})
    ending = inside[inside["end_date"].notna()].sort_values("schoolnummer", key=_numeric_order)
    facts: dict[str, Any] = {
        "rows_in_source_file": len(schools),
        "excluded_rows": excluded,
        "not_mapped": unmapped_in_region(unplaced, set(munis["nis"]), mergers),
        "without_wijk": int(inside["wijk"].isna().sum()),
        "nis_in_file_differs_after_2025_mergers": nis_disagreements(inside, mergers),
        "unknown_structure_codes": unknown,
        "with_end_date": [
            {"id": r.schoolnummer, "name": r.name, "einddatum": r.end_date}
            for r in ending.itertuples()
        ],
    }
    return inside, facts


def build(ctx: BuildContext) -> list[Output]:
    """Build the ``schools`` layer."""
    inside, facts = _region_schools(ctx)
    enrolments = src.parse_enrolments(ctx.raw(src.ENROLMENTS))
    joined = add_enrolments(inside, enrolments)
    joined["id"], facts["id_rule"] = make_ids(joined)
    layer = gpd.GeoDataFrame(joined[COLUMNS], geometry="geometry", crs=inside.crs)
    layer = layer.sort_values("id", key=_numeric_order).reset_index(drop=True)
    with_count = int(layer["enrolments_2022"].notna().sum())
    facts["enrolments_2022_known"] = with_count
    lon0, lat0, lon1, lat1 = REGION_BBOX
    coverage = (
        "One row per recognised school of the Flemish Community whose main seat lies in "
        "the 60 region municipalities; extra campuses are not separate rows (a school "
        "may teach at other addresses). Dutch-language system only: French-community "
        "schools in Brussels and Wallonia are not included (the few French-language schools "
        "run under Flemish rules in the facility municipalities are, language "
        "'Franstalig'). List of June 2022. enrolments_2022 = pupils enrolled about 2021-22 "
        "from MapComplete's amended file, not official capacity; known for "
        f"{with_count} of {len(layer)} schools (only schools inside lon {lon0}-{lon1}, lat "
        f"{lat0}-{lat1} were matched). Schools without coordinates in the source are not "
        "mapped (see not_mapped). wijk is empty where the wijken layer does not cover the "
        "municipality."
    )
    manifest = LayerManifest(
        "schools",
        "Schools (official list, June 2022)",
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
        name="schools",
        inputs=(src.OFFICIAL, src.ENROLMENTS, src.MERGERS),
        depends=("municipalities", "wijken"),
        outputs=("schools",),
        build=build,
    )
]
