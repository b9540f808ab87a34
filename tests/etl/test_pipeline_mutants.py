"""Pipeline bookkeeping that a wrong operator would break silently.

Hand-made stages on tiny CSV inputs (expected values by hand): the code version and every
digest must change what they should, a half-missing or damaged output must count as out
of date, manifests must record what was built, and leftovers must be matched exactly.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from etl import pipeline
from etl.errors import EtlError, SourceError
from etl.pipeline import (
    BuildContext,
    Output,
    Stage,
    StageResult,
    code_version,
    file_sha256,
    is_up_to_date,
    output_rows_bbox,
    relative_to_project,
    remove_leftover_tmp,
    run_pipeline,
    run_stage,
    select_stages,
    stage_digests,
)
from etl.settings import PROJECT_ROOT
from geodata.catalog import layer_path, manifest_path
from geodata.io import LayerManifest, load_layer, load_manifest


def _manifest(name: str) -> LayerManifest:
    return LayerManifest(name, name, "hand-made test source", "", "CC0", "2024", "test")


def _table_stage(name: str, raw: str, outputs: tuple[str, ...], depends: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    """A stage writing each output as the raw CSV's ``value`` column times three."""

    def build(ctx: BuildContext) -> list[Output]:
        frame = pd.read_csv(ctx.raw(raw))
        if "value" not in frame:
            raise SourceError(ctx.raw(raw), "missing column 'value'")
        return [Output(_manifest(o), frame.assign(value=frame["value"] * 3)) for o in outputs]

    return Stage(name, (raw,), depends, outputs, build)


@pytest.fixture
def ctx(tmp_path: Path) -> BuildContext:
    src = tmp_path / "raw"
    src.mkdir()
    (src / "a.csv").write_text("value\n1\n2\n")
    (src / "b.csv").write_text("value\n7\n")
    return BuildContext(source_dir=src, out_dir=tmp_path / "out")


# ----------------------------------------------------------------- digests and versions


def test_file_digest_reads_every_block(tmp_path: Path) -> None:
    data = bytes(range(256)) * (5 * 4096 + 3)  # a little over 5 MiB: several blocks
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_code_version_follows_every_python_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etl_dir = tmp_path / "etl"
    (etl_dir / "sources").mkdir(parents=True)
    (etl_dir / "a.py").write_text("A = 1\n")
    (etl_dir / "sources" / "b.py").write_text("B = 2\n")
    (etl_dir / "notes.txt").write_text("not code\n")
    monkeypatch.setattr(pipeline, "ETL_DIR", etl_dir)
    first = code_version()
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert code_version() == first
    (etl_dir / "notes.txt").write_text("still not code\n")
    assert code_version() == first
    (etl_dir / "sources" / "b.py").write_text("B = 3\n")
    second = code_version()
    assert second != first
    (etl_dir / "a.py").rename(etl_dir / "c.py")  # same bytes under another name
    assert code_version() != second


def test_real_code_version_is_a_short_digest() -> None:
    assert re.fullmatch(r"[0-9a-f]{16}", code_version())


def test_stage_digests_name_inputs_extra_files_and_layers(ctx: BuildContext) -> None:
    run_pipeline([_table_stage("first", "a.csv", ("population",))], ctx)
    extra = ctx.source_dir.parent / "import.csv"
    extra.write_text("value\n9\n")
    stage = Stage(
        "second",
        ("b.csv",),
        ("population",),
        ("housing_prices",),
        lambda _: [],
        extra_inputs=lambda _: [extra],
    )
    digests = stage_digests(stage, ctx)
    assert digests == {
        "b.csv": hashlib.sha256(b"value\n7\n").hexdigest(),
        "file:import.csv": hashlib.sha256(b"value\n9\n").hexdigest(),
        "layer:population": file_sha256(layer_path("population", ctx.out_dir)),
    }
    early = Stage("early", ("b.csv",), ("schools",), ("housing_prices",), lambda _: [])
    with pytest.raises(EtlError, match="'early' needs layer 'schools'"):
        stage_digests(early, ctx)


# ----------------------------------------------------------------- up to date or not


def _built(ctx: BuildContext) -> tuple[Stage, dict[str, str], str]:
    stage = _table_stage("pair", "a.csv", ("population", "housing_prices"))
    version = code_version()
    assert run_stage(stage, ctx, force=False, version=version).status == "built"
    return stage, stage_digests(stage, ctx), version


def test_up_to_date_only_when_everything_matches(ctx: BuildContext) -> None:
    stage, digests, version = _built(ctx)
    assert is_up_to_date(stage, ctx, digests, version)
    assert not is_up_to_date(stage, ctx, digests, "another version")
    assert not is_up_to_date(stage, ctx, {**digests, "a.csv": "0" * 64}, version)
    assert not is_up_to_date(stage, ctx, {}, version)


