"""The report as a sequence of neutral blocks, shared by the PDF and the HTML renderers.

:func:`report_blocks` turns a :class:`~dashboard.report.model.Report` into headings,
paragraphs, tables and images whose texts are plain (unescaped) strings in the report's
language; each renderer escapes them for its own format.  One builder keeps the PDF and
the print view saying the same thing.

Conventions: minutes are whole minutes, an estimated time carries ``*`` (explained by
``report_estimated_note``); a figure the data does not give reads "unknown" / "no data",
never 0.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from dashboard.i18n import format_eur, format_number, has_key, t
from dashboard.layers import profile as pf
from dashboard.layers import score as sc
from dashboard.maps import method_label
from dashboard.report.figures import map_png, price_chart_png
from dashboard.report.model import Report, ScoreRow

#: Schools listed per level in a profile (the nearest; the rest are counted).
MAX_PLACES: Final = 8
ESTIMATED_MARK: Final = "*"


@dataclass(frozen=True)
class Heading:
    """A heading; ``level`` 1 is the title, 2 a section, 3 a sub-section."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Para:
    """A paragraph; ``style`` is ``"normal"``, ``"small"`` or ``"note"``."""

    text: str
    style: str = "normal"


@dataclass(frozen=True)
class Table:
    """A table with a header row; ``widths`` are relative column widths."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class Image:
    """A PNG image with its caption; ``width`` is the share of the text width."""

    png: bytes
    caption: str
    width: float = 1.0
    alt: str = ""


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (print: a page break before the next block)."""


Block = Heading | Para | Table | Image | PageBreak


def report_blocks(report: Report) -> list[Block]:
    """Return the whole report as blocks, in reading order."""
    lang = report.lang
    blocks: list[Block] = [
        Heading(t("report_title", lang), 1),
        Para(t("report_prepared", lang, date=report.generated), "small"),
        *_client(report),
        Heading(t("report_shortlist", lang)),
        _summary(report),
        *_prices_note(report),
        Image(map_png(report), t("report_map_caption", lang), 1.0, t("report_shortlist", lang)),
        *_score(report),
        Image(price_chart_png(report.profiles, lang), t("report_prices_chart", lang), 1.0),
    ]
    for number, profile in enumerate(report.profiles, start=1):
        blocks.append(PageBreak())
        blocks.extend(_profile(number, profile, lang))
    blocks.append(PageBreak())
    blocks.extend(_sources(report.sources, lang))
    return blocks


# -- formatting helpers --------------------------------------------------------------------
def minutes_text(minutes: float | None, estimated: bool, lang: str) -> str:
    """Whole minutes with the estimate mark, or "no time"."""
    if minutes is None:
        return t("report_no_time", lang)
    return f"{round(minutes)}{ESTIMATED_MARK if estimated else ''}"


def _labelled(label: str, value: str, lang: str) -> str:
    """``label: value`` as the language writes it (French puts a space before ``:``)."""
    return t("report_labelled", lang, label=label, value=value)


def _min(minutes: float, lang: str) -> str:
    return t("report_minutes", lang, n=round(minutes))


def _mode(mode: str, lang: str) -> str:
    return t(f"mode_{mode}", lang)


def _km(metres: float, lang: str) -> str:
    text = "< 0.1" if metres < 50 else f"{metres / 1000:.1f}"
    return text if lang == "en" else text.replace(".", ",")


def _count(value: int | None, lang: str) -> str:
    return t("report_unknown", lang) if value is None else format_number(value, lang)


def _eur(value: float | None, lang: str) -> str:
    return format_eur(value, lang) or t("report_unknown", lang)


# -- client and shortlist ------------------------------------------------------------------
def _client(report: Report) -> Iterator[Block]:
    lang = report.lang
    yield Heading(t("report_client", lang))
    for number, spec in enumerate(report.specs, start=1):
        line = t(
            "report_workplace_line",
            lang,
            lat=f"{spec.lat:.5f}",
            lon=f"{spec.lon:.5f}",
            mode=_mode(spec.mode, lang),
            minutes=spec.max_minutes,
        )
        if spec.day:  # train modes: the arrival the times answer
            line += "; " + t("report_arrive_line", lang, time=spec.arrive_by, day=spec.day)
        yield Para(_labelled(t("report_person", lang, n=number), line, lang))


