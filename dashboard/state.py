"""Every session and URL state key of the app, and the URL <-> session round trip.

The whole view (workplaces, modes, limits, filters, language) is an :class:`ExploreState`.
It is written to the URL query string after every run, so an advisor can send a link
that restores the view; on the first run of a session the URL is read back into the
widgets.  Widget keys are declared here once; pages use these constants, never strings.

Parsing is forgiving: an unknown or malformed value falls back to its default, so a
hand-edited link never breaks the page.  Numbers use ASCII digits only (``float()`` would
read other scripts' digits, a surprise in a link); numbers beyond a range clamp to it;
a repeated parameter counts by its last value.  The parameter names are a public
contract (links already shared use them): add parameters, never rename or repurpose one.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, time, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import urlencode

from dashboard.engine.core import COMMUTE_MODES
from dashboard.engine.errors import BadInputError
from dashboard.engine.inputs import LatLon, parse_date, parse_hhmm, parse_latlon
from dashboard.engine.transit_commute import feed_week
from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES
from dashboard.layers import candidates as cand
from dashboard.layers import score
from dashboard.layers.workplaces import DEFAULT_REF, coords_ref, ref_kind
from geodata.catalog import default_data_dir
from geodata.io import SnapshotError

# -- widget and session keys (one place) -------------------------------------------------
LANG: Final = "lang"
SECOND_ON: Final = "p2_on"
CLICK_TARGET: Final = "click_target"
ARRIVE: Final = "arrive"
TRAVEL_DAY: Final = "travel_day"
GEOCODER_HITS: Final = "_geocoder_hits"
SCHOOL_LEVEL: Final = "school_level"
SCHOOL_NET: Final = "school_net"
SCHOOL_LANG: Final = "school_lang"
INTL_ONLY: Final = "intl_only"
CHILDCARE_TYPE: Final = "childcare_type"
CHILDCARE_KEEP: Final = "childcare_keep"
BUDGET_TYPE: Final = "budget_type"
BUDGET_MAX: Final = "budget_max"
BUDGET_STRICT: Final = "budget_strict"
SORT_BY: Final = "sort_by"
COLOUR_BY: Final = "colour_by"
MAP: Final = "explore_map"
TABLE: Final = "results_table"
NEIGHBOURHOOD_TABLE: Final = "neighbourhoods_table"
MUNICIPALITY_FILTER: Final = "municipality_filter"
URL_LOADED: Final = "_url_loaded"
#: The shortlist of neighbourhood codes to compare (a list; no widget draws it directly).
SHORTLIST: Final = "shortlist"
#: The neighbourhood whose profile is shown (its code, or None).
PROFILE_WIJK: Final = "profile_wijk"
CHAIN_STOP: Final = "chain_stop"
CHAIN_PERSON: Final = "chain_person"
#: Problems found in the link's intake parameters on the first run (shown once).
URL_PROBLEMS: Final = "_url_problems"
SCORE_TABLE: Final = "score_table"
COMPARE_TABLE: Final = "compare_table"
COMPARE_SCORES: Final = "compare_scores"
PROFILE_SHORTLIST_ADD: Final = "profile_shortlist_add"
#: The intake report's buttons (Compare, Profile) and the files last built (never in the URL).
COMPARE_REPORT: Final = "compare_report"
PROFILE_REPORT: Final = "profile_report"
REPORT_FILES: Final = "_report_files"


def weight_key(component: str) -> str:
    """Widget key of a score component's weight (see :data:`score.COMPONENTS`)."""
    return f"weight_{component}"


def person_key(person: int, field: str) -> str:
    """Widget key of a person's field: how, preset, addr_q, addr, lat, lon, mode, max."""
    return f"p{person}_{field}"