@pytest.mark.parametrize("damage", ["data file gone", "manifest gone", "[]", "{", "{}"])
def test_half_missing_or_damaged_second_output_is_out_of_date(
    ctx: BuildContext, damage: str
) -> None:
    stage, digests, version = _built(ctx)
    data, manifest = (
        layer_path("housing_prices", ctx.out_dir),
        manifest_path("housing_prices", ctx.out_dir),
    )
    if damage == "data file gone":
        data.unlink()
    elif damage == "manifest gone":
        manifest.unlink()
    else:
        manifest.write_text(damage)
    assert is_up_to_date(stage, ctx, digests, version) is False
    again = run_stage(stage, ctx, force=False, version=version)
    assert again.status == "built"
    assert load_manifest("housing_prices", ctx.out_dir).inputs == digests


def test_changed_code_version_rebuilds(ctx: BuildContext, monkeypatch: pytest.MonkeyPatch) -> None:
    stages = [_table_stage("first", "a.csv", ("population",))]
    monkeypatch.setattr(pipeline, "code_version", lambda: "version-one")
    assert [r.status for r in run_pipeline(stages, ctx)] == ["built"]
    assert load_manifest("population", ctx.out_dir).code_version == "version-one"
    assert [r.status for r in run_pipeline(stages, ctx)] == ["unchanged"]
    monkeypatch.setattr(pipeline, "code_version", lambda: "version-two")
    assert [r.status for r in run_pipeline(stages, ctx)] == ["built"]
    assert load_manifest("population", ctx.out_dir).code_version == "version-two"


# ----------------------------------------------------------------- running stages


def test_manifest_records_digests_version_and_time(ctx: BuildContext) -> None:
    stage = _table_stage("first", "a.csv", ("population",))
    result = run_stage(stage, ctx, force=False, version="v-test")
    assert result.status == "built"
    assert result.message == "population=2"
    assert 0 <= result.seconds < 60
    manifest = load_manifest("population", ctx.out_dir)
    assert manifest.inputs == {"a.csv": hashlib.sha256(b"value\n1\n2\n").hexdigest()}
    assert manifest.code_version == "v-test"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", manifest.built_at)
    assert load_layer("population", ctx.out_dir)["value"].tolist() == [3, 6]
    unchanged = run_stage(stage, ctx, force=False, version="v-test")
    assert unchanged.status == "unchanged" and 0 <= unchanged.seconds < 60
    assert run_stage(stage, ctx, force=True, version="v-test").status == "built"


def test_an_output_without_data_fails_the_stage(ctx: BuildContext) -> None:
    stage = Stage(
        "empty", ("a.csv",), (), ("population",), lambda _: [Output(_manifest("population"))]
    )
    result = run_stage(stage, ctx, force=False, version="v")
    assert result.status == "failed"
    assert "output 'population' of stage 'empty' is empty" in result.message
    assert 0 <= result.seconds < 60
    assert not layer_path("population", ctx.out_dir).exists()


def test_unexpected_errors_are_reported_with_their_type(ctx: BuildContext) -> None:
    def boom(_: BuildContext) -> list[Output]:
        msg = "bad cell"
        raise KeyError(msg)

    result = run_stage(
        Stage("boom", ("a.csv",), (), ("population",), boom), ctx, force=False, version="v"
    )
    assert result.status == "failed"
    assert 0 <= result.seconds < 60
    assert result.message == "unexpected KeyError: 'bad cell'"


def test_a_refused_change_is_timed_and_listed(ctx: BuildContext) -> None:
    stage = _table_stage("first", "a.csv", ("population",))
    (ctx.source_dir / "a.csv").write_text("value\n" + "1\n" * 10)
    assert run_stage(stage, ctx, force=False, version="v").status == "built"
    (ctx.source_dir / "a.csv").write_text("value\n1\n")  # 10 rows -> 1
    result = run_stage(stage, ctx, force=False, version="v")
    assert result.status == "failed"
    assert 0 <= result.seconds < 60
    assert [(c.name, c.old_rows, c.new_rows) for c in result.changes] == [("population", 10, 1)]
    assert load_manifest("population", ctx.out_dir).rows == 10


def test_only_dependents_of_a_failure_are_skipped(ctx: BuildContext) -> None:
    (ctx.source_dir / "a.csv").write_text("other\n1\n")
    stages = [
        _table_stage("first", "a.csv", ("population",)),
        _table_stage("second", "b.csv", ("housing_prices",), depends=("population",)),
        _table_stage("third", "b.csv", ("housing_summary",)),
    ]
    seen: list[StageResult] = []
    results = run_pipeline(stages, ctx, progress=seen.append)
    assert [r.status for r in results] == ["failed", "skipped", "built"]
    assert seen == results
    assert results[1].message == "depends on failed population; previous snapshot kept"
    assert not (ctx.out_dir / pipeline.LOCK_NAME).exists()


