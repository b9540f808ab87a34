"""Isochrone bands around a workplace for the Explore map (street modes only).

Only network-based reach is drawn (inside the detailed graphs' coverage areas, recorded in
their manifests): beyond them times are estimates and are shown per neighbourhood, not as
areas.  Train and bus modes
have no isochrone here (their reach is a set of stations, not an area).
"""

from __future__ import annotations

from typing import Any

from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.engine.settings import STREET_MODES

#: Modes that get isochrones (one-to-all search on a street network).
ISOCHRONE_MODES: tuple[str, ...] = tuple(STREET_MODES)
#: At most this many bands, so the map stays readable and the payload small.
MAX_BANDS = 4
#: Coordinates of band polygons are rounded to 5 decimals (~1 m; H3 res 9 cells are ~174 m).
DECIMALS = 5


def band_limits(max_minutes: float) -> tuple[float, ...]:
    """Return the band limits up to ``max_minutes``: steps of 5, 10, 15 or 30 minutes.

    The step is the smallest of those giving at most :data:`MAX_BANDS` bands; the limit
    itself is always the last band (e.g. 25 -> 10, 20, 25; 30 -> 10, 20, 30).
    """
    limit = float(max_minutes)
    for step in (5.0, 10.0, 15.0, 30.0, 60.0):
        bands = [step * i for i in range(1, int(limit // step) + 1) if step * i < limit]
        if len(bands) + 1 <= MAX_BANDS:
            return (*bands, limit)
    return (limit,)


def _round(coords: Any) -> Any:
    """Round nested coordinate lists (GeoJSON) to :data:`DECIMALS`."""
    if coords and isinstance(coords[0], int | float):
        return [round(float(c), DECIMALS) for c in coords]
    return [_round(c) for c in coords]


def isochrone_features(
    engine: CommuteEngine, anchor: LatLon, *, mode: str, max_minutes: float
) -> list[dict[str, Any]]:
    """GeoJSON features of the bands reaching ``anchor`` (direction "to", as commutes).

    Returns
    -------
    list of dict
        One feature per band, largest first (drawn below the smaller ones), properties
        ``minutes`` and ``cells``; a band adding no cell to the one before is omitted.

    Raises
    ------
    OutsideCoverageError
        When ``anchor`` is off the detailed network.
    BadInputError
        When ``mode`` is not a street mode.
    """
    features = engine.isochrones(
        anchor, mode=mode, bands=tuple(band_limits(max_minutes)), direction="to"
    )
    # A band that adds no cell (the whole network is reached sooner) is left out.
    features = [
        f
        for i, f in enumerate(features)
        if i == 0 or f["properties"]["cells"] > features[i - 1]["properties"]["cells"]
    ]
    for feature in features:
        geometry = feature["geometry"]
        feature["geometry"] = {
            "type": geometry["type"],
            "coordinates": _round(geometry["coordinates"]),
        }
    return sorted(features, key=lambda f: -f["properties"]["minutes"])
