"""The one dispatch point of the commute modes: each mode and the function that answers it.

:data:`ENTRY_POINTS` maps every mode offered to users to its entry point; :func:`commute_times`
checks the mode and calls it.  Adding a mode means adding one entry here.  This module
imports the mode modules and is imported by :mod:`dashboard.engine.core`, never the other
way round: the modes see the engine only through the :class:`ModeEngine` protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Protocol

import numpy as np

from dashboard.engine.base import CommuteTimes
from dashboard.engine.bus import BusEngine, bus_times
from dashboard.engine.inputs import LatLon, check_mode
from dashboard.engine.settings import STREET_MODES
from dashboard.engine.transit_commute import TransitPlanner, transit_commute

#: Default arrive-by time of train commutes.
DEFAULT_ARRIVE_BY = time(9, 0)


class ModeEngine(BusEngine, Protocol):
    """What the modes need from :class:`dashboard.engine.core.CommuteEngine`."""

    def transit_planner(self) -> TransitPlanner:
        """Return the train planner, created once."""


@dataclass(frozen=True)
class ModeQuestion:
    """The per-mode arguments of one commute question (street modes use only the limit).

    Attributes
    ----------
    max_minutes : float, optional
        Times beyond this are ``nan``.
    arrive_by : time
        Arrive-by time of train modes.
    day : date, optional
        Travel date of train modes (mapped onto the feed's week).
    """

    max_minutes: float | None = None
    arrive_by: time = DEFAULT_ARRIVE_BY
    day: date | None = None


EntryPoint = Callable[[ModeEngine, LatLon, np.ndarray, np.ndarray, str, ModeQuestion], CommuteTimes]


def _street(
    engine: ModeEngine,
    workplace: LatLon,
    lon: np.ndarray,
    lat: np.ndarray,
    mode: str,
    q: ModeQuestion,
) -> CommuteTimes:
    times = engine.times(workplace, lon, lat, mode=mode, direction="to", max_minutes=q.max_minutes)
    return CommuteTimes.from_street(times)


def _walk_bus(
    engine: ModeEngine,
    workplace: LatLon,
    lon: np.ndarray,
    lat: np.ndarray,
    mode: str,
    q: ModeQuestion,
) -> CommuteTimes:
    return bus_times(engine, workplace, lon, lat, q.max_minutes)


def _train(
    engine: ModeEngine,
    workplace: LatLon,
    lon: np.ndarray,
    lat: np.ndarray,
    mode: str,
    q: ModeQuestion,
) -> CommuteTimes:
    result, _ = transit_commute(
        engine.transit_planner(),
        workplace,
        lon,
        lat,
        access_mode=mode.removeprefix("train_"),
        arrive_by=q.arrive_by,
        day=q.day,
        max_minutes=q.max_minutes,
    )
    return result


#: Every commute mode offered to users and its entry point: street modes, train with
#: walk or bike access (:mod:`dashboard.engine.transit_commute`), the estimated bus model
#: of central Leuven (:mod:`dashboard.engine.bus`).
ENTRY_POINTS: dict[str, EntryPoint] = {
    **dict.fromkeys(STREET_MODES, _street),
    "train_walk": _train,
    "train_bike": _train,
    "walk_bus": _walk_bus,
}

#: Commute modes offered to users, in display order.
COMMUTE_MODES: tuple[str, ...] = tuple(ENTRY_POINTS)


def commute_times(
    engine: ModeEngine,
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

    Raises
    ------
    BadInputError
        For a mode that is not in :data:`COMMUTE_MODES`.
    """
    check_mode(mode, COMMUTE_MODES)
    question = ModeQuestion(max_minutes, arrive_by or DEFAULT_ARRIVE_BY, day)
    return ENTRY_POINTS[mode](engine, workplace, lon, lat, mode, question)
