"""Workplaces: presets (employers, campuses, stations), address search, coordinates.

A workplace is named in the URL and the session by a *reference*:

* ``wp:<id>``  a row of the ``workplaces`` layer (employers and campuses),
* ``st:<id>``  a railway station of the ``stations`` layer (NMBS stop id),
* ``addr:<id>`` a row of the offline ``addresses`` index,
* ``<lat>,<lon>`` coordinates in decimal degrees (typed or clicked on the map).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from dashboard.engine.errors import BadInputError
from dashboard.engine.inputs import LatLon, parse_latlon

#: Leuven railway station (NMBS stop id): the default workplace, present in every snapshot.
DEFAULT_REF = "st:8833001"
#: Decimal places of coordinates in a reference (1e-5 degree is about 1 m).
COORD_DECIMALS = 5

PRESET_COLUMNS = ["ref", "label", "kind", "source", "lat", "lon"]


@dataclass(frozen=True)
class Workplace:
    """A resolved workplace: where it is and how to name it."""

    ref: str
    label: str
    point: LatLon


def coords_ref(lat: float, lon: float) -> str:
    """Return the reference of a coordinate pair (rounded to about 1 m)."""
    return f"{lat:.{COORD_DECIMALS}f},{lon:.{COORD_DECIMALS}f}"


def ref_kind(ref: str) -> str:
    """Return ``"preset"``, ``"address"`` or ``"coords"`` for a reference."""
    if ref.startswith(("wp:", "st:")):
        return "preset"
    if ref.startswith("addr:"):
        return "address"
    return "coords"


def preset_table(workplaces: gpd.GeoDataFrame | None, stations: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the preset choices: workplaces layer rows first, then railway stations.

    Parameters
    ----------
    workplaces : GeoDataFrame or None
        The ``workplaces`` layer (id, name, kind, source, geometry); None when missing.
    stations : GeoDataFrame
        The ``stations`` layer (id, name_nl, geometry).

    Returns
    -------
    DataFrame
        Columns ``ref, label, kind, source, lat, lon``; refs are unique.
    """
    parts = []
    if workplaces is not None and len(workplaces):
        parts.append(
            pd.DataFrame(
                {
                    "ref": "wp:" + workplaces["id"].astype(str),
                    "label": workplaces["name"].astype(str),
                    "kind": workplaces["kind"].astype(str),
                    "source": workplaces["source"].astype(str),
                    "lat": workplaces.geometry.y.to_numpy(),
                    "lon": workplaces.geometry.x.to_numpy(),
                }
            )
        )
    ordered = stations.sort_values("trains_per_weekday", ascending=False, kind="stable")
    parts.append(
        pd.DataFrame(
            {
                "ref": "st:" + ordered["id"].astype(str),
                "label": ordered["name_nl"].astype(str) + " (station)",
                "kind": "station",
                "source": "NMBS/SNCB GTFS 2019",
                "lat": ordered.geometry.y.to_numpy(),
                "lon": ordered.geometry.x.to_numpy(),
            }
        )
    )
    table = pd.concat(parts, ignore_index=True)
    return table.drop_duplicates("ref").reset_index(drop=True)[PRESET_COLUMNS]


def search_addresses(addresses: gpd.GeoDataFrame, query: str, limit: int = 25) -> pd.DataFrame:
    """Return up to ``limit`` addresses whose label holds every word of ``query``.

    Matching is case-insensitive; shorter labels come first (the closest matches).
    Queries under 3 characters return nothing (too many matches to be useful).
    """
    words = [w for w in query.lower().replace(",", " ").split() if w]
    if sum(len(w) for w in words) < 3:
        return pd.DataFrame({"id": [], "label": []})
    labels = addresses["label"].astype(str)
    lowered = labels.str.lower()
    mask = pd.Series(True, index=addresses.index)
    for word in words:
        mask &= lowered.str.contains(word, regex=False)
    hits = pd.DataFrame(addresses.loc[mask, ["id", "label"]])
    hits["id"] = hits["id"].astype(str)
    order = hits["label"].astype(str).str.len().sort_values(kind="stable").index
    return pd.DataFrame(hits.loc[order].head(limit).reset_index(drop=True))


def resolve_workplace(
    ref: str, presets: pd.DataFrame, addresses: gpd.GeoDataFrame | None
) -> Workplace:
    """Turn a reference into a :class:`Workplace`.

    Raises
    ------
    BadInputError
        When the reference is unknown or malformed; the message names it.
    """
    kind = ref_kind(ref)
    if kind == "preset":
        row = presets.loc[presets["ref"] == ref]
        if row.empty:
            msg = f"unknown workplace preset {ref!r}"
            raise BadInputError(msg)
        first = row.iloc[0]
        return Workplace(ref, str(first["label"]), LatLon(float(first["lat"]), float(first["lon"])))
    if kind == "address":
        if addresses is None:
            msg = "the address index is not available"
            raise BadInputError(msg)
        found = addresses.loc[addresses["id"].astype(str) == ref.removeprefix("addr:")]
        if found.empty:
            msg = f"unknown address {ref!r}"
            raise BadInputError(msg)
        geom = found.geometry.iloc[0]
        return Workplace(ref, str(found["label"].iloc[0]), LatLon(float(geom.y), float(geom.x)))
    point = parse_latlon(ref)
    return Workplace(ref, coords_ref(point.lat, point.lon), point)
