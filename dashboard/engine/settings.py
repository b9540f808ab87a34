"""Typed, documented settings of the commute engine.

Speeds are the usual planning values: walking 4.8 km/h, cycling 15 km/h, e-bike 20 km/h.
Car times come from the graph (maxspeed where OSM has it, otherwise speed by road class)
multiplied by a peak-hour factor: free-flow speeds understate morning-peak travel times
in and around Leuven; 1.3 is a conservative, documented assumption, not a measurement.
The peak factor applies to every part of a car trip: network times and the estimated
remainder beyond the networks alike.

Estimated car remainders (from the nearest useful network node to the point, straight
line x detour) are driven at a speed per distance band (:attr:`EngineSettings.car_estimate_bands`):
the first kilometre of road at 20 km/h (access roads, parking: the same as the snap leg's
access speed), the next 4 km at 40 km/h (local and regional roads), anything beyond at
60 km/h (main roads between towns).  These are assumed free-flow averages, not
measurements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

StreetMode = Literal["walk", "bike", "ebike", "car"]
STREET_MODES: Final[tuple[str, ...]] = ("walk", "bike", "ebike", "car")

#: Which stored graph each street mode runs on.
GRAPH_OF_MODE: Final[dict[str, str]] = {
    "walk": "walk",
    "bike": "bike",
    "ebike": "bike",
    "car": "car",
}

#: Detour factor (network / straight-line distance) used when a graph manifest records
#: none, and by hand-built networks (a typical urban value, not a measurement).
FALLBACK_DETOUR: Final[float] = 1.3


@dataclass(frozen=True)
class EngineSettings:
    """Speeds, limits and factors used by the engine.

    Attributes
    ----------
    walk_kmh, bike_kmh, ebike_kmh : float
        Travel speeds on the network and on the snap legs.
    car_access_kmh : float
        Speed of the car's snap leg (parking, access roads not in the graph).
    car_peak_factor : float
        Multiplies free-flow car times (1.0 = free flow).
    max_snap_m : float
        A point farther than this from the detailed network is off it: its time is the
        network time to its best nearby node (detailed or regional) plus an estimated
        remainder (straight line x detour factor), see :mod:`dashboard.engine.street`.
    max_distance_km : float
        Beyond this straight-line distance from Leuven a point is refused.
    car_estimate_bands : tuple of (float, float)
        Estimated car road distance per band: (band upper bound in km, free-flow km/h),
        ascending; the last speed also applies beyond the last bound.
    """

    walk_kmh: float = 4.8
    bike_kmh: float = 15.0
    ebike_kmh: float = 20.0
    car_access_kmh: float = 20.0
    car_peak_factor: float = 1.3
    max_snap_m: float = 250.0
    max_distance_km: float = 60.0
    car_estimate_bands: tuple[tuple[float, float], ...] = ((1.0, 20.0), (5.0, 40.0), (1e9, 60.0))

    def car_bands_mps(self) -> tuple[tuple[float, float], ...]:
        """Return :attr:`car_estimate_bands` in metres and metres per second."""
        return tuple((km * 1000.0, kmh / 3.6) for km, kmh in self.car_estimate_bands)

    def speed_mps(self, mode: str) -> float:
        """Return the snap-leg / estimate speed of ``mode`` in metres per second."""
        kmh = {
            "walk": self.walk_kmh,
            "bike": self.bike_kmh,
            "ebike": self.ebike_kmh,
            "car": self.car_access_kmh,
        }[mode]
        return kmh / 3.6
