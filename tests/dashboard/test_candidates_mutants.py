"""Candidate filters and ranking on hand-made frames that tell each rule apart.

Hand-made fixtures (not real data), expected values worked out by hand in the comments:
several childcare types plus a missing one, international schools outside the region,
school rows with missing values, prices exactly at the budget, two persons with
different times, and a fake engine that records what it was asked.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from dashboard.engine.core import CommuteTimes
from dashboard.engine.errors import OutsideCoverageError
from dashboard.engine.inputs import LatLon
from dashboard.layers import candidates as cand
from dashboard.layers.candidates import (
    Commute,
    CommuteFailedError,
    Constraint,
    PlaceFilters,
    commute_columns,
    count_by_wijk,
    matching_childcare,
    matching_schools,
    point_commute_columns,
    points_in,
    rank_candidates,
    rank_with_removals,
    result_table,
    sort_candidates,
)

WORK = LatLon(50.88, 4.70)


@pytest.fixture
def places() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["A", "B", "C", "D", "E"],
            "name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
            "median_house_price_muni": [300_000.0, 350_000.0, 400_000.0, np.nan, 250_000.0],
            "median_apartment_price_muni": [200_000.0, 210_000.0, 220_000.0, np.nan, 230_000.0],
            "childcare_coverage": ["full", "full", "partial", "none", "full"],
            "centroid_lon": [4.70, 4.71, 4.72, 4.73, 4.74],
            "centroid_lat": [50.88, 50.87, 50.86, 50.85, 50.84],
        },
        geometry=[box(i, 0, i + 1, 1) for i in range(5)],
        crs=4326,
    )


@pytest.fixture
def schools() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wijk": ["A", "B", "B", "C", "E"],
            "levels": ["kleuter;lager", "secundair", None, "lager", "kleuter"],
            # string dtype, as read from parquet: a missing value compares as <NA>
            "net": pd.array(["GO!", "vrij gesubsidieerd", None, "GO!", "GO!"], dtype="string"),
            "language": pd.array(
                ["Nederlandstalig", "Nederlandstalig", None, "Franstalig", "Franstalig"],
                dtype="string",
            ),
        }
    )


@pytest.fixture
def international() -> pd.DataFrame:
    # B's only international school lies outside the region; C has one inside
    return pd.DataFrame({"wijk": ["B", "C", "C"], "in_region": [False, True, None]})


@pytest.fixture
def childcare() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wijk": ["A", "A", "B", "C", "E", None],
            "category": pd.array(
                [
                    "groepsopvang_0_3",
                    "gezinsopvang_0_3",
                    "buitenschoolse_opvang",
                    "groepsopvang_0_3",
                    None,
                    "groepsopvang_0_3",
                ],
                dtype="string",
            ),
        }
    )


def _commute(m1: list[float], m2: list[float] | None = None) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "minutes_1": m1,
            "estimated_1": [False, True, False, False, False],
            "method_1": "network",
        }
    )
    if m2 is not None:
        out["minutes_2"] = m2
        out["estimated_2"] = [False, False, False, True, False]
        out["method_2"] = "network"
    return out


def _rank(places, schools, international, childcare, commute, **filters):  # type: ignore[no-untyped-def]
    return rank_candidates(
        places, commute, schools, international, childcare, PlaceFilters(**filters)
    )


# ----------------------------------------------------------------- filters on their own


def test_schools_active_for_each_school_filter() -> None:
    assert not PlaceFilters().schools_active
    assert PlaceFilters(international_only=True).schools_active
    assert PlaceFilters(school_level="lager").schools_active
    assert PlaceFilters(school_net="GO!").schools_active
    assert PlaceFilters(school_language="Franstalig").schools_active


def test_matching_schools_each_filter_alone(schools: pd.DataFrame) -> None:
    assert matching_schools(schools, PlaceFilters()).index.tolist() == [0, 1, 2, 3, 4]
    assert matching_schools(schools, PlaceFilters(school_level="lager")).index.tolist() == [0, 3]
    assert matching_schools(schools, PlaceFilters(school_net="GO!")).index.tolist() == [0, 3, 4]
    french = matching_schools(schools, PlaceFilters(school_language="Franstalig"))
    assert french.index.tolist() == [3, 4]
    both = matching_schools(schools, PlaceFilters(school_net="GO!", school_language="Franstalig"))
    assert both.index.tolist() == [3, 4]


def test_matching_childcare_keeps_only_the_chosen_type(childcare: pd.DataFrame) -> None:
    assert len(matching_childcare(childcare, PlaceFilters())) == 6
    group = matching_childcare(childcare, PlaceFilters(childcare_type="groepsopvang_0_3"))
    assert group.index.tolist() == [0, 3, 5]
    after = matching_childcare(childcare, PlaceFilters(childcare_type="buitenschoolse_opvang"))
    assert after.index.tolist() == [2]


def test_count_by_wijk_skips_missing_wijk(childcare: pd.DataFrame) -> None:
    counts = count_by_wijk(childcare, pd.Series(["E", "A", "Z", "C"]))
    assert counts.tolist() == [1, 2, 0, 1]


def test_points_in_and_result_table(schools: pd.DataFrame) -> None:
    assert points_in(schools, pd.Series(["B", "E"])).index.tolist() == [1, 2, 4]
    table = result_table(pd.DataFrame({"code": ["A"], "rank": [1], "geometry": [None]}))
    assert table.columns.tolist() == ["rank", "code"]


# ----------------------------------------------------------------- ranking


def test_rank_by_worst_then_total_with_a_second_person(  # type: ignore[no-untyped-def]
    places, schools, international, childcare
) -> None:
    # worst: A 20, B 20, C 15, D nan (person 2 unreached), E 30; totals A 30, B 25
    commute = _commute([10, 20, 15, 5, 30], [20, 5, 15, np.nan, 1])
    ranked = _rank(places, schools, international, childcare, commute)
    assert ranked["code"].tolist() == ["C", "B", "A", "E"]
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    assert ranked["worst_minutes"].tolist() == [15, 20, 20, 30]
    assert ranked["total_minutes"].tolist() == [30, 25, 30, 31]
    assert ranked["estimated"].tolist() == [False, True, False, False]
    assert ranked.columns[0] == "rank"
    assert ranked.index.tolist() == [0, 1, 2, 3]
    assert "index" not in ranked.columns


def test_international_count_leaves_out_schools_outside_the_region(  # type: ignore[no-untyped-def]
    places, schools, international, childcare
) -> None:
    ranked = _rank(places, schools, international, childcare, _commute([1, 2, 3, 4, 5]))
    counts = dict(zip(ranked["code"], ranked["n_international"], strict=True))
    assert counts == {"A": 0, "B": 0, "C": 1, "D": 0, "E": 0}
    only = _rank(
        places,
        schools,
        international,
        childcare,
        _commute([1, 2, 3, 4, 5]),
        international_only=True,
    )
    assert only["code"].tolist() == ["C"]


def test_international_without_in_region_column_counts_every_school(  # type: ignore[no-untyped-def]
    places, schools, international, childcare
) -> None:
    intl = international.drop(columns="in_region")
    ranked = _rank(places, schools, intl, childcare, _commute([1, 2, 3, 4, 5]))
    assert ranked["n_international"].tolist() == [0, 1, 2, 0, 0]


def test_school_filter_needs_a_matching_school(  # type: ignore[no-untyped-def]
    places, schools, international, childcare
) -> None:
    commute = _commute([1, 2, 3, 4, 5])
    ranked = _rank(places, schools, international, childcare, commute, school_language="Franstalig")
    assert ranked["code"].tolist() == ["C", "E"]
    assert ranked["n_schools_match"].tolist() == [1, 1]
    every = _rank(places, schools, international, childcare, commute)
    assert every["n_schools_match"].tolist() == [1, 2, 1, 0, 1]


def test_childcare_filter_counts_only_the_chosen_type(  # type: ignore[no-untyped-def]
    places, schools, international, childcare
) -> None:
    commute = _commute([1, 2, 3, 4, 5])
    ranked = _rank(
        places, schools, international, childcare, commute, childcare_type="groepsopvang_0_3"
    )
    # A and C have a group crèche; B only after-school care, E an unknown type; D no data
    assert ranked["code"].tolist() == ["A", "C", "D"]
    assert ranked["n_childcare_match"].tolist()[:2] == [1, 1]
    assert pd.isna(ranked["n_childcare_match"].iloc[2])
    strict = _rank(
        places,
        schools,
        international,
        childcare,
        commute,
        childcare_type="groepsopvang_0_3",
        childcare_keep_unknown=False,
    )
    assert strict["code"].tolist() == ["A", "C"]
    every = _rank(places, schools, international, childcare, commute)
    assert every["code"].tolist() == ["A", "B", "C", "D", "E"]
    assert every["n_childcare_match"].tolist()[:3] == [2, 1, 1]


def test_budget_keeps_prices_at_the_limit_and_unknown_prices(  # type: ignore[no-untyped-def]
    places, schools, international, childcare
) -> None:
    # A strict budget removes; the default only flags (tests/dashboard/test_budget.py).
    commute = _commute([1, 2, 3, 4, 5])
    houses = _rank(
        places,
        schools,
        international,
        childcare,
        commute,
        budget_max_eur=300_000,
        budget_strict=True,
    )
    assert houses["code"].tolist() == ["A", "D", "E"]  # A exactly 300k, D unknown
    assert houses["price_eur"].iloc[0] == 300_000
    flats = _rank(
        places,
        schools,
        international,
        childcare,
        commute,
        budget_type="apartment",
        budget_max_eur=210_000,
        budget_strict=True,
    )
    assert flats["code"].tolist() == ["A", "B", "D"]
    off = _rank(
        places, schools, international, childcare, commute, budget_max_eur=0.0, budget_strict=True
    )
    assert len(off) == 5
    one_euro = _rank(
        places, schools, international, childcare, commute, budget_max_eur=1.0, budget_strict=True
    )
    assert one_euro["code"].tolist() == ["D"]  # a tiny budget is still a budget
    with pytest.raises(ValueError, match="castle"):
        _rank(places, schools, international, childcare, commute, budget_type="castle")


# ----------------------------------------------------------------- commute columns


class _FakeEngine:
    """Stands in for the engine: records each call and answers per mode (hand-made)."""

    def __init__(self, fail_mode: str = "") -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail_mode = fail_mode

    def __call__(self, engine: object, workplace: LatLon, lon, lat, **kw: Any) -> CommuteTimes:  # type: ignore[no-untyped-def]
        self.calls.append({"workplace": workplace, "lon": lon, "lat": lat, **kw})
        if kw["mode"] == self.fail_mode:
            msg = "too far"
            raise OutsideCoverageError(msg)
        n = len(lon)
        base = 10.04 if kw["mode"] == "bike" else 20.26
        minutes = base + np.arange(n, dtype=float)
        return CommuteTimes(
            minutes,
            minutes - 2.37,
            minutes + 3.07,
            np.arange(n) % 2 == 1,
            np.array([kw["mode"]] * n),
        )


def test_commute_columns_per_person_rounded(places: gpd.GeoDataFrame, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake = _FakeEngine()
    monkeypatch.setattr(cand, "commute_times", fake)
    commutes = [
        Commute(WORK, "bike", 30.0),
        Commute(LatLon(50.9, 4.6), "train_walk", 45.0, arrive_by="08:15", day="2024-03-05"),
    ]
    out = commute_columns(object(), places, commutes)  # type: ignore[arg-type]
    assert out["minutes_1"].tolist() == [10.0, 11.0, 12.0, 13.0, 14.0]
    assert out["p10_1"].tolist() == [7.7, 8.7, 9.7, 10.7, 11.7]
    assert out["p90_1"].tolist() == [13.1, 14.1, 15.1, 16.1, 17.1]
    assert out["minutes_2"].tolist() == [20.3, 21.3, 22.3, 23.3, 24.3]
    assert out["estimated_2"].tolist() == [False, True, False, True, False]
    assert out["method_2"].tolist() == ["train_walk"] * 5
    assert "minutes_3" not in out.columns and "minutes_0" not in out.columns
    first, second = fake.calls
    assert first["arrive_by"] == time(9, 0) and first["day"] is None
    assert first["max_minutes"] == 30.0 and first["workplace"] == WORK
    assert second["arrive_by"] == time(8, 15) and second["day"] == date(2024, 3, 5)
    assert first["lon"].tolist() == places["centroid_lon"].tolist()
    assert first["lat"].tolist() == places["centroid_lat"].tolist()


def test_commute_failure_names_the_person(places: gpd.GeoDataFrame, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cand, "commute_times", _FakeEngine(fail_mode="car"))
    commutes = [Commute(WORK, "bike", 30.0), Commute(WORK, "car", 30.0)]
    with pytest.raises(CommuteFailedError) as err:
        commute_columns(object(), places, commutes)  # type: ignore[arg-type]
    assert err.value.person == 2
    assert isinstance(err.value.cause, OutsideCoverageError)


def test_point_commute_columns_start_at_each_point(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake = _FakeEngine()
    monkeypatch.setattr(cand, "commute_times", fake)
    points = gpd.GeoDataFrame(geometry=[Point(4.61, 50.81), Point(4.62, 50.82)], crs=4326)
    out = point_commute_columns(object(), points, [Commute(WORK, "bike", 30.0)])  # type: ignore[arg-type]
    assert fake.calls[0]["lon"].tolist() == [4.61, 4.62]
    assert fake.calls[0]["lat"].tolist() == [50.81, 50.82]
    assert out["minutes_1"].tolist() == [10.0, 11.0]


# ----------------------------------------------------------------- removals and order


def test_removals_list_each_active_rule_in_order(  # type: ignore[no-untyped-def]
    places, schools, international, childcare
) -> None:
    commute = _commute([10, 20, 15, 5, 30], [20, 5, 15, np.nan, 1])
    filters = PlaceFilters(
        childcare_type="groepsopvang_0_3",
        childcare_keep_unknown=False,
        budget_max_eur=300_000,
        budget_strict=True,
    )
    ranking = rank_with_removals(places, commute, schools, international, childcare, filters)
    # person 2 misses D; childcare keeps A and C; C's 400k median is over budget
    assert [(r.constraint, r.person, r.before, r.removed) for r in ranking.removals] == [
        (Constraint.COMMUTE, 1, 5, 0),
        (Constraint.COMMUTE, 2, 5, 1),
        (Constraint.CHILDCARE, None, 4, 2),
        (Constraint.BUDGET, None, 2, 1),
    ]
    assert ranking.total == 5
    assert ranking.candidates["code"].tolist() == ["A"]


def test_a_strict_budget_of_zero_is_no_rule(  # type: ignore[no-untyped-def]
    places, schools, international, childcare
) -> None:
    filters = PlaceFilters(budget_max_eur=0.0, budget_strict=True)
    commute = _commute([1, 2, 3, 4, 5])
    ranking = rank_with_removals(places, commute, schools, international, childcare, filters)
    assert [r.constraint for r in ranking.removals] == [Constraint.COMMUTE]
    assert len(ranking.candidates) == 5


def test_sort_orders_and_renumbering(places, schools, international, childcare) -> None:  # type: ignore[no-untyped-def]
    commute = _commute([10, 20, 15, 5, 30])
    ranked = _rank(places, schools, international, childcare, commute, budget_max_eur=320_000)
    assert ranked["code"].tolist() == ["D", "A", "C", "B", "E"]
    by_budget = sort_candidates(ranked, "budget")
    # B (350k) and C (400k) are over budget: after the others, each group by commute
    assert by_budget["code"].tolist() == ["D", "A", "E", "C", "B"]
    assert by_budget["rank"].tolist() == [1, 2, 3, 4, 5]
    assert by_budget.columns[0] == "rank" and "index" not in by_budget.columns
    assert by_budget.index.tolist() == [0, 1, 2, 3, 4]
    assert sort_candidates(by_budget)["code"].tolist() == ["D", "A", "C", "B", "E"]
    with pytest.raises(ValueError, match="sort order"):
        sort_candidates(ranked, "price")
    with pytest.raises(ValueError, match="sort order"):
        _rank(places, schools, international, childcare, commute, sort_by="price")
