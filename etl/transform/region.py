"""Place point layers in the region: reprojection, region filter, municipality and wijk.

All spatial joins run in Lambert 72 (EPSG:31370) so that ``within`` tests and distances
are metric; results are returned in EPSG:4326.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from etl.settings import METRIC_CRS, STORAGE_CRS


def points_from_xy(
    frame: pd.DataFrame, x: str, y: str, crs: str, *, drop_missing: bool = True
) -> gpd.GeoDataFrame:
    """Make a point GeoDataFrame in EPSG:4326 from coordinate columns in ``crs``.

    Rows whose coordinates are missing or not numeric are dropped when ``drop_missing``.
    """
    xs = pd.to_numeric(frame[x], errors="coerce")
    ys = pd.to_numeric(frame[y], errors="coerce")
    keep = xs.notna() & ys.notna() if drop_missing else pd.Series(True, index=frame.index)
    gdf = gpd.GeoDataFrame(
        frame.loc[keep].copy(),
        geometry=gpd.points_from_xy(xs[keep], ys[keep]),
        crs=crs,
    )
    return gdf.to_crs(STORAGE_CRS)


def assign_areas(
    points: gpd.GeoDataFrame,
    municipalities: gpd.GeoDataFrame,
    wijken: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Add ``nis``, ``municipality`` and ``wijk`` (code) of the polygon each point lies in.

    Points outside every municipality of the region get missing values; callers decide
    whether to drop them (see :func:`keep_in_region`).
    """
    pts = points.to_crs(METRIC_CRS)
    munis = municipalities[["nis", "name", "geometry"]].rename(columns={"name": "municipality"})
    joined = gpd.sjoin(pts, munis.to_crs(METRIC_CRS), how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")].drop(columns="index_right")
    wk = wijken[["code", "geometry"]].rename(columns={"code": "wijk"}).to_crs(METRIC_CRS)
    joined = gpd.sjoin(joined, wk, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")].drop(columns="index_right")
    return joined.to_crs(STORAGE_CRS)


def keep_in_region(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep the points that :func:`assign_areas` placed in a region municipality."""
    return points[points["nis"].notna()].copy()
