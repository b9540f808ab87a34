"""The area a street graph covers, as stored in its manifest.

Every graph manifest (``geodata/graphs/<mode>.manifest.json``) carries
``extra["coverage_area"]``::

    {"crs": "EPSG:31370", "wkt": "POLYGON ((...))", "method": "<how it was derived>"}

written by the ETL's graph stage (:func:`etl.transform.graphs.coverage_polygon` derives the
polygon from the graph's own edges).  :func:`coverage_area` reads it back as a shapely
geometry in Lambert 72, so that code deciding "is this point inside the network" uses the
graph's real extent rather than a bounding box or a snapping distance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import shapely

from geodata.catalog import manifest_path
from geodata.io import LayerManifest, SnapshotError

#: Key of the entry in a graph manifest's ``extra``.
COVERAGE_KEY: Final[str] = "coverage_area"
#: The only CRS the entry is written in (metres, so distances and areas are direct).
COVERAGE_CRS: Final[str] = "EPSG:31370"
_POLYGONAL = ("Polygon", "MultiPolygon")


def coverage_entry(geometry: shapely.Geometry, method: str) -> dict[str, str]:
    """Return the manifest entry for a coverage polygon in EPSG:31370.

    Coordinates are written to the metre (the ETL's polygons lie on a metre grid).
    """
    if geometry.geom_type not in _POLYGONAL or geometry.is_empty:
        msg = f"coverage area must be a non-empty polygon, not {geometry.geom_type}"
        raise ValueError(msg)
    wkt = shapely.to_wkt(geometry, rounding_precision=0, trim=True)
    return {"crs": COVERAGE_CRS, "wkt": wkt, "method": method}


def coverage_area(manifest: LayerManifest, data_dir: Path | None = None) -> shapely.Geometry:
    """Return the coverage polygon of a graph manifest, in EPSG:31370.

    Parameters
    ----------
    manifest : LayerManifest
        A graph's manifest (``graph:<mode>``), e.g. from :func:`geodata.io.load_manifest`.
    data_dir : Path, optional
        Folder of the snapshot, only used to name the manifest file in errors.

    Returns
    -------
    Polygon or MultiPolygon
        Valid, non-empty, in Lambert 72 metres.

    Raises
    ------
    SnapshotError
        When the entry is missing, not in EPSG:31370, or its WKT is unreadable, not a
        polygon, empty or invalid.
    """
    path = manifest_path(manifest.name, data_dir)
    problem, geometry = _read_entry(manifest.extra.get(COVERAGE_KEY))
    if problem or geometry is None:
        raise SnapshotError(path, f"manifest extra.{COVERAGE_KEY} {problem}")
    return geometry


def _read_entry(entry: Any) -> tuple[str | None, shapely.Geometry | None]:
    """Return (what is wrong, None) or (None, the geometry)."""
    if entry is None:
        return "is missing", None
    if not isinstance(entry, dict) or not isinstance(entry.get("wkt"), str):
        return "is not an object with a 'wkt' text", None
    if entry.get("crs") != COVERAGE_CRS:
        return f"has crs {entry.get('crs')!r}, not {COVERAGE_CRS!r}", None
    try:
        geometry = shapely.from_wkt(entry["wkt"])
    except shapely.errors.GEOSException as exc:
        return f"holds unreadable WKT ({str(exc).splitlines()[0]})", None
    if geometry is None or geometry.geom_type not in _POLYGONAL:
        kind = "nothing" if geometry is None else geometry.geom_type
        return f"holds {kind}, not a polygon", None
    if geometry.is_empty:
        return "holds an empty polygon", None
    if not geometry.is_valid:
        return f"holds an invalid polygon ({shapely.is_valid_reason(geometry)})", None
    return None, geometry
