"""Tests of the ``adult_education`` stage (CVO and basiseducatie centres of the school list)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from etl.pipeline import BuildContext, run_pipeline
from etl.sources import schools as src
from etl.stages import adult_education as stage
from etl.stages import boundaries as boundaries_stage
from geodata.catalog import LAYER_COLUMNS, READER_COLUMNS
from geodata.io import LayerManifest, load_layer, load_manifest, save_layer
from tests.etl.test_schools import MERGERS, SAMPLE, _boxes

#: Adult-education types of the official list (June 2022).
ADULT_TYPES = {"Centrum voor Volwassenenonderwijs", "Centrum voor Basiseducatie"}


@pytest.fixture
def sample_ctx(tmp_path: Path) -> BuildContext:
    """The schools sample laid out like the mirror, with a hand-made Leuven box."""
    raw = tmp_path / "raw"
    (raw / "schools").mkdir(parents=True)
    (raw / "boundaries" / "lookups").mkdir(parents=True)
    shutil.copy(SAMPLE, raw / src.OFFICIAL)
    shutil.copy(MERGERS, raw / src.MERGERS)
    out = tmp_path / "out"
    munis = _boxes([("24062", "Leuven", (4.60, 50.80, 4.80, 50.96))], "nis")
    wijken = _boxes([("24062W", "west", (4.60, 50.80, 4.80, 50.96))], "code").assign(nis="24062")
    save_layer(
        munis, LayerManifest("municipalities", "t", "hand-made", "", "CC0", "2025", "t"), out
    )
    save_layer(wijken, LayerManifest("wijken", "t", "hand-made", "", "CC0", "2025", "t"), out)
    return BuildContext(source_dir=raw, out_dir=out)


def test_adult_programmes_reads_the_structure_codes() -> None:
    assert src.adult_programmes(["317", "417", "317"]) == (
        "hoger beroepsonderwijs;secundair volwassenenonderwijs"
    )
    assert src.adult_programmes(["618"]) == "basiseducatie"
    assert src.adult_programmes(["311", "314"]) == ""  # not adult-education codes


def test_stage_keeps_cvo_and_basiseducatie_only(sample_ctx: BuildContext) -> None:
    # The sample (read by hand): CVO CLT 32888 and Ligo 126541 in the Leuven box; the
    # Centrum voor deeltijdse vorming 125062 (youth, no coordinates) and Syntra 131086
    # (apprenticeships, Antwerpen) are not adult-education centres.
    (result,) = run_pipeline(stage.STAGES, sample_ctx)
    assert result.status == "built", result.message
    layer = load_layer("adult_education", sample_ctx.out_dir)
    assert list(layer.columns) == stage.COLUMNS
    assert layer["id"].tolist() == ["32888", "126541"]
    by_id = layer.set_index("id")
    assert by_id.loc["32888", "kind"] == "cvo"
    assert by_id.loc["32888", "programmes"] == (
        "hoger beroepsonderwijs;secundair volwassenenonderwijs"
    )
    assert by_id.loc["126541", "kind"] == "basiseducatie"
    assert by_id.loc["126541", "programmes"] == "basiseducatie"
    assert by_id.loc["32888", "address"] == "Dekenstraat 4, 3000 Leuven"
    assert by_id.loc["32888", "municipality"] == "Leuven"
    assert by_id.loc["32888", "wijk"] == "24062W"
    manifest = load_manifest("adult_education", sample_ctx.out_dir)
    assert manifest.extra["by_kind"] == {"basiseducatie": 1, "cvo": 1}
    assert manifest.extra["nt2_stated_by_source"] is False
    assert "(NT2) is not in the data" in manifest.coverage
    assert run_pipeline(stage.STAGES, sample_ctx)[0].status == "unchanged"


def test_stage_fails_clearly_when_no_centre_is_in_the_region(sample_ctx: BuildContext) -> None:
    far = _boxes([("99999", "Nowhere", (3.0, 50.0, 3.1, 50.1))], "nis")
    meta = LayerManifest("municipalities", "t", "x", "", "CC0", "2025", "t")
    save_layer(far, meta, sample_ctx.out_dir)
    (result,) = run_pipeline(stage.STAGES, sample_ctx)
    assert result.status == "failed"
    assert "no adult-education centre lies in the 60 region municipalities" in result.message
    assert src.OFFICIAL in result.message


def test_stage_fails_clearly_on_a_list_without_centres(sample_ctx: BuildContext) -> None:
    path = sample_ctx.source_dir / src.OFFICIAL
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not any(t in line for t in ADULT_TYPES)]
    path.write_text("".join(kept), encoding="utf-8")
    (result,) = run_pipeline(stage.STAGES, sample_ctx)
    assert result.status == "failed"
    assert "holds no adult-education centre" in result.message


# --- the real mirror and the committed snapshot ------------------------------------------


def test_snapshot_layer_has_every_region_centre_of_the_schools_layer() -> None:
    # Real snapshot: the schools layer is built from the same list; its adult-education
    # rows must be exactly this layer's rows, at the same points.
    centres = load_layer("adult_education", columns=READER_COLUMNS["adult_education"])
    schools = load_layer("schools").set_index("id")
    adult = schools[schools["institution_type"].isin(ADULT_TYPES)]
    assert sorted(centres["id"]) == sorted(adult.index)
    for row in centres.itertuples():
        assert row.geometry.equals_exact(adult.loc[row.id].geometry, 1e-9)
        assert row.municipality == adult.loc[row.id, "municipality"]
    assert set(centres["kind"]) == {"cvo", "basiseducatie"}
    assert "Centrum voor Levende Talen" in " ".join(centres["name"])
    assert set(LAYER_COLUMNS["adult_education"]) <= set(centres.columns)


def test_snapshot_manifest_says_nt2_is_not_in_the_data() -> None:
    manifest = load_manifest("adult_education")
    assert manifest.extra["nt2_stated_by_source"] is False
    assert "Dutch as a second language (NT2) is not in the data" in manifest.coverage
    assert manifest.source and manifest.licence and manifest.data_date == "2022-06"
    # no column claims to know about NT2 or language courses
    columns = set(load_layer("adult_education").columns)
    assert not {c for c in columns if "nt2" in c or "course" in c}


@pytest.mark.slow
def test_stage_on_the_mirror(mirror_dir: Path, tmp_path: Path) -> None:
    ctx = BuildContext(source_dir=mirror_dir, out_dir=tmp_path)
    results = run_pipeline([*boundaries_stage.STAGES, *stage.STAGES], ctx)
    assert [r.status for r in results] == ["built", "built"], [r.message for r in results]
    layer = load_layer("adult_education", tmp_path)
    official = pd.read_csv(mirror_dir / src.OFFICIAL, dtype=str)
    listed = official[official["instellingstype"].isin(ADULT_TYPES)]
    extra = load_manifest("adult_education", tmp_path).extra
    assert extra["centres_in_source_file"] == len(listed)
    assert len(layer) + sum(extra["excluded_rows"].values()) == len(listed)
    assert set(layer["id"]) <= set(listed["schoolnummer"])
    assert layer["nis"].notna().all()
