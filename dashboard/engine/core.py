"""The commute engine's front door: load networks once, answer street-mode queries.

``CommuteEngine`` is read-only after loading (safe to share between requests): networks
are loaded lazily on first use and kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dashboard.engine.errors import OutsideCoverageError
from dashboard.engine.inputs import LatLon, check_minutes, check_mode
from dashboard.engine.isochrones import H3_RESOLUTION, isochrone_bands_from_cells
from dashboard.engine.network import (
    StreetNetwork,
    load_street_network,
    lonlat_to_xy,
)
from dashboard.engine.regional import join_regional
from dashboard.engine.settings import GRAPH_OF_MODE, STREET_MODES, EngineSettings
from dashboard.engine.street import (
    Direction,
    StreetQuery,
    StreetTimes,
    node_times,
    street_times,
)

if TYPE_CHECKING:
    from dashboard.engine.transit_commute import TransitPlanner

#: Default arrive-by time of train commutes.
DEFAULT_ARRIVE_BY = time(9, 0)

#: Graph reference speeds (km/h) at which the ETL stored walk and bike edge times.
REFERENCE_KMH = {"walk": 4.8, "bike": 15.0}
#: Detour factor used when a graph manifest lacks one (typical urban value).
FALLBACK_DETOUR = 1.3
#: Detour factor of car estimates beyond the regional network (roads are straighter).
CAR_DETOUR = 1.25


@dataclass
class CommuteEngine:
    """Street-mode travel times over the committed graphs.

    Parameters
    ----------
    data_dir : Path, optional
        Snapshot folder (default: the ``geodata`` package folder).
    settings : EngineSettings, optional
        Speeds and limits.
    """

    data_dir: Path | None = None
    settings: EngineSettings = field(default_factory=EngineSettings)
    _networks: dict[str, StreetNetwork] = field(default_factory=dict, repr=False)
    _detour: dict[str, float] = field(default_factory=dict, repr=False)
    _planner: TransitPlanner | None = field(default=None, repr=False)

    def network(self, graph: str) -> StreetNetwork:
        """Return the network of ``graph`` (walk, bike or car), loading it once."""
        if graph not in self._networks:
            if graph == "car":
                from geodata.io import load_graph

                self._networks[graph] = join_regional(
                    load_graph("car", self.data_dir),
                    load_graph("strategic_car", self.data_dir),
                    access_kmh=self.settings.car_access_kmh,
                )
            else:
                self._networks[graph] = load_street_network(graph, self.data_dir)
        return self._networks[graph]

    def detour_factor(self, graph: str) -> float:
        """Median network/straight-line ratio measured by the ETL on Leuven's graph."""
        if graph == "car":
            return CAR_DETOUR
        if graph not in self._detour:
            from geodata.io import load_manifest

            extra: dict[str, Any] = load_manifest(f"graph:{graph}", self.data_dir).extra
            self._detour[graph] = float(
                extra.get("detour_factor", {}).get("median", FALLBACK_DETOUR)
            )
        return self._detour[graph]

    def query_for(
        self, mode: str, anchor: LatLon, direction: Direction, max_minutes: float | None
    ) -> StreetQuery:
        """Build the :class:`StreetQuery` of ``mode`` with this engine's settings."""
        check_mode(mode, STREET_MODES)
        if max_minutes is not None:
            check_minutes(max_minutes)
        graph = GRAPH_OF_MODE[mode]
        speed = self.settings.speed_mps(mode)
        if graph == "car":
            scale = self.settings.car_peak_factor
            est_speed = 40 / 3.6  # straight-line car estimates: regional average speed
        else:
            scale = REFERENCE_KMH[graph] / (speed * 3.6)
            est_speed = speed
        return StreetQuery(
            anchor=anchor,
            direction=direction,
            speed_mps=est_speed if graph == "car" else speed,
            scale=scale,
            max_snap_m=self.settings.max_snap_m,
            detour_factor=self.detour_factor(graph),
            max_minutes=max_minutes,
            max_distance_m=self.settings.max_distance_km * 1000,
        )

    def times(
        self,
        anchor: LatLon,
        lon: np.ndarray,
        lat: np.ndarray,
        *,
        mode: str,
        direction: Direction = "to",
        max_minutes: float | None = None,
    ) -> StreetTimes:
        """Travel times between ``anchor`` and each point by a street mode.

        ``direction="to"`` (default) answers "from each point to the anchor", the
        commute question when the anchor is a workplace.
        """
        query = self.query_for(mode, anchor, direction, max_minutes)
        return street_times(self.network(GRAPH_OF_MODE[mode]), query, lon, lat)

    def transit_planner(self) -> TransitPlanner:
        """Return the train planner (timetables and access legs cached), created once."""
        if self._planner is None:
            from dashboard.engine.transit_commute import TransitPlanner

            self._planner = TransitPlanner(self)
        return self._planner

    def _reached(
        self, anchor: LatLon, *, mode: str, max_minutes: float, direction: Direction
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Detailed nodes reached within the limit: indices, lon, lat and minutes."""
        query = self.query_for(mode, anchor, direction, max_minutes)
        net = self.network(GRAPH_OF_MODE[mode])
        ax, ay = lonlat_to_xy(np.array([anchor.lon]), np.array([anchor.lat]))
        node, snap = net.snap(ax, ay)
        if snap[0] > query.max_snap_m:
            msg = (
                f"{anchor.lat:.5f},{anchor.lon:.5f} is {snap[0]:.0f} m from the detailed {mode} "
                "network (Leuven municipality): no isochrone can be drawn there"
            )
            raise OutsideCoverageError(msg)
        limit_s = max_minutes * 60.0 / query.scale
        seconds = node_times(net, int(node[0]), direction=direction, limit_s=limit_s)
        minutes = (seconds * query.scale + snap[0] / query.speed_mps) / 60.0
        keep = np.flatnonzero(np.isfinite(minutes) & (minutes <= max_minutes))
        keep = keep[np.isin(keep, net.detailed_ids)]
        lon, lat = net.lonlat
        return keep, lon[keep], lat[keep], minutes[keep]

    def reach_nodes(
        self, anchor: LatLon, *, mode: str, max_minutes: float, direction: Direction = "from"
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Longitude, latitude and minutes of every network node reached within the limit.

        The snap leg from the anchor to its node is included; for isochrone display.
        Raises :class:`OutsideCoverageError` when the anchor is off the detailed network.
        """
        _, lon, lat, minutes = self._reached(
            anchor, mode=mode, max_minutes=max_minutes, direction=direction
        )
        return lon, lat, minutes

    def isochrones(
        self,
        anchor: LatLon,
        *,
        mode: str,
        bands: tuple[float, ...],
        direction: Direction = "from",
    ) -> list[dict[str, Any]]:
        """H3 isochrone bands (GeoJSON features) up to ``max(bands)`` minutes."""
        nodes, _, _, minutes = self._reached(
            anchor, mode=mode, max_minutes=max(bands), direction=direction
        )
        cells = self.network(GRAPH_OF_MODE[mode]).h3_cells(H3_RESOLUTION)[nodes]
        return isochrone_bands_from_cells(cells, minutes, bands)


#: Commute modes offered to users: street modes and train with walk or bike access.
COMMUTE_MODES: tuple[str, ...] = (*STREET_MODES, "train_walk", "train_bike", "walk_bus")


@dataclass(frozen=True)
class CommuteTimes:
    """Door-to-door minutes from many places to one anchor (the workplace).

    Attributes
    ----------
    minutes : ndarray
        Typical (median) minutes; ``nan`` beyond the limit or outside coverage.
    p10, p90 : ndarray
        10th and 90th percentile over the departure window (transit); equal to
        ``minutes`` for street modes.
    estimated : ndarray of bool
        True where any part is not computed on a real network or timetable.
    method : ndarray of str
        How each time was computed.
    """

    minutes: np.ndarray
    p10: np.ndarray
    p90: np.ndarray
    estimated: np.ndarray
    method: np.ndarray

    @classmethod
    def from_street(cls, times: StreetTimes) -> CommuteTimes:
        """Wrap street-mode times (no spread over a window)."""
        return cls(times.minutes, times.minutes, times.minutes, times.estimated, times.method)


def commute_times(
    engine: CommuteEngine,
    workplace: LatLon,
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    mode: str,
    max_minutes: float | None = None,
    arrive_by: time | None = None,
    day: date | None = None,
) -> CommuteTimes:
    """Minutes from each place (lon/lat) to ``workplace`` by ``mode``.

    Street modes (walk, bike, ebike, car) ignore ``arrive_by`` and ``day``.  Train modes
    (``train_walk``, ``train_bike``: access on foot or by bike) answer "arrive by
    ``arrive_by`` (default 09:00) on ``day``" over a 60-minute window; see
    :mod:`dashboard.engine.transit_commute`, whose ``method`` text names the feed date used.
    ``walk_bus`` is the estimated bus model of central Leuven (:mod:`dashboard.engine.bus`).
    """
    check_mode(mode, COMMUTE_MODES)
    if mode in STREET_MODES:
        times = engine.times(
            workplace, lon, lat, mode=mode, direction="to", max_minutes=max_minutes
        )
        return CommuteTimes.from_street(times)
    if mode == "walk_bus":
        from dashboard.engine.bus import bus_times

        return bus_times(engine, workplace, lon, lat, max_minutes)
    from dashboard.engine.transit_commute import transit_commute

    result, _ = transit_commute(
        engine.transit_planner(),
        workplace,
        lon,
        lat,
        access_mode=mode.removeprefix("train_"),
        arrive_by=arrive_by or DEFAULT_ARRIVE_BY,
        day=day,
        max_minutes=max_minutes,
    )
    return result