HOW_OPTIONS: Final = ("preset", "address", "coords")
COLOUR_OPTIONS: Final = ("commute", "price")
MINUTES_RANGE: Final = (5, 120)
BUDGET_RANGE: Final = (0, 2_000_000)
DEFAULT_LAT, DEFAULT_LON = 50.88228, 4.71587  # Leuven station, start of coordinate inputs
#: Longest preset or address reference read from a link (real ones are far shorter).
MAX_REF_CHARS: Final = 200
#: Most neighbourhoods a shortlist holds (the comparison shows them side by side).
MAX_SHORTLIST: Final = 4
#: Stops of the morning chain: none, a crèche (childcare) or a primary school.
CHAIN_STOPS: Final = ("off", "childcare", "school")
#: A neighbourhood code as the wijken layer writes them (``24062A0``, ``21018_92``):
#: five digits (the municipality's NIS code), then up to six letters, digits or ``_``.
WIJK_CODE: Final = re.compile(r"\d{5}[0-9A-Za-z_]{0,6}", re.ASCII)
#: A decimal number in ASCII digits, optionally signed, with an optional exponent.
_DECIMAL: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


@dataclass(frozen=True)
class ExploreState:
    """The shareable view.  Each field's URL parameter name is in :data:`URL_NAMES`."""

    language: str = DEFAULT_LANGUAGE
    workplace_1: str = DEFAULT_REF
    mode_1: str = "bike"
    max_minutes_1: int = 20
    workplace_2: str = ""  # empty: no second workplace
    mode_2: str = "car"
    max_minutes_2: int = 30
    arrive_by: str = "09:00"
    travel_day: str = ""  # ISO date of the train commute; empty: default_travel_day()
    school_level: str = cand.ANY
    school_net: str = cand.ANY
    school_language: str = cand.ANY
    international_only: bool = False
    childcare_type: str = cand.ANY
    childcare_keep_unknown: bool = True
    budget_type: str = "house"
    budget_max_eur: int = 0
    colour_by: str = "commute"
    budget_strict: bool = False  # drop (not only flag) a median above the budget
    sort_by: str = "commute"  # results order, one of candidates.SORT_KEYS
    # -- relocation intake (issue 10) --
    shortlist: tuple[str, ...] = ()  # neighbourhood codes to compare, at most MAX_SHORTLIST
    profile_wijk: str = ""  # the neighbourhood whose profile is shown; empty: none
    weight_commute: int = score.Weights.commute
    weight_schools: int = score.Weights.schools
    weight_childcare: int = score.Weights.childcare
    weight_transport: int = score.Weights.transport
    weight_price: int = score.Weights.price
    chain_stop: str = "off"  # the morning chain's stop, one of CHAIN_STOPS
    chain_person: int = 1  # who drops the child off

    def weights(self) -> score.Weights:
        """Return the score weights this state sets."""
        return score.Weights(
            commute=self.weight_commute,
            schools=self.weight_schools,
            childcare=self.weight_childcare,
            transport=self.weight_transport,
            price=self.weight_price,
        )

    def url_values(self) -> dict[str, Any]:
        """Return every field's value keyed by its URL parameter name."""
        return {URL_NAMES[item.name]: getattr(self, item.name) for item in fields(self)}

    def to_query(self) -> dict[str, str]:
        """Return the URL parameters that differ from the defaults."""
        default = ExploreState().url_values()
        out: dict[str, str] = {}
        for key, value in self.url_values().items():
            if value != default[key]:
                out[key] = _url_text(value)
        return out

    @classmethod
    def from_query(cls, params: Mapping[str, str | list[str]]) -> ExploreState:
        """Parse URL parameters; invalid values fall back to their defaults.

        A list (a repeated parameter) counts by its last value; an empty list or a value
        that is not text counts as absent.  Unknown parameters are ignored.
        """
        state = cls()
        for item in fields(cls):
            raw = params.get(URL_NAMES[item.name])
            text = raw[-1] if isinstance(raw, list) and raw else raw
            if not isinstance(text, str):
                continue
            value = _parse(URL_NAMES[item.name], text)
            if value is not None:
                state = replace(state, **{item.name: value})
        return state


