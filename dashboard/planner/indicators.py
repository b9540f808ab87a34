"""Supply-and-demand accessibility indicators used in service planning.

All functions take a travel-time matrix ``minutes`` of shape (demand areas, supply
sites): ``inf`` where a site is not reachable, ``nan`` where the time is unknown.
Population (demand) and capacity (supply) are float arrays with ``nan`` for unknown.
An indicator that needs an unknown number is itself unknown (``nan``) with a reason,
never 0; 0 means "nothing within reach" and is a real answer.

Two-step floating catchment area (2SFCA; Luo & Wang 2003)
---------------------------------------------------------
Step 1, for every site ``j``: the supply-to-demand ratio of its catchment,
``R_j = S_j / sum(P_k for areas k with d_kj <= d0)``.
Step 2, for every area ``i``: the sum of the ratios of the sites it reaches,
``A_i = sum(R_j for sites j with d_ij <= d0)``: supply per resident within reach.

Enhanced 2SFCA (E2SFCA; Luo & Qi 2009)
---------------------------------------
The same with a distance-decay weight ``W(d)`` per travel-time zone in both steps:
``R_j = S_j / sum(P_k W(d_kj))`` and ``A_i = sum(R_j W(d_ij))``.  Luo & Qi's weights
for three 10-minute zones are 1.00, 0.68 and 0.22 (a Gaussian decay), the default here.

Worked example (the test suite checks it): two areas with 100 and 300 residents, one
crèche with 20 places; area 1 is 5 minutes away, area 2 is 25 minutes away.  2SFCA with
d0 = 30: R = 20 / (100 + 300) = 0.05, so both areas get A = 0.05 places per resident.
E2SFCA: R = 20 / (100 x 1.00 + 300 x 0.22) = 20 / 166 = 0.1205; area 1 gets
0.1205 x 1.00 = 0.1205, area 2 gets 0.1205 x 0.22 = 0.0265.

Cumulative opportunities count the sites within a threshold; the population-weighted
share of residents beyond a threshold sums the residents of the areas whose nearest site
is farther than it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

#: Luo & Qi (2009): zone upper bounds (minutes) and their weights.
E2SFCA_ZONES: tuple[tuple[float, float], ...] = ((10.0, 1.00), (20.0, 0.68), (30.0, 0.22))


class Missing(StrEnum):
    """Why an indicator value is unknown."""

    POPULATION = "population unknown for an area in the catchment"
    CAPACITY = "capacity unknown for a site within reach"
    TIME = "travel time unknown"
    NO_POPULATION = "no area with known population"


@dataclass(frozen=True)
class Indicator:
    """Values per demand area with the reason for every unknown value.

    Attributes
    ----------
    values : ndarray of float
        One value per area; ``nan`` where unknown.
    reasons : ndarray of object
        ``None`` where the value is known, else a :class:`Missing` reason.
    """

    values: np.ndarray
    reasons: np.ndarray


def zone_weights(
    minutes: np.ndarray, zones: Sequence[tuple[float, float]] = E2SFCA_ZONES
) -> np.ndarray:
    """Return the decay weight of each travel time: the weight of its zone, 0 beyond.

    Zones are ``(upper bound in minutes, weight)`` in increasing order; a time equal to a
    bound belongs to that zone.  Unknown times (``nan``) give ``nan``.
    """
    weights = np.zeros(minutes.shape, dtype=float)
    assigned = np.zeros(minutes.shape, dtype=bool)
    for upper, weight in zones:
        inside = ~assigned & (minutes <= upper)
        weights[inside] = weight
        assigned |= inside
    weights[np.isnan(minutes)] = np.nan
    return weights


def step_weights(minutes: np.ndarray, threshold: float) -> np.ndarray:
    """Return 1 within ``threshold`` minutes, 0 beyond, ``nan`` where the time is unknown."""
    weights = (minutes <= threshold).astype(float)
    weights[np.isnan(minutes)] = np.nan
    return weights


def floating_catchment(
    weights: np.ndarray, population: np.ndarray, capacity: np.ndarray
) -> Indicator:
    """Run both steps of a (possibly weighted) floating catchment area method.

    Parameters
    ----------
    weights : ndarray, shape (areas, sites)
        Decay weights (:func:`step_weights` for 2SFCA, :func:`zone_weights` for E2SFCA).
    population : ndarray, shape (areas,)
        Residents per area; ``nan`` where unknown.
    capacity : ndarray, shape (sites,)
        Places per site; ``nan`` where unknown.

    Returns
    -------
    Indicator
        Supply per resident within reach, per area.
    """
    weights = np.asarray(weights, dtype=float)
    population = np.asarray(population, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    unknown_time = np.isnan(weights)
    reached = np.nan_to_num(weights) > 0
    # step 1: each site's supply per weighted resident of its catchment
    demand = np.where(reached, weights * np.nan_to_num(population)[:, None], 0.0).sum(axis=0)
    site_reason = _site_reasons(reached, unknown_time, population, capacity)
    with np.errstate(divide="ignore", invalid="ignore"):
        # a site with nobody in its catchment serves nobody: it adds nothing in step 2
        ratio = np.where(demand > 0, capacity / demand, 0.0)
    # step 2: the weighted ratios of the sites each area reaches
    values = np.where(reached, weights * np.nan_to_num(ratio)[None, :], 0.0).sum(axis=1)
    reasons = np.full(len(values), None, dtype=object)
    for i in range(len(values)):
        if unknown_time[i].any():
            reasons[i] = Missing.TIME
            continue
        needed = [site_reason[j] for j in np.flatnonzero(reached[i]) if site_reason[j]]
        if needed:
            reasons[i] = min(needed, key=_REASON_ORDER.index)
    values[reasons != None] = np.nan  # noqa: E711 - element-wise on an object array
    return Indicator(values, reasons)


#: When several reasons apply, the first of these is reported.
_REASON_ORDER: tuple[Missing, ...] = (Missing.POPULATION, Missing.CAPACITY, Missing.TIME)


def _site_reasons(
    reached: np.ndarray, unknown_time: np.ndarray, population: np.ndarray, capacity: np.ndarray
) -> list[Missing | None]:
    """Return why each site's step-1 ratio is unknown (``None`` when it is known)."""
    reasons: list[Missing | None] = []
    for j in range(reached.shape[1]):
        if (reached[:, j] & np.isnan(population)).any():
            reasons.append(Missing.POPULATION)
        elif np.isnan(capacity[j]):
            reasons.append(Missing.CAPACITY)
        elif unknown_time[:, j].any():
            reasons.append(Missing.TIME)
        else:
            reasons.append(None)
    return reasons