def _summary(report: Report) -> Table:
    lang = report.lang
    header = [t("report_col_name", lang), t("report_col_municipality", lang)]
    header += [
        t("report_col_person_minutes", lang, n=n, mode=_mode(spec.mode, lang))
        for n, spec in enumerate(report.specs, start=1)
    ]
    header += [t("report_col_house", lang), t("report_col_apartment", lang)]
    scores = {row.code: row.score for row in report.score or ()}
    if report.score is not None:
        header.append(t("report_col_score", lang))
    rows = []
    for number, p in enumerate(report.profiles, start=1):
        row = [f"{number}. {p.name} ({p.code})", p.municipality]
        row += [_own_minutes(c, lang) for c in p.commutes]
        row += [_eur(p.price(kind).latest_eur, lang) for kind in pf.PRICE_TYPES]
        if report.score is not None:
            value = scores.get(p.code)
            row.append(t("report_no_data", lang) if value is None else f"{value * 100:.0f}")
        rows.append(tuple(row))
    widths = (2.6, 1.7, *([1.5] * len(report.specs)), 1.6, 1.6)
    return Table(tuple(header), tuple(rows), widths + ((1.1,) if report.score is not None else ()))


def _own_minutes(person: pf.PersonCommute, lang: str) -> str:
    own = person.chosen
    text = minutes_text(own.minutes, own.estimated, lang)
    return text if own.within_limit is not False else f"{text} ({t('report_beyond_limit', lang)})"


def _prices_note(report: Report) -> Iterator[Block]:
    years = {p.price("house").latest_year for p in report.profiles} - {None}
    if years:
        year = ", ".join(str(y) for y in sorted(y for y in years if y is not None))
        yield Para(t("report_prices_note", report.lang, year=year), "note")


# -- score -----------------------------------------------------------------------------------
def _score(report: Report) -> Iterator[Block]:
    lang = report.lang
    yield Heading(t("report_score_title", lang))
    if report.score is None:
        reason = t(report.score_problem, lang)
        yield Para(t("report_score_unavailable", lang, reason=reason))
        return
    weights = ", ".join(
        f"{t('report_component_' + c, lang)} {w}"
        for c, w in report.request.weights.as_dict().items()
    )
    yield Para(t("report_score_intro", lang, weights=weights), "small")
    header = (
        t("report_col_name", lang),
        *(t(f"report_component_{c}", lang) for c in sc.COMPONENTS),
    )
    names = {p.code: p.name for p in report.profiles}
    rows = []
    for number, row in enumerate(report.score, start=1):
        cells = [f"{number}. {names[row.code]} ({row.code})"]
        cells += [_component(row, c, lang) for c in sc.COMPONENTS]
        rows.append(tuple(cells))
    yield Table(header, tuple(rows), (2.4, *([1.2] * len(sc.COMPONENTS))))


def _component(row: ScoreRow, component: str, lang: str) -> str:
    part = row.parts[component]
    if part is None:
        return t("report_no_data", lang)
    if component == "commute":
        persons = (_person_minutes(n, m, lang) for n, m in enumerate(row.minutes, start=1))
        return f"{part:.2f}\n" + "\n".join(persons)
    return f"{part:.2f}\n{_raw_text(component, row.raw[component], lang)}"


def _person_minutes(person: int, minutes: float | None, lang: str) -> str:
    value = t("report_beyond_limit", lang) if minutes is None else _min(minutes, lang)
    return _labelled(t("report_person", lang, n=person), value, lang)


def _raw_text(component: str, raw: float | None, lang: str) -> str:
    if raw is None:
        return ""
    if component == "price":
        return t("report_raw_price", lang, price=_eur(raw, lang))
    return t(f"report_raw_{component}", lang, n=format_number(raw, lang))


# -- one profile -----------------------------------------------------------------------------
def _profile(number: int, p: pf.Profile, lang: str) -> Iterator[Block]:
    yield Heading(f"{number}. {p.name} ({p.code})")
    yield Para(_labelled(t("report_col_municipality", lang), p.municipality, lang), "small")
    yield from _commutes(p, lang)
    yield from _schools(p, lang)
    yield from _international(p, lang)
    yield from _childcare(p, lang)
    yield from _adult_education(p, lang)
    yield from _station(p, lang)
    yield from _prices_population(p, lang)
    yield Para(t("report_estimated_note", lang), "note")


def _section_sources(p: pf.Profile, section: str, lang: str) -> Para:
    names = "; ".join(f"{s.source} ({s.data_date})" for s in p.sources[section])
    return Para(t("report_section_sources", lang, sources=names), "note")


def _commutes(p: pf.Profile, lang: str) -> Iterator[Block]:
    if not p.commutes:
        return
    yield Heading(t("report_commute_title", lang), 3)
    persons = tuple(t("report_person", lang, n=c.person) for c in p.commutes)
    header = (t("report_col_mode", lang), *persons)
    rows = []
    for index, mode in enumerate(item.mode for item in p.commutes[0].times):
        cells = [_mode(mode, lang)]
        cells += [_mode_cell(person.times[index], lang) for person in p.commutes]
        rows.append(tuple(cells))
    yield Table(header, tuple(rows), (1.2, *([3.0] * len(p.commutes))))
    yield _section_sources(p, "commute", lang)


