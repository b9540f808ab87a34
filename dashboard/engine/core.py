"""The commute engine's front door: load networks once, answer street-mode queries.

``CommuteEngine`` is read-only after loading (safe to share between requests): networks,
the bus network and the train planner are loaded lazily on first use and kept.  Streamlit
shares one engine between every session (``st.cache_resource``), so each lazy load runs
under the engine's lock: two sessions asking at once load a network once, and neither
sees a half-built object (an entry is stored only when complete).

Every commute mode is answered through :func:`commute_times`, whose one dispatch point is
:mod:`dashboard.engine.modes` (re-exported here with :data:`COMMUTE_MODES`,
:data:`DEFAULT_ARRIVE_BY` and :class:`CommuteTimes` for the callers).  Imports run one way:
core -> modes -> bus, transit_commute -> base.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from dashboard.engine.base import CommuteTimes
from dashboard.engine.bus import BusNetwork, bus_network_from_layer
from dashboard.engine.errors import OutsideCoverageError
from dashboard.engine.inputs import LatLon, check_minutes, check_mode
from dashboard.engine.isochrones import H3_RESOLUTION, isochrone_bands_from_cells
from dashboard.engine.modes import COMMUTE_MODES, DEFAULT_ARRIVE_BY, commute_times
from dashboard.engine.network import (
    StreetNetwork,
    load_street_network,
    lonlat_to_xy,
)
from dashboard.engine.regional import join_regional
from dashboard.engine.settings import (
    GRAPH_OF_MODE,
    STREET_MODES,
    EngineSettings,
)
from dashboard.engine.street import (
    Coverage,
    Direction,
    StreetQuery,
    StreetTimes,
    inside_coverage,
    node_times,
    street_times,
)
from dashboard.engine.transit_commute import TransitPlanner
from geodata.catalog import default_data_dir, manifest_path
from geodata.coverage import COVERAGE_KEY, coverage_area
from geodata.io import SnapshotError, load_graph, load_layer, load_manifest

__all__ = [
    "COMMUTE_MODES",
    "DEFAULT_ARRIVE_BY",
    "CommuteEngine",
    "CommuteTimes",
    "commute_times",
]

T = TypeVar("T")


@dataclass
class CommuteEngine:
    """Street-mode travel times over the committed graphs.

    Parameters
    ----------
    data_dir : Path, optional
        Snapshot folder (default: :func:`geodata.catalog.default_data_dir` when the
        engine is created, so an engine keeps reading the snapshot it started on).
    settings : EngineSettings, optional
        Speeds and limits.
    """

    data_dir: Path | None = None
    settings: EngineSettings = field(default_factory=EngineSettings)
    _loaded: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.data_dir is None:
            self.data_dir = default_data_dir()

    def _once(self, key: str, load: Callable[[], T]) -> T:
        """Return the object stored under ``key``, loading it under the lock the first time.

        Double-checked: the common path (already loaded) takes no lock; a load stores its
        result only when it is complete, and a failed load stores nothing (the next call
        tries again).  Re-entrant, as loads build on other loads (bus on walk).
        """
        try:
            return self._loaded[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        with self._lock:
            if key not in self._loaded:
                self._loaded[key] = load()
            return self._loaded[key]  # type: ignore[no-any-return]

    def preload(self) -> CommuteEngine:
        """Load everything a query can need now, so that no query pays a load.

        The street networks (walk, bike, car with the regional join), their coverage
        areas, reference speeds and detour factors, the walk + bus network and the
        transit planner (which builds the timetables of the feed's week).  A server calls
        this once when it creates its shared engine.  Returns the engine.
        """
        for graph in ("walk", "bike", "car"):
            self.network(graph)
            self.coverage(graph)
            self.detour_factor(graph)
        for graph in ("walk", "bike"):
            self.reference_kmh(graph)
        self.bus_network()
        self.transit_planner()
        return self

    def network(self, graph: str) -> StreetNetwork:
        """Return the network of ``graph`` (walk, bike or car), loading it once."""
        return self._once(f"network:{graph}", lambda: self._load_network(graph))

    def _load_network(self, graph: str) -> StreetNetwork:
        if graph == "car":
            return join_regional(
                load_graph("car", self.data_dir),
                load_graph("strategic_car", self.data_dir),
                access_kmh=self.settings.car_access_kmh,
            )
        return load_street_network(graph, self.data_dir)

    def coverage(self, graph: str) -> Coverage | None:
        """Return the coverage of ``graph`` (walk, bike, car), built once.

        The area is the ``coverage_area`` of the graph's manifest (for the car, of the
        detailed Leuven car graph; the regional network is used beyond it); ``None`` when
        the manifest records none (an older snapshot): coverage is then the snap distance
        (:func:`dashboard.engine.street.inside_coverage`).

        Raises
        ------
        SnapshotError
            When the manifest's ``extra.coverage_area`` is damaged.
        """
        return self._once(f"coverage:{graph}", lambda: self._load_coverage(graph))

    def _load_coverage(self, graph: str) -> Coverage | None:
        manifest = load_manifest(f"graph:{graph}", self.data_dir)
        if COVERAGE_KEY not in manifest.extra:
            return None
        area = coverage_area(manifest, self.data_dir)
        return Coverage.of(self.network(graph), area, self.settings.estimate_band_m)

    def bus_network(self) -> BusNetwork:
        """Return the walk + bus network, built once on this engine's own walk network."""
        return self._once("bus", self._load_bus_network)

    def _load_bus_network(self) -> BusNetwork:
        return bus_network_from_layer(
            self.network("walk"),
            load_layer("bus_routes", self.data_dir),
            walk_kmh=self.settings.walk_kmh,
            reference_kmh=self.reference_kmh("walk"),
        )

    def reference_kmh(self, graph: str) -> float:
        """Speed (km/h) at which the ETL stored the edge times of ``graph`` (walk, bike).

        Read from the graph manifest's ``extra.rules.speed_kmh``; user speeds scale the
        stored times by the ratio of the two.

        Raises
        ------
        SnapshotError
            When the manifest does not record a positive speed.
        """
        return self._once(f"speed:{graph}", lambda: self._load_reference_kmh(graph))

    def _load_reference_kmh(self, graph: str) -> float:
        manifest = load_manifest(f"graph:{graph}", self.data_dir)
        rules = manifest.extra.get("rules")
        speed = rules.get("speed_kmh") if isinstance(rules, dict) else None
        if (
            isinstance(speed, int | float)
            and not isinstance(speed, bool)
            and math.isfinite(speed)
            and speed > 0
        ):
            return float(speed)
        path = manifest_path(f"graph:{graph}", self.data_dir)
        msg = f"'extra.rules.speed_kmh' is {speed!r}, not a speed in km/h above 0"
        raise SnapshotError(path, msg)

    def detour_factor(self, graph: str) -> float:
        """Median network/straight-line ratio measured by the ETL on the graph (walk, bike, car).

        Read from the graph manifest's ``extra.detour_factor.median``.

        Raises
        ------
        SnapshotError
            When the manifest records no factor, or one that is not a number >= 1.
        """
        return self._once(f"detour:{graph}", lambda: self._load_detour(graph))

    def _load_detour(self, graph: str) -> float:
        manifest = load_manifest(f"graph:{graph}", self.data_dir)
        detour = manifest.extra.get("detour_factor")
        median = detour.get("median") if isinstance(detour, dict) else None
        # bool is an int (refused); a factor below 1 would beat the straight line
        if (
            isinstance(median, int | float)
            and not isinstance(median, bool)
            and math.isfinite(median)
            and median >= 1
        ):
            return float(median)
        path = manifest_path(f"graph:{graph}", self.data_dir)
        msg = f"'extra.detour_factor.median' is {median!r}, not a number >= 1"
        raise SnapshotError(path, msg)

    def query_for(
        self, mode: str, anchor: LatLon, direction: Direction, max_minutes: float | None
    ) -> StreetQuery:
        """Build the :class:`StreetQuery` of ``mode`` with this engine's settings."""
        check_mode(mode, STREET_MODES)
        if max_minutes is not None:
            check_minutes(max_minutes)
        graph = GRAPH_OF_MODE[mode]
        speed = self.settings.speed_mps(mode)
        bands: tuple[tuple[float, float], ...] = ()
        est_scale = 1.0
        if graph == "car":
            scale = self.settings.car_peak_factor
            bands = self.settings.car_bands_mps()
            est_scale = self.settings.car_peak_factor  # the same peak on estimated parts
        else:
            scale = self.reference_kmh(graph) / (speed * 3.6)
        return StreetQuery(
            anchor=anchor,
            direction=direction,
            speed_mps=speed,
            scale=scale,
            max_snap_m=self.settings.max_snap_m,
            detour_factor=self.detour_factor(graph),
            max_minutes=max_minutes,
            max_distance_m=self.settings.max_distance_km * 1000,
            estimate_bands=bands,
            estimate_scale=est_scale,
            coverage=self.coverage(graph),
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
        """Return the train planner, created once; creating it builds the week's timetables."""
        return self._once("planner", lambda: TransitPlanner(self))

    def _reached(
        self, anchor: LatLon, *, mode: str, max_minutes: float, direction: Direction
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Detailed nodes reached within the limit: indices, lon, lat and minutes."""
        query = self.query_for(mode, anchor, direction, max_minutes)
        net = self.network(GRAPH_OF_MODE[mode])
        ax, ay = lonlat_to_xy(np.array([anchor.lon]), np.array([anchor.lat]))
        node, snap = net.snap(ax, ay)
        if not inside_coverage(query, ax, ay, snap)[0]:
            msg = (
                f"{anchor.lat:.5f},{anchor.lon:.5f} is outside the area the detailed {mode} "
                f"network covers ({snap[0]:.0f} m from its nearest node): no isochrone can "
                "be drawn there"
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
        Raises :class:`OutsideCoverageError` when the anchor is outside the detailed
        network's coverage area (:func:`dashboard.engine.street.inside_coverage`).
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
