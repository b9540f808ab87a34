"""Batch accessibility equals single engine queries, on the committed snapshot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.engine import accessibility as acc
from dashboard.engine.__main__ import main
from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.engine.settings import STREET_MODES
from etl.stages.accessibility import CHILDCARE_UNKNOWN, childcare_known_only
from geodata.catalog import LAYER_COLUMNS
from geodata.io import load_layer


@pytest.fixture(scope="module")
def engine() -> CommuteEngine:
    return CommuteEngine().preload()


@pytest.fixture(scope="module")
def origins() -> acc.Places:
    return acc.neighbourhood_points()


@pytest.fixture(scope="module")
def layers() -> dict[str, acc.Places]:
    return acc.facility_points()


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


def test_both_leuven_and_outside_neighbourhoods_are_sampled(origins: acc.Places) -> None:
    sample = _sample(origins)
    codes = sample.ids.astype(str)
    assert sum(c.startswith("24062") for c in codes) == 2 and len(codes) == 8


def test_committed_layer_has_every_row_and_consistent_counts() -> None:
    table = load_layer("accessibility")
    assert tuple(table.columns) == LAYER_COLUMNS["accessibility"] == acc.COLUMNS
    places = load_layer("neighbourhoods")
    expected = len(places) * len(acc.FACILITY_LAYERS) * len(STREET_MODES)
    assert len(table) == expected
    assert set(table["code"]) == set(places["code"])
    assert [f"count_{t}" for t in acc.THRESHOLDS] == [c for c in table if c.startswith("count_")]
    known = table.dropna(subset=["nearest_minutes"])
    for t in acc.THRESHOLDS:
        # a facility within t minutes exists exactly when the nearest is within t
        assert ((known[f"count_{t}"] > 0) == (known["nearest_minutes"] <= t)).all(), t
    counts = known[[f"count_{t}" for t in acc.THRESHOLDS]].to_numpy()
    assert (np.diff(counts, axis=1) >= 0).all()
    # Leuven's neighbourhoods lie inside the street graphs, and so do their primary schools
    leuven = known[known["code"].str.startswith("24062") & (known["layer"] == "primary_schools")]
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