#: The own mode's limit verdict: within, beyond, or unknown (no time to compare).
_VERDICT_KEYS: Final[Mapping[bool | None, str]] = MappingProxyType(
    {True: "report_yes", False: "report_no", None: "report_unknown"}
)


def _mode_cell(time: pf.ModeTime, lang: str) -> str:
    """Minutes (own mode marked, then the train spread), the limit verdict, the method."""
    text = minutes_text(time.minutes, time.estimated, lang)
    if time.chosen:
        text = t("report_own_mode", lang, mode=text)
    if time.p10 is not None and time.p90 is not None and time.p90 - time.p10 >= 1:
        text += f" ({round(time.p10)}-{round(time.p90)})"
    if time.chosen:
        verdict = t(_VERDICT_KEYS[time.within_limit], lang)
        text += " - " + _labelled(t("report_col_within", lang).lower(), verdict, lang)
    if time.minutes is not None:
        text += f" · {method_label(time.method, lang)}"
    return text


def _place_rows(
    places: Sequence[pf.NearbyPlace], modes: Sequence[str], lang: str
) -> Iterator[tuple[str, ...]]:
    for place in places[:MAX_PLACES]:
        minutes = [_place_minutes(place, m, lang) for m in modes]
        yield (place.name, _km(place.distance_m, lang), *minutes)
    if len(places) > MAX_PLACES:
        more = t("report_more_places", lang, n=len(places) - MAX_PLACES)
        yield (more, "", *([""] * len(modes)))


def _place_minutes(place: pf.NearbyPlace, mode: str, lang: str) -> str:
    value = place.minutes.get(mode)
    if value is None:  # not reached within the search: say how far it looked
        return f"> {place.searched_minutes:g}"
    return minutes_text(value, place.estimated, lang)


def _places_table(places: Sequence[pf.NearbyPlace], modes: Sequence[str], lang: str) -> Table:
    header = (
        t("report_col_place", lang),
        t("report_col_distance", lang),
        *(t(f"report_col_{m}", lang) for m in modes),
    )
    return Table(header, tuple(_place_rows(places, modes, lang)), (4, 1.4, *([1.2] * len(modes))))


def _schools(p: pf.Profile, lang: str) -> Iterator[Block]:
    yield Heading(
        t("report_schools_title", lang, walk=_r(p.reach["walk"]), bike=_r(p.reach["bike"])), 3
    )
    modes = ("walk", "bike")
    for level in p.schools:
        yield Para(t(f"report_level_{level.level}", lang), "normal")
        if not level.schools:
            yield Para(t("report_none_within", lang), "small")
            continue
        yield _places_table(level.schools, modes, lang)
    yield _section_sources(p, "schools", lang)


def _r(value: float) -> str:
    return f"{value:g}"


def _international(p: pf.Profile, lang: str) -> Iterator[Block]:
    mode, limit = p.international_reach
    yield Heading(t("report_intl_title", lang, minutes=_r(limit)), 3)
    if not p.international_schools:
        yield Para(t("report_none_within", lang), "small")
    else:
        modes = ("bike", mode)
        yield _places_table(p.international_schools, modes, lang)
    yield _section_sources(p, "international_schools", lang)


def _childcare(p: pf.Profile, lang: str) -> Iterator[Block]:
    care = p.childcare
    yield Heading(
        t("report_childcare_title", lang, walk=_r(p.reach["walk"]), bike=_r(p.reach["bike"])), 3
    )
    if care.coverage == "none":
        yield Para(t("report_childcare_none", lang), "normal")
    elif care.partly_mapped:
        share = round((care.mapped_share or 0.0) * 100)
        yield Para(t("report_childcare_partial", lang, share=share), "normal")
    elif care.lower_bound:
        yield Para(t("report_childcare_lower_whole", lang), "normal")
    modes = ("walk", "bike")
    if care.places:
        yield _places_table(care.places, modes, lang)
    elif care.coverage != "none":
        yield Para(t("report_none_within", lang), "small")
    yield _section_sources(p, "childcare", lang)


#: Modes whose minutes the adult-education table gives, from home and from work.
_ADULT_MODES: Final = ("bike", "car")


def _trip_text(
    minutes: Mapping[str, float | None], estimated: bool, limit: float, lang: str
) -> str:
    parts = []
    for mode in _ADULT_MODES:
        value = minutes.get(mode)
        shown = f"> {limit:g}" if value is None else minutes_text(value, estimated, lang)
        parts.append(f"{_mode(mode, lang)} {t('report_minutes', lang, n=shown)}")
    return ", ".join(parts)


