"""The intake report's content: the client's question, the shortlist's profiles, the score.

:func:`build_report` checks the request (1 or 2 workplaces, 1 to
:data:`dashboard.state.MAX_SHORTLIST` distinct known wijk codes, a language), asks the
profiles once for the whole shortlist (:func:`dashboard.layers.profile.neighbourhood_profiles`)
and scores the shortlisted neighbourhoods among themselves with
:mod:`dashboard.layers.score` (default weights unless given).  Rendering lives in
:mod:`dashboard.report.pdf` and :mod:`dashboard.report.html`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from dashboard.engine.core import COMMUTE_MODES, CommuteEngine
from dashboard.engine.inputs import LatLon, check_minutes
from dashboard.i18n import LANGUAGES
from dashboard.layers import candidates as cand
from dashboard.layers import profile as pf
from dashboard.layers import score as sc
from dashboard.state import (
    MAX_SHORTLIST,
    Commuter,
    CommuteSpec,
    ExploreState,
    commute_spec,
)
from geodata.catalog import default_data_dir
from geodata.io import load_layer

#: The point layers :func:`dashboard.layers.score.place_figures` counts per wijk.
_COUNTED_LAYERS = ("schools", "international_schools", "childcare")


class ReportInputError(ValueError):
    """A report request is unusable.

    Attributes
    ----------
    argument : str
        Which input is wrong (``"workplace"``, ``"wijk"``, ``"lang"``, ...).
    problem : str
        What is wrong with it (one line).
    """

    def __init__(self, argument: str, problem: str) -> None:
        super().__init__(f"{argument}: {problem}")
        self.argument = argument
        self.problem = problem


@dataclass(frozen=True)
class ClientWorkplace:
    """One person's workplace and commute constraint, as the client gives them.

    ``arrive_by`` and ``day`` (ISO date, ``""`` for the default travel day) only matter
    for train modes.
    """

    point: LatLon
    mode: str
    max_minutes: int
    arrive_by: str = "09:00"
    day: str = ""


@dataclass(frozen=True)
class ReportRequest:
    """What the advisor asks: workplaces, shortlist, language, score weights, filters.

    ``filters`` are the page's :class:`dashboard.layers.candidates.PlaceFilters`: which
    schools and childcare the score counts and which municipal median is its price
    (``budget_type``).  The default (the command line's) counts every school and every
    childcare place and prices with the median house price.
    """

    workplaces: tuple[ClientWorkplace, ...]
    shortlist: tuple[str, ...]
    lang: str
    weights: sc.Weights = field(default_factory=sc.Weights)
    filters: cand.PlaceFilters = field(default_factory=cand.PlaceFilters)


@dataclass(frozen=True)
class ScoreRow:
    """One shortlisted neighbourhood's score and its components.

    Attributes
    ----------
    code : str
        Wijk code.
    score : float or None
        Weighted mean of the known components in [0, 1]; None when none is known.
    parts : mapping of str to float or None
        Each of :data:`dashboard.layers.score.COMPONENTS` in [0, 1]; None = no data.
    raw : mapping of str to float or None
        The raw value behind each component but the commute (None: no data).
    minutes : tuple of float or None
        The raw values behind the commute: each person's minutes by their own mode,
        None beyond their limit.
    missing : tuple of str
        Weighted components without data.
    """

    code: str
    score: float | None
    parts: Mapping[str, float | None]
    raw: Mapping[str, float | None]
    minutes: tuple[float | None, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """Everything the renderers show."""

    request: ReportRequest
    specs: tuple[CommuteSpec, ...]
    profiles: tuple[pf.Profile, ...]
    score: tuple[ScoreRow, ...] | None
    #: Translation key of why there is no score ("" when there is one).
    score_problem: str
    sources: tuple[pf.Source, ...]
    generated: str
    data_dir: Path

    @property
    def lang(self) -> str:
        """The report's language."""
        return self.request.lang


def check_request(request: ReportRequest, known: frozenset[str]) -> None:
    """Refuse an unusable request before any work (ReportInputError names the input)."""
    if request.lang not in LANGUAGES:
        raise ReportInputError("lang", f"{request.lang!r} is not one of {', '.join(LANGUAGES)}")
    if not 1 <= len(request.workplaces) <= 2:
        raise ReportInputError("workplace", "give one or two workplaces")
    for number, place in enumerate(request.workplaces, start=1):
        _check_workplace(number, place)
    codes = request.shortlist
    if not codes:
        raise ReportInputError("wijk", "give at least one neighbourhood code")
    if len(codes) > MAX_SHORTLIST:
        raise ReportInputError("wijk", f"at most {MAX_SHORTLIST} neighbourhoods, got {len(codes)}")
    if len(set(codes)) != len(codes):
        raise ReportInputError("wijk", "a neighbourhood code is given twice")
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ReportInputError("wijk", f"unknown neighbourhood code(s) {', '.join(unknown)}")


def person_argument(name: str, person: int) -> str:
    """Name of a person's input as the command line spells it (``mode``, ``mode2``)."""
    return name if person == 1 else f"{name}{person}"


def _check_workplace(number: int, place: ClientWorkplace) -> None:
    if place.mode not in COMMUTE_MODES:
        msg = f"mode {place.mode!r} is not one of {', '.join(COMMUTE_MODES)}"
        raise ReportInputError(person_argument("mode", number), msg)
    try:
        check_minutes(float(place.max_minutes))
    except ValueError as exc:
        raise ReportInputError(person_argument("max-minutes", number), str(exc)) from exc


def _check_answered(profiles: Sequence[pf.Profile]) -> None:
    """Refuse a workplace the engine gives no time to by the person's own mode.

    The engine refuses a workplace (outside the region it covers), not a neighbourhood,
    so one refusal stands for all; the report would otherwise be a page of "no time".
    """
    for person in profiles[0].commutes if profiles else ():
        problem = person.chosen.problem
        if problem and all(p.commutes[person.person - 1].chosen.problem for p in profiles):
            raise ReportInputError(person_argument("workplace", person.person), problem)


def commute_specs(request: ReportRequest) -> tuple[CommuteSpec, ...]:
    """Return each person's commute question as the app asks it (:func:`commute_spec`)."""
    specs = []
    for number, place in enumerate(request.workplaces, start=1):
        state = ExploreState(arrive_by=place.arrive_by, travel_day=place.day)
        commuter = Commuter(number, "", place.mode, place.max_minutes)
        specs.append(commute_spec(state, commuter, place.point))
    return tuple(specs)


def request_from_specs(
    specs: Sequence[CommuteSpec],
    shortlist: Sequence[str],
    lang: str,
    weights: sc.Weights | None = None,
    filters: cand.PlaceFilters | None = None,
) -> ReportRequest:
    """Return the report request of the app's view: its commute specs, shortlist and filters.

    The inverse of :func:`commute_specs` (``commute_specs(request_from_specs(s, ...)) ==
    s``), so the report asks exactly what the page showed; ``filters`` (the page's
    :func:`dashboard.state.place_filters`) make its score count what the page counted.
    """
    places = tuple(
        ClientWorkplace(LatLon(s.lat, s.lon), s.mode, s.max_minutes, s.arrive_by, s.day)
        for s in specs
    )
    return ReportRequest(
        places, tuple(shortlist), lang, weights or sc.Weights(), filters or cand.PlaceFilters()
    )


def build_report(
    request: ReportRequest,
    *,
    engine: CommuteEngine | None = None,
    data: pf.ProfileData | None = None,
    now: datetime | None = None,
) -> Report:
    """Check the request, profile the shortlist and score it.

    Raises
    ------
    ReportInputError
        For a bad language, workplace, mode, limit or shortlist (before any engine work),
        or a workplace the engine gives no time to by the person's mode.
    SnapshotError
        When a layer or manifest is missing or damaged.
    """
    data_dir = (engine.data_dir if engine else None) or default_data_dir()
    data = data or pf.load_profile_data(data_dir)
    check_request(request, pf.known_codes(data))
    specs = commute_specs(request)
    profiles = pf.neighbourhood_profiles(
        request.shortlist, specs, lang=request.lang, engine=engine, data=data
    )
    _check_answered(profiles)
    rows, problem = _score(profiles, specs, request, Path(data_dir))
    return Report(
        request=request,
        specs=specs,
        profiles=profiles,
        score=rows,
        score_problem=problem,
        sources=_unique_sources(profiles),
        generated=(now or datetime.now(UTC)).date().isoformat(),
        data_dir=Path(data_dir),
    )


def _unique_sources(profiles: Sequence[pf.Profile]) -> tuple[pf.Source, ...]:
    """Every source of the profiles once, in section order."""
    seen: dict[str, pf.Source] = {}
    for section in pf.SECTION_LAYERS:
        for source in profiles[0].sources[section] if profiles else ():
            seen.setdefault(source.layer, source)
    return tuple(seen.values())


# -- score ---------------------------------------------------------------------------------
def score_frame(
    profiles: Sequence[pf.Profile],
    specs: Sequence[CommuteSpec],
    filters: cand.PlaceFilters,
    data_dir: Path,
) -> pd.DataFrame:
    """Return the shortlist as :func:`dashboard.layers.score.score_table` reads a ranking.

    Built by :func:`dashboard.layers.score.place_figures`, as the Compare page builds
    its own: the schools and childcare ``filters`` count and the municipal median of
    ``filters.budget_type``.  Minutes are each person's own mode, NaN beyond their limit
    (as the ranking has them).
    """
    layer = load_layer("neighbourhoods", data_dir)
    codes = [p.code for p in profiles]
    rows = layer.set_index("code", drop=False).loc[codes].reset_index(drop=True)
    commute = pd.DataFrame(index=rows.index)
    for number in range(1, len(specs) + 1):
        commute[f"minutes_{number}"] = [_own_minutes(p, number) for p in profiles]
        commute[f"estimated_{number}"] = [
            bool(p.commutes[number - 1].chosen.estimated) for p in profiles
        ]
    schools, international, childcare = (load_layer(n, data_dir) for n in _COUNTED_LAYERS)
    return sc.place_figures(rows, commute, schools, international, childcare, filters)


def _own_minutes(profile: pf.Profile, person: int) -> float:
    own = profile.commutes[person - 1].chosen
    return own.minutes if own.minutes is not None and own.within_limit else np.nan


def _score(
    profiles: Sequence[pf.Profile],
    specs: Sequence[CommuteSpec],
    request: ReportRequest,
    data_dir: Path,
) -> tuple[tuple[ScoreRow, ...] | None, str]:
    """Score rows in shortlist order, or None and the translation key of why not."""
    try:
        table = sc.score_table(
            score_frame(profiles, specs, request.filters, data_dir),
            request.weights,
            [s.max_minutes for s in specs],
        )
    except sc.AllWeightsZeroError:
        return None, "report_score_all_zero"
    except sc.ScoreError:
        return None, "report_score_failed"
    by_code = table.set_index("code")
    persons = len(specs)
    return tuple(_score_row(p.code, by_code.loc[p.code], persons) for p in profiles), ""


def _score_row(code: str, row: pd.Series | pd.DataFrame, persons: int) -> ScoreRow:
    if isinstance(row, pd.DataFrame):  # a code twice is refused before; keep mypy honest
        row = row.iloc[0]
    raw = {c: _num(row[f"raw_{c}"]) for c in sc.COMPONENTS if c != "commute"}
    return ScoreRow(
        code=code,
        score=_num(row["score"]),
        parts=MappingProxyType({c: _num(row[f"part_{c}"]) for c in sc.COMPONENTS}),
        raw=MappingProxyType(raw),
        minutes=tuple(_num(row[f"minutes_{p}"]) for p in range(1, persons + 1)),
        missing=tuple(row["missing"]),
    )


def _num(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if np.isnan(number) else number
