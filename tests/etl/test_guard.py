"""Tests of the snapshot guard: a rebuilt layer that lost rows or moved fails its stage.

Hand-made stages turn a small CSV of points (``lon,lat``) into the ``stations`` layer,
a CSV of numbers into the ``population`` table and the same points into a ``walk``
graph, so each test can shrink or move the input by an exact amount.  The last test
cuts the real schools list of the mirror in half.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from etl.pipeline import BuildContext, LayerChange, Output, Stage, run_pipeline
from etl.settings import DEFAULT_GUARD, LAYER_GUARDS, ChangeGuard, change_guard
from etl.sources import schools as schools_src
from etl.stages import boundaries as boundaries_stage
from etl.stages import schools as schools_stage
from geodata.catalog import LAYERS, layer_path, manifest_path
from geodata.io import LayerManifest, load_layer, load_manifest

# Leuven station, in degrees; 0.01 degree of latitude is 1.1057 km.
LON, LAT = 4.7156, 50.8814


def _manifest(name: str) -> LayerManifest:
    return LayerManifest(name, name, "hand-made test source", "", "CC0", "2024", "test")


def _points(ctx: BuildContext) -> pd.DataFrame:
    return pd.read_csv(ctx.raw("points.csv"))


def _stations(ctx: BuildContext) -> list[Output]:
    points = _points(ctx)
    frame = gpd.GeoDataFrame(
        {
            "id": [f"s{i}" for i in range(len(points))],
            "name_nl": "test",
            "nis": "24062",
            "wijk": None,
        },
        geometry=gpd.points_from_xy(points["lon"], points["lat"]),
        crs="EPSG:4326",
    )
    return [Output(_manifest("stations"), frame)]


def _population(ctx: BuildContext) -> list[Output]:
    counts = pd.read_csv(ctx.raw("counts.csv"))
    frame = pd.DataFrame({"nis": counts["nis"].astype(str), "population_2020": counts["n"]})
    return [Output(_manifest("population"), frame)]


def _both(ctx: BuildContext) -> list[Output]:
    return [*_stations(ctx), *_population(ctx)]


def _walk_graph(ctx: BuildContext) -> list[Output]:
    points = _points(ctx)
    n = len(points)
    arrays = {
        "node_lon": points["lon"].to_numpy(float),
        "node_lat": points["lat"].to_numpy(float),
        "edge_from": np.arange(n - 1, dtype=np.int32),
        "edge_to": np.arange(1, n, dtype=np.int32),
        "edge_time_s": np.full(n - 1, 30.0),
    }
    return [Output(_manifest("graph:walk"), arrays=arrays)]


def _neighbours(ctx: BuildContext) -> list[Output]:
    """A dependant of ``stations``: one row per station."""
    stations = ctx.layer("stations")
    frame = pd.DataFrame({"nis": stations["nis"], "population_2020": range(len(stations))})
    return [Output(_manifest("population"), frame)]


STATIONS = Stage("stations", ("points.csv",), (), ("stations",), _stations)
POPULATION = Stage("population", ("counts.csv",), (), ("population",), _population)
BOTH = Stage("both", ("points.csv", "counts.csv"), (), ("stations", "population"), _both)
WALK = Stage("walk", ("points.csv",), (), ("graph:walk",), _walk_graph)
DEPENDANT = Stage("dependant", (), ("stations",), ("population",), _neighbours)


def _write_points(ctx: BuildContext, points: list[tuple[float, float]]) -> None:
    lines = ["lon,lat", *(f"{lon!r},{lat!r}" for lon, lat in points)]
    (ctx.source_dir / "points.csv").write_text("\n".join(lines) + "\n")


def _write_counts(ctx: BuildContext, n_rows: int) -> None:
    lines = ["nis,n", *(f"{24000 + i},{100 + i}" for i in range(n_rows))]
    (ctx.source_dir / "counts.csv").write_text("\n".join(lines) + "\n")


def _grid(n: int, *, dlon: float = 0.0, dlat: float = 0.0, scale: float = 1.0) -> list:
    """``n`` points on a 0.1 x 0.1 degree diagonal around Leuven, moved and scaled."""
    step = 0.1 / (n - 1)
    return [
        (LON + dlon + scale * (i * step - 0.05), LAT + dlat + scale * (i * step - 0.05))
        for i in range(n)
    ]


@pytest.fixture
def ctx(tmp_path: Path) -> BuildContext:
    src = tmp_path / "raw"
    src.mkdir()
    context = BuildContext(source_dir=src, out_dir=tmp_path / "out")
    _write_points(context, _grid(10))
    _write_counts(context, 20)
    return context


def _snapshot(out: Path, *names: str) -> dict[str, bytes]:
    files = [p(n, out) for n in names for p in (layer_path, manifest_path)]
    return {f.name: f.read_bytes() for f in files}


def _statuses(stages: list[Stage], ctx: BuildContext, **kwargs: object) -> list[str]:
    return [r.status for r in run_pipeline(stages, ctx, **kwargs)]


# --- row counts ---------------------------------------------------------------------------


def test_row_drop_beyond_limit_fails_and_keeps_previous_files(ctx: BuildContext) -> None:
    assert _statuses([STATIONS, DEPENDANT], ctx) == ["built", "built"]
    before = _snapshot(ctx.out_dir, "stations", "population")
    _write_points(ctx, _grid(10)[:8])  # 2 of 10 rows gone: 20% > 10%
    first, second = run_pipeline([STATIONS, DEPENDANT], ctx)
    assert (first.status, second.status) == ("failed", "skipped")
    assert "layer 'stations': rows 10 -> 8" in first.message
    assert "20.0% of the rows gone, at most 10% allowed" in first.message
    assert "--only stations --accept-changes" in first.message
    assert "previous files kept" in first.message
    assert [(c.name, c.old_rows, c.new_rows) for c in first.changes] == [("stations", 10, 8)]
    assert _snapshot(ctx.out_dir, "stations", "population") == before


def test_row_drop_at_the_limit_is_allowed(ctx: BuildContext) -> None:
    # Points 0..8 keep the bbox within limits (centre 0.73 km away, area -21%).
    run_pipeline([STATIONS], ctx)
    _write_points(ctx, _grid(10)[:9])
    (result,) = run_pipeline([STATIONS], ctx)
    assert result.status == "built", result.message
    assert result.changes == ()
    assert load_manifest("stations", ctx.out_dir).rows == 9


def test_more_rows_never_fail(ctx: BuildContext) -> None:
    run_pipeline([POPULATION], ctx)
    _write_counts(ctx, 200)
    assert _statuses([POPULATION], ctx) == ["built"]
    assert load_manifest("population", ctx.out_dir).rows == 200


def test_table_layer_row_drop_fails(ctx: BuildContext) -> None:
    run_pipeline([POPULATION], ctx)
    _write_counts(ctx, 17)  # 3 of 20 gone: 15%
    (result,) = run_pipeline([POPULATION], ctx)
    assert result.status == "failed"
    assert "layer 'population': rows 20 -> 17 (15.0% of the rows gone" in result.message
    assert "bbox" not in result.message  # a table has none
    assert len(load_layer("population", ctx.out_dir)) == 20


def test_accept_changes_writes_and_reports_the_change(ctx: BuildContext) -> None:
    run_pipeline([POPULATION], ctx)
    _write_counts(ctx, 5)
    (result,) = run_pipeline([POPULATION], ctx, accept_changes=True)
    assert result.status == "built"
    assert "accepted layer 'population': rows 20 -> 5" in result.message
    assert [(c.old_rows, c.new_rows) for c in result.changes] == [(20, 5)]
    assert len(load_layer("population", ctx.out_dir)) == 5
    # the accepted snapshot is the new baseline: the same input is now unchanged
    assert _statuses([POPULATION], ctx) == ["unchanged"]


def test_force_does_not_bypass_the_guard(ctx: BuildContext) -> None:
    run_pipeline([POPULATION], ctx)
    _write_counts(ctx, 5)
    assert _statuses([POPULATION], ctx, force=True) == ["failed"]


def test_one_refused_output_keeps_every_output_of_the_stage(ctx: BuildContext) -> None:
    run_pipeline([BOTH], ctx)
    before = _snapshot(ctx.out_dir, "stations", "population")
    _write_counts(ctx, 10)  # population halves; the stations change within limits
    _write_points(ctx, _grid(10, dlon=0.001))
    (result,) = run_pipeline([BOTH], ctx)
    assert result.status == "failed"
    assert [c.name for c in result.changes] == ["population"]
    assert "'stations'" not in result.message
    assert _snapshot(ctx.out_dir, "stations", "population") == before


def test_graph_node_count_is_guarded(ctx: BuildContext) -> None:
    run_pipeline([WALK], ctx)
    before = (ctx.out_dir / "graphs" / "walk.npz").read_bytes()
    _write_points(ctx, _grid(10)[:5])
    (result,) = run_pipeline([WALK], ctx)
    assert result.status == "failed"
    assert "layer 'graph:walk': rows 10 -> 5" in result.message
    assert (ctx.out_dir / "graphs" / "walk.npz").read_bytes() == before


def test_first_build_and_damaged_manifest_have_no_baseline(ctx: BuildContext) -> None:
    _write_points(ctx, _grid(10))
    assert _statuses([STATIONS], ctx) == ["built"]
    manifest_path("stations", ctx.out_dir).write_text("{")
    _write_points(ctx, _grid(3))
    assert _statuses([STATIONS], ctx) == ["built"]
    assert load_manifest("stations", ctx.out_dir).rows == 3


def test_missing_data_file_has_nothing_to_protect(ctx: BuildContext) -> None:
    run_pipeline([STATIONS], ctx)
    layer_path("stations", ctx.out_dir).unlink()
    _write_points(ctx, _grid(3))
    assert _statuses([STATIONS], ctx) == ["built"]


def test_previously_empty_layer_may_grow(ctx: BuildContext) -> None:
    _write_counts(ctx, 0)
    assert _statuses([POPULATION], ctx) == ["built"]
    _write_counts(ctx, 3)
    assert _statuses([POPULATION], ctx) == ["built"]


def test_graph_without_nodes_fails_on_rows(ctx: BuildContext) -> None:
    run_pipeline([WALK], ctx)

    def no_nodes(_: BuildContext) -> list[Output]:
        empty = {k: np.array([]) for k in ("node_lon", "node_lat", "edge_time_s")}
        ends = {k: np.array([], dtype=np.int32) for k in ("edge_from", "edge_to")}
        return [Output(_manifest("graph:walk"), arrays={**empty, **ends})]

    stage = Stage("walk", ("points.csv",), (), ("graph:walk",), no_nodes)
    (result,) = run_pipeline([stage], ctx, force=True)
    assert result.status == "failed"
    assert (
        "layer 'graph:walk': rows 10 -> 0, bbox [4.66560, 50.83140, 4.76560, 50.93140] -> []"
        in (result.message)
    )


def test_malformed_outputs_are_left_to_the_save_step(ctx: BuildContext) -> None:
    run_pipeline([STATIONS, WALK], ctx)

    def lambert(c: BuildContext) -> list[Output]:
        (out,) = _stations(c)
        assert out.frame is not None
        return [Output(out.manifest, out.frame.to_crs("EPSG:31370"))]

    def no_lat(c: BuildContext) -> list[Output]:
        (out,) = _walk_graph(c)
        assert out.arrays is not None
        return [
            Output(out.manifest, arrays={k: v for k, v in out.arrays.items() if k != "node_lat"})
        ]

    first, second = run_pipeline(
        [
            Stage("stations", ("points.csv",), (), ("stations",), lambert),
            Stage("walk", ("points.csv",), (), ("graph:walk",), no_lat),
        ],
        ctx,
        force=True,  # same inputs as the first build
    )
    assert first.status == second.status == "failed"
    assert "must be stored in EPSG:4326" in first.message and first.changes == ()
    assert "lacks arrays: node_lat" in second.message and second.changes == ()


# --- bbox ------------------------------------------------------------------------------------


def test_layer_moved_away_fails(ctx: BuildContext) -> None:
    # The default limit is 10% of the diagonal: 0.1 x 0.1 degree is 7.0 x 11.1 km, so
    # 1.31 km.  Moving every point 0.5 degree south (55.3 km, "into the sea" for a
    # Belgian layer) fails; the area is unchanged within 1%.
    run_pipeline([STATIONS], ctx)
    _write_points(ctx, _grid(10, dlat=-0.5))
    (result,) = run_pipeline([STATIONS], ctx)
    assert result.status == "failed"
    assert "bbox centre moved 55.3 km, at most 1.3 km allowed" in result.message
    assert "area" not in result.message
    assert "bbox [4.66560, 50.83140, 4.76560, 50.93140] -> [4.66560, 50.33140" in result.message


def test_centre_shift_just_inside_and_just_beyond_the_limit(ctx: BuildContext) -> None:
    run_pipeline([STATIONS], ctx)
    _write_points(ctx, _grid(10, dlat=0.0115))  # 1.27 km north: allowed
    assert _statuses([STATIONS], ctx) == ["built"]
    _write_points(ctx, _grid(10, dlat=0.0115 + 0.0125))  # 1.38 km further north
    (result,) = run_pipeline([STATIONS], ctx)
    assert result.status == "failed"
    assert "bbox centre moved 1.4 km, at most 1.3 km allowed" in result.message


def test_east_west_shift_is_measured_in_km_at_the_latitude(ctx: BuildContext) -> None:
    # 0.02 degree of longitude at 50.88 N is 1.40 km (0.02 of latitude would be 2.21 km):
    # beyond 1.31 km; 0.018 degree (1.26 km) is within.
    run_pipeline([STATIONS], ctx)
    _write_points(ctx, _grid(10, dlon=0.018))
    assert _statuses([STATIONS], ctx) == ["built"]
    _write_points(ctx, _grid(10, dlon=0.018 + 0.02))
    (result,) = run_pipeline([STATIONS], ctx)
    assert "bbox centre moved 1.4 km" in result.message


def test_area_growing_or_shrinking_beyond_half_fails(ctx: BuildContext) -> None:
    run_pipeline([STATIONS], ctx)
    _write_points(ctx, _grid(10, scale=1.2))  # area x1.44: within +-50%
    assert _statuses([STATIONS], ctx) == ["built"]
    _write_points(ctx, _grid(10, scale=1.2 * 1.25))  # x1.5625 of the last one
    (grown,) = run_pipeline([STATIONS], ctx)
    assert grown.status == "failed"
    assert "bbox area +56%, at most \N{PLUS-MINUS SIGN}50% allowed" in grown.message
    assert "centre" not in grown.message
    _write_points(ctx, _grid(10, scale=1.2 * 0.6))  # x0.36
    (shrunk,) = run_pipeline([STATIONS], ctx)
    assert "bbox area -64%" in shrunk.message


def test_small_layer_may_always_move_the_minimum_distance(ctx: BuildContext) -> None:
    # One station: its bbox is a point (no diagonal, no area), so only the 0.5 km floor
    # applies; 0.004 degree north is 0.44 km, 0.005 more is 0.55 km.
    _write_points(ctx, [(LON, LAT)])
    run_pipeline([STATIONS], ctx)
    _write_points(ctx, [(LON, LAT + 0.004)])
    assert _statuses([STATIONS], ctx) == ["built"]
    _write_points(ctx, [(LON, LAT + 0.009)])
    (result,) = run_pipeline([STATIONS], ctx)
    assert "bbox centre moved 0.6 km, at most 0.5 km allowed" in result.message


def test_emptied_layer_fails_on_rows(ctx: BuildContext) -> None:
    run_pipeline([STATIONS], ctx)
    (ctx.source_dir / "points.csv").write_text("lon,lat\n")
    (result,) = run_pipeline([STATIONS], ctx)
    assert result.status == "failed"
    assert (
        "rows 10 -> 0, bbox [4.66560, 50.83140, 4.76560, 50.93140] -> [] (100.0% of the rows"
        in (result.message)
    )


def test_layer_whose_geometries_all_vanished_fails(ctx: BuildContext) -> None:
    run_pipeline([STATIONS], ctx)

    def no_geometry(c: BuildContext) -> list[Output]:
        (out,) = _stations(c)
        assert out.frame is not None
        return [Output(out.manifest, out.frame.set_geometry(gpd.GeoSeries([None] * 10)))]

    stage = Stage("stations", ("points.csv",), (), ("stations",), no_geometry)
    (result,) = run_pipeline([stage], ctx, force=True)
    assert result.status == "failed"
    assert "no row has a usable geometry (the new bbox is not finite)" in result.message


# --- limits per layer ----------------------------------------------------------------------


def test_per_layer_limits_and_switched_off_checks(ctx: BuildContext) -> None:
    run_pipeline([STATIONS], ctx)
    _write_points(ctx, _grid(6, dlat=-0.5))
    loose = {"stations": ChangeGuard(max_row_drop=None, max_centre_shift=None)}
    assert _statuses([STATIONS], ctx, guards=loose) == ["built"]
    _write_points(ctx, _grid(3, dlat=-0.5))  # half the rows gone
    strict = {"stations": ChangeGuard(max_row_drop=0.4)}
    (result,) = run_pipeline([STATIONS], ctx, guards=strict)
    assert "50.0% of the rows gone, at most 40% allowed" in result.message
    assert _statuses([STATIONS], ctx, guards={"stations": ChangeGuard(max_row_drop=0.5)}) == [
        "built"
    ]


def test_declared_limits() -> None:
    limits = (DEFAULT_GUARD.max_row_drop, DEFAULT_GUARD.max_centre_shift)
    assert limits == (0.10, 0.10)
    assert (DEFAULT_GUARD.min_centre_shift_km, DEFAULT_GUARD.max_area_change) == (0.5, 0.5)
    assert change_guard("schools") is DEFAULT_GUARD
    assert change_guard("rail_timetable").max_row_drop == 0.25
    assert change_guard("childcare").max_area_change is None
    assert set(LAYER_GUARDS) <= set(LAYERS)
    assert change_guard("schools", {"schools": ChangeGuard(0.5)}).max_row_drop == 0.5
    assert change_guard("rail_timetable", {}) is DEFAULT_GUARD


def test_layer_change_describes_itself() -> None:
    change = LayerChange("x", 4, 2, (), (), ("half gone",))
    assert change.describe() == "layer 'x': rows 4 -> 2 (half gone)"


# --- the real schools list, cut in half ----------------------------------------------------


def _cut_in_half(path: Path) -> int:
    """Keep the header and the first half of the records of a CSV; return records kept."""
    with path.open(newline="", encoding="utf-8") as fh:
        records = list(csv.reader(fh))
    kept = records[: 1 + (len(records) - 1) // 2]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(kept)
    return len(kept) - 1


@pytest.mark.slow
def test_schools_list_cut_in_half_keeps_the_previous_layer(
    mirror_dir: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    for folder in ("boundaries", "schools"):
        shutil.copytree(mirror_dir / folder, raw / folder)
    ctx = BuildContext(source_dir=raw, out_dir=tmp_path / "out")
    stages = [*boundaries_stage.STAGES, *schools_stage.STAGES]
    assert _statuses(stages, ctx) == ["built", "built"]
    good = load_manifest("schools", ctx.out_dir).rows
    before = _snapshot(ctx.out_dir, "schools")

    _cut_in_half(raw / schools_src.OFFICIAL)
    _, result = run_pipeline(stages, ctx)
    assert result.status == "failed", result.message
    (change,) = result.changes
    assert change.name == "schools" and change.old_rows == good
    assert change.new_rows < 0.6 * good
    assert f"layer 'schools': rows {good} -> {change.new_rows}" in result.message
    assert _snapshot(ctx.out_dir, "schools") == before

    _, accepted = run_pipeline(stages, ctx, accept_changes=True)
    assert accepted.status == "built"
    assert load_manifest("schools", ctx.out_dir).rows == change.new_rows