#: Field of :class:`ExploreState` -> its URL parameter name, the one mapping between them.
#: The URL names are a public contract (short links already shared use them): add a
#: parameter, never rename or repurpose one; a field may be renamed here freely.
URL_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "language": "lang",
        "workplace_1": "w1",
        "mode_1": "m1",
        "max_minutes_1": "t1",
        "workplace_2": "w2",
        "mode_2": "m2",
        "max_minutes_2": "t2",
        "arrive_by": "arr",
        "travel_day": "day",
        "school_level": "lvl",
        "school_net": "net",
        "school_language": "sl",
        "international_only": "intl",
        "childcare_type": "cc",
        "childcare_keep_unknown": "cck",
        "budget_type": "bt",
        "budget_max_eur": "bmax",
        "colour_by": "col",
        "budget_strict": "bs",
        "sort_by": "sort",
        # added with the relocation intake (issue 10)
        "shortlist": "short",
        "profile_wijk": "wijk",
        "weight_commute": "w_commute",
        "weight_schools": "w_schools",
        "weight_childcare": "w_childcare",
        "weight_transport": "w_transport",
        "weight_price": "w_price",
        "chain_stop": "chain",
        "chain_person": "chain_p",
    }
)
#: URL names of the score weights, by component.
WEIGHT_URL_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {c: URL_NAMES[f"weight_{c}"] for c in score.COMPONENTS}
)
#: URL parameter name -> field of :class:`ExploreState` (the inverse of :data:`URL_NAMES`).
FIELD_NAMES: Final[Mapping[str, str]] = MappingProxyType({u: f for f, u in URL_NAMES.items()})
if set(URL_NAMES) != {item.name for item in fields(ExploreState)} or len(FIELD_NAMES) != len(
    URL_NAMES
):  # a field without a URL name, or two fields sharing one, would break links silently
    raise RuntimeError("URL_NAMES must name every ExploreState field once, uniquely")


_CHOICES: Final[dict[str, tuple[str, ...]]] = {
    "lang": tuple(LANGUAGES),
    "m1": COMMUTE_MODES,
    "m2": COMMUTE_MODES,
    "lvl": (cand.ANY, *cand.SCHOOL_LEVELS),
    "net": (cand.ANY, *cand.SCHOOL_NETS),
    "sl": (cand.ANY, *cand.SCHOOL_LANGUAGES),
    "cc": (cand.ANY, *cand.CHILDCARE_TYPES),
    "bt": cand.BUDGET_TYPES,
    "col": COLOUR_OPTIONS,
    "sort": cand.SORT_KEYS,
    "chain": CHAIN_STOPS,
}


