"""Service gaps per neighbourhood: one indicator for a facility layer, mode and threshold.

The planner's table (:func:`indicator_table`): one row per neighbourhood with the value
of the chosen indicator, the minutes to the nearest facility, the population, whether
the time is estimated (beyond the street graphs' coverage) or a bound (childcare mapped
only in part), and why a value is missing.  Four indicators (:data:`INDICATORS`):

``nearest``
    Minutes to the nearest facility (the ``accessibility`` layer).
``count``
    Cumulative opportunities: facilities within the threshold (``count_<threshold>``).
``fca``
    Two-step floating catchment area (:func:`dashboard.planner.indicators.two_step_fca`)
    with the threshold as catchment: capacity per 1,000 residents within reach.
``e2sfca``
    The enhanced variant with Luo & Qi's three 10-minute zones (the threshold is not used).

The catchment methods need a neighbourhoods x facilities matrix of minutes
(:func:`catchment_matrix`, one engine query per neighbourhood), the population of every
neighbourhood in a catchment and the capacity of every facility reached: childcare
``places`` where known, schools' 2022 pupil counts (``enrolments_2022``, a proxy for
seats).  A value that needs an unknown number is missing with its reason, never 0.
The region summary (:func:`region_summary`) is the population-weighted share of
residents farther than the threshold from the nearest facility, over the neighbourhoods
whose population is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np
import pandas as pd

from dashboard.engine.accessibility import FACILITY_LAYERS, THRESHOLDS, Places, minutes_matrix
from dashboard.engine.accessibility_train import TRAIN_MODES, train_matrix
from dashboard.engine.core import CommuteEngine
from dashboard.engine.settings import STREET_MODES
from dashboard.planner import indicators as ind

#: Modes of the planner: the street modes, then train with walk or bike access (the
#: ``accessibility`` layer has train rows only for places with a station within reach).
PLANNER_MODES: Final[tuple[str, ...]] = (*STREET_MODES, *TRAIN_MODES)
#: Indicators of the planner, in the order the page offers them.
INDICATORS: Final[tuple[str, ...]] = ("nearest", "count", "fca", "e2sfca")
#: Indicators where a low value is a gap (the others: a high value).
LOW_IS_WORSE: Final[frozenset[str]] = frozenset({"count", "fca", "e2sfca"})
#: Catchment indicators (need :func:`catchment_matrix` and capacities).
CATCHMENT_INDICATORS: Final[frozenset[str]] = frozenset({"fca", "e2sfca"})
#: Facility layer -> (snapshot layer, capacity column).  Schools have no seat counts:
#: their 2022 pupil counts stand in for them (labelled so on the page).
CAPACITY_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "primary_schools": ("schools", "enrolments_2022"),
    "secondary_schools": ("schools", "enrolments_2022"),
    "childcare": ("childcare", "places"),
}
#: Catchment values are capacity per this many residents (per resident is tiny).
PER_RESIDENTS: Final[int] = 1000
#: Longest travel time of a catchment (the E2SFCA zones and the largest threshold).
CATCHMENT_MAX_MINUTES: Final[float] = max(upper for upper, _ in ind.E2SFCA_ZONES)
#: Columns of :func:`indicator_table`, in order.
TABLE_COLUMNS: Final[tuple[str, ...]] = (
    "code",
    "name",
    "municipality",
    "population",
    "value",
    "nearest_minutes",
    "estimated",
    "lower_bound",
    "reason",
    "detail",
)


class Reason(StrEnum):
    """Why a value is missing (the value is a text key suffix: ``pl_reason_<value>``)."""

    UNMAPPED = "unmapped"
    POPULATION = "population"
    CAPACITY = "capacity"
    TIME = "time"
    NO_POPULATION = "no_population"
    NO_CAPACITY = "no_capacity"
    NO_STATION = "no_station"


_FROM_MISSING: Final[dict[ind.Missing, Reason]] = {
    ind.Missing.POPULATION: Reason.POPULATION,
    ind.Missing.CAPACITY: Reason.CAPACITY,
    ind.Missing.TIME: Reason.TIME,
    ind.Missing.NO_POPULATION: Reason.NO_POPULATION,
}


class GapQueryError(ValueError):
    """A planner question names a value that is not offered.

    Attributes
    ----------
    field : str
        ``"layer"``, ``"mode"``, ``"threshold"`` or ``"indicator"``.
    value : object
        The value given.
    allowed : tuple
        The values offered.
    """

    def __init__(self, field: str, value: object, allowed: Sequence[object]) -> None:
        super().__init__(f"unknown {field} {value!r}; choose one of {', '.join(map(str, allowed))}")
        self.field = field
        self.value = value
        self.allowed = tuple(allowed)


@dataclass(frozen=True)
class GapQuery:
    """One planner question: which facilities, by which mode, which indicator, which limit."""

    layer: str
    mode: str
    threshold: int
    indicator: str

    def check(self) -> GapQuery:
        """Return the query itself; raise :class:`GapQueryError` naming a bad field."""
        offered: tuple[tuple[str, object, Sequence[object]], ...] = (
            ("layer", self.layer, tuple(FACILITY_LAYERS)),
            ("mode", self.mode, PLANNER_MODES),
            ("threshold", self.threshold, THRESHOLDS),
            ("indicator", self.indicator, INDICATORS),
        )
        for field, value, allowed in offered:
            if value not in allowed:
                raise GapQueryError(field, value, allowed)
        return self


@dataclass(frozen=True)
class Catchments:
    """Minutes from every neighbourhood to every facility of a layer, with capacities.

    Attributes
    ----------
    codes : ndarray of str
        Neighbourhood codes (rows).
    minutes : ndarray, shape (neighbourhoods, facilities)
        Minutes; ``inf`` beyond :data:`CATCHMENT_MAX_MINUTES` (no weight in any method).
    capacity : ndarray of float, shape (facilities,)
        Capacity per facility; ``nan`` where unknown.
    """

    codes: np.ndarray
    minutes: np.ndarray
    capacity: np.ndarray


def catchment_matrix(
    engine: CommuteEngine,
    origins: Places,
    facilities: Places,
    mode: str,
    max_minutes: float = CATCHMENT_MAX_MINUTES,
) -> np.ndarray:
    """Return minutes from each origin to each facility (``inf`` beyond ``max_minutes``).

    Street modes: the engine's :func:`dashboard.engine.accessibility.minutes_matrix`, per
    origin the bounded single query to every facility, as the accessibility layer's
    counts.  Train modes: per pair the faster of that street time by the access mode and
    the median train time (:func:`dashboard.engine.accessibility_train.train_matrix`), as
    a single train query gives it; a place with no station within reach keeps the street
    time.  Every method here gives a pair beyond the limit no weight, so it is ``inf``
    (not unknown).
    """
    if mode not in TRAIN_MODES:
        return minutes_matrix(engine, mode, origins, facilities, max_minutes)
    access = mode.removeprefix("train_")
    street = minutes_matrix(engine, access, origins, facilities, max_minutes)
    both = np.minimum(street, train_matrix(engine, access, origins, facilities).minutes)
    both[both > max_minutes] = np.inf
    return np.asarray(both, dtype=float)


def facility_capacity(layer: str, facilities: Places, table: pd.DataFrame | None) -> np.ndarray:
    """Return the capacity of each facility of ``layer`` (``nan`` where unknown).

    ``table`` is the snapshot layer named in :data:`CAPACITY_COLUMNS` (``id`` and the
    capacity column); a layer without capacity figures gives ``nan`` for every facility.
    """
    if layer not in CAPACITY_COLUMNS or table is None:
        return np.full(len(facilities), np.nan)
    column = CAPACITY_COLUMNS[layer][1]
    by_id = pd.Series(table[column].astype("Float64").to_numpy(), index=table["id"].astype(str))
    values = by_id.reindex(pd.Index(facilities.ids.astype(str)))
    return values.astype(float).to_numpy(dtype=float, na_value=np.nan)


def layer_rows(access: pd.DataFrame, layer: str, mode: str) -> pd.DataFrame:
    """Return the accessibility rows of one facility layer and mode, indexed by ``code``."""
    rows = access.loc[(access["layer"] == layer) & (access["mode"] == mode)]
    return rows.set_index(rows["code"].astype(str))


def indicator_table(
    query: GapQuery,
    access: pd.DataFrame,
    places: pd.DataFrame,
    catchments: Catchments | None = None,
) -> pd.DataFrame:
    """Return the indicator per neighbourhood (:data:`TABLE_COLUMNS`).

    Parameters
    ----------
    query : GapQuery
        The question (checked: :class:`GapQueryError` names a bad field).
    access : DataFrame
        The ``accessibility`` layer.
    places : DataFrame
        The ``neighbourhoods`` layer (``code``, ``name``, ``municipality``,
        ``population``, ``childcare_coverage``).
    catchments : Catchments, optional
        Needed for the catchment indicators (``fca``, ``e2sfca``) of a layer with
        capacities; ignored otherwise.

    Returns
    -------
    DataFrame
        One row per neighbourhood in ``places``' order.  ``value`` is ``nan`` where
        missing, with ``reason`` (a :class:`Reason`) and ``detail`` (the layer's own
        explanation, where it gives one); ``lower_bound`` marks childcare values that
        count the mapped locations only.
    """
    query.check()
    rows = layer_rows(access, query.layer, query.mode)
    codes = pd.Index(places["code"].astype(str))
    if catchments is not None and not codes.equals(pd.Index(catchments.codes.astype(str))):
        msg = "catchment rows must be the neighbourhoods in the order of places"
        raise ValueError(msg)
    here = rows.reindex(codes)
    nearest = here["nearest_minutes"].astype(float).to_numpy()
    out = pd.DataFrame(
        {
            "code": codes.to_numpy(),
            "name": places["name"].astype(str).to_numpy(),
            "municipality": places["municipality"].astype(str).to_numpy(),
            "population": places["population"]
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan),
            "nearest_minutes": nearest,
            "estimated": here["estimated"].fillna(False).astype(bool).to_numpy(),
            "lower_bound": _lower_bound(query.layer, places),
        }
    )
    unmapped = np.isnan(nearest)
    values, reasons = _values(query, here, out["population"].to_numpy(), unmapped, catchments)
    if query.mode in TRAIN_MODES:  # the layer has train rows only near a station
        reasons[~codes.isin(rows.index)] = Reason.NO_STATION
    out["value"] = values
    # object dtype: pandas would infer a string column and turn None into NaN
    out["reason"] = pd.Series(reasons, index=out.index, dtype=object)
    out["detail"] = np.where(unmapped, here["method"].fillna("").astype(str).to_numpy(), "")
    return out[list(TABLE_COLUMNS)]


def _lower_bound(layer: str, places: pd.DataFrame) -> np.ndarray:
    """Childcare is mapped only in part of some neighbourhoods: their values are bounds."""
    if layer != "childcare" or "childcare_coverage" not in places:
        return np.zeros(len(places), dtype=bool)
    return (places["childcare_coverage"].astype(str) == "partial").to_numpy()


def _values(
    query: GapQuery,
    here: pd.DataFrame,
    population: np.ndarray,
    unmapped: np.ndarray,
    catchments: Catchments | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the values and reasons (``None`` where known) in the table's row order."""
    if query.indicator == "nearest":
        values = here["nearest_minutes"].astype(float).to_numpy()
    elif query.indicator == "count":
        count = here[f"count_{query.threshold}"].astype("Float64")
        values = count.to_numpy(dtype=float, na_value=np.nan)
    else:
        return _catchment_values(query, population, unmapped, catchments)
    reasons = np.full(len(values), None, dtype=object)
    reasons[np.isnan(values)] = Reason.UNMAPPED
    return values, reasons


