"""Several anchors: two workplaces for a couple, and the morning chain via a crèche or school.

Both build on street-mode searches: one search per anchor, then array arithmetic per
candidate place, so the cost does not grow with the number of places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.engine.core import CommuteEngine, CommuteTimes, commute_times
from dashboard.engine.inputs import LatLon


@dataclass(frozen=True)
class Commuter:
    """One person's commute: workplace, mode and time limit (minutes)."""

    workplace: LatLon
    mode: str
    max_minutes: float


@dataclass(frozen=True)
class CoupleTimes:
    """Per place: each person's minutes, whether both fit their limits, estimate flags."""

    first: CommuteTimes
    second: CommuteTimes
    both_within: np.ndarray
    worst_minutes: np.ndarray
    estimated: np.ndarray


def couple_times(
    engine: CommuteEngine, first: Commuter, second: Commuter, lon: np.ndarray, lat: np.ndarray
) -> CoupleTimes:
    """Commute of two people from each candidate place (lon/lat) to their own workplaces."""
    a = commute_times(
        engine, first.workplace, lon, lat, mode=first.mode, max_minutes=first.max_minutes
    )
    b = commute_times(
        engine, second.workplace, lon, lat, mode=second.mode, max_minutes=second.max_minutes
    )
    both = np.isfinite(a.minutes) & np.isfinite(b.minutes)
    worst = np.where(both, np.fmax(a.minutes, b.minutes), np.nan)
    return CoupleTimes(a, b, both, worst, a.estimated | b.estimated)


@dataclass(frozen=True)
class ChainTimes:
    """Best morning chain home -> stop (crèche/school) -> work, per home.

    Attributes
    ----------
    total_minutes : ndarray
        Both legs plus the drop-off time; ``nan`` when no stop gives a chain.
    stop_index : ndarray
        Index (into the candidate stops) of the best stop; -1 when none.
    first_leg_minutes, second_leg_minutes : ndarray
        Home -> stop and stop -> work minutes of the best chain.
    estimated : ndarray of bool
        True where either leg is estimated.
    """

    total_minutes: np.ndarray
    stop_index: np.ndarray
    first_leg_minutes: np.ndarray
    second_leg_minutes: np.ndarray
    estimated: np.ndarray


def morning_chain(
    engine: CommuteEngine,
    commuter: Commuter,
    home_lon: np.ndarray,
    home_lat: np.ndarray,
    stop_lon: np.ndarray,
    stop_lat: np.ndarray,
    *,
    dropoff_minutes: float = 5.0,
) -> ChainTimes:
    """Best chain over the candidate stops for every home, by the commuter's street mode.

    One search from the workplace gives every stop's second leg; one search per stop gives
    every home's first leg.  The chain must fit ``commuter.max_minutes`` in total.
    """
    n_homes = len(home_lon)
    best = np.full(n_homes, np.inf)
    best_stop = np.full(n_homes, -1, dtype=np.int64)
    first_leg = np.full(n_homes, np.nan)
    second_leg = np.full(n_homes, np.nan)
    estimated = np.zeros(n_homes, dtype=bool)
    work = commute_times(
        engine,
        commuter.workplace,
        stop_lon,
        stop_lat,
        mode=commuter.mode,
        max_minutes=commuter.max_minutes,
    )
    for s in np.flatnonzero(np.isfinite(work.minutes)):
        budget = commuter.max_minutes - work.minutes[s] - dropoff_minutes
        if budget <= 0:
            continue
        stop = LatLon(float(stop_lat[s]), float(stop_lon[s]))
        leg = commute_times(
            engine, stop, home_lon, home_lat, mode=commuter.mode, max_minutes=budget
        )
        total = leg.minutes + dropoff_minutes + work.minutes[s]
        better = np.isfinite(total) & (total < best)
        best[better] = total[better]
        best_stop[better] = s
        first_leg[better] = leg.minutes[better]
        second_leg[better] = work.minutes[s]
        estimated[better] = leg.estimated[better] | bool(work.estimated[s])
    best[~np.isfinite(best)] = np.nan
    return ChainTimes(best, best_stop, first_leg, second_leg, estimated)
