"""Stage ``childcare``: childcare locations from OSM, or from the official Opgroeien export.

Offline, the layer holds the open childcare objects of the OSM extract of central Leuven,
categorised by the mirror's curated evidence where it lists them (partial coverage, said
plainly in the manifest and in the ``coverage`` column; the area where the extract really
has data is stored in the manifest as ``osm_mapped_area``).  When an
official export is available - ``--childcare-file`` on the command line, or
``childcare/opgroeien_locaties_kinderopvang.csv``/``.xlsx`` in the source folder (the
command-line file wins) - its rows form the layer and OSM objects are kept only where no
official location lies within 50 m with a similar name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from etl.pipeline import BuildContext, Output, Stage
from etl.sources import childcare as src
from etl.transform.coverage import METHOD, area_wkt, osm_mapped_area
from etl.transform.region import assign_areas, keep_in_region
from geodata.io import LayerManifest

OSM_SOURCE = (
    "OpenStreetMap extract of central Leuven (XanderPENG/matsim-code-examples-2024@4781c746, "
    "GreatLeuven.pbf)"
)
OSM_LICENCE = "ODbL 1.0, '© OpenStreetMap contributors'"
OSM_URL = "https://www.openstreetmap.org"
OPGROEIEN_SOURCE = "Agentschap Opgroeien, licensed childcare locations (official export)"
OPGROEIEN_LICENCE = "Opgroeien open data: 'Bron: Agentschap Opgroeien' (see the export's terms)"

#: Final column order of the layer: the parsed columns, then where each point lies.
COLUMNS = (
    *(c for c in src.LAYER_COLUMNS if c != "geometry"),
    "nis",
    "municipality",
    "wijk",
    "coverage",
    "geometry",
)


def official_file(ctx: BuildContext) -> Path | None:
    """Return the official export to import: ``--childcare-file``, else one in the source dir."""
    given = ctx.options.get("childcare_file")
    if given:
        return Path(given)
    for relative in src.OPGROEIEN_RAW_FILES:
        candidate = ctx.source_dir / relative
        if candidate.is_file():
            return candidate
    return None


def extra_inputs(ctx: BuildContext) -> list[Path]:
    """Digest the official export only when one is used (an optional input)."""
    path = official_file(ctx)
    return [path] if path is not None else []


def _place(
    points: gpd.GeoDataFrame, munis: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, int]:
    """Add nis/municipality/wijk; drop (and count) points outside the region."""
    placed = assign_areas(points, munis, wijken)
    kept = keep_in_region(placed)
    return kept, len(placed) - len(kept)


def _finish(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Fix dtypes and column order, sort by id."""
    out = frame.copy()
    out["places"] = pd.array(out["places"], dtype="Int64")
    out["coverage"] = out["source"].map(
        {"osm": src.OSM_COVERAGE, "opgroeien": src.OFFICIAL_COVERAGE}
    )
    for column in COLUMNS:
        if column not in out:
            out[column] = None
    text = [c for c in COLUMNS if c not in {"places", "geometry"}]
    out[text] = out[text].astype("string")
    out = out[list(COLUMNS)].sort_values("id", kind="stable", ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs)


def _coverage_text(osm_rows: int, official_rows: int | None, extra: dict[str, Any]) -> str:
    """Say how complete the layer is; offline, where the OSM extract really has data."""
    flanders = extra["flanders_brussels"]
    lon0, lat0, lon1, lat1 = extra["osm_mapped_area"]["bounds"]
    locations = f"{flanders['locations']:,}"
    if official_rows is None:
        return (
            f"PARTIAL: OpenStreetMap only, central Leuven only (the extract has mapped "
            f"objects only in lon {lon0:.3f}-{lon1:.3f}, lat {lat0:.3f}-{lat1:.3f}: parts of "
            "Leuven, Heverlee, Kessel-Lo, Wilsele; elsewhere childcare is unknown), OSM of "
            f"{src.OSM_DATA_DATE}: {osm_rows} childcare objects, versus {locations} licensed "
            f"locations for babies and toddlers in Flanders and Brussels (Opgroeien, "
            f"{flanders['reference_date']}). The rest of the region has no childcare data "
            "offline; places and income-related tariff are mostly unknown. Import the official "
            "Opgroeien export with --childcare-file for complete data."
        )
    return (
        f"official Opgroeien export: {official_rows} licensed locations in the region, plus "
        f"{osm_rows} OpenStreetMap objects of central Leuven ({src.OSM_DATA_DATE}) that match "
        "no official location (within 50 m with a similar name)"
    )


