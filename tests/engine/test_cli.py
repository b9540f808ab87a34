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
    assert row["estimated_share"] == 0


def test_route_says_which_share_of_the_time_is_estimated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # issue 9: Leuven station -> Brussels-Central by car runs on the regional network
    # (E40) as far as it goes; only the rest is estimated, and the answer says how much
    argv = ["route", "--from", "50.8812,4.7155", "--to", "50.8453,4.3571", "--mode", "car"]
    assert main([*argv, "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["method"] == "regional network" and row["estimated"] is True
    assert 0 < row["estimated_share"] < 1
    assert main(argv) == 0
    assert f"(estimated: {row['estimated_share']:.0%} of the time)" in capsys.readouterr().out
    reach = ["reach", "--from", "50.8812,4.7155", "--mode", "bike", "--max-minutes", "40"]
    assert main([*reach, "--layer", "stations", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["estimated_share"] == 0 for r in rows} == {True, False}
    assert all((r["estimated_share"] > 0) == r["estimated"] for r in rows)


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


# --------------------------------------------------------------------------- exit codes

LEUVEN_STATION = "50.8812,4.7155"
LADEUZEPLEIN = "50.8789,4.7009"
BRUSSELS_CENTRAL = "50.8460,4.3510"
PARIS = "48.85,2.35"
ROUTE = ["route", "--from", LEUVEN_STATION, "--to", LADEUZEPLEIN, "--mode"]
REACH = ["reach", "--from", LEUVEN_STATION, "--mode", "walk", "--layer", "stations"]


def _status(argv: list[str]) -> int:
    """Exit status of the CLI, whether ``main`` returns it or argparse raises it."""
    try:
        return main(argv)
    except SystemExit as exc:
        assert isinstance(exc.code, int)
        return exc.code


def test_exit_codes_are_documented_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert _status(["--help"]) == 0
    out = capsys.readouterr().out
    for line in ("0  an answer", "1  no answer", "2  bad input", "3  data problem"):
        assert line in out


def test_bus_route_from_outside_the_region_is_no_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Exited 0 with "unreachable" on stdout before."""
    assert main(["route", "--from", PARIS, "--to", LEUVEN_STATION, "--mode", "bus"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no bus route" in captured.err and "outside coverage" in captured.err
    assert len(captured.err.splitlines()) == 1


def test_no_train_in_time_is_no_answer(capsys: pytest.CaptureFixture[str]) -> None:
    """No train in time: exit 1 (it exited 0 with "unreachable" before).

    Hambos -> Leuven by 04:00 on a Monday: nothing runs before 04:00 and no Sunday
    evening train from Hambos reaches Leuven (arriving in Brussels by 00:00 on a Tuesday,
    the case used before issue 9, now rightly takes Monday's 23:08 train).
    """
    hambos = "50.94425,4.66301"
    argv = ["route", "--from", hambos, "--to", LEUVEN_STATION, "--mode", "transit"]
    assert main([*argv, "--arrive", "04:00", "--date", "2026-12-07"]) == 1
    assert "no train in time" in capsys.readouterr().err


def test_arrive_by_midnight_takes_the_evening_train(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["route", "--from", LEUVEN_STATION, "--to", BRUSSELS_CENTRAL, "--mode", "transit"]
    assert main([*argv, "--arrive", "00:00", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["arrival"] <= "23:59" and row["departure"] >= "22:00"


@pytest.mark.parametrize(("lang", "name"), [("nl", "Leuven"), ("fr", "Louvain"), ("en", "Leuven")])
def test_station_names_follow_the_language(
    capsys: pytest.CaptureFixture[str], lang: str, name: str
) -> None:
    """Issue 9: the CLI printed the feed's French names; now as the app, per language."""
    argv = ["route", "--from", LEUVEN_STATION, "--to", BRUSSELS_CENTRAL, "--mode", "transit"]
    assert main([*argv, "--arrive", "09:00", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert f" {name} -> " in out
    reach = ["reach", "--from", LEUVEN_STATION, "--mode", "walk", "--max-minutes", "10"]
    assert main([*reach, "--layer", "stations", "--lang", lang, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"]: r["name"] for r in rows}["8833001"] == name


def test_default_language_is_the_apps(capsys: pytest.CaptureFixture[str]) -> None:
    from dashboard.engine.transit_commute import DEFAULT_LANG, STATION_NAME_COLUMN
    from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES

    assert DEFAULT_LANG == DEFAULT_LANGUAGE
    assert set(STATION_NAME_COLUMN) == set(LANGUAGES)
    argv = ["route", "--from", LEUVEN_STATION, "--to", BRUSSELS_CENTRAL, "--mode", "transit"]
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--lang", "de"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "invalid choice: 'de'" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([*ROUTE, "transit", "--arrive", ""], "time '' is not HH:MM"),
        ([*ROUTE, "transit", "--date", ""], "date '' is not a date"),
        ([*ROUTE, "transit", "--date", "0019-10-15"], "outside 2019-01-01..2099-12-31"),
        ([*ROUTE, "transit", "--date", "2109-10-15"], "outside 2019-01-01..2099-12-31"),
        ([*ROUTE, "transit", "--date", "2018-12-31"], "outside 2019-01-01..2099-12-31"),
        ([*ROUTE, "transit", "--date", "2019-W42-2"], "not a date YYYY-MM-DD"),
        ([*ROUTE, "transit", "--date", "٢٠١٩-١٠-١٥"], "non-ASCII digits"),
        ([*ROUTE, "transit", "--arrive", "٠٩:٠٠"], "non-ASCII digits"),
        (["route", "--from", "٥٠.٨٨,٤.٧", "--to", LADEUZEPLEIN, "--mode", "walk"], "non-ASCII"),
        ([*REACH, "--max-minutes", "١٠"], "non-ASCII digits"),
        ([*REACH, "--max-minutes", "1e308"], "at most 1440"),
        ([*REACH, "--max-minutes", "nan"], "not a positive number"),
        ([*REACH, "--max-minutes", "inf"], "not a positive number"),
        ([*REACH, "--max-minutes", "-5"], "not a positive number"),
        ([*REACH, "--max-minutes", "0"], "positive"),
        ([*REACH, "--max-minutes", ""], "not a positive number"),
    ],
)
def test_implausible_input_is_bad_input(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each ran (default time, a year-19 date, 1e308 minutes) or took foreign digits before."""
    assert _status(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err and len(captured.err.splitlines()) == 1


def test_walk_reach_within_a_day_is_an_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*REACH, "--max-minutes", "7.5", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["minutes"] <= 7.5 for r in rows)


def test_a_newline_in_an_argument_keeps_the_error_on_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _status(["route", "--from", "50.8\n,4.7", "--to", LADEUZEPLEIN, "--mode", "x"]) == 2
    assert _status(["bogus\ncommand"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 2 and "bogus\\ncommand" in err