def _url_text(value: Any) -> str:
    """Return a field's value as the link writes it (flags as digits, lists by commas)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def _parse(name: str, text: str) -> Any:
    """Return the parsed value of URL parameter ``name``, or None when invalid."""
    text = text.strip()
    if name in _CHOICES:
        return text if text in _CHOICES[name] else None
    if name in ("intl", "cck", "bs"):
        return {"1": True, "0": False, "true": True, "false": False}.get(text.lower())
    if name in ("t1", "t2"):
        return _int_in(text, *MINUTES_RANGE)
    if name == "bmax":
        return _int_in(text, *BUDGET_RANGE)
    if name in WEIGHT_URL_NAMES.values():
        return _int_in(text, *score.WEIGHT_RANGE)
    if name == "chain_p":
        return {"1": 1, "2": 2}.get(text)
    if name == "short":
        codes = _shortlist(text)
        return None if codes is None else codes[:MAX_SHORTLIST]
    if name == "wijk":
        return text if not text or WIJK_CODE.fullmatch(text) else None
    if name == "arr":
        try:
            return parse_hhmm(text).strftime("%H:%M")
        except BadInputError:
            return None
    if name in ("w1", "w2"):
        return _valid_ref(text, allow_empty=name == "w2")
    if name == "day":
        try:
            day = parse_date(text)
            first, last = day_range()
        except (BadInputError, SnapshotError):
            # An unreadable timetable manifest: the day is dropped here, and the page
            # names the damaged file when it needs the timetable.
            return None
        return day.isoformat() if first <= day <= last else None
    return None


def _shortlist(text: str) -> tuple[str, ...] | None:
    """Return the codes of a comma-separated shortlist (repeats dropped), None if malformed."""
    codes = [code.strip() for code in text.split(",")]
    if codes == [""]:
        return ()
    if not all(WIJK_CODE.fullmatch(code) for code in codes):
        return None
    return tuple(dict.fromkeys(codes))


class UrlProblem(enum.Enum):
    """What is wrong with an intake parameter of a link (value: its message key)."""

    MALFORMED = "url_malformed"
    TOO_MANY = "shortlist_too_many"
    UNKNOWN_CODE = "wijk_unknown"


@dataclass(frozen=True)
class LinkProblem:
    """One intake parameter of a link that was cleared or cut, and why.

    ``name`` is the URL parameter, ``value`` what the link gave (or the codes dropped).
    """

    name: str
    value: str
    problem: UrlProblem


#: The intake parameters whose bad values are reported (older ones fall back silently,
#: as links shared before the intake always did).
INTAKE_URL_NAMES: Final = ("short", "wijk", *WEIGHT_URL_NAMES.values(), "chain", "chain_p")


def link_problems(params: Mapping[str, str | list[str]]) -> list[LinkProblem]:
    """Return what a link's intake parameters hold that :meth:`ExploreState.from_query` drops.

    A malformed value (cleared to the default), and a shortlist longer than
    :data:`MAX_SHORTLIST` (cut to its first codes; the problem names the others).
    Whether the codes exist is checked against the data by :func:`unknown_codes`.
    """
    problems = []
    for name in INTAKE_URL_NAMES:
        raw = params.get(name)
        text = raw[-1] if isinstance(raw, list) and raw else raw
        if not isinstance(text, str):
            continue
        if _parse(name, text) is None:
            problems.append(LinkProblem(name, text, UrlProblem.MALFORMED))
        elif name == "short":
            extra = (_shortlist(text.strip()) or ())[MAX_SHORTLIST:]
            if extra:
                problems.append(LinkProblem(name, ",".join(extra), UrlProblem.TOO_MANY))
    return problems


def unknown_codes(s: ExploreState, known: set[str]) -> tuple[ExploreState, list[LinkProblem]]:
    """Drop the shortlist and profile codes that are not neighbourhoods of the data.

    Returns the corrected state and one :class:`LinkProblem` per unknown code.
    """
    problems = [
        LinkProblem("short", code, UrlProblem.UNKNOWN_CODE)
        for code in s.shortlist
        if code not in known
    ]
    kept = tuple(code for code in s.shortlist if code in known)
    wijk = s.profile_wijk
    if wijk and wijk not in known:
        problems.append(LinkProblem("wijk", wijk, UrlProblem.UNKNOWN_CODE))
        wijk = ""
    return replace(s, shortlist=kept, profile_wijk=wijk), problems


#: URL path of the profile page (``url_path`` of its ``st.Page`` in ``dashboard/app.py``).
PROFILE_PATH: Final = "profile"


def profile_link(s: ExploreState, code: str) -> str:
    """Return the relative link that opens ``code``'s profile with the view of ``s``.

    Relative to the app's root (``profile?...``), so it works under a base path; the
    query is the state's own (the link restores workplaces, filters and weights).
    """
    query = {**replace(s, profile_wijk=code).to_query()}
    return f"{PROFILE_PATH}?{urlencode(query)}"


def day_range() -> tuple[date, date]:
    """Return the travel days offered: the engine's range for the snapshot's timetable.

    One definition (:attr:`dashboard.engine.transit_commute.FeedWeek.travel_dates`):
    trains are mapped onto the same weekday of the feed's week, so any date in it works.

    Raises
    ------
    SnapshotError
        When the ``rail_timetable`` manifest is missing or its week unreadable.
    """
    return _day_range(str(default_data_dir()))


@functools.lru_cache(maxsize=8)
def _day_range(data_dir: str) -> tuple[date, date]:
    # Keyed by folder: a test or an operator switching snapshots gets that one's range.
    return feed_week(Path(data_dir)).travel_dates


def default_travel_day(today: date | None = None) -> date:
    """Return the travel day shown when the link names none: the next Tuesday.

    Why Tuesday: a typical mid-week working day, and the engine's own default (Tuesday of
    the 2019 feed week).  Trains only depend on the weekday (the engine maps any date onto
    the same weekday of the 2019 feed week), so a link without ``day`` gives the same
    times whenever it is opened, although the date shown moves on.  Today counts when it
    is a Tuesday.
    """
    today = today or date.today()
    return today + timedelta(days=(1 - today.weekday()) % 7)


def travel_day(state: ExploreState) -> date:
    """Return the travel day a state describes (its ``day`` or the default)."""
    return parse_date(state.travel_day) if state.travel_day else default_travel_day()


# -- what the page asks: commute questions and place filters ------------------------------
#: Modes whose times depend on the arrival time and the travel day (a timetable).
TRAIN_MODES: Final = tuple(m for m in COMMUTE_MODES if m.startswith("train_"))
#: The arrival time and day every other mode's question carries: those modes ignore
#: them, and one fixed value keeps their cached answers when the train time changes.
STREET_ARRIVE_BY: Final = "09:00"
STREET_DAY: Final = ""


@dataclass(frozen=True)
class Commuter:
    """One person's commute as the state gives it: whose, which workplace, how, how long."""

    person: int
    workplace: str
    mode: str
    max_minutes: int


