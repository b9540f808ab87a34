"""Fuzz the Explore page's URL parameters: parsing never raises, bad values fall back.

A shared link is a public contract: the parameter names and what each one means must
never change (``test_parameter_names_and_meanings_are_stable``).  The hypothesis tests
feed arbitrary text and lists for every known parameter and for unknown ones, with the
kinds of input seen in probes: other scripts' digits, huge numbers, NaN and infinities,
empty and very long values, Markdown and HTML payloads.  The AppTest runs open the page
itself with a sample of malformed links.

Example counts (``max_examples``) are set per test so the closing note can report them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.engine.core import COMMUTE_MODES
from dashboard.i18n import LANGUAGES
from dashboard.layers import candidates as cand
from dashboard.layers.workplaces import DEFAULT_REF

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PARAMS = tuple(state.URL_NAMES.values())  # the URL parameter names
FIELD = state.FIELD_NAMES  # URL parameter name -> ExploreState field
DEFAULT = state.ExploreState()


def _fuzz(examples: int) -> settings:
    """Hypothesis settings: ``examples`` cases, no per-example deadline (shared CPUs)."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- the public contract -----------------------------------------------------------------
#: Every URL parameter: (default, a value written in a link, what it means once parsed).
#: Changing a row breaks links people have already shared: add a parameter, never rename
#: or repurpose one.
CONTRACT: dict[str, tuple[Any, str, Any]] = {
    "lang": ("en", "fr", "fr"),
    "w1": (DEFAULT_REF, "50.9,4.7", "50.90000,4.70000"),
    "m1": ("bike", "car", "car"),
    "t1": (20, "45", 45),
    "w2": ("", "st:8833001", "st:8833001"),
    "m2": ("car", "train_walk", "train_walk"),
    "t2": (30, "15", 15),
    "arr": ("09:00", "8:30", "08:30"),
    "day": ("", "2026-12-04", "2026-12-04"),
    "lvl": ("any", "lager", "lager"),
    "net": ("any", "GO!", "GO!"),
    "sl": ("any", "Franstalig", "Franstalig"),
    "intl": (False, "1", True),
    "cc": ("any", "gezinsopvang_0_3", "gezinsopvang_0_3"),
    "cck": (True, "0", False),
    "bt": ("house", "apartment", "apartment"),
    "bmax": (0, "350000", 350_000),
    "col": ("commute", "price", "price"),
    # added with the budget flag (issue 8): strict budget and the results order
    "bs": (False, "1", True),
    "sort": ("commute", "budget", "budget"),
    # added with the relocation intake (issue 10): shortlist, profile, weights, chain
    "short": ((), "24062A0,21018_92", ("24062A0", "21018_92")),
    "wijk": ("", "24062A0", "24062A0"),
    "w_commute": (3, "5", 5),
    "w_schools": (1, "0", 0),
    "w_childcare": (1, "4", 4),
    "w_transport": (1, "2", 2),
    "w_price": (1, "3", 3),
    "chain": ("off", "school", "school"),
    "chain_p": (1, "2", 2),
}


def test_parameter_names_and_meanings_are_stable() -> None:
    assert set(PARAMS) == set(CONTRACT), "a URL parameter was added, renamed or removed"
    for name, (default, link, meaning) in CONTRACT.items():
        assert getattr(DEFAULT, FIELD[name]) == default, name
        parsed = state.ExploreState.from_query({name: link})
        assert parsed == replace(DEFAULT, **{FIELD[name]: meaning}), name
        # A link is written back in its canonical spelling.
        canonical = meaning if isinstance(meaning, str) else link
        assert parsed.to_query() == {name: canonical}, name


def test_boolean_parameters_accept_both_spellings() -> None:
    for text, value in (("1", True), ("true", True), ("TRUE", True), ("0", False)):
        assert state.ExploreState.from_query({"intl": text}).international_only is value
    assert state.ExploreState.from_query({"cck": "false"}).childcare_keep_unknown is False


