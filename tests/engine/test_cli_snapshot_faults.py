"""Fault injection through the command lines: a damaged snapshot file is exit 3 (engine)
or 1 (``etl report``) with one line naming the file, never a traceback.

Each snapshot file the engine CLI reads is damaged (see :mod:`tests.geodata.faults`) in a
linked copy of the snapshot, and the command that reads it runs in-process on that copy;
every manifest is damaged for ``python -m etl report``.  Two subprocess runs check the
real entry points end to end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.engine.__main__ import EXIT_DATA
from dashboard.engine.__main__ import main as engine_main
from dashboard.engine.core import CommuteEngine
from etl.__main__ import main as etl_main
from geodata.catalog import DATA_DIR_ENV
from tests.conftest import PROJECT_ROOT
from tests.geodata import faults

LEUVEN_STATION, LADEUZEPLEIN = "50.8812,4.7155", "50.8789,4.7009"
ROUTE = ["route", "--from", LEUVEN_STATION, "--to", LADEUZEPLEIN, "--mode"]
REACH = ["reach", "--from", LEUVEN_STATION, "--mode", "walk", "--max-minutes", "5", "--layer"]

#: The engine command that reads each snapshot file.
COMMAND_OF = {
    "graphs/walk.npz": [*ROUTE, "walk"],
    "graphs/walk.manifest.json": [*ROUTE, "walk"],
    "graphs/bike.npz": [*ROUTE, "bike"],
    "graphs/bike.manifest.json": [*ROUTE, "bike"],
    "graphs/car.npz": [*ROUTE, "car"],
    "graphs/strategic_car.npz": [*ROUTE, "car"],
    "rail_timetable.parquet": [*ROUTE, "transit"],
    "bus_routes.parquet": [*ROUTE, "bus"],
    **{
        f"{layer}.parquet": [*REACH, layer]
        for layer in ("schools", "childcare", "stations", "international_schools", "neighbourhoods")
    },
}
ENGINE_CASES = [(rel, fault) for rel, fault in faults.cases() if rel in COMMAND_OF]
REPORT_CASES = [(rel, fault) for rel, fault in faults.cases() if rel.endswith(".manifest.json")]


@pytest.fixture(scope="module", autouse=True)
def snapshot_unchanged() -> Iterator[None]:
    before = faults.digests()
    yield
    assert faults.digests() == before


def _one_error_line(err: str, bad: Path) -> None:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(bad) in lines[0]


@pytest.mark.parametrize(("rel", "fault"), ENGINE_CASES, ids=[f"{r}-{f}" for r, f in ENGINE_CASES])
def test_engine_cli_on_a_damaged_file(
    tmp_path: Path, rel: str, fault: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = faults.damage(faults.linked_copy(tmp_path), rel, fault)
    status = engine_main(COMMAND_OF[rel], engine=CommuteEngine(data_dir=tmp_path))
    captured = capsys.readouterr()
    assert status == EXIT_DATA, captured
    assert captured.out == ""
    _one_error_line(captured.err, bad)


@pytest.mark.parametrize(("rel", "fault"), REPORT_CASES, ids=[f"{r}-{f}" for r, f in REPORT_CASES])
def test_etl_report_on_a_damaged_manifest(
    tmp_path: Path, rel: str, fault: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = faults.damage(faults.linked_copy(tmp_path), rel, fault)
    assert etl_main(["report", "--out", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    _one_error_line(captured.err, bad)


@pytest.mark.parametrize(
    ("argv", "rel", "fault", "status"),
    [
        (["-m", "dashboard.engine", *ROUTE, "walk"], "graphs/walk.npz", "zero_byte", 3),
        (["-m", "etl", "report"], "stations.manifest.json", "wrong_shape", 1),
    ],
)
def test_entry_points_print_one_line_without_traceback(
    tmp_path: Path, argv: list[str], rel: str, fault: str, status: int
) -> None:
    """The real ``python -m`` entry points, pointed at the copy by the environment."""
    bad = faults.damage(faults.linked_copy(tmp_path), rel, fault)
    env = {**os.environ, DATA_DIR_ENV: str(tmp_path)}
    run = subprocess.run(
        [sys.executable, *argv], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == status
    assert run.stdout == ""
    _one_error_line(run.stderr, bad)
