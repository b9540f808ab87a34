"""Tests of the build pipeline: digests, skipping, atomic failure handling, selection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from etl.errors import EtlError, SourceError
from etl.pipeline import BuildContext, Output, Stage, run_pipeline, select_stages
from geodata.io import LayerManifest, load_layer, load_manifest


def _manifest(name: str) -> LayerManifest:
    return LayerManifest(name, name, "hand-made test source", "", "CC0", "2024", "test")


#: Columns the catalog requires of the layers these tests build (loading a layer checks
#: them); the tests read only ``value``, so these hold placeholders.
CATALOG_COLUMNS = {
    "population": ("nis", "population_2020"),
    "housing_prices": ("nis", "year", "type", "median_price_eur"),
}


def _csv_stage(name: str, raw: str, output: str, depends: tuple[str, ...] = ()) -> Stage:
    """A stage that turns a one-column CSV into a table layer (doubling the values)."""

    def build(ctx: BuildContext) -> list[Output]:
        frame = pd.read_csv(ctx.raw(raw))
        if "value" not in frame:
            raise SourceError(ctx.raw(raw), "missing column 'value'")
        for dep in depends:
            frame["value"] += ctx.layer(dep)["value"].sum()
        frame = frame.assign(value=frame["value"] * 2, **dict.fromkeys(CATALOG_COLUMNS[output], 0))
        return [Output(_manifest(output), frame)]

    return Stage(name, (raw,), depends, (output,), build)


@pytest.fixture
def ctx(tmp_path: Path) -> BuildContext:
    src = tmp_path / "raw"
    src.mkdir()
    (src / "a.csv").write_text("value\n1\n2\n")
    (src / "b.csv").write_text("value\n10\n")
    return BuildContext(source_dir=src, out_dir=tmp_path / "out")


def _stages() -> list[Stage]:
    return [
        _csv_stage("first", "a.csv", "population"),
        _csv_stage("second", "b.csv", "housing_prices", depends=("population",)),
    ]


def test_build_then_unchanged_then_force(ctx: BuildContext) -> None:
    results = run_pipeline(_stages(), ctx)
    assert [r.status for r in results] == ["built", "built"]
    assert list(load_layer("population", ctx.out_dir)["value"]) == [2, 4]
    assert list(load_layer("housing_prices", ctx.out_dir)["value"]) == [(10 + 6) * 2]
    manifest = load_manifest("housing_prices", ctx.out_dir)
    assert set(manifest.inputs) == {"b.csv", "layer:population"}

    again = run_pipeline(_stages(), ctx)
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    forced = run_pipeline(_stages(), ctx, force=True)
    assert [r.status for r in forced] == ["built", "built"]


def test_changed_input_rebuilds_it_and_its_dependents(ctx: BuildContext) -> None:
    run_pipeline(_stages(), ctx)
    (ctx.source_dir / "a.csv").write_text("value\n5\n0\n")  # same row count: no guard
    results = run_pipeline(_stages(), ctx)
    assert [r.status for r in results] == ["built", "built"]
    assert list(load_layer("housing_prices", ctx.out_dir)["value"]) == [(10 + 10) * 2]


def test_failing_source_keeps_previous_snapshot_and_skips_dependents(ctx: BuildContext) -> None:
    run_pipeline(_stages(), ctx)
    before = (ctx.out_dir / "population.parquet").read_bytes()
    (ctx.source_dir / "a.csv").write_text("other\n1\n")
    results = run_pipeline(_stages(), ctx)
    assert results[0].status == "failed"
    assert "a.csv" in results[0].message and "missing column 'value'" in results[0].message
    assert results[1].status == "skipped"
    assert (ctx.out_dir / "population.parquet").read_bytes() == before
    assert list(load_layer("housing_prices", ctx.out_dir)["value"]) == [32]


def test_missing_and_empty_inputs_name_the_file(ctx: BuildContext) -> None:
    (ctx.source_dir / "b.csv").unlink()
    (ctx.source_dir / "a.csv").write_text("")
    results = run_pipeline(_stages(), ctx)
    assert results[0].status == "failed"
    assert "a.csv: file is empty" in results[0].message
    assert results[1].status == "skipped"


def test_crashing_stage_is_contained(ctx: BuildContext) -> None:
    def boom(_: BuildContext) -> list[Output]:
        raise ZeroDivisionError("bug")

    stages = [Stage("boom", ("a.csv",), (), ("population",), boom), _stages()[1]]
    results = run_pipeline(stages, ctx)
    assert results[0].status == "failed" and "ZeroDivisionError" in results[0].message
    assert results[1].status == "skipped"
    assert not (ctx.out_dir / "population.parquet").exists()


def test_stage_must_return_its_declared_outputs(ctx: BuildContext) -> None:
    stage = _csv_stage("first", "a.csv", "population")
    wrong = Stage("first", stage.inputs, (), ("schools",), stage.build)
    result = run_pipeline([wrong], ctx)[0]
    assert result.status == "failed" and "expected ['schools']" in result.message


def test_select_stages_by_stage_or_output_name() -> None:
    stages = _stages()
    assert [s.name for s in select_stages(stages, ["housing_prices"])] == ["second"]
    assert [s.name for s in select_stages(stages, ["first"])] == ["first"]
    assert len(select_stages(stages, None)) == 2
    with pytest.raises(EtlError, match="unknown stage"):
        select_stages(stages, ["nope"])