@pytest.mark.parametrize(
    "ref",
    ["st:8833001\u202e", "addr:42\x00", "wp:1\nx", "addr:\u200f1", "st:" + "9" * 198],
)
def test_refs_with_control_characters_or_too_long_fall_back(ref: str) -> None:
    """Bidi overrides, NUL or newlines in a reference could disguise it in a message."""
    assert state.ExploreState.from_query({"w1": ref, "w2": ref}) == DEFAULT


def test_numbers_in_other_scripts_are_not_read() -> None:
    assert state.ExploreState.from_query({"t1": "٣٠", "t2": "４５", "bmax": "١٢٣"}) == DEFAULT


# -- strategies --------------------------------------------------------------------------
_NON_ASCII_DIGITS = "".join(
    chr(c) for c in range(0x80, 0x1FBFA) if unicodedata.category(chr(c)) == "Nd"
)
_PAYLOADS = (
    "[click here](https://evil.example/login)",
    "![x](https://evil.example/t.png)",
    "<script>alert(7)</script>",
    '<img src=x onerror="alert(7)">',
    "${alert(7)}",
    "`t Hoekske",
    "Blok\\1 kantoor",
    "**bold** _it_ <b>b</b>",
    "\u202egnp.exe",
    "\x00",
    "%00%2F..%2F",
)
_VALID_TEXT = (
    *LANGUAGES,
    *COMMUTE_MODES,
    *cand.SCHOOL_LEVELS,
    *cand.SCHOOL_NETS,
    *cand.CHILDCARE_TYPES,
    *cand.BUDGET_TYPES,
    "any",
    "st:8833001",
    "addr:42",
    "wp:1",
    "50.88,4.7",
)


def _numbers() -> st.SearchStrategy[str]:
    """Numbers written every way a hand-edited link might: huge, tiny, NaN, inf, signs."""
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.integers(-(10**30), 10**30).map(str),
        st.integers(0, 10**6).map(lambda n: f"{n}e{n % 500}"),
        st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity", "1e308", "1e999", "-0", ""]),
        st.sampled_from(["1_000", "0x10", " 45 ", "+30", "30.5", ".5", "5.", "١٢٣", "４５"]),
    )


def _texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),
        st.text(alphabet=_NON_ASCII_DIGITS + "0123456789:-.,e ", max_size=12),
        _numbers(),
        st.sampled_from(_PAYLOADS),
        st.sampled_from(_VALID_TEXT),
        st.tuples(st.sampled_from(("", "st:", "addr:", "wp:")), st.sampled_from(_PAYLOADS)).map(
            "".join
        ),
        st.tuples(st.sampled_from("9 ,:x"), st.integers(200, 20_000)).map(lambda t: t[0] * t[1]),
        st.tuples(st.floats(-100, 100), st.floats(-200, 200)).map(lambda p: f"{p[0]},{p[1]}"),
        st.times().map(lambda t: f"{t.hour}:{t.minute:02d}"),
        st.dates().map(date.isoformat),
    )


def _values() -> st.SearchStrategy[str | list[str]]:
    """One value, or a list as a repeated parameter gives (possibly empty)."""
    return st.one_of(_texts(), st.lists(_texts(), max_size=3))


_names = st.one_of(st.sampled_from(PARAMS), st.text(max_size=10))
_queries = st.dictionaries(_names, _values(), max_size=8)


# -- what a parsed value may be ----------------------------------------------------------
_CHOICES: dict[str, tuple[str, ...]] = {
    "lang": tuple(LANGUAGES),
    "m1": COMMUTE_MODES,
    "m2": COMMUTE_MODES,
    "lvl": (cand.ANY, *cand.SCHOOL_LEVELS),
    "net": (cand.ANY, *cand.SCHOOL_NETS),
    "sl": (cand.ANY, *cand.SCHOOL_LANGUAGES),
    "cc": (cand.ANY, *cand.CHILDCARE_TYPES),
    "bt": cand.BUDGET_TYPES,
    "col": state.COLOUR_OPTIONS,
    "sort": cand.SORT_KEYS,
    "chain": state.CHAIN_STOPS,
}
_COORDS = re.compile(r"-?\d{1,3}\.\d{5},-?\d{1,3}\.\d{5}", re.ASCII)


