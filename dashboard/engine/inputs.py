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

# ASCII only: ``\d`` and ``float()`` also accept other scripts' digits (e.g. Arabic-Indic),
# which would turn a typo or a pasted label into a silent, surprising number.
_LATLON = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$", re.ASCII)
_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$", re.ASCII)
_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$", re.ASCII)
_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$", re.ASCII)

#: Longest time limit accepted (minutes): a day.  Larger limits mean nothing for a
#: commute and only make searches slow.
MAX_MINUTES = 24 * 60


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
    """Parse ``"LAT,LON"`` in decimal degrees (e.g. ``"50.8798,4.7005"``), ASCII digits."""
    match = _LATLON.match(text)
    if not match:
        _refuse_other_digits("coordinates", text)
        msg = f"coordinates {text!r} are not LAT,LON in decimal degrees (e.g. 50.8798,4.7005)"
        raise BadInputError(msg)
    return LatLon(float(match.group(1)), float(match.group(2)))


def parse_hhmm(text: str) -> time:
    """Parse a time of day ``HH:MM`` (00:00 to 23:59), ASCII digits."""
    match = _HHMM.match(text)
    if not match:
        _refuse_other_digits("time", text)
        msg = f"time {text!r} is not HH:MM"
        raise BadInputError(msg)
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        msg = f"time {text!r} is not a time of day (00:00 to 23:59)"
        raise BadInputError(msg)
    return time(hours, minutes)


def parse_date(text: str) -> date:
    """Parse an ISO date ``YYYY-MM-DD`` (ASCII digits; no week or ordinal dates)."""
    if not _DATE.match(text):
        _refuse_other_digits("date", text)
        msg = f"date {text!r} is not a date YYYY-MM-DD"
        raise BadInputError(msg)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        msg = f"date {text!r} is not a date YYYY-MM-DD"
        raise BadInputError(msg) from None


def parse_minutes(text: str) -> float:
    """Parse a time limit in minutes written with ASCII digits (e.g. ``"20"``, ``"7.5"``)."""
    if not _NUMBER.match(text):
        _refuse_other_digits("minutes", text)
        msg = f"minutes {text!r} is not a positive number (e.g. 20 or 7.5)"
        raise BadInputError(msg)
    return check_minutes(float(text))


def check_minutes(value: float) -> float:
    """Return ``value`` if it is a positive, finite number of minutes up to a day."""
    if not math.isfinite(value) or value <= 0:
        msg = f"minutes must be a positive number, got {value}"
        raise BadInputError(msg)
    if value > MAX_MINUTES:
        msg = f"minutes must be at most {MAX_MINUTES} (a day), got {value:g}"
        raise BadInputError(msg)
    return value


def _refuse_other_digits(what: str, text: str) -> None:
    """Raise a clear error when ``text`` holds digits of another script than ASCII."""
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        msg = f"{what} {text!r}: non-ASCII digits; write digits as 0-9"
        raise BadInputError(msg)


def check_mode(mode: str, allowed: tuple[str, ...]) -> str:
    """Return ``mode`` if it is one of ``allowed``."""
    if mode not in allowed:
        msg = f"unknown mode {mode!r}; choose one of {', '.join(allowed)}"
        raise BadInputError(msg)
    return mode
