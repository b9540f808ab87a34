"""The committed snapshot in geodata/ is complete, current and rebuildable from the mirror."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import shapely.wkt

from etl.__main__ import main
from etl.pipeline import code_version
from etl.stages import all_stages
from geodata.catalog import GRAPHS, LAYERS, layer_path
from geodata.io import load_layer, load_manifest, load_manifests


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


# ------------------------------------------------ honest counts and names (issue 9)


def test_snapshot_childcare_unknown_outside_the_mapped_area_not_zero() -> None:
    # Before: 60 wijken "partial", 28 of them with no OSM data at all, showing 0.
    nb = load_layer("neighbourhoods").set_index("code")
    area = shapely.wkt.loads(load_manifest("childcare").extra["osm_mapped_area"]["wkt"])
    outside = ~nb.geometry.intersects(area) | nb.geometry.touches(area)
    assert outside.sum() > 300
    assert (nb.loc[outside, "childcare_coverage"] == "none").all()
    assert nb.loc[outside, "n_childcare"].isna().all()
    assert nb.loc["24009A02", "childcare_coverage"] == "none"  # Bertem centrum
    assert pd.isna(nb.loc["24009A02", "n_childcare"])
    inside = nb["childcare_coverage"] == "partial"
    assert nb.loc[inside, "n_childcare"].notna().all()
    assert (nb.loc[inside, "childcare_mapped_share"] > 0).all()
    # the real area: about lat 50.86-50.90, lon 4.655-4.755, not the advertised box
    lon0, lat0, lon1, lat1 = area.bounds
    assert lon0 >= 4.655 and lon1 <= 4.755 and lat0 >= 50.86 and lat1 <= 50.90


def test_snapshot_childcare_uses_the_curated_evidence_and_only_open_objects() -> None:
    layer = load_layer("childcare").set_index("osm_id")
    girafant = layer.loc["way/80075802"]
    assert girafant["name"] == "De Girafant"
    assert girafant["category"] == "groepsopvang_0_3"
    assert girafant["income_related_tariff"] == "yes"
    assert "way/844637234" not in layer.index  # Kinderdagverblijf DoRemy, under construction
    assert (layer["status"] == "open").all()
    excluded = load_manifest("childcare").extra["osm_excluded"]
    assert {"osm_id": "way/844637234", "reason": "not_open"}.items() <= next(
        e for e in excluded if e["osm_id"] == "way/844637234"
    ).items()


def test_snapshot_counts_school_sites_next_to_school_numbers() -> None:
    nb = load_layer("neighbourhoods").set_index("code")
    heverlee = nb.loc["2406219"]
    assert heverlee["name"] == "Heverlee Centrum (Leuven)"
    assert (heverlee["n_schools"], heverlee["n_school_sites"]) == (9, 2)
    assert (nb["n_school_sites"] <= nb["n_schools"]).all()
    assert ((nb["n_school_sites"] > 0) == (nb["n_schools"] > 0)).all()


def test_snapshot_names_code_named_wijken_after_their_sectors() -> None:
    nb = load_layer("neighbourhoods").set_index("code")
    assert nb.loc["24028A0", "name"] == "Geetbets-Centrum e.o. (Geetbets)"
    assert nb.loc["12005A0", "name"] == "Bonheiden-Centrum-Noord e.o. (Bonheiden)"
    assert nb.loc["24028A0", "name_origin"] == "statistical sector 24028A00-"
    code_named = [c for c, n in nb["name"].items() if n.split(" (")[0] == c]
    assert code_named == []
    assert not nb["name"].duplicated().any()
