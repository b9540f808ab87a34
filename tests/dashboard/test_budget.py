"""Budget as a flag, not an exclusion, and what each constraint removed (issue 8, item 1).

On the REAL snapshot (geodata/) and the real engine: the issue's couple, person 1 at UZ
Leuven Gasthuisberg by bike (30 min), person 2 at the European Commission (Berlaymont,
Brussels) by bike + train (75 min), budget EUR 400k for a house.  Leuven's municipal median
(Statbel) is above that budget; expectations are derived from the layers and the commute
columns, not typed in.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.layers.candidates import (
    Commute,
    Constraint,
    PlaceFilters,
    Ranking,
    commute_columns,
    rank_candidates,
    rank_with_removals,
    sort_candidates,
)
from geodata.io import load_layer

#: Workplace coordinates from the mirror's workplaces/major_workplaces.csv.
GASTHUISBERG = LatLon(50.87947, 4.67276)
BERLAYMONT = LatLon(50.84370, 4.38266)
BUDGET = 400_000.0


@pytest.fixture(scope="module")
def layers() -> dict[str, pd.DataFrame]:
    names = ("neighbourhoods", "schools", "international_schools", "childcare")
    return {name: load_layer(name) for name in names}


@pytest.fixture(scope="module")
def commute(layers: dict[str, pd.DataFrame]) -> pd.DataFrame:
    questions = [Commute(GASTHUISBERG, "bike", 30.0), Commute(BERLAYMONT, "train_bike", 75.0)]
    return commute_columns(CommuteEngine(), layers["neighbourhoods"], questions)


def _ranking(layers: dict[str, pd.DataFrame], commute: pd.DataFrame, **kw: object) -> Ranking:
    filters = PlaceFilters(budget_type="house", budget_max_eur=BUDGET, **kw)  # type: ignore[arg-type]
    places = gpd.GeoDataFrame(layers["neighbourhoods"])
    return rank_with_removals(
        places,
        commute,
        layers["schools"],
        layers["international_schools"],
        layers["childcare"],
        filters,
    )


def _reached(layers: dict[str, pd.DataFrame], commute: pd.DataFrame) -> pd.DataFrame:
    both = commute["minutes_1"].notna() & commute["minutes_2"].notna()
    return layers["neighbourhoods"].loc[both]


def _adds_up(ranking: Ranking) -> None:
    """Each rule starts where the previous one left off; all removals plus the result = all."""
    still = ranking.total
    for removal in ranking.removals:
        assert removal.before == still
        assert 0 <= removal.removed <= removal.before
        still -= removal.removed
    assert still == len(ranking.candidates)


def test_leuven_is_above_the_budget_in_the_data(layers: dict[str, pd.DataFrame]) -> None:
    # The premise of the scenario, read from the snapshot (Statbel 2024: EUR 455k).
    places = layers["neighbourhoods"]
    leuven = places.loc[places["municipality"] == "Leuven", "median_house_price_muni"]
    assert len(leuven) > 0 and (leuven > BUDGET).all()


def test_budget_flags_leuven_instead_of_removing_it(
    layers: dict[str, pd.DataFrame], commute: pd.DataFrame
) -> None:
    ranking = _ranking(layers, commute)
    ranked = ranking.candidates
    reached = _reached(layers, commute)
    leuven_reached = (reached["municipality"] == "Leuven").sum()
    assert leuven_reached > 0
    leuven = ranked.loc[ranked["municipality"] == "Leuven"]
    assert len(leuven) == leuven_reached  # every reached Leuven wijk is kept ...
    assert leuven["median_over_budget"].all()  # ... and flagged
    assert sorted(ranked["code"]) == sorted(reached["code"])  # the budget removed nothing
    expected_flag = (ranked["price_eur"] > BUDGET).to_numpy()  # unknown price: not flagged
    assert ranked["median_over_budget"].to_numpy().tolist() == expected_flag.tolist()
    assert ranked["median_over_budget"].dtype == bool
    assert not ranked["median_over_budget"].all()  # some candidates are within the budget
    assert [(r.constraint, r.person) for r in ranking.removals] == [
        (Constraint.COMMUTE, 1),
        (Constraint.COMMUTE, 2),
    ]
    assert ranking.total == len(layers["neighbourhoods"])
    _adds_up(ranking)


def test_default_filters_only_flag(layers: dict[str, pd.DataFrame], commute: pd.DataFrame) -> None:
    # rank_candidates (what dashboard/cache.py calls) with only a budget set keeps Leuven.
    filters = PlaceFilters(budget_max_eur=BUDGET)
    ranked = rank_candidates(
        gpd.GeoDataFrame(layers["neighbourhoods"]),
        commute,
        layers["schools"],
        layers["international_schools"],
        layers["childcare"],
        filters,
    )
    assert (ranked["municipality"] == "Leuven").any()


def test_strict_budget_removes_leuven_and_is_named(
    layers: dict[str, pd.DataFrame], commute: pd.DataFrame
) -> None:
    flagged = _ranking(layers, commute).candidates
    ranking = _ranking(layers, commute, budget_strict=True)
    ranked = ranking.candidates
    assert not (ranked["municipality"] == "Leuven").any()
    assert not ranked["median_over_budget"].any()
    last = ranking.removals[-1]
    assert last.constraint is Constraint.BUDGET and last.person is None
    assert last.before == len(flagged)
    assert last.removed == int(flagged["median_over_budget"].sum())
    assert sorted(ranked["code"]) == sorted(flagged.loc[~flagged["median_over_budget"], "code"])
    _adds_up(ranking)


def test_commute_removals_count_each_person(
    layers: dict[str, pd.DataFrame], commute: pd.DataFrame
) -> None:
    first, second = _ranking(layers, commute).removals
    assert first.removed == int(commute["minutes_1"].isna().sum())
    beyond_2 = commute["minutes_1"].notna() & commute["minutes_2"].isna()
    assert second.removed == int(beyond_2.sum())
    assert first.removed > 0 and second.removed > 0


def test_sort_by_budget_puts_flagged_candidates_last(
    layers: dict[str, pd.DataFrame], commute: pd.DataFrame
) -> None:
    by_commute = _ranking(layers, commute).candidates
    ranked = _ranking(layers, commute, sort_by="budget").candidates
    assert sorted(ranked["code"]) == sorted(by_commute["code"])
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    flags = ranked["median_over_budget"].tolist()
    assert flags == sorted(flags)  # False (within budget) first, then True
    assert flags[0] is False and flags[-1] is True
    assert by_commute["median_over_budget"].tolist() != flags  # the order really changed
    for _, group in ranked.groupby("median_over_budget"):
        assert group["worst_minutes"].is_monotonic_increasing
    resorted = sort_candidates(by_commute, "budget")
    assert resorted["code"].tolist() == ranked["code"].tolist()
    assert resorted["rank"].tolist() == ranked["rank"].tolist()
    back = sort_candidates(resorted, "commute")
    assert back["code"].tolist() == by_commute["code"].tolist()
    with pytest.raises(ValueError, match="sort order"):
        sort_candidates(by_commute, "cheapest")
    with pytest.raises(ValueError, match="sort order"):
        _ranking(layers, commute, sort_by="cheapest")


def test_every_filter_is_counted_in_order(
    layers: dict[str, pd.DataFrame], commute: pd.DataFrame
) -> None:
    ranking = _ranking(
        layers,
        commute,
        school_level="secundair",
        childcare_type="groepsopvang_0_3",
        childcare_keep_unknown=False,
        budget_strict=True,
    )
    assert [r.constraint for r in ranking.removals] == [
        Constraint.COMMUTE,
        Constraint.COMMUTE,
        Constraint.SCHOOLS,
        Constraint.CHILDCARE,
        Constraint.BUDGET,
    ]
    _adds_up(ranking)
    # Nothing is left: the page can name the rule that removed the most.
    assert ranking.candidates.empty
    assert sum(r.removed for r in ranking.removals) == ranking.total


def test_international_replaces_the_school_rule(
    layers: dict[str, pd.DataFrame], commute: pd.DataFrame
) -> None:
    ranking = _ranking(layers, commute, international_only=True, school_level="lager")
    rule = ranking.removals[2]
    assert rule.constraint is Constraint.INTERNATIONAL
    # Only international schools inside the region count (out-of-region rows do not).
    intl = layers["international_schools"]
    inside = set(intl.loc[intl["in_region"].fillna(False).astype(bool), "wijk"].dropna())
    reached = _reached(layers, commute)
    assert rule.removed == int((~reached["code"].isin(inside)).sum())
    _adds_up(ranking)


@pytest.mark.parametrize("keep_unknown", [True, False])
def test_childcare_removal_counts_only_the_chosen_type(
    layers: dict[str, pd.DataFrame], commute: pd.DataFrame, keep_unknown: bool
) -> None:
    reached = _reached(layers, commute)
    care = layers["childcare"]
    unknown = reached["childcare_coverage"] == "none"
    removed = {}
    for kind in ("groepsopvang_0_3", "kindergarten_tag_unclear"):
        ranking = _ranking(
            layers, commute, childcare_type=kind, childcare_keep_unknown=keep_unknown
        )
        rule = ranking.removals[-1]
        assert rule.constraint is Constraint.CHILDCARE
        with_kind = set(care.loc[care["category"] == kind, "wijk"].dropna())
        kept = reached["code"].isin(with_kind) | (unknown & keep_unknown)
        assert rule.removed == int((~kept).sum())
        removed[kind] = rule.removed
        _adds_up(ranking)
    assert removed["groepsopvang_0_3"] != removed["kindergarten_tag_unclear"]