def two_step_fca(
    minutes: np.ndarray, population: np.ndarray, capacity: np.ndarray, threshold: float
) -> Indicator:
    """Return the 2SFCA accessibility per area (supply per resident within ``threshold``)."""
    return floating_catchment(
        step_weights(np.asarray(minutes, float), threshold), population, capacity
    )


def enhanced_two_step_fca(
    minutes: np.ndarray,
    population: np.ndarray,
    capacity: np.ndarray,
    zones: Sequence[tuple[float, float]] = E2SFCA_ZONES,
) -> Indicator:
    """Return the E2SFCA accessibility per area with zone decay weights ``zones``."""
    return floating_catchment(zone_weights(np.asarray(minutes, float), zones), population, capacity)


def cumulative_opportunities(minutes: np.ndarray, threshold: float) -> Indicator:
    """Return the number of sites within ``threshold`` minutes per area.

    The count is unknown (``nan``, reason ``TIME``) for an area with any unknown time:
    the unknown site might be within reach.
    """
    minutes = np.asarray(minutes, dtype=float)
    values = (minutes <= threshold).sum(axis=1).astype(float)
    unknown = np.isnan(minutes).any(axis=1)
    values[unknown] = np.nan
    reasons = np.full(len(values), None, dtype=object)
    reasons[unknown] = Missing.TIME
    return Indicator(values, reasons)


@dataclass(frozen=True)
class PopulationShare:
    """Share of residents beyond a threshold, over the areas whose population is known.

    Attributes
    ----------
    share : float
        Residents of areas whose nearest site is farther than the threshold, divided by
        the residents of all counted areas; ``nan`` when no area can be counted.
    residents_beyond, residents_counted : float
        Numerator and denominator.
    areas_counted, areas_missing : int
        Areas in the denominator; areas left out (unknown population or time).
    reason : Missing or None
        Why ``share`` is unknown.
    """

    share: float
    residents_beyond: float
    residents_counted: float
    areas_counted: int
    areas_missing: int
    reason: Missing | None


def share_beyond(
    nearest_minutes: np.ndarray, population: np.ndarray, threshold: float
) -> PopulationShare:
    """Return the population-weighted share of residents more than ``threshold`` away.

    ``nearest_minutes`` is the time to the nearest site per area (``inf`` when none is
    reachable, ``nan`` when unknown).  Areas with unknown population or time are left
    out and counted in ``areas_missing``: the share describes the counted areas only.
    """
    t = np.asarray(nearest_minutes, dtype=float)
    p = np.asarray(population, dtype=float)
    known = ~np.isnan(t) & ~np.isnan(p)
    counted = float(p[known].sum())
    beyond = float(p[known & (t > threshold)].sum())
    missing = int((~known).sum())
    if not known.any() or counted <= 0:
        return PopulationShare(
            np.nan, beyond, counted, int(known.sum()), missing, Missing.NO_POPULATION
        )
    return PopulationShare(beyond / counted, beyond, counted, int(known.sum()), missing, None)
