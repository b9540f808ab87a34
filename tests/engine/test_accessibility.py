"""Batch accessibility equals single engine queries, on the committed snapshot."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from dashboard.engine import accessibility as acc
from dashboard.engine import street
from dashboard.engine.__main__ import main
from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import lonlat_to_xy
from dashboard.engine.settings import GRAPH_OF_MODE, STREET_MODES
from etl.stages.accessibility import CHILDCARE_UNKNOWN, childcare_known_only
from geodata.catalog import LAYER_COLUMNS
from geodata.io import load_layer, load_manifest


@pytest.fixture(scope="module")
def engine() -> CommuteEngine:
    return CommuteEngine().preload()


def _sample(origins: acc.Places) -> acc.Places:
    """Two Leuven neighbourhoods (inside the street graphs) and six others at random."""
    leuven = np.flatnonzero(np.char.startswith(origins.ids.astype(str), "24062"))[:2]
    rng = np.random.default_rng(11)
    others = rng.choice(np.setdiff1d(np.arange(len(origins)), leuven), 6, replace=False)
    keep = np.r_[leuven, others]
    return acc.Places(origins.ids[keep], origins.lon[keep], origins.lat[keep])


@pytest.mark.parametrize("mode", STREET_MODES)
def test_nearest_and_counts_equal_single_queries(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places], mode: str
) -> None:
    sample = _sample(origins)
    counts = acc.counts_within(engine, mode, sample, layers)
    for name, facilities in layers.items():
        near = acc.nearest_facility(engine, mode, sample, facilities)
        for i in range(len(sample)):
            home = LatLon(float(sample.lat[i]), float(sample.lon[i]))
            single = engine.times(home, facilities.lon, facilities.lat, mode=mode, direction="from")
            assert near.minutes[i] == pytest.approx(np.nanmin(single.minutes), abs=1e-9)
            best = int(np.nanargmin(single.minutes))
            assert near.estimated[i] == single.estimated[best]
            bounded = engine.times(
                home, facilities.lon, facilities.lat, mode=mode, direction="from", max_minutes=30
            )
            expected = [int((bounded.minutes <= t).sum()) for t in acc.THRESHOLDS]
            assert counts[name][i].tolist() == expected, (name, sample.ids[i])


def _every(layers: dict[str, acc.Places]) -> acc.Places:
    names = list(layers)
    return acc.Places(
        np.concatenate([layers[k].ids for k in names]),
        np.concatenate([layers[k].lon for k in names]),
        np.concatenate([layers[k].lat for k in names]),
    )


def _every_nth(origins: acc.Places, step: int) -> acc.Places:
    return acc.Places(origins.ids[::step], origins.lon[::step], origins.lat[::step])


@pytest.mark.parametrize("mode", STREET_MODES)
def test_street_minutes_within_equal_bounded_single_queries(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places], mode: str
) -> None:
    """48 neighbourhoods (inside and outside the graphs) x every facility, 30 min bound."""
    sample = _every_nth(origins, 9)
    every = _every(layers)
    minutes = acc.street_minutes_within(engine, mode, sample, layers, 30.0)
    assert list(minutes) == list(layers)
    matrix = np.concatenate([minutes[k] for k in layers], axis=1)
    assert matrix.shape == (len(sample), len(every))
    finite = 0
    for i in range(len(sample)):
        home = LatLon(float(sample.lat[i]), float(sample.lon[i]))
        single = engine.times(
            home, every.lon, every.lat, mode=mode, direction="from", max_minutes=30
        )
        reached = ~np.isnan(single.minutes)
        assert np.array_equal(np.isfinite(matrix[i]), reached), sample.ids[i]
        assert np.abs(matrix[i][reached] - single.minutes[reached]).max(initial=0) <= 1e-9
        finite += int(reached.sum())
    assert finite > 200  # the bound leaves pairs to compare in every mode


@pytest.mark.parametrize("mode", STREET_MODES)
def test_candidate_pairs_give_the_dense_minimum_bit_for_bit(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places], mode: str
) -> None:
    """Pruned (edge node, facility) pairs vs every pair, same queries, same bits."""
    net = engine.network(GRAPH_OF_MODE[mode])
    every = _every(layers)
    for limit in (12.5, 30.0):
        query = engine.query_for(mode, LatLon(50.88, 4.70), "from", limit)
        legs = acc._FacilityLegs.of(net, query, every.lon, every.lat)
        assert legs.candidates is not None
        dense = replace(legs, candidates=None)
        assert legs.candidates.facility.size < legs.remainder_s[:, :-1].size
        for i in range(0, len(origins), 5):
            anchor = replace(query, anchor=LatLon(float(origins.lat[i]), float(origins.lon[i])))
            pruned, full = legs.minutes_from(net, anchor), dense.minutes_from(net, anchor)
            assert np.array_equal(pruned.view(np.int64), full.view(np.int64)), origins.ids[i]


def test_candidates_keep_every_pair_that_can_be_best_and_no_more_is_needed() -> None:
    # 3 facilities x 4 edge nodes, seconds; limit 1 minute (budget 60 s + margin)
    remainder = np.array(
        [
            [10.0, 50.0, 70.0, 5.0],
            [45.0, 12.0, 30.0, 61.0],
            [80.0, 90.0, 65.0, 75.0],
        ]
    )
    pairs = acc._Candidates.of(remainder, 1.0)
    # only remainders within the budget are kept (70, 61, 80, 90, 65, 75 cannot be best)
    assert sorted(pairs.remainder_s.tolist()) == [5.0, 10.0, 12.0, 30.0, 45.0, 50.0]
    at_end = np.array([40.0, 3.0, np.inf, 58.0])
    own = np.array([np.inf, 50.0, 7.0])
    best = pairs.best(at_end, own)
    # facility 0: min(40+10, 3+50, 58+5) = 50; facility 1: min(3+12, own 50) = 15;
    # facility 2: nothing within the limit, so its own node (7) - the dense rule says the same
    assert best.tolist() == [50.0, 15.0, 7.0]
    dense = np.minimum((at_end[None, :] + remainder).min(axis=1), own)
    within = dense <= 60.0
    assert np.array_equal(best[within], dense[within])


#: Run in a fresh interpreter: a test session has other threads running (Streamlit's
#: AppTest, Dask clients), where ``worker_count`` rightly refuses to fork.
_PARALLEL_SCRIPT = """
import numpy as np, pandas as pd
from dashboard.engine import accessibility as acc
from dashboard.engine.core import CommuteEngine
engine = CommuteEngine()
origins, layers = acc.neighbourhood_points(), acc.facility_points()
assert acc.worker_count(2, len(origins)) == 2, "no fork in a fresh interpreter"
for mode in ("bike", "car"):
    serial = acc.street_minutes_within(engine, mode, origins, layers, 30.0, workers=1)
    forked = acc.street_minutes_within(engine, mode, origins, layers, 30.0, workers=2)
    for name in layers:
        assert np.array_equal(serial[name].view(np.int64), forked[name].view(np.int64)), name
