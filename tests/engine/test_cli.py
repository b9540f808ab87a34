"""``python -m dashboard.engine``: answers, JSON output, one-line errors with status 2."""

from __future__ import annotations

import json

import pytest

from dashboard.engine.__main__ import main


def test_route_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["route", "--from", "50.8812,4.7155", "--to", "50.8789,4.7009", "--mode", "bike", "--json"]
    )
    assert code == 0
    row = json.loads(capsys.readouterr().out)
    assert row["mode"] == "bike" and row["estimated"] is False and 2 < row["minutes"] < 10


def test_reach_lists_sorted_features(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["reach", "--from", "50.8812,4.7155", "--mode", "walk", "--max-minutes", "10"]
    assert main([*args, "--layer", "stations", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] == "8833001"  # Leuven station itself
    assert all(r["minutes"] <= 10 for r in rows)
    assert main([*args, "--layer", "schools"]) == 0
    assert "reachable" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["route", "--from", "50.88", "--to", "50.87,4.70", "--mode", "walk"], "not LAT,LON"),
        (["route", "--from", "95,4.7", "--to", "50.87,4.70", "--mode", "walk"], "latitude 95.0"),
        (["route", "--from", "50.88,4.7", "--to", "50.87,4.70", "--mode", "boat"], "unknown mode"),
        (
            [
                "route",
                "--from",
                "50.88,4.7",
                "--to",
                "50.87,4.7",
                "--mode",
                "walk",
                "--arrive",
                "25:99",
            ],
            "not a time of day",
        ),
        (
            [
                "route",
                "--from",
                "50.88,4.7",
                "--to",
                "50.87,4.7",
                "--mode",
                "walk",
                "--date",
                "2019-13-01",
            ],
            "not a date",
        ),
        (
            [
                "reach",
                "--from",
                "50.88,4.7",
                "--mode",
                "walk",
                "--max-minutes",
                "-5",
                "--layer",
                "schools",
            ],
            "positive",
        ),
        (
            [
                "reach",
                "--from",
                "50.88,4.7",
                "--mode",
                "walk",
                "--max-minutes",
                "5",
                "--layer",
                "zoo",
            ],
            "invalid choice",
        ),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        code = main(argv)
        raise SystemExit(code)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_place_far_away_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--from", "48.85,2.35", "--to", "50.87,4.70", "--mode", "walk"]) == 1
    assert "km from the nearest walk network" in capsys.readouterr().err


def test_destination_far_away_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--from", "50.88,4.70", "--to", "48.85,2.35", "--mode", "car"]) == 1
    assert "outside the covered region" in capsys.readouterr().err


def test_bus_route_is_estimated_and_beats_walking(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["route", "--from", "50.8775,4.6720", "--to", "50.8812,4.7155", "--json", "--mode"]
    assert main([*argv, "bus"]) == 0
    bus = json.loads(capsys.readouterr().out)
    assert main([*argv, "walk"]) == 0
    walk = json.loads(capsys.readouterr().out)
    assert bus["estimated"] is True and "bus" in bus["method"]
    assert bus["minutes"] < walk["minutes"]