def _is_valid(name: str, value: Any) -> bool:
    """Whether ``value`` is an acceptable parsed value of parameter ``name``."""
    if name in _CHOICES:
        return value in _CHOICES[name]
    if name in ("intl", "cck", "bs"):
        return isinstance(value, bool)
    if name in ("t1", "t2", "bmax"):
        low, high = state.BUDGET_RANGE if name == "bmax" else state.MINUTES_RANGE
        return type(value) is int and low <= value <= high
    if name in state.WEIGHT_URL_NAMES.values():
        return type(value) is int and 0 <= value <= 5
    if name == "chain_p":
        return value in (1, 2)
    if name == "short":
        return (
            isinstance(value, tuple)
            and len(value) <= state.MAX_SHORTLIST
            and len(set(value)) == len(value)
            and all(re.fullmatch(r"[0-9]{5}[0-9A-Za-z_]{0,6}", code) for code in value)
        )
    if name == "wijk":
        return value == "" or re.fullmatch(r"[0-9]{5}[0-9A-Za-z_]{0,6}", value) is not None
    if name == "arr":
        return re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value) is not None
    if name == "day":
        if value == "":
            return True
        first, last = state.day_range()
        return first <= date.fromisoformat(value) <= last
    return _is_valid_ref(value, allow_empty=name == "w2")


def _is_valid_ref(value: str, *, allow_empty: bool) -> bool:
    if value == "":
        return allow_empty
    if value.startswith(("st:", "wp:", "addr:")):
        return len(value) <= state.MAX_REF_CHARS and value.isprintable() and value == value.strip()
    if not _COORDS.fullmatch(value):
        return False
    lat, lon = map(float, value.split(","))
    return -90 <= lat <= 90 and -180 <= lon <= 180


def _comparable(parsed: state.ExploreState) -> state.ExploreState:
    """The state as the widgets give it back: a ``day`` equal to the default drops out."""
    if parsed.travel_day and date.fromisoformat(parsed.travel_day) == state.default_travel_day():
        return replace(parsed, travel_day="")
    return parsed


# -- properties --------------------------------------------------------------------------
@_fuzz(600)
@given(_queries)
def test_any_query_parses_to_a_valid_state(params: dict[str, Any]) -> None:
    parsed = state.ExploreState.from_query(params)
    for name in PARAMS:
        value = getattr(parsed, FIELD[name])
        assert _is_valid(name, value), (name, value)
        if name not in params:
            assert value == getattr(DEFAULT, FIELD[name]), name
    # Parsing normalises: the link the page writes back means the same state.
    assert state.ExploreState.from_query(parsed.to_query()) == parsed
    # The widgets can show it and give it back.
    values = state.session_values(parsed)
    assert state.state_from_values(values) == _comparable(parsed)


@_fuzz(300)
@given(_queries, st.dictionaries(st.text(max_size=12), _values(), max_size=4))
def test_unknown_parameters_are_ignored(params: dict[str, Any], extra: dict[str, Any]) -> None:
    unknown = {k: v for k, v in extra.items() if k not in PARAMS}
    assert state.ExploreState.from_query({**params, **unknown}) == (
        state.ExploreState.from_query(params)
    )


