"""Place point layers in the region: reprojection, region filter, municipality and wijk.

All spatial joins run in Lambert 72 (EPSG:31370) so that ``within`` tests and distances
are metric; results are returned in EPSG:4326.

It also declares, once, the envelopes that sources' coordinates must fall in
(:data:`BELGIUM`, :data:`FLANDERS_BRUSSELS_LAMBERT`, :data:`LEUVEN_REGION`, ...) and
:func:`check_inside`, the input contract every parser applies: a few rows outside are
left out and counted by the caller, more than :data:`MAX_OUTSIDE_SHARE` is an error
naming the file, the count and an example row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from etl.errors import SourceError
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


# --------------------------------------------------------------------------- envelopes


@dataclass(frozen=True)
class Envelope:
    """A documented box that a source's coordinates must fall in.

    Attributes
    ----------
    name : str
        What the box stands for, in words ("Belgium", "the Leuven region").
    bounds : tuple of float
        ``(x_min, y_min, x_max, y_max)`` in ``crs``.
    crs : str
        CRS of ``bounds`` (EPSG:4326 lon/lat or EPSG:31370 metres).
    """

    name: str
    bounds: tuple[float, float, float, float]
    crs: str

    def contains(self, x: ArrayLike, y: ArrayLike) -> np.ndarray:
        """Return a boolean array: which ``(x, y)`` lie inside (NaN counts as outside)."""
        xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        x0, y0, x1, y1 = self.bounds
        return (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)

    def describe(self) -> str:
        """``"Belgium (x 2.5..6.45, y 49.45..51.55 in EPSG:4326)"``."""
        x0, y0, x1, y1 = self.bounds
        return f"{self.name} (x {x0:g}..{x1:g}, y {y0:g}..{y1:g} in {self.crs})"


#: Belgium, lon/lat, with a few km to spare (Belgium spans lon 2.54-6.41, lat 49.50-51.51).
BELGIUM: Final = Envelope("Belgium", (2.5, 49.45, 6.45, 51.55), STORAGE_CRS)
#: Belgium in Lambert 72 metres (the CRS's area of use, rounded outwards).
BELGIUM_LAMBERT: Final = Envelope("Belgium", (15_000.0, 15_000.0, 300_000.0, 250_000.0), METRIC_CRS)
#: Flanders and Brussels in Lambert 72: the Flemish Community's sources (the school list
#: spans x 25,125-254,208, y 155,977-242,551).  Swapped x/y puts ~40 % of those rows out.
FLANDERS_BRUSSELS_LAMBERT: Final = Envelope(
    "Flanders and Brussels", (20_000.0, 150_000.0, 262_000.0, 248_000.0), METRIC_CRS
)
#: Belgium and the neighbouring rail hubs (Lille, Paris, Amsterdam, Aachen, Luxembourg):
#: national rail sources (NMBS GTFS, iRail) list stations abroad.
BELGIUM_AND_NEIGHBOURS: Final = Envelope(
    "Belgium and its neighbours", (-1.0, 47.5, 9.5, 53.5), STORAGE_CRS
)
#: Europe: iRail lists stations of international trains as far as Vienna and Marseille.
EUROPE: Final = Envelope("Europe", (-11.0, 34.0, 32.0, 72.0), STORAGE_CRS)
#: The 60 region municipalities reach beyond :data:`etl.settings.REGION_BBOX` (their
#: polygons span lon 4.36-5.34, lat 50.69-51.14); the envelope adds about 7 km around them.
LEUVEN_REGION: Final = Envelope("the Leuven region", (4.25, 50.60, 5.45, 51.20), STORAGE_CRS)

#: Share of a file's rows that may lie outside its envelope before the file is refused;
#: fewer are left out and counted (a swapped x/y or another CRS moves most rows out).
MAX_OUTSIDE_SHARE: Final[float] = 0.05


def check_inside(
    x: ArrayLike,
    y: ArrayLike,
    envelope: Envelope,
    path: Path,
    *,
    what: str,
    labels: Sequence[object],
    max_share: float = MAX_OUTSIDE_SHARE,
) -> np.ndarray:
    """Check coordinates against an envelope; return the mask of rows inside.

    Parameters
    ----------
    x, y : array-like
        Coordinates in ``envelope.crs``.
    envelope : Envelope
        The box the source documents.
    path : Path
        The file, named in the error.
    what : str
        Plural noun for the rows ("schools", "stops").
    labels : sequence
        One label per row (a line number or id) to quote an example.
    max_share : float, default :data:`MAX_OUTSIDE_SHARE`
        Largest share of rows allowed outside (one stray row is always allowed, so a
        small file is not refused for it); ``0`` refuses any.

    Raises
    ------
    SourceError
        When more than ``max_share`` of the rows lie outside, naming the count and the
        first such row.
    """
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    inside = envelope.contains(xs, ys)
    outside = int((~inside).sum())
    if outside > _allowed_outside(len(inside), max_share):
        i = int(np.flatnonzero(~inside)[0])
        msg = (
            f"{outside} of {len(inside)} {what} lie outside {envelope.describe()}, e.g. "
            f"{labels[i]} at {xs[i]:g}, {ys[i]:g}; swapped coordinates or another CRS?"
        )
        raise SourceError(path, msg)
    return inside


def check_geometries_inside(
    frame: gpd.GeoDataFrame,
    envelope: Envelope,
    path: Path,
    *,
    what: str,
    labels: Sequence[object],
    max_share: float = 0.0,
) -> np.ndarray:
    """Check that every geometry's bounding box lies in ``envelope`` (see :func:`check_inside`).

    Polygons are tested by their whole extent, so a neighbourhood moved into the sea or
    a file in another CRS is refused.  Region-only files allow none outside by default.
    """
    bounds = frame.to_crs(envelope.crs).geometry.bounds
    inside = envelope.contains(bounds["minx"], bounds["miny"]) & envelope.contains(
        bounds["maxx"], bounds["maxy"]
    )
    outside = int((~inside).sum())
    if outside > _allowed_outside(len(inside), max_share):
        i = int(np.flatnonzero(~inside)[0])
        row = bounds.iloc[i]
        msg = (
            f"{outside} of {len(inside)} {what} lie outside {envelope.describe()}, e.g. "
            f"{labels[i]} spanning x {row['minx']:g}..{row['maxx']:g}, "
            f"y {row['miny']:g}..{row['maxy']:g}; moved geometry or another CRS?"
        )
        raise SourceError(path, msg)
    return inside


def _allowed_outside(rows: int, max_share: float) -> float:
    """Rows allowed outside an envelope: the share, at least one unless the share is 0."""
    return 0.0 if max_share <= 0 else max(max_share * rows, 1.0)
