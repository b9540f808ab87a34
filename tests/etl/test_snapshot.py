"""The committed snapshot in geodata/ is complete, current and rebuildable from the mirror."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.__main__ import main
from etl.pipeline import code_version
from etl.stages import all_stages
from geodata.catalog import GRAPHS, LAYERS, layer_path
from geodata.io import load_manifest, load_manifests


def test_every_catalogued_layer_and_graph_is_committed() -> None:
    names = [*LAYERS, *(f"graph:{g}" for g in GRAPHS)]
    missing = [n for n in names if not layer_path(n).exists()]
    assert missing == []
    assert {m.name for m in load_manifests()} == set(names)
    outputs = {o for s in all_stages() for o in s.outputs}
    assert outputs == set(names)


def test_snapshot_was_built_by_the_current_etl_code() -> None:
    stale = [m.name for m in load_manifests() if m.code_version != code_version()]
    assert stale == [], "run: python -m etl build --source-dir ../shared/data"


def test_every_manifest_names_source_licence_date_and_coverage() -> None:
    for manifest in load_manifests():
        for field in ("title", "source", "licence", "data_date", "coverage"):
            assert getattr(manifest, field).strip(), (manifest.name, field)
        assert manifest.inputs, manifest.name
    osm = [m for m in load_manifests() if "OpenStreetMap" in m.source]
    assert osm and all("OpenStreetMap contributors" in m.licence for m in osm)


def test_snapshot_is_compact() -> None:
    total = sum(p.stat().st_size for p in layer_path("schools").parent.rglob("*") if p.is_file())
    assert total < 40 * 1024 * 1024


@pytest.mark.slow
def test_rebuild_from_mirror_matches_committed_rows_then_is_unchanged(
    mirror_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "geodata"
    assert main(["build", "--source-dir", str(mirror_dir), "--out", str(out)]) == 0
    first = capsys.readouterr().out
    assert "[   failed]" not in first
    for committed in load_manifests():
        rebuilt = load_manifest(committed.name, out)
        assert (rebuilt.name, rebuilt.rows) == (committed.name, committed.rows)
        assert rebuilt.bbox == committed.bbox
    if all(m.code_version == code_version() for m in load_manifests()):
        # same inputs and code: the parquet files are byte-identical (deterministic output)
        for name in LAYERS:
            assert layer_path(name, out).read_bytes() == layer_path(name).read_bytes(), name
    assert main(["build", "--source-dir", str(mirror_dir), "--out", str(out)]) == 0
    assert "nothing changed" in capsys.readouterr().out