def commuters(s: ExploreState) -> tuple[Commuter, ...]:
    """Return person 1's commute, and person 2's when a second workplace is set."""
    first = Commuter(1, s.workplace_1, s.mode_1, s.max_minutes_1)
    if not s.workplace_2:
        return (first,)
    return first, Commuter(2, s.workplace_2, s.mode_2, s.max_minutes_2)


@dataclass(frozen=True)
class CommuteSpec:
    """One person's commute question as the caches key it (plain values, hashable).

    Build it with :func:`commute_spec`, the one place that decides the per-mode
    arguments.  ``day`` is an ISO date, or ``""`` for modes without a timetable.
    """

    lat: float
    lon: float
    mode: str
    max_minutes: int
    arrive_by: str
    day: str

    def question(self) -> cand.Commute:
        """Return the question as the ranking asks the engine."""
        point = LatLon(self.lat, self.lon)
        return cand.Commute(point, self.mode, float(self.max_minutes), self.arrive_by, self.day)


def commute_spec(s: ExploreState, commuter: Commuter, point: LatLon) -> CommuteSpec:
    """Return ``commuter``'s question to the workplace at ``point`` (resolved by the page).

    Train modes keep the state's arrival time and travel day; every other mode gets
    :data:`STREET_ARRIVE_BY` and :data:`STREET_DAY`, so changing the train time neither
    recomputes nor evicts a street commute's cached answer.
    """
    if commuter.mode in TRAIN_MODES:
        arrive_by, day = s.arrive_by, travel_day(s).isoformat()
    else:
        arrive_by, day = STREET_ARRIVE_BY, STREET_DAY
    return CommuteSpec(point.lat, point.lon, commuter.mode, commuter.max_minutes, arrive_by, day)


def place_filters(s: ExploreState) -> cand.PlaceFilters:
    """Return the ranking's filters, budget rule and order that a state describes."""
    return cand.PlaceFilters(
        school_level=s.school_level,
        school_net=s.school_net,
        school_language=s.school_language,
        international_only=s.international_only,
        childcare_type=s.childcare_type,
        childcare_keep_unknown=s.childcare_keep_unknown,
        budget_type=s.budget_type,
        budget_max_eur=float(s.budget_max_eur),
        budget_strict=s.budget_strict,
        sort_by=s.sort_by,
    )


def _int_in(text: str, low: int, high: int) -> int | None:
    """Return ``text`` as an integer clamped to [low, high], or None when not a number.

    Only ASCII decimal numbers count (no ``nan``, ``inf``, ``1_000``, other scripts'
    digits); a number too large for a float (``1e999``) clamps like any other.
    """
    if not _DECIMAL.fullmatch(text):
        return None
    value = float(text)  # may be +-inf, never NaN
    if value >= high:
        return high
    if value <= low:
        return low
    return round(value)


def _valid_ref(text: str, *, allow_empty: bool) -> str | None:
    """Return a workplace reference from a link, normalised, or None when malformed.

    Preset and address references are checked against the data later, on the page; here
    they only need to be short and printable (no control or bidi characters).
    """
    if not text:
        return "" if allow_empty else None
    if ref_kind(text) != "coords":
        return text if len(text) <= MAX_REF_CHARS and text.isprintable() else None
    try:
        point = parse_latlon(text)
    except BadInputError:
        return None
    return coords_ref(point.lat, point.lon)