serial_table = acc.batch_accessibility(engine, origins, layers, ("walk", "ebike"), workers=1)
forked_table = acc.batch_accessibility(engine, origins, layers, ("walk", "ebike"), workers=2)
pd.testing.assert_frame_equal(serial_table, forked_table, check_exact=True)
# the train matrices in a forked child beside the street batch
from dashboard.engine import accessibility_train as acct
stations = {"stations": layers["stations"]}
serial_table = acct.region_batch(engine, origins, stations, ("bike", "train_walk"), workers=1)
forked_table = acct.region_batch(engine, origins, stations, ("bike", "train_walk"), workers=2)
pd.testing.assert_frame_equal(serial_table, forked_table, check_exact=True)
print("same")
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs 2 cores to fork a worker")
def test_parallel_rows_equal_serial_rows() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PARALLEL_SCRIPT],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "same"


def test_street_minutes_within_is_minutes_matrix_per_layer(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places]
) -> None:
    sample = _every_nth(origins, 20)
    minutes = acc.street_minutes_within(engine, "ebike", sample, layers, 20.0, workers=1)
    for name, facilities in layers.items():
        alone = acc.minutes_matrix(engine, "ebike", sample, facilities, 20.0)
        assert np.array_equal(minutes[name].view(np.int64), alone.view(np.int64)), name
    unbounded = acc.minutes_matrix(engine, "walk", sample, layers["stations"])
    assert np.isfinite(unbounded).all()  # no limit: a time for every pair


