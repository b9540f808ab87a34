"""``python -m dashboard.report``: exit codes, one-line messages, atomic outputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from dashboard.report import __main__ as cli
from tests.report.cases import SHORTLIST

GOOD = ["--workplace", "50.8775,4.7004", "--mode", "bike", "--max-minutes", "20"]


def _wijken(*codes: str) -> list[str]:
    return [arg for code in codes for arg in ("--wijk", code)]


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the command line, expect exit 2 and return its one line on stderr."""
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err


def _one(place: str = "50.8,4.7", mode: str = "bike", minutes: str = "20") -> list[str]:
    """Arguments of one workplace and the shortlist of Wijgmaal."""
    return ["--workplace", place, "--mode", mode, "--max-minutes", minutes, "--wijk", "240621"]


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        ([*GOOD, *_wijken("99999XX")], ["--wijk", "99999XX"]),
        ([*GOOD, *_wijken("240621", "2406219", "240629", "24038A2N", "2406210")], ["at most 4"]),
        ([*GOOD, *_wijken("240621", "240621")], ["twice"]),
        (_one(place="91,4.7"), ["--workplace", "latitude"]),
        (_one(place="leuven"), ["--workplace"]),
        (_one(mode="rocket"), ["--mode", "rocket"]),
        (_one(minutes="0"), ["--max-minutes", "'0'"]),
        (_one(minutes="2e1"), ["--max-minutes"]),
        (
            [
                *GOOD,
                "--workplace2",
                "50.0,3.0",
                "--mode2",
                "car",
                "--max-minutes2",
                "30",
                *_wijken("240621"),
            ],
            ["--workplace2", "50.00000,3.00000"],
        ),
        ([*GOOD, "--workplace2", "50.85,4.35", *_wijken("240621")], ["--mode2"]),
        ([*GOOD, *_wijken("240621"), "--lang", "de"], ["--lang", "'de'"]),
        ([*GOOD, *_wijken("240621")], ["--out"]),  # no output asked for
        (GOOD, ["--wijk"]),  # argparse's own error, one line too
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], names: list[str]
) -> None:
    if "--out" not in names:
        argv = [*argv, "--out", str(tmp_path / "r.pdf")]
    err = _refused(capsys, argv)
    for name in names:
        assert name in err
    assert not list(tmp_path.iterdir())


def test_an_unwritable_output_is_refused_before_any_work(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "no such folder" / "r.pdf"
    err = _refused(capsys, [*GOOD, *_wijken("240621"), "--out", str(missing)])
    assert "--out" in err and "no such folder" in err
    err = _refused(capsys, [*GOOD, *_wijken("240621"), "--html", str(tmp_path)])
    assert "--html" in err and "folder" in err


def test_a_report_is_written_atomically(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, html = tmp_path / "intake.pdf", tmp_path / "intake.html"
    argv = [*GOOD, *_wijken(*SHORTLIST[:2]), "--lang", "nl", "--out", str(out), "--html", str(html)]
    assert cli.main(argv) == 0
    assert "intake.pdf" in capsys.readouterr().out
    assert len(PdfReader(out).pages) >= 3
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["intake.html", "intake.pdf"]

    # a failure while rendering leaves the earlier file as it was and no temporary file
    before = out.read_bytes()

    def broken(*args: object) -> bytes:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(cli, "pdf_bytes", broken)
    with pytest.raises(RuntimeError):
        cli.main(argv)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["intake.html", "intake.pdf"]


def test_module_entry_point_refuses_an_unknown_wijk(tmp_path: Path) -> None:
    argv = [*GOOD, "--wijk", "NOPE", "--out", str(tmp_path / "r.pdf")]
    done = subprocess.run(
        [sys.executable, "-m", "dashboard.report", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "NOPE" in done.stderr
    assert "Traceback" not in done.stderr