# -- session <-> state -------------------------------------------------------------------
def session_values(state: ExploreState) -> dict[str, Any]:
    """Return the widget values (key -> value) that show ``state``."""
    values: dict[str, Any] = {
        LANG: state.language,
        SECOND_ON: bool(state.workplace_2),
        ARRIVE: parse_hhmm(state.arrive_by),
        TRAVEL_DAY: travel_day(state),
        SCHOOL_LEVEL: state.school_level,
        SCHOOL_NET: state.school_net,
        SCHOOL_LANG: state.school_language,
        INTL_ONLY: state.international_only,
        CHILDCARE_TYPE: state.childcare_type,
        CHILDCARE_KEEP: state.childcare_keep_unknown,
        BUDGET_TYPE: state.budget_type,
        BUDGET_MAX: state.budget_max_eur,
        COLOUR_BY: state.colour_by,
        BUDGET_STRICT: state.budget_strict,
        SORT_BY: state.sort_by,
        SHORTLIST: list(state.shortlist),
        PROFILE_WIJK: state.profile_wijk or None,
        CHAIN_STOP: state.chain_stop,
        CHAIN_PERSON: str(state.chain_person),
        **{weight_key(c): w for c, w in state.weights().as_dict().items()},
    }
    for person, ref, mode, limit in (
        (1, state.workplace_1, state.mode_1, state.max_minutes_1),
        (2, state.workplace_2, state.mode_2, state.max_minutes_2),
    ):
        values.update(_workplace_values(person, ref or DEFAULT_REF))
        values[person_key(person, "mode")] = mode
        values[person_key(person, "max")] = limit
    return values


def _workplace_values(person: int, ref: str) -> dict[str, Any]:
    kind = ref_kind(ref)
    values: dict[str, Any] = {person_key(person, "how"): kind}
    if kind == "preset":
        values[person_key(person, "preset")] = ref
    elif kind == "address":
        values[person_key(person, "addr")] = ref
    else:
        point = parse_latlon(ref)
        values[person_key(person, "lat")] = point.lat
        values[person_key(person, "lon")] = point.lon
    return values


def workplace_ref(values: Mapping[str, Any], person: int) -> str:
    """Return the workplace reference a person's widgets currently describe."""
    how = values.get(person_key(person, "how"), "preset")
    if how == "address" and values.get(person_key(person, "addr")):
        return str(values[person_key(person, "addr")])
    if how == "coords":
        lat = values.get(person_key(person, "lat"), DEFAULT_LAT)
        lon = values.get(person_key(person, "lon"), DEFAULT_LON)
        return coords_ref(float(lat), float(lon))
    return str(values.get(person_key(person, "preset"), DEFAULT_REF))


def unset_workplaces(values: Mapping[str, Any]) -> list[int]:
    """Return the persons whose widgets name no workplace (address mode, none picked).

    :func:`workplace_ref` then answers the default preset so the URL stays valid; the
    page must not compute with that stand-in as if the person had chosen it.
    """
    persons = [1, 2] if values.get(SECOND_ON) else [1]
    return [
        p
        for p in persons
        if values.get(person_key(p, "how")) == "address" and not values.get(person_key(p, "addr"))
    ]


def state_from_values(values: Mapping[str, Any]) -> ExploreState:
    """Build the state from widget values (missing keys keep their defaults)."""
    default = ExploreState()
    arrive = values.get(ARRIVE)
    day = values.get(TRAVEL_DAY)
    return ExploreState(
        language=str(values.get(LANG, default.language)),
        workplace_1=workplace_ref(values, 1),
        mode_1=str(values.get(person_key(1, "mode"), default.mode_1)),
        max_minutes_1=int(values.get(person_key(1, "max"), default.max_minutes_1)),
        workplace_2=workplace_ref(values, 2) if values.get(SECOND_ON) else "",
        mode_2=str(values.get(person_key(2, "mode"), default.mode_2)),
        max_minutes_2=int(values.get(person_key(2, "max"), default.max_minutes_2)),
        arrive_by=arrive.strftime("%H:%M") if isinstance(arrive, time) else default.arrive_by,
        # The default day stays out of the link (it moves on; see default_travel_day).
        travel_day=(
            day.isoformat() if isinstance(day, date) and day != default_travel_day() else ""
        ),
        school_level=str(values.get(SCHOOL_LEVEL, default.school_level)),
        school_net=str(values.get(SCHOOL_NET, default.school_net)),
        school_language=str(values.get(SCHOOL_LANG, default.school_language)),
        international_only=bool(values.get(INTL_ONLY, default.international_only)),
        childcare_type=str(values.get(CHILDCARE_TYPE, default.childcare_type)),
        childcare_keep_unknown=bool(values.get(CHILDCARE_KEEP, default.childcare_keep_unknown)),
        budget_type=str(values.get(BUDGET_TYPE, default.budget_type)),
        budget_max_eur=int(values.get(BUDGET_MAX, default.budget_max_eur)),
        colour_by=str(values.get(COLOUR_BY, default.colour_by)),
        budget_strict=bool(values.get(BUDGET_STRICT, default.budget_strict)),
        sort_by=str(values.get(SORT_BY, default.sort_by)),
        shortlist=tuple(str(code) for code in values.get(SHORTLIST) or ()),
        profile_wijk=str(values.get(PROFILE_WIJK) or ""),
        chain_stop=str(values.get(CHAIN_STOP, default.chain_stop)),
        chain_person=2 if str(values.get(CHAIN_PERSON, "1")) == "2" else 1,
        **{
            f"weight_{c}": int(values.get(weight_key(c), w))
            for c, w in default.weights().as_dict().items()
        },
    )


