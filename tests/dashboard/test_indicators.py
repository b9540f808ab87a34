"""Planner indicators on hand-built cases whose values are computed by hand.

Every case below is a hand-made fixture (not product data); the expected numbers are
worked out in the comments.
"""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.planner.indicators import (
    Missing,
    cumulative_opportunities,
    enhanced_two_step_fca,
    share_beyond,
    two_step_fca,
    zone_weights,
)

INF = np.inf
NAN = np.nan


def test_worked_example_of_the_module_docstring() -> None:
    minutes = np.array([[5.0], [25.0]])
    population = np.array([100.0, 300.0])
    places = np.array([20.0])
    plain = two_step_fca(minutes, population, places, threshold=30)
    # R = 20 / (100 + 300) = 0.05 for both areas
    assert plain.values == pytest.approx([0.05, 0.05])
    enhanced = enhanced_two_step_fca(minutes, population, places)
    # R = 20 / (100 * 1.00 + 300 * 0.22) = 20 / 166
    assert enhanced.values == pytest.approx([20 / 166, 20 / 166 * 0.22])
    assert list(plain.reasons) == [None, None]


def test_two_sites_share_demand_by_catchment() -> None:
    # areas a, b, c (100, 200, 300 residents); sites x (10 places), y (30 places)
    minutes = np.array(
        [
            [5.0, 40.0],  # a reaches x only
            [12.0, 8.0],  # b reaches both
            [INF, 3.0],  # c reaches y only
        ]
    )
    population = np.array([100.0, 200.0, 300.0])
    places = np.array([10.0, 30.0])
    result = two_step_fca(minutes, population, places, threshold=15)
    r_x = 10 / (100 + 200)
    r_y = 30 / (200 + 300)
    assert result.values == pytest.approx([r_x, r_x + r_y, r_y])
    # a shorter threshold drops b from x's catchment and x from b's reach
    short = two_step_fca(minutes, population, places, threshold=10)
    assert short.values == pytest.approx([10 / 100, 30 / 500, 30 / 500])


def test_nothing_within_reach_is_zero_not_missing() -> None:
    minutes = np.array([[5.0], [INF]])
    result = two_step_fca(minutes, np.array([10.0, 20.0]), np.array([4.0]), threshold=30)
    assert result.values == pytest.approx([0.4, 0.0])
    assert list(result.reasons) == [None, None]


def test_unknown_population_makes_dependent_areas_unknown_with_the_reason() -> None:
    minutes = np.array([[5.0, INF], [10.0, INF], [INF, 5.0]])
    population = np.array([100.0, NAN, 50.0])
    result = two_step_fca(minutes, population, np.array([10.0, 5.0]), threshold=30)
    # site 1's catchment holds the unknown area, so areas 0 and 1 are unknown; area 2
    # only needs site 2, whose catchment is fully known: 5 / 50
    assert np.isnan(result.values[0]) and np.isnan(result.values[1])
    assert result.values[2] == pytest.approx(0.1)
    assert list(result.reasons) == [Missing.POPULATION, Missing.POPULATION, None]


def test_unknown_capacity_and_unknown_time_are_reported() -> None:
    minutes = np.array([[5.0, INF], [NAN, 4.0]])
    result = two_step_fca(minutes, np.array([10.0, 10.0]), np.array([NAN, 5.0]), threshold=30)
    assert list(result.reasons) == [Missing.CAPACITY, Missing.TIME]
    assert np.isnan(result.values).all()


def test_zone_weights_follow_luo_and_qi() -> None:
    w = zone_weights(np.array([0.0, 10.0, 10.5, 20.0, 29.9, 30.0, 31.0, INF, NAN]))
    assert w[:8] == pytest.approx([1.0, 1.0, 0.68, 0.68, 0.22, 0.22, 0.0, 0.0])
    assert np.isnan(w[8])


def test_weight_moves_access_in_the_expected_direction() -> None:
    minutes = np.array([[5.0], [15.0]])
    population = np.array([100.0, 100.0])
    near = enhanced_two_step_fca(minutes, population, np.array([10.0]))
    # the nearer area gets more than the farther one; more places give both more
    assert near.values[0] > near.values[1] > 0
    more = enhanced_two_step_fca(minutes, population, np.array([20.0]))
    assert (more.values > near.values).all()


def test_cumulative_opportunities_count_sites_within_the_threshold() -> None:
    minutes = np.array([[5.0, 12.0, INF], [31.0, 30.0, 1.0], [NAN, 1.0, 1.0]])
    result = cumulative_opportunities(minutes, threshold=30)
    assert result.values[:2] == pytest.approx([2.0, 2.0])
    assert np.isnan(result.values[2]) and result.reasons[2] == Missing.TIME


def test_share_beyond_weights_by_population_and_counts_what_it_leaves_out() -> None:
    nearest = np.array([4.0, 12.0, INF, 3.0, NAN])
    population = np.array([100.0, 300.0, 100.0, NAN, 50.0])
    share = share_beyond(nearest, population, threshold=10)
    # counted: areas 0-2 (500 residents); beyond 10 min: areas 1 and 2 (400)
    assert share.share == pytest.approx(400 / 500)
    assert (share.residents_beyond, share.residents_counted) == (400.0, 500.0)
    assert (share.areas_counted, share.areas_missing) == (3, 2)
    assert share.reason is None
    none = share_beyond(np.array([4.0]), np.array([NAN]), threshold=10)
    assert np.isnan(none.share) and none.reason == Missing.NO_POPULATION