def _facts(ctx: BuildContext) -> tuple[dict[str, Any], list[dict[str, str]]]:
    flanders = src.parse_places_flanders(ctx.raw(src.PLACES_FLANDERS))
    leuven = src.parse_aggregate_facts(ctx.raw(src.AGGREGATE_FACTS), "Leuven")
    return flanders, leuven


def build(ctx: BuildContext) -> list[Output]:
    """Extract OSM childcare, import the official export if any, place and describe."""
    munis, wijken = ctx.layer("municipalities"), ctx.layer("wijken")
    osm = src.parse_osm_childcare(ctx.raw(src.OSM_PBF))
    curated = src.apply_curated(osm.points, src.parse_curated(ctx.raw(src.CURATED)))
    excluded = pd.concat([osm.excluded, curated.not_open], ignore_index=True)
    excluded = excluded.sort_values("osm_id", ignore_index=True)
    osm_points, osm_outside = _place(curated.points, munis, wijken)
    mapped = osm_mapped_area(ctx.raw(src.OSM_PBF))
    extra: dict[str, Any] = {
        "osm_candidates": len(osm.points) + len(osm.excluded),
        "osm_excluded_not_childcare": len(osm.excluded),
        "osm_excluded_not_open": len(curated.not_open),
        "osm_excluded_by_reason": excluded["reason"].value_counts().sort_index().to_dict(),
        "osm_excluded": excluded.to_dict("records"),
        "osm_outside_region": osm_outside,
        "osm_categories_from_curated_evidence": curated.overridden,
        "osm_mapped_area": _mapped_area_facts(mapped),
        "category_meanings": src.CATEGORIES,
    }
    path = official_file(ctx)
    official_rows: int | None = None
    parts = [osm_points]
    if path is not None:
        official = src.parse_opgroeien_export(path)
        official_points, official_outside = _place(official.points, munis, wijken)
        osm_points, duplicates = src.osm_not_in_official(osm_points, official_points)
        parts = [official_points, osm_points]
        official_rows = len(official_points)
        extra.update(
            {
                "official_file": path.name,
                "official_rows_read": official.rows_read,
                "official_rows_without_coordinates": official.rows_without_coordinates,
                "official_rows_outside_region": official_outside,
                "osm_rows_matching_official": duplicates,
            }
        )
    frame = _finish(gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=osm_points.crs))
    flanders, leuven = _facts(ctx)
    extra["categories"] = frame["category"].value_counts().sort_index().to_dict()
    extra["flanders_brussels"] = flanders
    extra["leuven_facts"] = leuven
    return [Output(_manifest(len(osm_points), official_rows, extra), frame)]


def _mapped_area_facts(area: Any) -> dict[str, Any]:
    """Where the OSM extract really has data (see :mod:`etl.transform.coverage`)."""
    lon0, lat0, lon1, lat1 = (round(float(v), 4) for v in area.bounds)
    return {
        "method": METHOD,
        "bounds": [lon0, lat0, lon1, lat1],
        "wkt": area_wkt(area),
    }


def _manifest(osm_rows: int, official_rows: int | None, extra: dict[str, Any]) -> LayerManifest:
    official = official_rows is not None
    return LayerManifest(
        "childcare",
        "Childcare locations",
        f"{OPGROEIEN_SOURCE}; {OSM_SOURCE}" if official else OSM_SOURCE,
        f"{src.KINDEROPVANGZOEKER_URL}; {OSM_URL}" if official else OSM_URL,
        f"{OPGROEIEN_LICENCE}; OSM rows: {OSM_LICENCE}" if official else OSM_LICENCE,
        _data_date(extra),
        _coverage_text(osm_rows, official_rows, extra),
        extra=extra,
    )


def _data_date(extra: dict[str, Any]) -> str:
    if "official_file" not in extra:
        return src.OSM_DATA_DATE
    return f"date of the official export {extra['official_file']}; OSM rows {src.OSM_DATA_DATE}"


STAGES = [
    Stage(
        name="childcare",
        inputs=(src.OSM_PBF, src.PLACES_FLANDERS, src.AGGREGATE_FACTS, src.CURATED),
        depends=("municipalities", "wijken"),
        outputs=("childcare",),
        build=build,
        extra_inputs=extra_inputs,
    )
]