#: Every widget key whose value must survive a visit to another page.
PERSISTENT_KEYS: Final[tuple[str, ...]] = (
    *session_values(ExploreState()).keys(),
    *(person_key(p, f) for p in (1, 2) for f in ("preset", "addr_q", "addr", "lat", "lon")),
    CLICK_TARGET,
)


# -- Streamlit glue ----------------------------------------------------------------------
def start_run() -> None:
    """Call first in every run: load the URL once per session, then keep widget values.

    Streamlit forgets the value of a widget that a run does not draw (another page is
    open); re-assigning each key turns it into plain session state, which survives.
    """
    import streamlit as st

    session = st.session_state
    if not session.get(URL_LOADED):
        params = st.query_params.to_dict()
        loaded = ExploreState.from_query(params)
        session[URL_PROBLEMS] = link_problems(params)
        for key, value in session_values(loaded).items():
            session[key] = value
        session.setdefault(person_key(1, "lat"), DEFAULT_LAT)
        session.setdefault(person_key(1, "lon"), DEFAULT_LON)
        session.setdefault(person_key(2, "lat"), DEFAULT_LAT)
        session.setdefault(person_key(2, "lon"), DEFAULT_LON)
        session[URL_LOADED] = True
    for key in PERSISTENT_KEYS:
        if key in session:
            session[key] = session[key]


def current() -> ExploreState:
    """Return the state the widgets describe now."""
    import streamlit as st

    return state_from_values(st.session_state.to_dict())


def write_url() -> None:
    """Write the current state into the URL query string (only non-default values)."""
    import streamlit as st

    # Written on every run, even when unchanged: after a page switch the browser drops
    # the query string while the server still holds the old one.
    st.query_params.from_dict(current().to_query())


def language() -> str:
    """Return the interface language chosen in this session."""
    import streamlit as st

    lang = st.session_state.get(LANG, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def click_person(values: Mapping[str, Any]) -> int:
    """Return the person a map click sets (2 only when the partner is on and chosen)."""
    return int(values.get(CLICK_TARGET, "1") or "1") if values.get(SECOND_ON) else 1


def clicks_set_workplace_everywhere(values: Mapping[str, Any]) -> bool:
    """Return True when every map click sets the workplace, also one on a feature.

    That is when the person a click sets chooses by "Coordinates / map click".  Otherwise
    a click on a neighbourhood or a point opens its popup (Leaflet stops that click
    before it reaches the map) and only a click on an empty spot sets the workplace.
    """
    return values.get(person_key(click_person(values), "how")) == "coords"


def workplace_from_click(
    event: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[int, float, float] | None:
    """Return (person, lat, lon) that streamlit-folium's ``last_clicked`` sets, if any."""
    clicked = event.get("last_clicked")
    if not clicked:
        return None
    return click_person(values), float(clicked["lat"]), float(clicked["lng"])


def apply_map_click(person: int, lat: float, lon: float) -> None:
    """Set a person's workplace to a clicked point (call from a callback, before widgets)."""
    import streamlit as st

    session = st.session_state
    session[person_key(person, "how")] = "coords"
    session[person_key(person, "lat")] = round(lat, 5)
    session[person_key(person, "lon")] = round(lon, 5)
    if person == 2:
        session[SECOND_ON] = True