@_fuzz(300)
@given(
    st.sampled_from(["t1", "t2", "bmax", "arr", "day", "w1", "w2"]),
    st.text(alphabet=_NON_ASCII_DIGITS, min_size=1, max_size=8),
    st.sampled_from(["{}", "{}:{}", "{}-{}-{}", "{},{}", "{}.{}", " {} "]),
)
def test_other_scripts_digits_fall_back(name: str, digits: str, shape: str) -> None:
    """Digits must be ASCII: ``float("٣٠")`` is 30, a surprise in a hand-edited link."""
    text = shape.format(*([digits] * shape.count("{}")))
    assert state.ExploreState.from_query({name: text}) == DEFAULT


@_fuzz(300)
@given(
    name=st.sampled_from(PARAMS),
    text=st.one_of(
        st.sampled_from(_PAYLOADS),
        st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "1_0", "0x1f", "[]", "None"]),
        st.text(alphabet="abcxyz<>[]()!*_`$\\{}", min_size=1, max_size=30),
    ),
)
def test_invalid_values_fall_back_to_the_default(name: str, text: str) -> None:
    """Nothing here is a valid value of any parameter, except empty ``w2``/``day``."""
    parsed = state.ExploreState.from_query({name: text})
    assert parsed == DEFAULT, (name, text)


@_fuzz(200)
@given(
    name=st.sampled_from(["t1", "t2", "bmax"]),
    digits=st.integers(7, 5000),  # from 9,999,999: above every range
    negative=st.booleans(),
    exponent=st.booleans(),
)
def test_huge_numbers_clamp_to_the_range(
    name: str, digits: int, negative: bool, exponent: bool
) -> None:
    text = ("-" if negative else "") + ("1e" + "9" * digits if exponent else "9" * digits)
    low, high = state.BUDGET_RANGE if name == "bmax" else state.MINUTES_RANGE
    value = getattr(state.ExploreState.from_query({name: text}), FIELD[name])
    assert value == (low if negative else high)


@_fuzz(50)
@given(name=st.sampled_from(PARAMS), junk=st.lists(_texts(), max_size=3))
def test_empty_and_repeated_parameters(name: str, junk: list[str]) -> None:
    """A repeated parameter counts by its last value; an empty list is no value at all."""
    assert state.ExploreState.from_query({name: []}) == DEFAULT
    _, link, meaning = CONTRACT[name]
    parsed = state.ExploreState.from_query({name: [*junk, link]})
    assert getattr(parsed, FIELD[name]) == meaning


def _refs(allow_empty: bool) -> st.SearchStrategy[str]:
    printable = st.text(
        alphabet=st.characters(
            codec="utf-8", categories=["L", "N", "P", "S"], include_characters=" "
        ),
        max_size=40,
    ).map(str.strip)
    return st.one_of(
        st.tuples(st.sampled_from(("st:", "wp:", "addr:")), printable).map("".join),
        st.tuples(st.floats(-90, 90), st.floats(-180, 180)).map(lambda p: f"{p[0]:.5f},{p[1]:.5f}"),
        st.just("") if allow_empty else st.nothing(),
    )


_valid_states = st.builds(
    state.ExploreState,
    language=st.sampled_from(_CHOICES["lang"]),
    workplace_1=_refs(allow_empty=False),
    mode_1=st.sampled_from(COMMUTE_MODES),
    max_minutes_1=st.integers(*state.MINUTES_RANGE),
    workplace_2=_refs(allow_empty=True),
    mode_2=st.sampled_from(COMMUTE_MODES),
    max_minutes_2=st.integers(*state.MINUTES_RANGE),
    arrive_by=st.times().map(lambda t: t.strftime("%H:%M")),
    travel_day=st.one_of(st.just(""), st.dates(*state.day_range()).map(date.isoformat)),
    school_level=st.sampled_from(_CHOICES["lvl"]),
    school_net=st.sampled_from(_CHOICES["net"]),
    school_language=st.sampled_from(_CHOICES["sl"]),
    international_only=st.booleans(),
    childcare_type=st.sampled_from(_CHOICES["cc"]),
    childcare_keep_unknown=st.booleans(),
    budget_type=st.sampled_from(_CHOICES["bt"]),
    budget_max_eur=st.integers(*state.BUDGET_RANGE),
    colour_by=st.sampled_from(_CHOICES["col"]),
    budget_strict=st.booleans(),
    sort_by=st.sampled_from(_CHOICES["sort"]),
    shortlist=st.lists(
        st.from_regex(r"[0-9]{5}[0-9A-Za-z_]{0,6}", fullmatch=True), max_size=4, unique=True
    ).map(tuple),
    profile_wijk=st.one_of(st.just(""), st.from_regex(r"[0-9]{5}[A-Z0-9]{0,2}", fullmatch=True)),
    weight_commute=st.integers(0, 5),
    weight_price=st.integers(0, 5),
    chain_stop=st.sampled_from(state.CHAIN_STOPS),
    chain_person=st.sampled_from((1, 2)),
)


