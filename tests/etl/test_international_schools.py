"""Tests of the curated international-schools parser and stage."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from etl.errors import SourceError
from etl.pipeline import BuildContext, run_pipeline
from etl.sources import international_schools as src
from etl.stages import boundaries as boundaries_stage
from etl.stages import international_schools as stage
from geodata.io import LayerManifest, load_layer, load_manifest, save_layer

SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "international_schools"
    / "international_schools_sample.csv"
)

BSB = "british-school-of-brussels-bsb"
ISL = "international-school-of-leuven-isl"
ST_JOHNS = "st-john-s-international-school-waterloo"


def _rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write_rows(path: Path, rows: list[dict[str, str]], drop: str | None = None) -> Path:
    fields = [f for f in rows[0] if f != drop]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_slug() -> None:
    assert src.slug("Lycée français Jean-Monnet (LFJM)") == "lycee-francais-jean-monnet-lfjm"
    assert src.slug("St. John's International School (Waterloo)") == ST_JOHNS
    assert src.slug("  A -- b  ") == "a-b"


def test_parse_splits_mapped_and_not_mapped() -> None:
    mapped, not_mapped = src.parse_international_schools(SAMPLE)
    assert sorted(mapped["id"]) == [BSB, ISL, ST_JOHNS]
    assert mapped.crs.to_epsg() == 4326
    assert list(mapped.columns) == [*src.KEPT, "geometry"]
    by_id = mapped.set_index("id")
    assert by_id.loc[BSB, "postcode"] == "3080"  # written 3080.0 in the file
    assert by_id.loc[BSB, "last_verified_year"] == 2016
    assert str(mapped["last_verified_year"].dtype) == "Int64"
    assert by_id.loc[ISL, "coord_quality"] == "approximate (about 200 m)"
    assert by_id.loc[ISL, "municipality_text"] == "Leuven (Heverlee)"
    assert by_id.geometry[BSB].x == pytest.approx(4.523889)
    assert by_id.geometry[BSB].y == pytest.approx(50.831944)
    assert [d["id"] for d in not_mapped] == [
        "lycee-francais-jean-monnet-lfjm",
        "st-paul-s-british-primary-school",
    ]
    st_paul = not_mapped[1]
    assert st_paul["name"] == "St Paul's British Primary School"
    assert st_paul["reason"] == (
        "no coordinates in source (none - no street address evidenced, so no coordinate)"
    )
    assert st_paul["municipality_text"] == "Tervuren (Vossem)"
    assert st_paul["evidence_url"].startswith("https://")


def _edit(prefix: str, /, **changes: str) -> Callable[[list[dict[str, str]]], list[dict[str, str]]]:
    def apply(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            if row["name"].startswith(prefix):
                row.update(changes)
        return rows

    return apply


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_edit("British", lon=""), "only one of 'lat' and 'lon'"),
        (_edit("British", lat="50,83"), "non-numeric 'lat'"),
        (_edit("British", lat="4.523889", lon="50.831944"), "swapped lat/lon"),
        (_edit("British", lat="48.85", lon="2.35"), "outside lon"),
        (_edit("British", coord_quality=""), "no 'coord_quality'"),
        (_edit("British", postcode="30B0"), "malformed 'postcode'"),
        (_edit("British", last_verified_year="2016.5"), "malformed 'last_verified_year'"),
        (_edit("British", name=""), "empty 'name'"),
        (_edit("St Paul", evidence_url=""), "no 'evidence_url'"),
        (
            _edit("Lycée", name="British School of Brussels (BSB)"),
            r"appears 2 times \(lines 2, 6\)",
        ),
    ],
)
def test_parse_errors(
    tmp_path: Path, edit: Callable[[list[dict[str, str]]], list[dict[str, str]]], message: str
) -> None:
    path = _write_rows(tmp_path / "i.csv", edit(_rows()))
    with pytest.raises(SourceError, match=message):
        src.parse_international_schools(path)


def test_parse_missing_column_empty_and_truncated(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="missing column\\(s\\) 'coord_quality'"):
        src.parse_international_schools(_write_rows(tmp_path / "a.csv", _rows(), "coord_quality"))
    header_only = tmp_path / "b.csv"
    header_only.write_text(SAMPLE.read_text(encoding="utf-8").splitlines()[0] + "\n")
    with pytest.raises(SourceError, match="header but no rows"):
        src.parse_international_schools(header_only)
    empty = tmp_path / "c.csv"
    empty.write_text("")
    with pytest.raises(SourceError, match="file is empty"):
        src.parse_international_schools(empty)
    # cut inside the last row: its later cells (evidence_url ...) are missing
    text = SAMPLE.read_text(encoding="utf-8")
    cut = tmp_path / "d.csv"
    cut.write_text(text[: text.rindex("Lycée") + 120])
    with pytest.raises(SourceError, match=r"line 6 has 17 of 20 fields"):
        src.parse_international_schools(cut)


def _areas(out: Path) -> None:
    """Hand-made areas: a 'Tervuren' box and a 'Leuven' box with one wijk each."""
    munis = gpd.GeoDataFrame(
        {"nis": ["24104", "24062"], "name": ["Tervuren", "Leuven"]},
        geometry=[box(4.45, 50.78, 4.60, 50.88), box(4.60, 50.80, 4.80, 50.96)],
        crs="EPSG:4326",
    )
    wijken = gpd.GeoDataFrame(
        {"code": ["24104A0"], "name": ["t"], "nis": ["24104"]},
        geometry=[box(4.50, 50.80, 4.55, 50.85)],
        crs="EPSG:4326",
    )
    save_layer(munis, LayerManifest("municipalities", "t", "hand", "", "CC0", "2025", "t"), out)
    save_layer(wijken, LayerManifest("wijken", "t", "hand", "", "CC0", "2025", "t"), out)


def test_stage_keeps_schools_outside_region(tmp_path: Path) -> None:
    raw = tmp_path / "raw" / "international_schools"
    raw.mkdir(parents=True)
    shutil.copy(SAMPLE, raw / "international_schools.csv")
    ctx = BuildContext(source_dir=tmp_path / "raw", out_dir=tmp_path / "out")
    _areas(ctx.out_dir)
    results = run_pipeline(stage.STAGES, ctx)
    assert [r.status for r in results] == ["built"], results[0].message
    layer = load_layer("international_schools", ctx.out_dir)
    assert layer["id"].tolist() == [BSB, ISL, ST_JOHNS]
    by_id = layer.set_index("id")
    assert by_id.loc[BSB, ["in_region", "nis", "municipality", "wijk"]].tolist() == [
        True,
        "24104",
        "Tervuren",
        "24104A0",
    ]
    assert by_id.loc[ISL, "municipality"] == "Leuven"
    assert pd.isna(by_id.loc[ISL, "wijk"])
    assert not by_id.loc[ST_JOHNS, "in_region"]
    assert pd.isna(by_id.loc[ST_JOHNS, "nis"])

    manifest = load_manifest("international_schools", ctx.out_dir)
    assert manifest.extra["mapped"] == 3
    assert manifest.extra["outside_region"] == 1
    assert manifest.extra["approximate_coordinates"] == ["International School of Leuven (ISL)"]
    assert len(manifest.extra["not_mapped"]) == 2
    assert "5 schools" in manifest.coverage
    assert manifest.data_date == "compiled 2026; facts verified 2016-2023 (last_verified_year)"


@pytest.mark.slow
def test_stage_on_the_mirror(mirror_dir: Path, tmp_path: Path) -> None:
    ctx = BuildContext(source_dir=mirror_dir, out_dir=tmp_path)
    results = run_pipeline([*boundaries_stage.STAGES, *stage.STAGES], ctx)
    assert [r.status for r in results] == ["built", "built"], [r.message for r in results]
    layer = load_layer("international_schools", tmp_path)
    extra = load_manifest("international_schools", tmp_path).extra
    assert len(layer) + len(extra["not_mapped"]) == 20
    assert layer["id"].is_unique
    assert layer["coord_quality"].notna().all()
    assert (layer["in_region"] == layer["nis"].notna()).all()
