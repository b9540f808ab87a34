"""Typed, documented settings of the commute engine.

Speeds are the usual planning values: walking 4.8 km/h, cycling 15 km/h, e-bike 20 km/h.
Car times come from the graph (maxspeed where OSM has it, otherwise speed by road class)
multiplied by a peak-hour factor: free-flow speeds understate morning-peak travel times
in and around Leuven; 1.3 is a conservative, documented assumption, not a measurement.
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
        A point farther than this from the detailed network is outside its coverage:
        its time is estimated (straight line x detour factor, or the regional network).
    max_distance_km : float
        Beyond this straight-line distance from Leuven a point is refused.
    """

    walk_kmh: float = 4.8
    bike_kmh: float = 15.0
    ebike_kmh: float = 20.0
    car_access_kmh: float = 20.0
    car_peak_factor: float = 1.3
    max_snap_m: float = 250.0
    max_distance_km: float = 60.0

    def speed_mps(self, mode: str) -> float:
        """Return the snap-leg / estimate speed of ``mode`` in metres per second."""
        kmh = {
            "walk": self.walk_kmh,
            "bike": self.bike_kmh,
            "ebike": self.ebike_kmh,
            "car": self.car_access_kmh,
        }[mode]
        return kmh / 3.6
