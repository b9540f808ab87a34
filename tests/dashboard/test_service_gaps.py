"""The planner's indicator table: hand-built cases, then the committed snapshot.

The frames named ``HAND_*`` and built by ``_hand_*`` are hand-made fixtures (three
invented neighbourhoods, not data); their expected values are worked out in comments.
The tests after them run on the committed snapshot in ``geodata/``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.engine import accessibility as acc
from dashboard.engine.core import CommuteEngine
from dashboard.planner import service_gaps as sg
from geodata.io import load_layer

NAN = np.nan
INF = np.inf
UNMAPPED_TEXT = "unknown: nothing mapped here (hand-made fixture)"


def _hand_places() -> pd.DataFrame:
    """Three invented neighbourhoods: a (100 residents), b (300), c (population unknown)."""
    return pd.DataFrame(
        {
            "code": ["A", "B", "C"],
            "name": ["a", "b", "c"],
            "municipality": ["M1", "M1", "M2"],
            "population": pd.array([100, 300, None], dtype="Int64"),
            "childcare_coverage": ["partial", "partial", "none"],
        }
    )


def _hand_access(layer: str = "primary_schools") -> pd.DataFrame:
    """Accessibility rows of the three (walk); c has nothing mapped (nearest unknown).

    Every count column differs, so a wrong column shows: a 5-min count of 0, 1 within 10
    for a, and so on.  ``bike`` rows with other values check the mode filter.
    """
    rows = []
    for mode, shift in (("walk", 0), ("bike", 100)):
        rows += [
            ("A", layer, mode, 7.5 + shift, 0, 1, 2, 3, 4, False, "network"),
            ("B", layer, mode, 25.0 + shift, 0, 0, 0, 0, 1, True, "straight line x detour"),
            ("C", layer, mode, NAN, None, None, None, None, None, False, UNMAPPED_TEXT),
        ]
    frame = pd.DataFrame(rows, columns=list(acc.COLUMNS))
    counts = [c for c in frame.columns if c.startswith("count_")]
    return frame.astype(dict.fromkeys(counts, "Int64"))


def _query(indicator: str, threshold: int = 15, layer: str = "primary_schools") -> sg.GapQuery:
    return sg.GapQuery(layer, "walk", threshold, indicator)


def test_nearest_keeps_the_unknown_as_missing_with_the_layers_reason() -> None:
    table = sg.indicator_table(_query("nearest"), _hand_access(), _hand_places())
    assert list(table.columns) == list(sg.TABLE_COLUMNS)
    assert table["value"].tolist()[:2] == [7.5, 25.0]  # walk rows, not bike (107.5)
    assert np.isnan(table["value"].iloc[2])
    assert list(table["reason"]) == [None, None, sg.Reason.UNMAPPED]
    assert list(table["detail"]) == ["", "", UNMAPPED_TEXT]
    assert list(table["estimated"]) == [False, True, False]
    assert not table["lower_bound"].any()  # only childcare values are bounds


@pytest.mark.parametrize(("threshold", "expected"), [(5, [0, 0]), (10, [1, 0]), (30, [4, 1])])
def test_count_reads_the_thresholds_column(threshold: int, expected: list[int]) -> None:
    table = sg.indicator_table(_query("count", threshold), _hand_access(), _hand_places())
    assert table["value"].tolist()[:2] == expected
    assert np.isnan(table["value"].iloc[2]) and table["reason"].iloc[2] == sg.Reason.UNMAPPED


def test_childcare_in_partly_mapped_neighbourhoods_is_a_bound() -> None:
    access = _hand_access("childcare")
    table = sg.indicator_table(_query("nearest", layer="childcare"), access, _hand_places())
    assert list(table["lower_bound"]) == [True, True, False]


def _hand_catchments(capacity: float = 20.0) -> sg.Catchments:
    """One school 5 min from a, 25 min from b and 12 min from c."""
    return sg.Catchments(
        np.array(["A", "B", "C"]), np.array([[5.0], [25.0], [12.0]]), np.array([capacity])
    )


def test_two_step_fca_per_thousand_residents_by_hand() -> None:
    # threshold 10: only a is in the school's catchment: R = 20 / 100 = 0.2 -> a: 200 per
    # 1,000; b reaches nothing: 0 (a real answer); c has nothing mapped: unknown.
    places, access = _hand_places(), _hand_access()
    short = sg.indicator_table(_query("fca", 10), access, places, _hand_catchments())
    assert short["value"].tolist()[:2] == pytest.approx([200.0, 0.0])
    assert list(short["reason"]) == [None, None, sg.Reason.UNMAPPED]
    # threshold 30: c (population unknown) joins the catchment: a and b are unknown too
    wide = sg.indicator_table(_query("fca", 30), access, places, _hand_catchments())
    assert wide["value"].isna().all()
    assert list(wide["reason"]) == [sg.Reason.POPULATION, sg.Reason.POPULATION, sg.Reason.UNMAPPED]


def test_two_step_fca_worked_example_when_every_input_is_known() -> None:
    # The indicators module's worked example: 100 and 300 residents, 20 places, 5 and
    # 25 min.  2SFCA (30): R = 20 / 400 = 0.05 -> 50 per 1,000 for both.
    # E2SFCA: R = 20 / (100 x 1 + 300 x 0.22) = 20 / 166 -> 120.48 and 26.51 per 1,000.
    places = _hand_places().iloc[:2]
    access = _hand_access().loc[lambda f: f["code"] != "C"]
    matrix = sg.Catchments(np.array(["A", "B"]), np.array([[5.0], [25.0]]), np.array([20.0]))
    plain = sg.indicator_table(_query("fca", 30), access, places, matrix)
    assert plain["value"].tolist() == pytest.approx([50.0, 50.0])
    enhanced = sg.indicator_table(_query("e2sfca", 5), access, places, matrix)
    assert enhanced["value"].tolist() == pytest.approx([20 / 166 * 1000, 20 / 166 * 220])


def test_unknown_population_in_a_catchment_makes_the_value_missing() -> None:
    # c (population unknown) is a normal, mapped neighbourhood here, 12 min from the school
    places = _hand_places().assign(childcare_coverage="partial")
    access = _hand_access()
    access.loc[access["code"] == "C", ["nearest_minutes", "count_15", "count_30"]] = (12.0, 1, 1)
    table = sg.indicator_table(_query("fca", 15), access, places, _hand_catchments())
    # a and c share the school's catchment (b is 25 min away: out of it, reaches nothing)
    assert np.isnan(table["value"].iloc[0]) and np.isnan(table["value"].iloc[2])
    assert table["reason"].iloc[0] == sg.Reason.POPULATION
    assert table["value"].iloc[1] == 0.0 and table["reason"].iloc[1] is None


def test_unknown_capacity_and_layers_without_capacity_are_missing() -> None:
    places, access = _hand_places(), _hand_access()
    unknown = sg.indicator_table(_query("fca", 10), access, places, _hand_catchments(NAN))
    assert unknown["reason"].iloc[0] == sg.Reason.CAPACITY
    stations = sg.indicator_table(
        _query("e2sfca", layer="stations"), _hand_access("stations"), places, None
    )
    assert stations["value"].isna().all()
    assert set(stations["reason"]) == {sg.Reason.NO_CAPACITY}


def test_catchment_rows_must_follow_the_places() -> None:
    matrix = sg.Catchments(np.array(["B", "A", "C"]), np.zeros((3, 1)), np.array([1.0]))
    with pytest.raises(ValueError, match="order"):
        sg.indicator_table(_query("fca"), _hand_access(), _hand_places(), matrix)


@pytest.mark.parametrize(
    ("field", "query"),
    [
        ("threshold", sg.GapQuery("primary_schools", "walk", 7, "nearest")),
        ("layer", sg.GapQuery("hospitals", "walk", 15, "nearest")),
        ("mode", sg.GapQuery("primary_schools", "walk_bus", 15, "nearest")),
        ("indicator", sg.GapQuery("primary_schools", "walk", 15, "gravity")),
    ],
)
def test_a_question_with_a_value_not_offered_names_it(field: str, query: sg.GapQuery) -> None:
    with pytest.raises(sg.GapQueryError) as caught:
        sg.indicator_table(query, _hand_access(), _hand_places())
    assert caught.value.field == field
    assert str(getattr(query, field)) in str(caught.value)


def _hand_table() -> pd.DataFrame:
    """Four invented rows of an indicator table (values chosen to tell orders apart)."""
    return pd.DataFrame(
        {
            "code": ["A", "B", "C", "D"],
            "municipality": ["M1", "M1", "M2", "M2"],
            "value": [2.0, 0.0, NAN, 0.0],
            "nearest_minutes": [9.0, 14.0, 40.0, 22.0],
            "population": [100.0, 300.0, 50.0, NAN],
        }
    )


def test_worst_served_orders_by_indicator_and_skips_missing() -> None:
    table = _hand_table()
    # low is worse for counts: B and D tie at 0, D's nearest is longer -> D first
    assert sg.worst_served(table, "count", 3)["code"].tolist() == ["D", "B", "A"]
    # high is worse for minutes
    timed = table.assign(value=table["nearest_minutes"])
    assert sg.worst_served(timed, "nearest", 2)["code"].tolist() == ["C", "D"]


def test_region_summary_counts_known_areas_only() -> None:
    # threshold 10: A (100, 9 min) within; B (300, 14) and C (50, 40) beyond; D unknown
    # population -> share = 350 / 450
    share = sg.region_summary(_hand_table(), 10)
    assert share.share == pytest.approx(350 / 450)
    assert (share.areas_counted, share.areas_missing) == (3, 1)
    assert share.residents_counted == 450


def test_filter_municipalities_narrows_and_none_means_all() -> None:
    table = _hand_table()
    assert sg.filter_municipalities(table, ["M2"])["code"].tolist() == ["C", "D"]
    assert len(sg.filter_municipalities(table, [])) == 4


def test_facility_capacity_follows_the_facility_ids() -> None:
    facilities = acc.Places(np.array(["s2", "s9", "s1"]), np.zeros(3), np.zeros(3))
    table = pd.DataFrame(
        {"id": ["s1", "s2"], "enrolments_2022": pd.array([120, None], dtype="Int64")}
    )
    capacity = sg.facility_capacity("primary_schools", facilities, table)
    assert np.isnan(capacity[0]) and np.isnan(capacity[1]) and capacity[2] == 120.0
    assert np.isnan(sg.facility_capacity("stations", facilities, table)).all()


# --- the committed snapshot -------------------------------------------------------------


@pytest.fixture(scope="module")
def snapshot() -> tuple[pd.DataFrame, pd.DataFrame]:
    return load_layer("accessibility"), load_layer("neighbourhoods")


def test_real_nearest_and_counts_on_the_snapshot(snapshot: tuple[pd.DataFrame, ...]) -> None:
    access, places = snapshot
    near = sg.indicator_table(_query("nearest"), access, places)
    assert len(near) == len(places) == 427
    assert near["value"].notna().all()  # every neighbourhood reaches a primary school
    low = sg.indicator_table(_query("count", 5), access, places)["value"].to_numpy()
    high = sg.indicator_table(_query("count", 30), access, places)["value"].to_numpy()
    assert (high >= low).all() and high.sum() > low.sum()


def test_real_childcare_is_missing_where_unmapped(snapshot: tuple[pd.DataFrame, ...]) -> None:
    access, places = snapshot
    table = sg.indicator_table(_query("count", layer="childcare"), access, places)
    unmapped = (places["childcare_coverage"] != "partial").to_numpy()
    assert table["value"].isna().to_numpy().tolist() == unmapped.tolist()
    assert set(table.loc[unmapped, "reason"]) == {sg.Reason.UNMAPPED}
    assert table.loc[unmapped, "detail"].str.len().gt(0).all()
    assert table["lower_bound"].to_numpy().tolist() == (~unmapped).tolist()
    share = sg.region_summary(table, 15)
    assert share.areas_counted + share.areas_missing == 427


def test_real_catchment_matrix_agrees_with_the_layers_counts(
    snapshot: tuple[pd.DataFrame, ...],
) -> None:
    # The matrix (single engine queries) and the layer's counts (the batch) are computed
    # by different code: on sampled neighbourhoods they must count the same schools.
    access, _ = snapshot
    origins = acc.neighbourhood_points()
    pick = np.arange(0, len(origins), 53)
    sample = acc.Places(origins.ids[pick], origins.lon[pick], origins.lat[pick])
    schools = acc.facility_points()["primary_schools"]
    minutes = sg.catchment_matrix(CommuteEngine(), sample, schools, "walk")
    assert np.isinf(minutes).any() and not np.isnan(minutes).any()
    rows = sg.layer_rows(access, "primary_schools", "walk").loc[sample.ids]
    for threshold in (5, 15, 30):
        counted = (minutes <= threshold).sum(axis=1)
        assert counted.tolist() == rows[f"count_{threshold}"].astype(int).tolist()


def test_real_two_step_fca_is_zero_only_where_nothing_is_within_reach(
    snapshot: tuple[pd.DataFrame, ...],
) -> None:
    access, places = snapshot
    origins = acc.neighbourhood_points()
    schools = acc.facility_points()["primary_schools"]
    minutes = sg.catchment_matrix(CommuteEngine(), origins, schools, "walk", max_minutes=10)
    capacity = sg.facility_capacity("primary_schools", schools, load_layer("schools"))
    matrix = sg.Catchments(origins.ids, minutes, capacity)
    table = sg.indicator_table(_query("fca", 10), access, places, matrix)
    none_within = (minutes <= 10).sum(axis=1) == 0
    assert (table.loc[none_within, "value"] == 0).all()
    known = table["value"].notna().to_numpy()
    assert (table.loc[known & ~none_within, "value"] > 0).all()
    assert table.loc[~known, "reason"].notna().all()
    # with 18 populations known, most catchments hold an unknown one
    assert (table["reason"] == sg.Reason.POPULATION).sum() > 100


def test_train_mode_without_a_row_has_no_station_within_reach() -> None:
    # hand-made: a has a train row (train faster), b only street rows, c nothing mapped
    walk = _hand_access()
    train = walk.loc[walk["code"].isin(["A", "C"]) & (walk["mode"] == "walk")].copy()
    train["mode"] = "train_walk"
    train.loc[train["code"] == "A", ["nearest_minutes", "method"]] = [6.0, "train + walk access"]
    access = pd.concat([walk, train], ignore_index=True)
    query = sg.GapQuery("primary_schools", "train_walk", 15, "nearest")
    table = sg.indicator_table(query, access, _hand_places())
    assert table["value"].tolist()[0] == 6.0
    assert np.isnan(table["value"].tolist()[1:]).all()
    assert table["reason"].tolist() == [None, sg.Reason.NO_STATION, sg.Reason.UNMAPPED]
    count = sg.indicator_table(
        sg.GapQuery("primary_schools", "train_walk", 30, "count"), access, _hand_places()
    )
    assert count["reason"].tolist()[1] == sg.Reason.NO_STATION


def test_real_train_catchment_is_the_faster_of_street_and_train() -> None:
    engine = CommuteEngine()
    origins = acc.neighbourhood_points()
    pick = np.arange(0, len(origins), 7)
    sample = acc.Places(origins.ids[pick], origins.lon[pick], origins.lat[pick])
    schools = acc.facility_points()["secondary_schools"]
    walk = sg.catchment_matrix(engine, sample, schools, "walk")
    by_train = sg.catchment_matrix(engine, sample, schools, "train_walk")
    assert (by_train <= walk).all()
    # within the 30-minute catchment the train wins a few pairs (walks at both ends and
    # the wait count too), among them schools no walk reaches in 30 minutes
    assert (by_train < walk).any()
    assert np.isfinite(by_train[np.isinf(walk)]).any()
    assert (by_train[np.isfinite(by_train)] <= sg.CATCHMENT_MAX_MINUTES).all()
