"""The transparent score: hand-computed components, renormalised missing values, weights.

The hand-made candidates use values that tell the operations apart: limits of 20 and
40 minutes (a division by the wrong limit shows), prices that are not in the order of
the counts, and one row without childcare data and one without a price.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.layers import candidates as cand
from dashboard.layers import score
from geodata.io import load_layer


def _hand_made() -> pd.DataFrame:
    """Three candidates (a hand-made fixture, not real data)."""
    return pd.DataFrame(
        {
            "code": ["A", "B", "C"],
            "name": ["Alpha", "Beta", "Gamma"],
            "minutes_1": [10.0, 16.0, 4.0],
            "minutes_2": [30.0, 8.0, np.nan],  # C: beyond person 2's limit
            "n_schools_match": [4, 0, 2],
            "n_childcare_match": pd.array([3, pd.NA, 1], dtype="Int64"),  # B unknown
            "n_stations": [1, 0, 0],
            "n_bus_stops": [5, 2, 10],
            "price_eur": [400_000.0, 300_000.0, np.nan],  # C: no published median
        }
    )


LIMITS = (20.0, 40.0)


def test_components_by_hand() -> None:
    parts = score.components(_hand_made(), LIMITS)
    # commute: A max(10/20, 30/40) = 0.75 -> 0.25; B max(0.8, 0.2) -> 0.2; C beyond -> 0
    assert parts["commute"].tolist() == pytest.approx([0.25, 0.2, 0.0])
    assert parts["schools"].tolist() == pytest.approx([1.0, 0.0, 0.5])  # 4, 0, 2
    assert parts["childcare"].iloc[[0, 2]].tolist() == pytest.approx([1.0, 0.0])
    assert math.isnan(parts["childcare"].iloc[1])  # unknown stays unknown
    assert parts["transport"].tolist() == pytest.approx([0.5, 0.0, 1.0])  # 6, 2, 10 stops
    assert parts["price"].iloc[:2].tolist() == pytest.approx([0.0, 1.0])  # lower is better
    assert math.isnan(parts["price"].iloc[2])


def test_score_by_hand_with_missing_components_renormalised() -> None:
    weights = score.Weights(commute=3, schools=1, childcare=1, transport=1, price=2)
    table = score.score_table(_hand_made(), weights, LIMITS).set_index("code")
    # A: (3*0.25 + 1*1 + 1*1 + 1*0.5 + 2*0) / 8 = 3.25 / 8
    assert table.loc["A", "score"] == pytest.approx(3.25 / 8)
    # B: childcare missing -> weights 3+1+1+2 = 7: (0.6 + 0 + 0 + 2) / 7
    assert table.loc["B", "score"] == pytest.approx(2.6 / 7)
    # C: price missing -> 3+1+1+1 = 6: (0 + 0.5 + 0 + 1) / 6
    assert table.loc["C", "score"] == pytest.approx(1.5 / 6)
    assert table.loc["B", "missing"] == ("childcare",)
    assert table.loc["C", "missing"] == ("price",)
    assert table.loc["A", "missing"] == ()
    # the raw values stay beside the components
    assert table.loc["C", "raw_transport"] == 10
    assert math.isnan(table.loc["B", "raw_childcare"])
    assert math.isnan(table.loc["B", "part_childcare"])
    assert list(table.index) == ["A", "B", "C"]  # best first: 0.406, 0.371, 0.25


def test_a_missing_component_is_not_scored_as_zero() -> None:
    weights = score.Weights(commute=0, schools=0, childcare=1, transport=0, price=0)
    table = score.score_table(_hand_made(), weights, LIMITS).set_index("code")
    assert math.isnan(table.loc["B", "score"])  # only childcare weighs, and B has none
    assert table.loc["C", "score"] == 0.0  # known and lowest: a real zero
    assert table.index[-1] == "B"  # no score: last


def test_raising_a_weight_moves_the_score_towards_that_component() -> None:
    base = score.Weights()
    before = score.score_table(_hand_made(), base, LIMITS).set_index("code")["score"]
    more_price = score.Weights(price=5)
    after = score.score_table(_hand_made(), more_price, LIMITS).set_index("code")["score"]
    assert after["B"] > before["B"]  # cheapest: gains
    assert after["A"] < before["A"]  # dearest: loses
    assert after["C"] == pytest.approx(before["C"])  # no price: unaffected
    more_commute = score.Weights(commute=5)
    commute = score.score_table(_hand_made(), more_commute, LIMITS).set_index("code")["score"]
    assert commute["C"] < before["C"]  # beyond a limit: worst commute


def test_all_weights_zero_is_refused() -> None:
    zero = score.Weights(0, 0, 0, 0, 0)
    assert zero.all_zero
    with pytest.raises(score.AllWeightsZeroError):
        score.score_table(_hand_made(), zero, LIMITS)


def test_tied_values_get_the_middle() -> None:
    same = score.min_max(pd.Series([3.0, 3.0, np.nan]), higher_is_better=True)
    assert same.iloc[:2].tolist() == [score.TIED, score.TIED]
    assert math.isnan(same.iloc[2])
    assert score.min_max(pd.Series([np.nan]), higher_is_better=False).isna().all()


def test_bad_limits_and_missing_columns_are_named() -> None:
    with pytest.raises(score.ScoreError, match="positive"):
        score.commute_component(_hand_made(), (0.0,))
    with pytest.raises(score.ScoreError, match="price_eur"):
        score.raw_values(_hand_made().drop(columns="price_eur"))


def test_one_person_uses_only_their_limit() -> None:
    parts = score.components(_hand_made(), (20.0,))
    assert parts["commute"].tolist() == pytest.approx([0.5, 0.2, 0.8])


def test_real_neighbourhoods_without_childcare_data_are_missing() -> None:
    """On the committed snapshot: unknown childcare is missing, never zero."""
    places = load_layer("neighbourhoods")
    frame = pd.DataFrame(
        {
            "code": places["code"],
            "name": places["name"],
            "minutes_1": 10.0,
            "n_schools_match": places["n_schools"],
            "n_childcare_match": places["n_childcare"]
            .astype("Int64")
            .mask(places["childcare_coverage"] == "none"),
            "n_stations": places["n_stations"],
            "n_bus_stops": places["n_bus_stops"],
            "price_eur": places["median_house_price_muni"],
        }
    )
    table = score.score_table(frame, score.Weights(), (20.0,)).loc[places.index]
    unknown = places["childcare_coverage"].to_numpy() == "none"
    assert 0 < unknown.sum() < len(places)
    assert table.loc[unknown, "part_childcare"].isna().all()
    assert table.loc[~unknown, "part_childcare"].notna().all()
    assert table["missing"].loc[unknown].map(lambda m: "childcare" in m).all()
    assert table["score"].between(0, 1).all()


def test_place_figures_count_what_the_filters_match() -> None:
    """The comparison's figures, counted again by hand from the point layers.

    Shortlisted wijken with a commute beyond the limit (NaN minutes) keep their figures:
    the comparison removes nothing that a ranking would.
    """
    places = load_layer("neighbourhoods")
    schools = load_layer("schools")
    intl = load_layer("international_schools")
    care = load_layer("childcare")
    # two wijken with a crèche, one with childcare data but none, one without data
    with_creche = care.loc[care["category"] == "groepsopvang_0_3", "wijk"].dropna().unique()
    mapped = places.loc[places["childcare_coverage"] != "none"]
    unmapped = places.loc[places["childcare_coverage"] == "none"]
    rows = pd.concat(
        [
            mapped.loc[mapped["code"].isin(with_creche)].iloc[:2],
            mapped.loc[~mapped["code"].isin(with_creche)].iloc[:1],
            unmapped.iloc[:1],
        ]
    )
    commute = pd.DataFrame(
        {
            "minutes_1": [12.0, 18.0, np.nan, 25.0],
            "p10_1": [12.0, 18.0, np.nan, 25.0],
            "p90_1": [12.0, 18.0, np.nan, 25.0],
            "estimated_1": [False, True, False, False],
            "method_1": "x",
        },
        index=rows.index,
    )
    filters = cand.PlaceFilters(
        school_level="lager", childcare_type="groepsopvang_0_3", budget_type="apartment"
    )
    figures = score.place_figures(rows, commute, schools, intl, care, filters)
    assert figures["code"].tolist() == rows["code"].tolist()  # nothing removed
    assert "geometry" not in figures.columns
    for _, row in figures.iterrows():
        code = row["code"]
        here = schools.loc[schools["wijk"] == code]
        lager = here["levels"].fillna("").str.split(";").map(lambda v: "lager" in v)
        assert row["n_schools_match"] == int(lager.sum()), code
        in_region = intl.loc[(intl["wijk"] == code) & intl["in_region"].fillna(False).astype(bool)]
        assert row["n_international"] == len(in_region), code
        creches = care.loc[(care["wijk"] == code) & (care["category"] == "groepsopvang_0_3")]
        coverage = places.set_index("code").loc[code, "childcare_coverage"]
        if coverage == "none":  # unknown, never 0
            assert pd.isna(row["n_childcare_match"]), code
        else:
            assert row["n_childcare_match"] == len(creches), code
        expected_price = places.set_index("code").loc[code, "median_apartment_price_muni"]
        assert row["price_eur"] == pytest.approx(float(expected_price), nan_ok=True)
    assert figures["worst_minutes"].isna().tolist() == [False, False, True, False]
    assert figures["estimated"].tolist() == [False, True, False, False]
    # some of the hand counts are not 0 (the check can tell a broken filter)
    assert figures["n_schools_match"].sum() > 0
    assert figures["n_childcare_match"].fillna(0).sum() > 0


def test_place_figures_match_the_rankings_columns() -> None:
    """For the candidates a ranking keeps, the comparison's figures are the ranking's own."""
    places = load_layer("neighbourhoods")
    schools = load_layer("schools")
    intl = load_layer("international_schools")
    care = load_layer("childcare")
    commute = pd.DataFrame(
        {"minutes_1": 10.0, "p10_1": 10.0, "p90_1": 10.0, "estimated_1": False, "method_1": "x"},
        index=places.index,
    )
    filters = cand.PlaceFilters(school_level="lager", childcare_type="groepsopvang_0_3")
    ranked = cand.rank_candidates(places, commute, schools, intl, care, filters)
    figures = score.place_figures(places, commute, schools, intl, care, filters)
    assert len(figures) == len(places) > len(ranked)  # the filters removed some
    figures = figures.set_index("code").loc[ranked["code"]]
    for column in ("n_schools_match", "n_international", "price_eur"):
        assert figures[column].tolist() == ranked[column].tolist(), column
    assert (
        figures["n_childcare_match"]
        .astype("Float64")
        .equals(ranked.set_index("code")["n_childcare_match"].astype("Float64"))
    )
