"""Fuzz the engine's command line: whatever the arguments, ``main`` ends in a documented
exit status, and every status but 0 prints exactly one line on stderr and nothing else.

``main`` runs in-process on one shared engine (the real committed snapshot), so loads are
paid once.  Two strategies: arbitrary argument lists (any text, surrogates and control
characters included), and near-valid commands whose values come from pools of good, bad
and tricky values (far places, foreign digits, nan, 1e308, empty strings, odd dates), so
that most examples get past argparse into the engine.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from datetime import date

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from dashboard.engine.__main__ import ALL_MODES, EXIT_CODES, REACH_LAYERS, main
from dashboard.engine.core import CommuteEngine

ENGINE = CommuteEngine()

#: Examples per strategy (reported in the closing note of issue 7).
ARBITRARY_EXAMPLES = 300
COMMAND_EXAMPLES = 300

FUZZ = settings(
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=24)
_floats = st.floats(allow_nan=True, allow_infinity=True).map(repr)


def _mostly(good: st.SearchStrategy[str], bad: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``good`` about four times in five, else ``bad``: most commands reach the engine.

    The bad branch sits on a middle value: Hypothesis favours the ends of a range.
    """
    return st.integers(0, 4).flatmap(lambda i: bad if i == 2 else good)


_coordinates = _mostly(
    st.one_of(
        st.sampled_from(
            [
                "50.8812,4.7155",  # Leuven station
                "50.8789,4.7009",  # Ladeuzeplein
                "50.8775,4.6720",  # Gasthuisberg
                "50.9,4.5",  # between Leuven and Brussels (regional network)
                "50.8460,4.3510",  # Brussels Central
            ]
        ),
        st.tuples(st.floats(50.80, 50.95), st.floats(4.60, 4.80)).map(
            lambda p: f"{p[0]:.5f},{p[1]:.5f}"
        ),
    ),
    st.one_of(
        st.sampled_from(
            [
                "48.85,2.35",  # Paris: outside the region
                "0,0",
                "-90,180",
                "90.0001,0",
                "٥٠.٨٨,٤.٧",  # Arabic-Indic digits
                "50.88 , 4.70",
                "50.88;4.70",
                "",
                "nan,nan",
                "1e3,4",
            ]
        ),
        st.tuples(st.floats(), st.floats()).map(lambda p: f"{p[0]!r},{p[1]!r}"),
        _any_text,
    ),
)
_minutes = _mostly(
    st.one_of(st.integers(1, 45).map(str), st.floats(0.5, 45).map(lambda m: f"{m:.2f}")),
    st.one_of(
        st.sampled_from(["0", "-5", "1e308", "nan", "inf", "", "١٠", "1441", "1e-300"]),
        _floats,
        _any_text,
    ),
)
_times = _mostly(
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}"),
    st.one_of(
        st.sampled_from(["24:00", "7:5", "", "٠٩:٠٠", "9h", "09:60"]),
        st.tuples(st.integers(-5, 99), st.integers(-5, 99)).map(lambda t: f"{t[0]}:{t[1]}"),
        _any_text,
    ),
)
_dates = _mostly(
    st.dates(date(2019, 1, 1), date(2099, 12, 31)).map(str),
    st.one_of(
        st.sampled_from(["0001-01-01", "9999-12-31", "2019-W42-2", "20191015", ""]),
        st.dates().map(str),
        _any_text,
    ),
)
_modes = _mostly(st.sampled_from(ALL_MODES), st.one_of(st.sampled_from(["Walk", ""]), _any_text))
_access = _mostly(st.sampled_from(["walk", "bike"]), st.one_of(st.just("car"), _any_text))
_layers = _mostly(st.sampled_from(REACH_LAYERS), _any_text)


@st.composite
def _commands(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(["route", "reach"]))
    argv = [draw(_mostly(st.just(command), _any_text))]
    options: dict[str, st.SearchStrategy[str]] = {
        "--from": _coordinates,
        "--mode": _modes,
        "--arrive": _times,
        "--date": _dates,
        "--access": _access,
    }
    if command == "route":
        options["--to"] = _coordinates
    else:
        options["--max-minutes"] = _minutes
        options["--layer"] = _layers
    # usually every required option, sometimes one left out or an extra appended
    for flag, values in options.items():
        if flag in {"--arrive", "--date", "--access"} and draw(st.booleans()):
            continue
        if draw(st.integers(0, 19)) == 7:
            continue
        argv += [flag, draw(values)]
    if draw(st.booleans()):
        argv.append("--json")
    if draw(st.integers(0, 9)) == 7:  # now and then a stray extra argument
        argv.append(draw(_any_text))
    return argv


def _run(argv: Sequence[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(argv), engine=ENGINE)
        except SystemExit as exc:  # argparse: bad arguments (2) or --help (0)
            assert isinstance(exc.code, int), exc.code
            status = exc.code
    return status, out.getvalue(), err.getvalue()


def _check(argv: Sequence[str]) -> None:
    status, out, err = _run(argv)
    if currently_in_test_context():
        event(f"exit status {status}")  # shown by --hypothesis-show-statistics
    assert status in EXIT_CODES, (argv, status, err)
    if status == 0:
        assert err == "", (argv, err)
        return
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), (argv, status, err)
    assert out == "", (argv, out)
    assert "Traceback" not in err


@settings(FUZZ, max_examples=ARBITRARY_EXAMPLES)
@given(st.lists(st.one_of(_any_text, st.sampled_from(["route", "reach", "--from", "-h"]))))
def test_arbitrary_arguments(argv: list[str]) -> None:
    _check(argv)


@settings(FUZZ, max_examples=COMMAND_EXAMPLES)
@given(_commands())
def test_near_valid_commands(argv: list[str]) -> None:
    _check(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["reach", "--from", "50.8812,4.7155", "--mode", "walk", "--max-minutes", "١٠"],
        ["route", "--from", "50.88,4.70", "--to", "50.87,4.70", "--mode", "walk", "--date", ""],
        ["route", "--from", "50.88\udcff,4.7", "--to", "50.87,4.70", "--mode", "walk"],
        ["route\n", "--from"],
    ],
)
def test_examples_found_by_hand(argv: list[str]) -> None:
    """Cases the strategies are meant to find, kept as plain regression tests."""
    _check(argv)
