"""Where an OpenStreetMap extract actually has mapped objects.

The mirror's OSM extract advertises a box (lon 4.645-4.785, lat 50.850-50.940) but its
objects are mapped only in a smaller area around central Leuven.  The area a count of OSM
objects can speak for is therefore derived from the data itself: the convex hull of the
extract's address points (objects with ``addr:street`` and ``addr:housenumber``; about
20,000 in the mirror's extract, read by :func:`etl.sources.addresses.parse_osm_addresses`).
Addresses are the densest, most evenly mapped OSM object type, so where there are none
the extract has no data at all and a count of 0 would be false.  A convex hull rather
than a concave one is used because it is deterministic and parameter-free; it is a
generous outline (it includes gaps between mapped streets), which is why counts inside
it are still called a lower bound.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
import shapely.wkt
from shapely.geometry.base import BaseGeometry

from etl.errors import EtlError
from etl.settings import METRIC_CRS, STORAGE_CRS
from etl.sources.addresses import parse_osm_addresses

#: Rounding of the stored hull's coordinates (degrees; 1e-6 is about 0.1 m).
WKT_DECIMALS: Final = 6

#: How the area is derived, in words (stored in manifests).
METHOD: Final = "convex hull of the OSM extract's address points (addr:street + housenumber)"


def mapped_area(points: pd.DataFrame) -> BaseGeometry:
    """Convex hull (EPSG:4326) of WGS84 points given as ``lon``/``lat`` columns.

    Raises
    ------
    EtlError
        When there is no point (no area can be derived).
    """
    if points.empty:
        raise EtlError("no OpenStreetMap address point: the mapped area cannot be derived")
    series = gpd.GeoSeries(gpd.points_from_xy(points["lon"], points["lat"]), crs=STORAGE_CRS)
    hull = series.to_crs(METRIC_CRS).union_all().convex_hull
    return gpd.GeoSeries([hull], crs=METRIC_CRS).to_crs(STORAGE_CRS).iloc[0]


def osm_mapped_area(pbf: Path) -> BaseGeometry:
    """Return where the OSM extract ``pbf`` has mapped objects (see the module doc)."""
    return mapped_area(parse_osm_addresses(pbf))


def area_wkt(area: BaseGeometry) -> str:
    """Return the area as WKT rounded to :data:`WKT_DECIMALS` (stored in manifests)."""
    return str(shapely.wkt.dumps(area, rounding_precision=WKT_DECIMALS))


def share_inside(polygons: gpd.GeoDataFrame, area: BaseGeometry) -> pd.Series:
    """Share (0-1, 3 decimals) of each polygon's area that lies inside ``area``."""
    metric = polygons.to_crs(METRIC_CRS)
    inside = gpd.GeoSeries([area], crs=STORAGE_CRS).to_crs(METRIC_CRS).iloc[0]
    share = metric.intersection(inside).area / metric.area
    return share.round(3)