@pytest.mark.parametrize("mode", ["walk", "car"])
def test_nearest_facilities_is_nearest_facility_per_layer(
    engine: CommuteEngine, origins: acc.Places, layers: dict[str, acc.Places], mode: str
) -> None:
    together = acc.nearest_facilities(engine, mode, origins, layers)
    assert list(together) == list(layers)
    for name, facilities in layers.items():
        alone = acc.nearest_facility(engine, mode, origins, facilities)
        assert np.array_equal(together[name].minutes, alone.minutes, equal_nan=True), name
        assert np.array_equal(together[name].estimated, alone.estimated)
        assert together[name].method.tolist() == alone.method.tolist()


def test_a_failing_worker_raises_in_the_caller() -> None:
    def compute(rows: np.ndarray) -> np.ndarray:
        if 1 in rows:  # the forked child's share
            msg = "broken row"
            raise ValueError(msg)
        return np.zeros((len(rows), 2))

    with pytest.raises(ValueError, match="broken row"):
        acc._by_rows(compute, 6, 2)
    with pytest.raises(ValueError, match="broken row"):  # the forked side of a pair
        acc._side_by_side(lambda: 1, lambda: compute(np.array([1])), fork=True)
    assert acc._side_by_side(lambda: "here", os.getpid, fork=True)[1] != os.getpid()
    out = acc._by_rows(lambda rows: np.column_stack([rows, -rows]).astype(float), 7, 2)
    assert out.tolist() == [[i, -i] for i in range(7)]


def test_worker_count_falls_back_to_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    # alone in the process (the test session itself may run other threads)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert acc.worker_count(3, 100) == 3
    assert acc.worker_count(3, 40) == 2  # at least 16 origins per process
    assert acc.worker_count(1, 100) == 1
    monkeypatch.setenv(acc.WORKERS_ENV, "1")
    assert acc.worker_count(None, 100) == 1
    monkeypatch.setenv(acc.WORKERS_ENV, "4")
    assert acc.worker_count(None, 100) == 4
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert acc.worker_count(4, 100) == 1  # another thread: no fork


@pytest.mark.parametrize("mode", ["walk", "car"])
def test_lean_anchor_search_equals_anchor_side(
    engine: CommuteEngine, origins: acc.Places, mode: str
) -> None:
    net = engine.network(GRAPH_OF_MODE[mode])
    inside = 0
    for i in range(0, len(origins), 25):
        anchor = LatLon(float(origins.lat[i]), float(origins.lon[i]))
        query = engine.query_for(mode, anchor, "from", 30.0)
        ax, ay = lonlat_to_xy(np.array([anchor.lon]), np.array([anchor.lat]))
        full, lean = (
            street.anchor_side(net, query, ax, ay),
            street.anchor_seconds(net, query, ax, ay),
        )
        assert (lean.inside, lean.snap_m) == (full.inside, full.snap_m)
        assert np.array_equal(lean.seconds.view(np.int64), full.seconds.view(np.int64))
        assert np.array_equal(lean.network_s.view(np.int64), full.network_s.view(np.int64))
        inside += full.inside
    assert 0 < inside < len(range(0, len(origins), 25))


def test_virtual_node_graph_equals_the_stacked_one(engine: CommuteEngine) -> None:
    graph = engine.network("car").forward
    n = graph.shape[0]
    src, w = np.array([7, 3, 20_000]), np.array([4.5, 1.25, 9.0])
    virtual = sp.csr_matrix((w, (np.zeros(3, dtype=np.int64), src)), shape=(1, n + 1))
    stacked = sp.vstack([sp.hstack([graph, sp.csr_matrix((n, 1))]), virtual]).tocsr()
    built = street._with_virtual_node(graph, src, w)
    assert built.shape == stacked.shape and (built != stacked).nnz == 0
    assert built[n].indices.tolist() == [3, 7, 20_000]  # sorted, as a CSR row keeps them


def test_both_leuven_and_outside_neighbourhoods_are_sampled(origins: acc.Places) -> None:
    sample = _sample(origins)
    codes = sample.ids.astype(str)
    assert sum(c.startswith("24062") for c in codes) == 2 and len(codes) == 8


