"""What the engine's modes share: the result type and what a mode needs from the engine.

No engine logic lives here.  Imports run one way only: :mod:`dashboard.engine.core` (the
engine) imports :mod:`dashboard.engine.modes` (one entry point per mode), which imports
the mode modules (:mod:`~dashboard.engine.bus`, :mod:`~dashboard.engine.transit_commute`);
those see the engine only through :class:`StreetEngine`, never by importing ``core``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from dashboard.engine.inputs import LatLon
from dashboard.engine.settings import EngineSettings
from dashboard.engine.street import Direction, StreetQuery, StreetTimes


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
    estimated_share : ndarray, optional
        Share (0-1) of each time that is estimated (street modes; see
        :attr:`dashboard.engine.street.StreetTimes.estimated_share`); ``None`` where the
        mode does not say.
    """

    minutes: np.ndarray
    p10: np.ndarray
    p90: np.ndarray
    estimated: np.ndarray
    method: np.ndarray
    estimated_share: np.ndarray | None = None

    @classmethod
    def from_street(cls, times: StreetTimes) -> CommuteTimes:
        """Wrap street-mode times (no spread over a window)."""
        return cls(
            times.minutes,
            times.minutes,
            times.minutes,
            times.estimated,
            times.method,
            times.estimated_share,
        )


class StreetEngine(Protocol):
    """The part of :class:`dashboard.engine.core.CommuteEngine` the mode modules use."""

    @property
    def data_dir(self) -> Path | None:
        """Return the snapshot folder the engine reads."""

    @property
    def settings(self) -> EngineSettings:
        """Return the engine's speeds and limits."""

    def query_for(
        self, mode: str, anchor: LatLon, direction: Direction, max_minutes: float | None
    ) -> StreetQuery:
        """Build the street query of ``mode`` with the engine's speeds and limits."""

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
        """Return street-mode travel times between ``anchor`` and each point."""