@_fuzz(400)
@given(_valid_states)
def test_a_valid_state_round_trips(original: state.ExploreState) -> None:
    query = original.to_query()
    assert set(query) <= set(PARAMS)
    assert state.ExploreState.from_query(query) == original
    assert state.state_from_values(state.session_values(original)) == _comparable(original)
    assert isinstance(state.session_values(original)[state.ARRIVE], time)


# -- the page itself ---------------------------------------------------------------------
#: Malformed links opened on the Explore page (each a whole query string).
BAD_LINKS: list[dict[str, str]] = [
    {"t1": "٣٠", "t2": "1e999", "bmax": "NaN", "arr": "٠٩:٠٠", "day": "٢٠٢٦-١٢-٠٤"},
    {"w1": "st:does-not-exist", "w2": "addr:999999999", "m1": "rocket", "lang": "xx"},
    {"w1": "[click here](https://evil.example/login)", "w2": "![x](https://evil.example/t.png)"},
    {"w1": "addr:[click here](https://evil.example/login)", "lvl": "<b>x</b>"},
    {"w1": "<script>alert(7)</script>", "col": "price\x00", "net": "${alert(7)}"},
    {"w1": "91,181", "w2": "-0.0,-0.0", "t1": "-5", "t2": "9" * 400},
    {"w1": "st:" + "9" * 300, "w2": "addr:" + "x" * 10_000, "arr": "9" * 10_000},
    {"day": "2019-01-01", "arr": "23:59", "t1": "7", "t2": "120", "bmax": "1999999"},
    {"intl": "maybe", "cck": "", "bt": " ", "sl": "\u202e", "unknown": "x", "": ""},
    {"w1": "st:8833001\u202e", "w2": "wp:\x00", "m2": "train_walk", "day": "2099-12-31"},
    dict.fromkeys(PARAMS, ""),
    {"w2": "50.87,4.70", "m2": "walk_bus", "lang": "nl", "cc": "kindergarten_tag_unclear"},
    # the intake's parameters (issue 10): malformed, hostile, too many, unknown codes
    {"short": "x,y,[a](https://evil.example)", "wijk": "<script>", "w_commute": "nan"},
    {"short": ",".join(f"{24062 + i}A0" for i in range(9)), "wijk": "99999", "chain": "\u202e"},
    {"w_price": "1e999", "w_schools": "-3", "chain_p": "9", "chain": "school", "m1": "car"},
]


@pytest.mark.parametrize("link", BAD_LINKS, ids=[f"link{i}" for i in range(len(BAD_LINKS))])
def test_explore_page_survives_malformed_links(link: dict[str, str]) -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(link)
    at.run()
    assert not at.exception, at.exception
    expected = state.ExploreState.from_query(link)
    assert at.slider(key=state.person_key(1, "max")).value == expected.max_minutes_1
    assert at.selectbox(key=state.person_key(1, "mode")).value == expected.mode_1
    # The page rewrites the link canonically: known parameters, valid values only.
    written = {k: str(v) for k, v in at.query_params.items()}
    assert set(written) <= set(PARAMS), written
    assert state.ExploreState.from_query(written).to_query() == written