def _adult_education(p: pf.Profile, lang: str) -> Iterator[Block]:
    centres = p.adult_education
    yield Heading(t("report_adult_title", lang, n=len(centres)), 3)
    yield Para(t("report_adult_note", lang), "small")
    if not centres:
        return
    persons = len(centres[0].from_work)
    header = (
        t("report_col_place", lang),
        t("report_col_distance", lang),
        t("report_col_from_home", lang),
        *(t("report_col_from_work", lang, n=n) for n in range(1, persons + 1)),
    )
    rows = []
    for centre in centres:
        place = centre.place
        limit = place.searched_minutes
        key = f"report_adult_kind_{place.kind}"
        kind = t(key, lang) if has_key(key) else place.kind  # a kind added later: as given
        cells = [f"{place.name}\n{kind}", _km(place.distance_m, lang)]
        cells.append(_trip_text(place.minutes, place.estimated, limit, lang))
        cells += [_trip_text(w.minutes, w.estimated, limit, lang) for w in centre.from_work]
        rows.append(tuple(cells))
    yield Table(header, tuple(rows), (3.0, 1.2, *([2.0] * (1 + persons))))
    yield _section_sources(p, "adult_education", lang)


def _station(p: pf.Profile, lang: str) -> Iterator[Block]:
    yield Heading(t("report_station_title", lang), 3)
    station = p.station
    if station is None:
        yield Para(t("report_no_station", lang))
        return
    yield Para(
        t(
            "report_station_line",
            lang,
            name=station.name,
            km=_km(station.distance_m, lang),
            trains=station.trains_per_weekday,
            day=station.service_day,
        )
    )
    for item in station.towards:
        target = t(f"report_target_{item.target}", lang)
        if item.trains is None:
            yield Para(t("report_trains_is_target", lang, target=target))
        else:
            yield Para(t("report_trains_towards", lang, target=target, n=item.trains))
    yield _section_sources(p, "station", lang)


def _population_line(place: str, n: int | None, year: int | None, lang: str) -> str:
    """``place`` (``wijk`` or ``muni``) population with its year from the manifest."""
    if year is None:
        return t(f"report_population_{place}", lang, n=_count(n, lang))
    return t(f"report_population_{place}_year", lang, year=year, n=_count(n, lang))


def _prices_population(p: pf.Profile, lang: str) -> Iterator[Block]:
    yield Heading(t("report_prices_title", lang, municipality=p.municipality), 3)
    house, flat = p.price("house"), p.price("apartment")
    yield Para(
        t(
            "report_prices_latest",
            lang,
            year=house.latest_year or t("report_unknown", lang),
            house=_eur(house.latest_eur, lang),
            apartment=_eur(flat.latest_eur, lang),
        )
    )
    years = [point.year for point in house.series]
    by_year = {
        kind: {q.year: q.median_eur for q in p.price(kind).series} for kind in pf.PRICE_TYPES
    }
    rows = tuple(
        (str(year), *(format_eur(by_year[kind].get(year), lang) or "-" for kind in pf.PRICE_TYPES))
        for year in years
    )
    header = (
        t("report_col_year", lang),
        t("report_col_house", lang),
        t("report_col_apartment", lang),
    )
    yield Table(header, rows, (1, 2, 2))
    yield _section_sources(p, "prices", lang)
    yield Heading(t("report_population_title", lang), 3)
    pop = p.population
    yield Para(_population_line("wijk", pop.wijk, pop.wijk_year, lang))
    yield Para(_population_line("muni", pop.municipality, pop.municipality_year, lang))
    if pop.wijk is None and pop.wijk_note:
        yield Para(t("report_population_note", lang, note=pop.wijk_note), "small")
    yield Para(
        t(
            "report_households",
            lang,
            year=pop.households_year or t("report_unknown", lang),
            n=_count(pop.households, lang),
        )
    )
    yield _section_sources(p, "population", lang)


# -- sources ---------------------------------------------------------------------------------
def _sources(sources: Sequence[pf.Source], lang: str) -> Iterator[Block]:
    yield Heading(t("report_sources_title", lang))
    header = (
        t("report_col_layer", lang),
        t("report_col_source", lang),
        t("report_col_date", lang),
        t("report_col_licence", lang),
    )
    rows = tuple((s.title, f"{s.source}\n{s.source_url}", s.data_date, s.licence) for s in sources)
    yield Table(header, rows, (1.6, 3.2, 1.4, 2.6))
    yield Para(t("report_estimated_note", lang), "note")
