"""A transparent score for candidate neighbourhoods: weighted components, raw values kept.

Single-number scores (Walk Score, Mobiscore) are criticised because users cannot see why
a place scores as it does.  Here every score is the weighted mean of five components,
each in [0, 1], and the table keeps the raw value behind each one:

========== ============================================ =====================================
component  raw value (columns of the candidates table)  normalisation
========== ============================================ =====================================
commute    ``minutes_1`` (and ``minutes_2``)            ``1 - minutes / limit`` of the person
                                                        closest to their own limit (1 at the
                                                        door, 0 at the limit); a commute
                                                        beyond the limit (no minutes) is 0
schools    ``n_schools_match``                          min-max over the rows scored, more is
                                                        better
childcare  ``n_childcare_match`` (unknown outside the   min-max over the rows with data, more
           area where childcare is mapped)              is better
transport  ``n_stations + n_bus_stops``                 min-max over the rows scored, more is
                                                        better
price      ``price_eur`` (the municipal median)         min-max over the rows with a price,
                                                        lower is better
========== ============================================ =====================================

Min-max means ``(value - lowest) / (highest - lowest)`` over the rows being scored (the
candidates shown, or the neighbourhoods compared): the best of them gets 1, the worst 0.
When every row has the same value nothing tells them apart and each gets 0.5.

A component without data for a row (unknown childcare, no published price) is *missing*:
it is left out of that row's score and the other weights are renormalised, never counted
as 0.  A row whose every weighted component is missing has no score.  All weights zero is
refused (:class:`AllWeightsZeroError`): no score can be formed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Final

import numpy as np
import pandas as pd

from dashboard.layers import candidates as cand

#: The components, in display order.
COMPONENTS: Final = ("commute", "schools", "childcare", "transport", "price")
#: The weights a user can give each component (whole numbers).
WEIGHT_RANGE: Final = (0, 5)
#: Value of a min-max component when every row scored has the same raw value.
TIED: Final = 0.5


class ScoreError(ValueError):
    """A score cannot be formed from what was given."""


class AllWeightsZeroError(ScoreError):
    """Every weight is zero: there is nothing to weigh."""

    def __init__(self) -> None:
        super().__init__("every weight is zero: give at least one component a weight")


@dataclass(frozen=True)
class Weights:
    """How much each component counts (whole numbers in :data:`WEIGHT_RANGE`)."""

    commute: int = 3
    schools: int = 1
    childcare: int = 1
    transport: int = 1
    price: int = 1

    def as_dict(self) -> dict[str, int]:
        """Return ``{component: weight}`` in :data:`COMPONENTS` order."""
        return {item.name: int(getattr(self, item.name)) for item in fields(self)}

    @property
    def all_zero(self) -> bool:
        """True when no component has a weight."""
        return not any(self.as_dict().values())


def raw_values(candidates: pd.DataFrame) -> pd.DataFrame:
    """Return the raw value behind each component except commute (one column each).

    Parameters
    ----------
    candidates : DataFrame
        Rows of a ranking (:func:`dashboard.layers.candidates.rank_candidates`) or any
        frame with ``n_schools_match``, ``n_childcare_match``, ``n_stations``,
        ``n_bus_stops`` and ``price_eur``.

    Returns
    -------
    DataFrame
        ``schools``, ``childcare``, ``transport`` and ``price`` as floats (NaN where
        unknown), indexed like ``candidates``.
    """
    _require(candidates, ("n_schools_match", "n_childcare_match", "n_stations", "n_bus_stops"))
    _require(candidates, ("price_eur",))
    return pd.DataFrame(
        {
            "schools": _floats(candidates["n_schools_match"]),
            "childcare": _floats(candidates["n_childcare_match"]),
            "transport": _floats(candidates["n_stations"]) + _floats(candidates["n_bus_stops"]),
            "price": _floats(candidates["price_eur"]),
        },
        index=candidates.index,
    )


def commute_component(candidates: pd.DataFrame, limits: Sequence[float]) -> pd.Series:
    """Return ``1 - minutes / limit`` of the person closest to their limit, in [0, 1].

    Parameters
    ----------
    candidates : DataFrame
        With ``minutes_1`` (and ``minutes_2`` when two people commute); NaN minutes
        mean beyond the limit (the engine stops searching there).
    limits : sequence of float
        Each person's time limit in minutes, person 1 first.

    Returns
    -------
    Series
        Never missing: a commute beyond the limit scores 0.

    Raises
    ------
    ScoreError
        When a limit is not positive or a person's minutes column is absent.
    """
    if not limits or any(not limit > 0 for limit in limits):
        msg = f"every time limit must be positive, got {list(limits)}"
        raise ScoreError(msg)
    _require(candidates, [f"minutes_{p}" for p in range(1, len(limits) + 1)])
    shares = np.column_stack(
        [
            _floats(candidates[f"minutes_{p}"]).to_numpy() / float(limit)
            for p, limit in enumerate(limits, start=1)
        ]
    )
    # No minutes: beyond the limit, as bad as the limit itself.
    worst = np.nan_to_num(shares, nan=1.0).max(axis=1)
    return pd.Series(np.clip(1.0 - worst, 0.0, 1.0), index=candidates.index, name="commute")


def min_max(values: pd.Series, *, higher_is_better: bool) -> pd.Series:
    """Return ``values`` scaled to [0, 1] over its known values (NaN stays NaN).

    The best known value gets 1 and the worst 0; when all known values are equal each
    gets :data:`TIED`.
    """
    known = values.dropna()
    if known.empty:
        return pd.Series(np.nan, index=values.index, dtype="float64")
    low, high = float(known.min()), float(known.max())
    if high == low:
        return values.where(values.isna(), TIED).astype("float64")
    scaled = (values - low) / (high - low)
    return (scaled if higher_is_better else 1.0 - scaled).astype("float64")


def components(candidates: pd.DataFrame, limits: Sequence[float]) -> pd.DataFrame:
    """Return every component in [0, 1] (NaN where missing), columns :data:`COMPONENTS`."""
    raw = raw_values(candidates)
    out = pd.DataFrame(index=candidates.index)
    out["commute"] = commute_component(candidates, limits)
    for name in ("schools", "childcare", "transport"):
        out[name] = min_max(raw[name], higher_is_better=True)
    out["price"] = min_max(raw["price"], higher_is_better=False)
    return out


def weighted_score(parts: pd.DataFrame, weights: Weights) -> pd.Series:
    """Return the weighted mean of the known components of each row, in [0, 1].

    A missing component is left out and the remaining weights renormalised; a row with
    no known weighted component gets NaN.

    Raises
    ------
    AllWeightsZeroError
        When every weight is zero.
    """
    if weights.all_zero:
        raise AllWeightsZeroError
    values = parts[list(COMPONENTS)].to_numpy(dtype="float64")
    w = np.array([weights.as_dict()[c] for c in COMPONENTS], dtype="float64")
    known = ~np.isnan(values)
    used = (known * w).sum(axis=1)
    total = (np.nan_to_num(values) * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(used > 0, total / used, np.nan)
    return pd.Series(score, index=parts.index, name="score")


def missing_components(parts: pd.DataFrame, weights: Weights) -> pd.Series:
    """Return, per row, the weighted components without data (a tuple of names)."""
    weighted = [c for c, w in weights.as_dict().items() if w > 0]
    return pd.Series(
        [tuple(c for c in weighted if pd.isna(row[c])) for _, row in parts.iterrows()],
        index=parts.index,
        name="missing",
        dtype="object",
    )


def score_table(
    candidates: pd.DataFrame, weights: Weights, limits: Sequence[float]
) -> pd.DataFrame:
    """Score the rows of ``candidates`` and keep the raw values behind each component.

    Parameters
    ----------
    candidates : DataFrame
        Rows of a ranking (needs ``code``, ``name``, the minutes and the amenity and
        price columns of :func:`raw_values`).
    weights : Weights
        The user's weights.
    limits : sequence of float
        Each person's time limit (minutes), person 1 first.

    Returns
    -------
    DataFrame
        ``code``, ``name``, ``score``, then per component its raw value(s)
        (``minutes_1``/``minutes_2``, ``raw_schools``, ``raw_childcare``,
        ``raw_transport``, ``raw_price``) and ``part_<component>`` in [0, 1] (NaN where
        missing), and ``missing`` (the weighted components without data); sorted by
        score, best first (rows without a score last), ties by code.

    Raises
    ------
    AllWeightsZeroError
        When every weight is zero.
    """
    if weights.all_zero:
        raise AllWeightsZeroError
    _require(candidates, ("code", "name"))
    parts = components(candidates, limits)
    raw = raw_values(candidates)
    out = pd.DataFrame({"code": candidates["code"], "name": candidates["name"]})
    out["score"] = weighted_score(parts, weights)
    for p in range(1, len(limits) + 1):
        out[f"minutes_{p}"] = _floats(candidates[f"minutes_{p}"])
    for name in COMPONENTS:
        if name != "commute":
            out[f"raw_{name}"] = raw[name]
    for name in COMPONENTS:
        out[f"part_{name}"] = parts[name]
    out["missing"] = missing_components(parts, weights)
    return out.sort_values(["score", "code"], ascending=[False, True], na_position="last")


def place_figures(
    places: pd.DataFrame,
    commute: pd.DataFrame,
    schools: pd.DataFrame,
    international: pd.DataFrame,
    childcare: pd.DataFrame,
    filters: cand.PlaceFilters,
) -> pd.DataFrame:
    """Return the columns :func:`score_table` reads for any neighbourhoods, filtered or not.

    The same counts as the ranking's (matching schools, international schools in the
    region, childcare of the chosen type: unknown where the wijk has no childcare
    data), the municipal median of ``filters.budget_type`` as ``price_eur``, and the
    commute columns joined on the index: the ranking's own columns
    (:func:`dashboard.layers.candidates.scored_places`), without geometry.  No
    neighbourhood is removed (the comparison shows a shortlisted one even when a filter
    or a limit would drop it).
    """
    frame = cand.scored_places(places, commute, schools, international, childcare, filters)
    return pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))


def _floats(column: pd.Series) -> pd.Series:
    """Return a column as float64 with NaN for missing values (nullable ints included)."""
    return pd.to_numeric(column, errors="coerce").astype("float64")


def _require(frame: pd.DataFrame, columns: Sequence[str] | Mapping[str, object]) -> None:
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        msg = f"the candidates table lacks column(s) {', '.join(absent)}"
        raise ScoreError(msg)