def test_committed_layer_has_every_row_and_consistent_counts() -> None:
    table = load_layer("accessibility")
    assert tuple(table.columns) == LAYER_COLUMNS["accessibility"] == acc.COLUMNS
    places = load_layer("neighbourhoods")
    street = table["mode"].isin(STREET_MODES)
    assert street.sum() == len(places) * len(acc.FACILITY_LAYERS) * len(STREET_MODES)
    reached = load_manifest("accessibility").extra["train"]["neighbourhoods_with_station"]
    assert (~street).sum() == len(acc.FACILITY_LAYERS) * sum(reached.values())
    assert set(table["code"]) == set(places["code"])
    assert [f"count_{t}" for t in acc.THRESHOLDS] == [c for c in table if c.startswith("count_")]
    known = table.dropna(subset=["nearest_minutes"])
    for t in acc.THRESHOLDS:
        # a facility within t minutes exists exactly when the nearest is within t
        assert ((known[f"count_{t}"] > 0) == (known["nearest_minutes"] <= t)).all(), t
    counts = known[[f"count_{t}" for t in acc.THRESHOLDS]].to_numpy()
    assert (np.diff(counts, axis=1) >= 0).all()
    # Leuven's neighbourhoods lie inside the street graphs, and so do their primary schools
    leuven = known[
        known["code"].str.startswith("24062")
        & (known["layer"] == "primary_schools")
        & known["mode"].isin(STREET_MODES)
    ]
    assert len(leuven) == 24 * len(STREET_MODES)
    assert not leuven["estimated"].any()


def test_childcare_is_unknown_where_nothing_is_mapped_never_zero() -> None:
    table = load_layer("accessibility")
    coverage = load_layer("neighbourhoods").set_index("code")["childcare_coverage"]
    childcare = table[table["layer"] == "childcare"]
    unmapped = childcare["code"].map(coverage) == "none"
    assert unmapped.any() and (~unmapped).any()
    assert childcare.loc[unmapped, "nearest_minutes"].isna().all()
    assert childcare.loc[unmapped, "count_30"].isna().all()
    assert (childcare.loc[unmapped, "method"] == CHILDCARE_UNKNOWN).all()
    assert childcare.loc[~unmapped, "method"].str.contains("lower bound").all()


def test_childcare_known_only_keeps_other_layers() -> None:
    table = pd.DataFrame(
        {
            "code": ["a", "a", "b"],
            "layer": ["childcare", "stations", "childcare"],
            "mode": "walk",
            "nearest_minutes": [3.0, 4.0, 5.0],
            **{f"count_{t}": [1, 1, 1] for t in acc.THRESHOLDS},
            "estimated": False,
            "method": "network",
        }
    )
    places = pd.DataFrame({"code": ["a", "b"], "childcare_coverage": ["none", "partial"]})
    out = childcare_known_only(table, places)
    assert out["nearest_minutes"].isna().tolist() == [True, False, False]
    assert out["count_5"].isna().tolist() == [True, False, False]
    assert out["method"].tolist()[1] == "network"
    assert out["method"].tolist()[2].endswith("(lower bound: childcare partly mapped)")
    # an imported official list ("complete") keeps its answers as they are
    complete = places.assign(childcare_coverage=["complete", "complete"])
    kept = childcare_known_only(table, complete)
    assert kept["nearest_minutes"].tolist() == [3.0, 4.0, 5.0]
    assert kept["method"].tolist() == ["network"] * 3


def test_cli_writes_a_selection_and_refuses_bad_arguments(
    engine: CommuteEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "acc.csv"
    args = ["accessibility", "--codes", "2406210", "--layers", "stations", "--csv", str(out)]
    assert main([*args, "--modes", "walk", "car"], engine=engine) == 0
    table = pd.read_csv(out, dtype={"code": str})
    assert table[["code", "layer"]].drop_duplicates().values.tolist() == [["2406210", "stations"]]
    assert sorted(table["mode"]) == ["car", "walk"]
    capsys.readouterr()
    assert main(["accessibility", "--modes", "hover"], engine=engine) == 2
    assert "unknown mode 'hover'" in capsys.readouterr().err
    assert main(["accessibility", "--layers", "pubs"], engine=engine) == 2
    assert "unknown facility layer(s) pubs" in capsys.readouterr().err
    assert main(["accessibility", "--codes", "0000"], engine=engine) == 2
    assert "unknown neighbourhood code(s) 0000" in capsys.readouterr().err
    assert main(["accessibility", "--store", "--modes", "walk"], engine=engine) == 2
