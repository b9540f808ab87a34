"""Tests of ``python -m etl report`` on the committed snapshot and on damaged copies."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from etl.__main__ import main
from etl.report import ARR_COVERAGE_KEY
from etl.settings import ARR_LEUVEN_NIS
from geodata.catalog import layer_path
from geodata.io import load_layer, load_manifest, load_manifests
from tests.geodata import faults


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["report", *args]) == 0
    return capsys.readouterr().out


def test_default_report_is_one_line_per_layer(capsys: pytest.CaptureFixture[str]) -> None:
    manifests = load_manifests()
    lines = _report(capsys).splitlines()
    # header, rule, then one line per layer or graph: no dict dumps, no detail lines
    assert len(lines) == 2 + len(manifests)
    assert set(lines[1]) == {"-"}
    for line, manifest in zip(lines[2:], manifests, strict=True):
        assert line.split()[0] == manifest.name
        assert line.split()[1] == str(manifest.rows)
        assert "{" not in line and "not_mapped" not in line
        assert len(line) <= 200


def test_default_report_shortens_long_texts(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _report(capsys).splitlines()
    schools = next(line for line in lines if line.startswith("schools "))
    coverage = next(m.coverage for m in load_manifests() if m.name == "schools")
    assert len(coverage) > 200  # the manifest's sentence is long ...
    assert coverage[:30] in schools  # ... the table keeps its start, cut with "..."
    assert "..." in schools


def test_json_keeps_every_manifest_field(capsys: pytest.CaptureFixture[str]) -> None:
    rows = json.loads(_report(capsys, "--json"))
    manifests = load_manifests()
    assert [r["name"] for r in rows] == [m.name for m in manifests]
    for row, manifest in zip(rows, manifests, strict=True):
        assert row["coverage"] == manifest.coverage
        assert row["extra"] == json.loads(json.dumps(manifest.extra))
        assert row["source_url"] == manifest.source_url


def _arr_municipalities() -> set[str]:
    munis = pd.read_parquet(layer_path("municipalities"), columns=["nis", "arr_nis"])
    return set(munis.loc[munis["arr_nis"] == ARR_LEUVEN_NIS, "nis"])


@pytest.mark.parametrize("layer", ["sector_population", "childcare", "stations", "schools"])
def test_arr_coverage_counts_arrondissement_municipalities_with_rows(
    layer: str, capsys: pytest.CaptureFixture[str]
) -> None:
    arr = _arr_municipalities()
    assert len(arr) == 30  # arrondissement Leuven (mirror README)
    present = set(pd.read_parquet(layer_path(layer), columns=["nis"])["nis"].dropna()) & arr
    rows = {r["name"]: r for r in json.loads(_report(capsys, "--json"))}
    assert rows[layer]["arr_leuven"] == f"{len(present)}/30 with rows"
    table = _report(capsys)
    line = next(li for li in table.splitlines() if li.split()[0] == layer)
    assert line.endswith(f"{len(present)}/30 with rows")


def test_layers_without_nis_or_code_have_no_arr_coverage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = {r["name"]: r for r in json.loads(_report(capsys, "--json"))}
    assert rows["rail_timetable"]["arr_leuven"] is None


def test_graph_arr_coverage_comes_from_its_coverage_municipalities(
    capsys: pytest.CaptureFixture[str],
) -> None:
    arr_names = set(load_layer("municipalities").query("in_arr_leuven")["name"].astype(str))
    assert len(arr_names) == 30
    rows = {r["name"]: r for r in json.loads(_report(capsys, "--json"))}
    for graph in ("graph:walk", "graph:car", "graph:strategic_car"):
        facts = load_manifest(graph).extra["coverage_municipalities"]
        covered = len(arr_names & set(facts["covered"]))
        partly = len(arr_names & set(facts["partly"]))
        assert rows[graph]["arr_leuven"] == f"{covered}/30 covered, {partly} partly"
    assert rows["graph:walk"]["arr_leuven"].startswith("1/30 covered")  # Leuven itself


def test_accessibility_arr_coverage_counts_municipalities_through_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = {r["name"]: r for r in json.loads(_report(capsys, "--json"))}
    assert rows["accessibility"]["arr_leuven"] == "30/30 with rows"


def test_arr_coverage_stated_by_the_manifest_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = faults.linked_copy(tmp_path)
    manifest = folder / "neighbourhoods.manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["extra"][ARR_COVERAGE_KEY] = "population known in 18 of 235 wijken"
    manifest.unlink()  # a link to the committed file: replace it, never write through it
    manifest.write_text(json.dumps(data), encoding="utf-8")
    rows = {r["name"]: r for r in json.loads(_report(capsys, "--json", "--out", str(folder)))}
    assert rows["neighbourhoods"]["arr_leuven"] == "population known in 18 of 235 wijken"


@pytest.mark.parametrize("fault", ["zero_byte", "garbage"])
def test_damaged_layer_file_is_one_error_line(
    tmp_path: Path, fault: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = faults.damage(faults.linked_copy(tmp_path), "schools.parquet", fault)
    assert main(["report", "--out", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(bad) in lines[0]


def test_report_states_population_coverage_of_the_arrondissement_wijken(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Real snapshot. Before: "30/30 with rows", which said nothing about population.
    nb = pd.read_parquet(layer_path("neighbourhoods"), columns=["nis", "population"])
    in_arr = nb[nb["nis"].isin(_arr_municipalities())]
    expected = f"population {in_arr['population'].notna().sum()}/{len(in_arr)} wijken"
    rows = {r["name"]: r for r in json.loads(_report(capsys, "--json"))}
    assert rows["neighbourhoods"]["arr_leuven"] == expected
    line = next(li for li in _report(capsys).splitlines() if li.startswith("neighbourhoods "))
    assert line.endswith(expected)