def test_select_stages_keeps_order_and_names_unknown_ones() -> None:
    stages = [
        _table_stage("first", "a.csv", ("population",)),
        _table_stage("second", "b.csv", ("housing_prices", "housing_summary")),
    ]
    assert select_stages(stages, []) == stages
    assert [s.name for s in select_stages(stages, ["housing_summary"])] == ["second"]
    assert [s.name for s in select_stages(stages, ["second", "first"])] == ["first", "second"]
    with pytest.raises(EtlError, match="unknown stage\\(s\\) nope, zzz; known: first, second"):
        select_stages(stages, ["zzz", "first", "nope"])


# ----------------------------------------------------------------- leftovers and paths


def test_only_temporaries_of_a_killed_build_are_removed(tmp_path: Path) -> None:
    (tmp_path / "graphs").mkdir()
    leftovers = [
        tmp_path / ".schools.parquet.ab12cd34.tmp",
        tmp_path / "graphs" / ".walk.npz.a_b_c_d_.tmp",
    ]
    kept = [
        tmp_path / "schools.parquet",
        tmp_path / "schools.parquet.ab12cd34.tmp",  # no leading dot
        tmp_path / ".schools.parquet.ab12cd3.tmp",  # 7 random characters
        tmp_path / ".schools.parquet.AB12CD34.tmp",  # not mkstemp's alphabet
    ]
    for path in leftovers + kept:
        path.write_text("x")
    (tmp_path / ".dir.ab12cd34.tmp").mkdir()
    assert sorted(remove_leftover_tmp(tmp_path)) == sorted(leftovers)
    assert all(p.exists() for p in kept)
    assert not any(p.exists() for p in leftovers)
    assert (tmp_path / ".dir.ab12cd34.tmp").is_dir()
    assert remove_leftover_tmp(tmp_path / "missing") == []


def test_relative_to_project() -> None:
    assert relative_to_project(PROJECT_ROOT / "geodata" / "x.parquet") == "geodata/x.parquet"
    assert relative_to_project(Path("/elsewhere/x")) == "/elsewhere/x"


# ----------------------------------------------------------------- what the guard measures


def test_output_rows_and_bbox_of_each_kind_of_output() -> None:
    m = _manifest("stations")
    graph = {"node_lon": np.array([4.7, 4.6, 4.8]), "node_lat": np.array([50.9, 50.8, 50.85])}
    assert output_rows_bbox(Output(m, arrays=graph)) == (3, (4.6, 50.8, 4.8, 50.9))
    assert output_rows_bbox(Output(m, arrays={"node_lon": np.array([4.7])})) is None
    empty = {"node_lon": np.array([]), "node_lat": np.array([])}
    assert output_rows_bbox(Output(m, arrays=empty)) == (0, ())
    assert output_rows_bbox(Output(m)) is None
    assert output_rows_bbox(Output(m, frame=pd.DataFrame({"a": [1, 2]}))) == (2, ())
    points = gpd.GeoDataFrame(geometry=[Point(4.7, 50.9), Point(4.6, 50.8)], crs=4326)
    assert output_rows_bbox(Output(m, frame=points)) == (2, (4.6, 50.8, 4.7, 50.9))
    assert output_rows_bbox(Output(m, frame=points.to_crs(31370))) is None
    assert output_rows_bbox(Output(m, frame=points.iloc[:0])) == (0, ())


# ----------------------------------------------------------------- the lock file


@pytest.mark.parametrize("previous_holder", ["removed", "replaced"])
def test_lock_taken_on_a_file_its_holder_removed_is_taken_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, previous_holder: str
) -> None:
    # Simulates the race: the previous build ends (removes its lock file, maybe a third
    # build creates a new one) between our open and our flock.
    lock = tmp_path / pipeline.LOCK_NAME
    real_flock = pipeline.fcntl.flock
    raced: list[int] = []

    def flock_then_race(fd: int, operation: int) -> None:
        real_flock(fd, operation)
        if not raced:
            raced.append(fd)
            lock.unlink()
            if previous_holder == "replaced":
                lock.write_text("someone else\n")

    monkeypatch.setattr(pipeline.fcntl, "flock", flock_then_race)
    with pipeline.build_lock(tmp_path) as held:
        assert held == lock
        assert lock.read_text() == f"{os.getpid()}\n"  # written through the file on disk
    assert not lock.exists()