def _catchment_values(
    query: GapQuery,
    population: np.ndarray,
    unmapped: np.ndarray,
    catchments: Catchments | None,
) -> tuple[np.ndarray, np.ndarray]:
    """2SFCA or E2SFCA per 1,000 residents; missing with the reason where not computable."""
    n = len(population)
    if query.layer not in CAPACITY_COLUMNS or catchments is None:
        return np.full(n, np.nan), np.full(n, Reason.NO_CAPACITY, dtype=object)
    # A neighbourhood where nothing is mapped still counts as demand (its times to the
    # mapped facilities are known); only its own value is unknown (set below).
    minutes = catchments.minutes
    if query.indicator == "fca":
        result = ind.two_step_fca(minutes, population, catchments.capacity, query.threshold)
    else:
        result = ind.enhanced_two_step_fca(minutes, population, catchments.capacity)
    reasons = np.array([_FROM_MISSING[r] if r is not None else None for r in result.reasons])
    reasons = reasons.astype(object)
    reasons[unmapped] = Reason.UNMAPPED
    values = np.where(reasons == None, result.values * PER_RESIDENTS, np.nan)  # noqa: E711
    return values, reasons


def filter_municipalities(table: pd.DataFrame, municipalities: Iterable[str]) -> pd.DataFrame:
    """Return the rows of the given municipalities (all rows when none is given)."""
    chosen = list(municipalities)
    if not chosen:
        return table
    return table.loc[table["municipality"].isin(chosen)]


def worst_served(table: pd.DataFrame, indicator: str, n: int = 10) -> pd.DataFrame:
    """Return the ``n`` neighbourhoods with the worst known value of ``indicator``.

    Worst is the longest time for ``nearest`` and the lowest value for the others; ties
    go to the longer nearest time, then to the code.  Missing values are not ranked.
    """
    known = table.loc[table["value"].notna()]
    ascending = indicator in LOW_IS_WORSE
    ranked = known.sort_values(
        ["value", "nearest_minutes", "code"], ascending=[ascending, False, True], kind="stable"
    )
    return ranked.head(n)


def region_summary(table: pd.DataFrame, threshold: float) -> ind.PopulationShare:
    """Return the population-weighted share of residents beyond ``threshold`` minutes.

    Over the rows of ``table`` (a municipality filter applies) whose population and
    nearest time are known; the others are counted in ``areas_missing``.
    """
    return ind.share_beyond(
        table["nearest_minutes"].to_numpy(dtype=float),
        table["population"].to_numpy(dtype=float),
        threshold,
    )
