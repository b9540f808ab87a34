"""Tests of the boundaries parsers and stage on hand-made squares."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from etl.errors import SourceError
from etl.pipeline import BuildContext, run_pipeline
from etl.sources import boundaries as src
from etl.stages.boundaries import STAGES
from geodata.io import load_layer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "boundaries"


def make_source_dir(root: Path) -> Path:
    """Lay the boundary fixtures out like the mirror under ``root``."""
    folder = root / "boundaries"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "municipalities.geojson", root / src.MUNICIPALITIES)
    shutil.copy(FIXTURES / "wijken.geojson", root / src.WIJKEN)
    shutil.copy(FIXTURES / "deelgemeenten.geojson", root / src.DEELGEMEENTEN)
    return root


def test_parse_municipalities() -> None:
    munis = src.parse_municipalities(FIXTURES / "municipalities.geojson")
    assert list(munis["nis"]) == ["24062", "24038"]
    assert munis["in_arr_leuven"].dtype == bool


def test_stage_assigns_each_wijk_to_its_municipality(tmp_path: Path) -> None:
    ctx = BuildContext(make_source_dir(tmp_path / "raw"), tmp_path / "out")
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "built", result.message
    wijken = load_layer("wijken", ctx.out_dir)
    assert dict(zip(wijken["code"], wijken["nis"], strict=True)) == {
        "240381": "24038",
        "2406210": "24062",
        "2406211": "24062",
    }
    assert list(load_layer("municipalities", ctx.out_dir)["nis"]) == ["24038", "24062"]


def test_duplicate_nis_is_refused(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "municipalities.geojson").read_text())
    data["features"][1]["properties"]["nis"] = "24062"
    bad = tmp_path / "m.geojson"
    bad.write_text(json.dumps(data))
    with pytest.raises(SourceError, match="duplicate"):
        src.parse_municipalities(bad)


def test_missing_column_is_named(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "wijken.geojson").read_text())
    for feature in data["features"]:
        del feature["properties"]["code"]
    bad = tmp_path / "w.geojson"
    bad.write_text(json.dumps(data))
    with pytest.raises(SourceError, match=r"missing column.*'code'"):
        src.parse_areas(bad)


def test_truncated_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "w.geojson"
    bad.write_text((FIXTURES / "wijken.geojson").read_text()[:200])
    with pytest.raises(SourceError, match=r"w\.geojson: not a readable vector file"):
        src.parse_areas(bad)


def test_wrong_crs_is_refused(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "wijken.geojson").read_text())
    data["crs"]["properties"]["name"] = "urn:ogc:def:crs:EPSG::31370"
    bad = tmp_path / "w.geojson"
    bad.write_text(json.dumps(data))
    with pytest.raises(SourceError, match="expected CRS"):
        src.parse_areas(bad)
