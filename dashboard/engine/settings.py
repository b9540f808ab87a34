"""Typed, documented settings of the commute engine.

Speeds are the usual planning values: walking 4.8 km/h, cycling 15 km/h, e-bike 20 km/h.
Car times come from the graph (maxspeed where OSM has it, otherwise speed by road class)
multiplied by a peak-hour factor: free-flow speeds understate morning-peak travel times
in and around Leuven; 1.3 is a conservative, documented assumption, not a measurement.
The peak factor applies to network times and to the estimated remainder beyond the
networks alike; only the short snap leg of a point inside the car graph's coverage keeps the
first model's arithmetic (no factor), so that answers there did not change.

Outside a graph's coverage area a trip runs on the network to the best of the nodes near
the area's edge (within :attr:`EngineSettings.estimate_band_m`; for the car also the
regional network's nodes) and only the remainder from that node is estimated: straight
line x the graph's detour factor (measured by the ETL on the graph and recorded in its
manifest), at the mode's speed for walking and cycling.  Car
remainders are driven at a speed per band of estimated road distance
(:attr:`EngineSettings.car_estimate_bands`): the first kilometre at 20 km/h (access roads
and parking), the next 4 km at 40 km/h (local and regional roads through villages),
anything beyond at 60 km/h (main roads between towns).  These are assumed free-flow
averages, not measurements.
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

#: Detour factor (network / straight-line distance) of hand-built networks, which have no
#: manifest (a typical urban value, not a measurement).  The engine reads every stored
#: graph's factor from its manifest (``extra.detour_factor``, measured by the ETL).
FALLBACK_DETOUR: Final[float] = 1.3


@dataclass(frozen=True)
class EngineSettings:
    """Speeds, limits and factors used by the engine.

    Attributes
    ----------
    walk_kmh, bike_kmh, ebike_kmh : float
        Travel speeds on the network and on the snap legs.
    car_access_kmh : float
        Speed of the hop joining the regional car network to the detailed one.
    car_snap_kmh : float
        Speed of the car's snap leg between a point inside the car graph's coverage and
        its nearest node (kept from the first model, so that times there do not change).
    car_peak_factor : float
        Multiplies free-flow car times (1.0 = free flow), estimated remainders included.
    max_snap_m : float
        Coverage of a network whose manifest records no ``coverage_area``: the points
        within this distance of a detailed node.
    max_distance_km : float
        Beyond this straight-line distance from Leuven a point is refused.
    estimate_band_m : float
        Nodes within this distance of the coverage area's boundary can end the routed
        part of a trip to or from a place outside the area.  The graphs' areas are drawn
        about 200 m round their edges (see their manifests' ``coverage_area.method``),
        so every node near the edge of the network lies in the band.
    car_estimate_bands : tuple of (float, float)
        Estimated car road distance per band: (band upper bound in km, free-flow km/h),
        ascending; the last speed also applies beyond the last bound.
    """

    walk_kmh: float = 4.8
    bike_kmh: float = 15.0
    ebike_kmh: float = 20.0
    car_access_kmh: float = 20.0
    car_snap_kmh: float = 40.0
    car_peak_factor: float = 1.3
    max_snap_m: float = 250.0
    max_distance_km: float = 60.0
    estimate_band_m: float = 400.0
    car_estimate_bands: tuple[tuple[float, float], ...] = ((1.0, 20.0), (5.0, 40.0), (1e9, 60.0))

    def car_bands_mps(self) -> tuple[tuple[float, float], ...]:
        """Return :attr:`car_estimate_bands` in metres and metres per second."""
        return tuple((km * 1000.0, kmh / 3.6) for km, kmh in self.car_estimate_bands)

    def speed_mps(self, mode: str) -> float:
        """Return the snap-leg speed of ``mode`` in metres per second.

        Walking and cycling also estimate their remainders at this speed; cars use
        :meth:`car_bands_mps`.
        """
        kmh = {
            "walk": self.walk_kmh,
            "bike": self.bike_kmh,
            "ebike": self.ebike_kmh,
            "car": self.car_snap_kmh,
        }[mode]
        return kmh / 3.6
