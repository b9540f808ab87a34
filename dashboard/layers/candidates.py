"""Candidate neighbourhoods: commute times to the workplace(s), filters and ranking.

Each of the 427 neighbourhoods (wijken) is a candidate place to live, represented by its
interior point (``centroid_lon``, ``centroid_lat``).  Commute minutes go from that point
TO each workplace.  School and childcare filters then drop candidates, and the rest are
ranked by the longer of the two commutes (a couple is as happy as its worse commute),
then by their sum.

The price is the *municipal* median sale price (Statbel), the same for every
neighbourhood of a municipality: context, not the price of a house there.  A budget
therefore flags candidates whose median is above it (``median_over_budget``, also a sort
key) and removes them only when the user asks for a strict budget.  The share of sales
under the budget cannot be given: the mirror's Statbel file has only the median (p50) and
the number of sales per municipality, type and year, no distribution.

:func:`rank_with_removals` also says, in the order the constraints are applied, how many
neighbourhoods each one removed, so an empty result can name its cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.engine.core import CommuteEngine, CommuteTimes, commute_times
from dashboard.engine.errors import EngineError
from dashboard.engine.inputs import LatLon, parse_date, parse_hhmm

#: School levels offered by the filter (values of the schools ``levels`` column).
SCHOOL_LEVELS = ("kleuter", "lager", "secundair", "buitengewoon")
#: Readable school networks (values of the schools ``net`` column).
SCHOOL_NETS = ("GO!", "officieel gesubsidieerd", "vrij gesubsidieerd", "andere")
SCHOOL_LANGUAGES = ("Nederlandstalig", "Franstalig")
CHILDCARE_TYPES = (
    "groepsopvang_0_3",
    "gezinsopvang_0_3",
    "buitenschoolse_opvang",
    "kinderopvang_0_3_unknown_type",
    "kinderopvang_unknown_type",
    "kindergarten_tag_unclear",
)
BUDGET_TYPES = ("house", "apartment")
#: Orders of the ranking: by commute (worst, then total), or candidates whose municipal
#: median is within the budget first (then by commute).
SORT_KEYS = ("commute", "budget")
ANY = "any"


@dataclass(frozen=True)
class Commute:
    """One person's commute question: workplace, mode, limit, arrival time and day.

    ``day`` is an ISO date (``""``: the engine's default weekday); train modes map it onto
    the same weekday of the 2019 feed week, other modes ignore it.
    """

    workplace: LatLon
    mode: str
    max_minutes: float
    arrive_by: str = "09:00"
    day: str = ""


@dataclass(frozen=True)
class PlaceFilters:
    """What a candidate neighbourhood must offer.  ``"any"`` switches a filter off.

    ``budget_max_eur`` (0: none) is compared with the municipal median price of
    ``budget_type``: above it a candidate is flagged (``median_over_budget``), and removed
    only when ``budget_strict``.  ``sort_by`` is one of :data:`SORT_KEYS`.
    """

    school_level: str = ANY
    school_net: str = ANY
    school_language: str = ANY
    international_only: bool = False
    childcare_type: str = ANY
    childcare_keep_unknown: bool = True
    budget_type: str = "house"
    budget_max_eur: float = 0.0
    #: True: drop candidates whose municipal median is above the budget (else only flag).
    budget_strict: bool = False
    sort_by: str = "commute"

    @property
    def schools_active(self) -> bool:
        """True when some school filter restricts the candidates."""
        return self.international_only or any(
            v != ANY for v in (self.school_level, self.school_net, self.school_language)
        )


class CommuteFailedError(EngineError):
    """The commute of one person could not be computed; ``cause`` says why."""

    def __init__(self, person: int, cause: EngineError) -> None:
        super().__init__(str(cause))
        self.person = person
        self.cause = cause


def matching_schools(schools: pd.DataFrame, filters: PlaceFilters) -> pd.DataFrame:
    """Return the rows of the ``schools`` layer that pass the level/net/language filter."""
    mask = pd.Series(True, index=schools.index)
    if filters.school_level != ANY:
        levels = schools["levels"].astype("string").fillna("").str.split(";")
        mask &= levels.map(lambda values: filters.school_level in values).astype(bool)
    if filters.school_net != ANY:
        mask &= (schools["net"] == filters.school_net).fillna(False).astype(bool)
    if filters.school_language != ANY:
        mask &= (schools["language"] == filters.school_language).fillna(False).astype(bool)
    return schools.loc[mask]


def matching_childcare(childcare: pd.DataFrame, filters: PlaceFilters) -> pd.DataFrame:
    """Return the childcare rows of the chosen type (all rows for ``"any"``)."""
    if filters.childcare_type == ANY:
        return childcare
    return childcare.loc[(childcare["category"] == filters.childcare_type).fillna(False)]


def count_by_wijk(points: pd.DataFrame, codes: pd.Series) -> pd.Series:
    """Count ``points`` per wijk code, aligned on ``codes`` (0 where none)."""
    counts = points["wijk"].dropna().astype(str).value_counts()
    return codes.astype(str).map(counts).fillna(0).astype("int64")


def _one_commute(
    engine: CommuteEngine, commute: Commute, lon: np.ndarray, lat: np.ndarray
) -> CommuteTimes:
    # Street modes ignore the arrival time; train modes answer "arrive by" over a window.
    return commute_times(
        engine,
        commute.workplace,
        lon,
        lat,
        mode=commute.mode,
        max_minutes=commute.max_minutes,
        arrive_by=parse_hhmm(commute.arrive_by),
        day=parse_date(commute.day) if commute.day else None,
    )


def commute_columns(
    engine: CommuteEngine, places: pd.DataFrame, commutes: Sequence[Commute]
) -> pd.DataFrame:
    """Minutes from each place's centroid to each workplace.

    Returns
    -------
    DataFrame
        Per person ``i`` (1-based): ``minutes_i`` (typical minutes, nan beyond the
        limit), ``p10_i`` and ``p90_i`` (spread over the hour before arrival for train
        modes; equal to ``minutes_i`` otherwise), ``estimated_i`` and ``method_i``,
        and for modes that say it (the street modes) ``estimated_share_i``: the share
        of the time that is estimated (0 on the network, 1 for a whole-trip estimate,
        NaN without a time); index aligned on ``places``.

    Raises
    ------
    CommuteFailedError
        When the engine refuses a person's query (outside coverage, mode unavailable).
    """
    lon = places["centroid_lon"].to_numpy(dtype="float64")
    lat = places["centroid_lat"].to_numpy(dtype="float64")
    out = pd.DataFrame(index=places.index)
    for number, commute in enumerate(commutes, start=1):
        try:
            times = _one_commute(engine, commute, lon, lat)
        except EngineError as exc:
            raise CommuteFailedError(number, exc) from exc
        out[f"minutes_{number}"] = np.round(np.asarray(times.minutes, dtype="float64"), 1)
        out[f"p10_{number}"] = np.round(np.asarray(times.p10, dtype="float64"), 1)
        out[f"p90_{number}"] = np.round(np.asarray(times.p90, dtype="float64"), 1)
        out[f"estimated_{number}"] = np.asarray(times.estimated, dtype=bool)
        out[f"method_{number}"] = np.asarray(times.method, dtype=str)
        if times.estimated_share is not None:  # street modes say how much is estimated
            share = np.asarray(times.estimated_share, dtype="float64")
            out[f"estimated_share_{number}"] = np.round(share, 3)
    return out


def point_commute_columns(
    engine: CommuteEngine, points: gpd.GeoDataFrame, commutes: Sequence[Commute]
) -> pd.DataFrame:
    """Like :func:`commute_columns` for a point layer (schools, childcare): from each point.

    The same engine call as for the neighbourhoods, so a school's popup and its
    neighbourhood's row agree on method and on what "estimated" means.
    """
    places = pd.DataFrame(
        {"centroid_lon": points.geometry.x, "centroid_lat": points.geometry.y},
        index=points.index,
    )
    return commute_columns(engine, places, commutes)


def _price_column(places: pd.DataFrame, budget_type: str) -> pd.Series:
    column = f"median_{budget_type}_price_muni"
    if column not in places.columns:
        msg = f"unknown budget type {budget_type!r}; choose one of {', '.join(BUDGET_TYPES)}"
        raise ValueError(msg)
    return places[column].astype("float64")


class Constraint(StrEnum):
    """A rule that can remove neighbourhoods (in :func:`rank_with_removals` order)."""

    COMMUTE = "commute"  #: one person's time limit (the removal names the person)
    SCHOOLS = "schools"  #: no school of the chosen level/network/language
    INTERNATIONAL = "international"  #: no international school in the region
    CHILDCARE = "childcare"  #: no childcare of the chosen type
    BUDGET = "budget"  #: municipal median above the budget (only with ``budget_strict``)


@dataclass(frozen=True)
class Removal:
    """How many neighbourhoods one constraint removed.

    Attributes
    ----------
    constraint : Constraint
        Which rule.
    person : int or None
        1-based person for :attr:`Constraint.COMMUTE`, else None.
    before : int
        Neighbourhoods still in when the rule was applied (after the earlier rules).
    removed : int
        How many of those ``before`` it removed.
    """

    constraint: Constraint
    person: int | None
    before: int
    removed: int


@dataclass(frozen=True)
class Ranking:
    """The ranked candidates and why the other neighbourhoods are not among them.

    Attributes
    ----------
    candidates : GeoDataFrame
        As returned by :func:`rank_candidates`.
    removals : tuple of Removal
        One entry per active constraint (zero removals included), in the order applied:
        person 1's limit, person 2's limit, schools or international schools, childcare,
        budget when strict.  ``total - sum(removed) == len(candidates)``.
    total : int
        Neighbourhoods considered (all rows of the ``neighbourhoods`` layer).
    """

    candidates: gpd.GeoDataFrame
    removals: tuple[Removal, ...]
    total: int


def scored_places(
    places: pd.DataFrame,
    commute: pd.DataFrame,
    schools: pd.DataFrame,
    international: pd.DataFrame,
    childcare: pd.DataFrame,
    filters: PlaceFilters,
) -> pd.DataFrame:
    """Return every place with its commute, amenity, price and budget-flag columns.

    What the ranking filters and sorts, and what the comparison and the score read,
    before any constraint removes a place.

    Parameters
    ----------
    places : DataFrame
        Rows of the ``neighbourhoods`` layer (all, or a shortlist).
    commute : DataFrame
        :func:`commute_columns` for ``places`` (joined on the index).
    schools, international, childcare : DataFrame
        The point layers (with a ``wijk`` column).
    filters : PlaceFilters
        The school and childcare filters say what is counted; ``budget_type`` which
        municipal median is ``price_eur``.

    Returns
    -------
    DataFrame
        ``places`` joined with ``commute``, plus ``worst_minutes`` and
        ``total_minutes`` (NaN when anyone is beyond their limit), ``estimated``,
        ``n_international`` (in the region), ``n_schools_match``,
        ``n_childcare_match`` (nullable: unknown where the wijk has no childcare data,
        never 0), ``price_eur`` and ``median_over_budget``.

    Raises
    ------
    ValueError
        For an unknown ``budget_type``.
    """
    persons = _persons(commute)
    frame: pd.DataFrame = places.join(commute)
    minutes = frame[[f"minutes_{p}" for p in persons]].to_numpy(dtype="float64")
    frame["worst_minutes"] = minutes.max(axis=1)  # nan when anyone is beyond the limit
    frame["total_minutes"] = minutes.sum(axis=1)
    frame["estimated"] = frame[[f"estimated_{p}" for p in persons]].any(axis=1)

    intl = international
    if "in_region" in intl.columns:
        intl = intl.loc[intl["in_region"].fillna(False).astype(bool)]
    frame["n_international"] = count_by_wijk(intl, frame["code"])
    matched = intl if filters.international_only else matching_schools(schools, filters)
    frame["n_schools_match"] = count_by_wijk(matched, frame["code"])
    care = count_by_wijk(matching_childcare(childcare, filters), frame["code"])
    unknown = frame["childcare_coverage"].astype(str) == "none"
    frame["n_childcare_match"] = care.astype("Int64").mask(unknown)
    frame["price_eur"] = _price_column(frame, filters.budget_type)
    # An unknown price is not a price above budget (the table shows the gap); no budget
    # (0) flags nothing.  Plain bool, so exports and sorting need no missing value.
    over = frame["price_eur"] > filters.budget_max_eur
    frame["median_over_budget"] = (over & (filters.budget_max_eur > 0)).astype(bool)
    return frame


def _persons(commute: pd.DataFrame) -> list[int]:
    """Return the 1-based persons of a commute frame, in column order."""
    return [int(c.removeprefix("minutes_")) for c in commute.columns if c.startswith("minutes_")]


def _constraint_masks(
    frame: pd.DataFrame, filters: PlaceFilters, persons: Sequence[int]
) -> list[tuple[Constraint, int | None, pd.Series]]:
    """Return the active constraints in the order applied, each with its keep-mask."""
    masks: list[tuple[Constraint, int | None, pd.Series]] = [
        (Constraint.COMMUTE, p, frame[f"minutes_{p}"].notna()) for p in persons
    ]
    if filters.schools_active:
        which = Constraint.INTERNATIONAL if filters.international_only else Constraint.SCHOOLS
        masks.append((which, None, frame["n_schools_match"] > 0))
    if filters.childcare_type != ANY:
        unknown = frame["n_childcare_match"].isna()
        has_care = (frame["n_childcare_match"].fillna(0) > 0).astype(bool)
        masks.append(
            (Constraint.CHILDCARE, None, has_care | (unknown & filters.childcare_keep_unknown))
        )
    if filters.budget_strict and filters.budget_max_eur > 0:
        masks.append((Constraint.BUDGET, None, ~frame["median_over_budget"]))
    return masks


def _order(by: str) -> list[str]:
    if by not in SORT_KEYS:
        msg = f"unknown sort order {by!r}; choose one of {', '.join(SORT_KEYS)}"
        raise ValueError(msg)
    commute = ["worst_minutes", "total_minutes", "code"]
    return ["median_over_budget", *commute] if by == "budget" else commute


def sort_candidates(candidates: gpd.GeoDataFrame, by: str = "commute") -> gpd.GeoDataFrame:
    """Re-sort a ranking and renumber ``rank`` 1..n (no recomputation).

    ``by="commute"``: worst commute, then total, then code.  ``by="budget"``: candidates
    whose municipal median is within the budget (or unknown) first, each group by commute.

    Raises
    ------
    ValueError
        For an order not in :data:`SORT_KEYS`.
    """
    out = candidates.drop(columns="rank", errors="ignore").sort_values(_order(by), kind="stable")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry="geometry", crs=candidates.crs)


def rank_with_removals(
    places: gpd.GeoDataFrame,
    commute: pd.DataFrame,
    schools: pd.DataFrame,
    international: pd.DataFrame,
    childcare: pd.DataFrame,
    filters: PlaceFilters,
) -> Ranking:
    """Rank the candidates (see :func:`rank_candidates`) and count what each rule removed.

    Returns
    -------
    Ranking
        The candidates, and per active constraint (in the order applied) how many of the
        neighbourhoods still in it removed.  A non-strict budget removes nothing and is
        not listed: it only sets ``median_over_budget``.

    Raises
    ------
    ValueError
        For an unknown ``budget_type`` or ``sort_by``.
    """
    _order(filters.sort_by)  # an unknown order fails before any work
    frame = scored_places(places, commute, schools, international, childcare, filters)
    keep = pd.Series(True, index=frame.index)
    removals = []
    for constraint, person, mask in _constraint_masks(frame, filters, _persons(commute)):
        before = int(keep.sum())
        keep &= mask.astype(bool)
        removals.append(Removal(constraint, person, before, before - int(keep.sum())))
    kept = gpd.GeoDataFrame(frame.loc[keep], geometry="geometry", crs=places.crs)
    return Ranking(sort_candidates(kept, filters.sort_by), tuple(removals), len(frame))


def rank_candidates(
    places: gpd.GeoDataFrame,
    commute: pd.DataFrame,
    schools: pd.DataFrame,
    international: pd.DataFrame,
    childcare: pd.DataFrame,
    filters: PlaceFilters,
) -> gpd.GeoDataFrame:
    """Join commute times and amenities onto the neighbourhoods, filter and rank them.

    Parameters
    ----------
    places : GeoDataFrame
        The ``neighbourhoods`` layer.
    commute : DataFrame
        Output of :func:`commute_columns` for ``places``.
    schools, international, childcare : DataFrame
        The point layers (with a ``wijk`` column).
    filters : PlaceFilters
        What a candidate must offer.

    Returns
    -------
    GeoDataFrame
        The candidates reached by every person within their limit and passing every
        filter, sorted by ``filters.sort_by`` (default: ``worst_minutes`` then
        ``total_minutes``), with ``rank`` 1..n.  ``price_eur`` is the municipal median of
        ``budget_type``; ``median_over_budget`` (bool) is True where it is above a budget
        (``budget_max_eur > 0``); those rows are dropped only with ``budget_strict``.
    """
    return rank_with_removals(
        places, commute, schools, international, childcare, filters
    ).candidates


#: Columns of the results table and the exports, in order (minutes_2 when present; the
#: morning chain's when the page joined them, see :func:`allocation.chain_columns`).
RESULT_COLUMNS = [
    "rank",
    "code",
    "name",
    "municipality",
    "minutes_1",
    "p10_1",
    "p90_1",
    "minutes_2",
    "p10_2",
    "p90_2",
    "worst_minutes",
    "estimated",
    "estimated_share_1",
    "estimated_share_2",
    "method_1",
    "method_2",
    "chain_stop",
    "chain_to_stop",
    "chain_to_work",
    "chain_minutes",
    "chain_estimated",
    "n_schools_match",
    "n_school_sites",
    "n_international",
    "n_childcare_match",
    "childcare_coverage",
    "childcare_mapped_share",
    "price_eur",
    "median_over_budget",
    "price_year",
    "n_stations",
    "n_bus_stops",
    "centroid_lon",
    "centroid_lat",
]


def result_table(candidates: pd.DataFrame) -> pd.DataFrame:
    """Return the tabular columns of a ranking (no geometry), in display order."""
    return pd.DataFrame(candidates[[c for c in RESULT_COLUMNS if c in candidates.columns]])


def points_in(points: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """Return the points whose ``wijk`` is one of ``codes`` (the candidates)."""
    wanted = set(codes.astype(str))
    return points.loc[points["wijk"].astype("string").isin(wanted).fillna(False).astype(bool)]
