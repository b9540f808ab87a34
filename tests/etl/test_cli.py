"""Tests of ``python -m etl``: build, report, fetch argument handling and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from etl.__main__ import main
from etl.fetch import live_sources
from etl.sources import boundaries as boundaries_src
from geodata.io import load_manifest
from tests.etl.test_boundaries import make_source_dir


def test_build_only_boundaries_then_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = make_source_dir(tmp_path / "raw")
    out = tmp_path / "out"
    assert main(["build", "--source-dir", str(raw), "--out", str(out), "--only", "boundaries"]) == 0
    assert "[    built] boundaries" in capsys.readouterr().out
    assert main(["build", "--source-dir", str(raw), "--out", str(out), "--only", "wijken"]) == 0
    printed = capsys.readouterr().out
    assert "[unchanged] boundaries" in printed
    assert "nothing changed" in printed


def test_report_json_has_required_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = make_source_dir(tmp_path / "raw")
    out = tmp_path / "out"
    main(["build", "--source-dir", str(raw), "--out", str(out), "--only", "boundaries"])
    capsys.readouterr()
    assert main(["report", "--json", "--out", str(out)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["municipalities", "deelgemeenten", "wijken"]
    for row in rows:
        assert {"name", "rows", "bbox", "data_date", "source", "licence", "coverage"} <= set(row)
    assert rows[2]["rows"] == 3
    assert main(["report", "--out", str(out)]) == 0
    assert "wijken" in capsys.readouterr().out


def test_build_failure_exits_1_and_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = make_source_dir(tmp_path / "raw")
    (raw / "boundaries" / "wijken_ggw7_2024_leuven_region.geojson").write_text("{")
    code = main(
        ["build", "--source-dir", str(raw), "--out", str(tmp_path / "o"), "--only", "boundaries"]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert "wijken_ggw7_2024_leuven_region.geojson: not a readable vector file" in captured.out
    assert "previous files are kept" in captured.err


def test_build_refuses_a_shrunken_layer_until_changes_are_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = make_source_dir(tmp_path / "raw")
    out = tmp_path / "out"
    args = ["build", "--source-dir", str(raw), "--out", str(out), "--only", "boundaries"]
    assert main(args) == 0
    wijken = raw / boundaries_src.WIJKEN
    data = json.loads(wijken.read_text())
    data["features"] = data["features"][:2]  # one of the three wijken lost upstream
    wijken.write_text(json.dumps(data))
    before = (out / "wijken.parquet").read_bytes()
    capsys.readouterr()

    assert main(args) == 1
    captured = capsys.readouterr()
    assert "[   failed] boundaries" in captured.out
    assert "layer 'wijken': rows 3 -> 2, bbox [4.60000, 50.80000, 4.80000, 50.90000]" in (
        captured.out
    )
    assert "33.3% of the rows gone, at most 10% allowed" in captured.out
    assert "boundaries changed beyond the limits" in captured.err
    assert "--accept-changes" in captured.err
    assert (out / "wijken.parquet").read_bytes() == before

    assert main([*args, "--accept-changes"]) == 0
    assert "accepted layer 'wijken': rows 3 -> 2" in capsys.readouterr().out
    assert load_manifest("wijken", out).rows == 2


def test_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--source-dir", str(tmp_path / "absent")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["build", "--source-dir", str(tmp_path), "--only", "nope"]) == 1
    assert "unknown stage(s) nope" in capsys.readouterr().err
    assert main(["report", "--out", str(tmp_path)]) == 1
    assert "no layers" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_fetch_unknown_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", "nope"]) == 1
    assert "unknown source(s) nope" in capsys.readouterr().err


def test_every_live_source_is_documented() -> None:
    sources = live_sources()
    assert len({s.name for s in sources}) == len(sources)
    for source in sources:
        assert source.url.startswith("https://"), source
        assert source.documented_at.startswith("http"), source


@responses.activate
def test_fetch_downloads_into_mirror_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = live_sources()[0]
    responses.get(source.url, body=b"{}")
    monkeypatch.setenv("LEUVEN_ATLAS_RAW_DIR", str(tmp_path / "cache"))
    assert main(["fetch", source.name, "--raw-dir", str(tmp_path / "raw")]) == 0
    assert (tmp_path / "raw" / source.raw_file).read_bytes() == b"{}"


@responses.activate
def test_fetch_refresh_downloads_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = live_sources()[0]
    responses.get(source.url, body=b'{"v": 1}', headers={"ETag": '"1"'})
    monkeypatch.setenv("LEUVEN_ATLAS_RAW_DIR", str(tmp_path / "cache"))
    args = ["fetch", source.name, "--raw-dir", str(tmp_path / "raw")]
    assert main(args) == 0
    responses.replace(responses.GET, source.url, body=b'{"v": 2}', headers={"ETag": '"2"'})
    assert main(args) == 0  # a copy checked a moment ago is reused
    assert (tmp_path / "raw" / source.raw_file).read_bytes() == b'{"v": 1}'
    assert main([*args, "--refresh"]) == 0
    assert (tmp_path / "raw" / source.raw_file).read_bytes() == b'{"v": 2}'
    assert len(responses.calls) == 2
    assert "If-None-Match" not in responses.calls[1].request.headers


@responses.activate
def test_fetch_failure_is_one_line_and_keeps_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = live_sources()[0]
    responses.get(source.url, body=b"{}")
    monkeypatch.setenv("LEUVEN_ATLAS_RAW_DIR", str(tmp_path / "cache"))
    args = ["fetch", source.name, "--raw-dir", str(tmp_path / "raw")]
    assert main(args) == 0
    responses.replace(responses.GET, source.url, status=404)
    capsys.readouterr()
    assert main([*args, "--refresh"]) == 1
    assert capsys.readouterr().err == f"error: download of {source.url} failed: HTTP 404\n"
    assert (tmp_path / "raw" / source.raw_file).read_bytes() == b"{}"
