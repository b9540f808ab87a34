"""Parse and check user input for the engine: coordinates, modes, minutes, times of day.

Each function raises :class:`BadInputError` whose message names the bad value, so a CLI
or page can show it as one line.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, time

from dashboard.engine.errors import BadInputError

_LATLON = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class LatLon:
    """A WGS84 point."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90 <= self.lat <= 90):
            msg = f"latitude {self.lat} is not between -90 and 90"
            raise BadInputError(msg)
        if not (math.isfinite(self.lon) and -180 <= self.lon <= 180):
            msg = f"longitude {self.lon} is not between -180 and 180"
            raise BadInputError(msg)


def parse_latlon(text: str) -> LatLon:
    """Parse ``"LAT,LON"`` in decimal degrees (e.g. ``"50.8798,4.7005"``)."""
    match = _LATLON.match(text)
    if not match:
        msg = f"coordinates {text!r} are not LAT,LON in decimal degrees (e.g. 50.8798,4.7005)"
        raise BadInputError(msg)
    return LatLon(float(match.group(1)), float(match.group(2)))


def parse_hhmm(text: str) -> time:
    """Parse a time of day ``HH:MM`` (00:00 to 23:59)."""
    match = _HHMM.match(text)
    if not match:
        msg = f"time {text!r} is not HH:MM"
        raise BadInputError(msg)
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        msg = f"time {text!r} is not a time of day (00:00 to 23:59)"
        raise BadInputError(msg)
    return time(hours, minutes)


def parse_date(text: str) -> date:
    """Parse an ISO date ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        msg = f"date {text!r} is not a date YYYY-MM-DD"
        raise BadInputError(msg) from None


def check_minutes(value: float) -> float:
    """Return ``value`` if it is a positive, finite number of minutes."""
    if not math.isfinite(value) or value <= 0:
        msg = f"minutes must be a positive number, got {value}"
        raise BadInputError(msg)
    return value


def check_mode(mode: str, allowed: tuple[str, ...]) -> str:
    """Return ``mode`` if it is one of ``allowed``."""
    if mode not in allowed:
        msg = f"unknown mode {mode!r}; choose one of {', '.join(allowed)}"
        raise BadInputError(msg)
    return mode
