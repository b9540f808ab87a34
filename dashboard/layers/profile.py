"""Neighbourhood profiles: what one wijk offers a relocating family, with sources.

A :class:`Profile` gathers, for one neighbourhood (wijk) and the client's commute
question(s):

* commute minutes from the wijk's interior point to each workplace by every mode the
  engine offers (:data:`dashboard.engine.core.COMMUTE_MODES`), with the engine's
  ``estimated`` flag and method; the person's own mode is marked and compared with their
  limit.  Times are asked without a limit (the engine's longest, a day), so a mode beyond
  the person's limit still shows how long it takes;
* schools by level (nursery, primary, secondary) within walking or cycling reach
  (:data:`REACH_MINUTES`) of the wijk's interior point, international schools within
  driving reach (:data:`INTERNATIONAL_REACH`), childcare within walking or cycling reach.
  Childcare data covers central Leuven only: where the wijk's ``childcare_coverage`` is
  ``"none"`` the number of places within reach is unknown (None), never 0;
* the nearest railway station (straight line) and how many of its trains on the stations
  layer's service day continue, without changing, to Leuven or to Brussels
  (:data:`TRAIN_TARGETS`), counted on the engine's timetable;
* the municipality's median sale prices (house, apartment; Statbel) with their yearly
  series: the price is the municipality's, not the wijk's;
* population of the wijk (known for few wijken) and of the municipality, households;
  None where unknown;
* for every section, the sources and dates read from the layers' manifests
  (:data:`SECTION_LAYERS`), never typed here.

Engine calls: one per person and mode for all the wijken asked together (street modes and
trains through :func:`dashboard.layers.candidates.commute_columns`, the ranking's own
call), and one per reach mode per wijk for the schools and childcare nearby.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

from dashboard.engine.core import COMMUTE_MODES, CommuteEngine
from dashboard.engine.errors import EngineError
from dashboard.engine.inputs import MAX_MINUTES, LatLon
from dashboard.engine.network import lonlat_to_xy
from dashboard.engine.transit import Timetable
from dashboard.engine.transit_commute import STATION_NAME_COLUMN
from dashboard.layers.candidates import Commute, CommuteFailedError, commute_columns
from dashboard.state import STREET_ARRIVE_BY, STREET_DAY, TRAIN_MODES, CommuteSpec
from geodata.catalog import default_data_dir, manifest_path
from geodata.io import LayerManifest, SnapshotError, load_layer, load_manifest

#: Minutes from the wijk's interior point within which a school or childcare counts as
#: "within reach", per mode (a quarter of an hour: a usual school-run planning value).
REACH_MINUTES: Final[Mapping[str, float]] = MappingProxyType({"walk": 15.0, "bike": 15.0})
#: International schools are few and families drive to them: reach by car, in minutes.
INTERNATIONAL_REACH: Final[tuple[str, float]] = ("car", 30.0)
#: Modes whose minutes are given for every nearby place (the reach modes and the car).
NEARBY_MODES: Final[tuple[str, ...]] = ("walk", "bike", "car")
#: Straight-line margin (m) added to speed x reach when preselecting places for the
#: engine: snap legs and rounding must not drop a place the engine would reach.
_PRESELECT_MARGIN_M: Final = 500.0
#: Per mode, a speed (km/h) above any the engine can give over the straight line (walk
#: 4.8 and bike 15 km/h along a network never shorter than the straight line): places
#: farther than it goes in the limit are not asked.  Modes not listed (the car) ask all.
_PRESELECT_KMH: Final[Mapping[str, float]] = MappingProxyType({"walk": 25.0, "bike": 25.0})

#: Adult-education centres listed per profile (the nearest; the region has only a few).
ADULT_EDUCATION_COUNT: Final = 3
#: How far (minutes) their times from home and from work are searched.
ADULT_EDUCATION_MINUTES: Final = 60.0

#: School levels of the profile -> value in the schools layer's ``levels`` column.
SCHOOL_LEVELS: Final[Mapping[str, str]] = MappingProxyType(
    {"nursery": "kleuter", "primary": "lager", "secondary": "secundair"}
)

#: Destinations whose direct trains are counted -> their GTFS station ids (NMBS stop ids,
#: stable identifiers of the feed, like the ETL's Leuven check): Leuven; Brussels-North,
#: -Central and -South (a train calling at several counts once).
TRAIN_TARGETS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {"leuven": ("8833001",), "brussels": ("8812005", "8813003", "8814001")}
)

#: Section of a profile -> the layers (manifest names) its figures come from.
SECTION_LAYERS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "neighbourhood": ("wijken", "neighbourhoods"),
        "commute": (
            "graph:walk",
            "graph:bike",
            "graph:car",
            "graph:strategic_car",
            "rail_timetable",
            "bus_routes",
        ),
        "schools": ("schools",),
        "international_schools": ("international_schools",),
        "childcare": ("childcare",),
        "adult_education": ("adult_education",),
        "station": ("stations", "rail_timetable"),
        "prices": ("housing_prices",),
        "population": ("sector_population", "population"),
    }
)
#: A four-digit year in a manifest's free-text ``data_date``.
_YEAR: Final = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
#: Price types of the profile (values of the ``housing_prices`` layer's ``type``).
PRICE_TYPES: Final[tuple[str, ...]] = ("house", "apartment")


class ProfileError(Exception):
    """Base class of the errors a profile reports to the user."""


class UnknownNeighbourhoodError(ProfileError, ValueError):
    """A wijk code is not in the neighbourhoods layer.

    Attributes
    ----------
    code : str
        The code as given.
    """

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown neighbourhood (wijk) code {code!r}")
        self.code = code


# -- the profile -------------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """Where one layer's figures come from, as its manifest says.

    Attributes
    ----------
    layer : str
        Manifest name (``"schools"``, ``"graph:walk"``).
    title, source, source_url, licence, data_date, coverage : str
        The manifest's fields of the same names.
    """

    layer: str
    title: str
    source: str
    source_url: str
    licence: str
    data_date: str
    coverage: str

    @classmethod
    def from_manifest(cls, manifest: LayerManifest) -> Source:
        """Build from a layer manifest."""
        return cls(
            layer=manifest.name,
            title=manifest.title,
            source=manifest.source,
            source_url=manifest.source_url,
            licence=manifest.licence,
            data_date=manifest.data_date,
            coverage=manifest.coverage,
        )


@dataclass(frozen=True)
class ModeTime:
    """Minutes of one person's commute by one mode.

    Attributes
    ----------
    mode : str
        One of :data:`dashboard.engine.core.COMMUTE_MODES`.
    minutes, p10, p90 : float or None
        Typical minutes and the spread over the hour before arrival (trains; equal to
        ``minutes`` otherwise), rounded to 0.1 like the ranking; None when the engine
        gives no time (outside coverage, no journey, or ``problem``).
    estimated : bool
        True when part of the time is not computed on a real network or timetable.
    method : str
        How the engine computed it (its own words).
    chosen : bool
        True for the person's own mode.
    within_limit : bool or None
        ``minutes <= max_minutes`` of the person; None when there is no time.
    problem : str
        Why the engine refused this mode ("" when it answered).
    estimated_share : float or None
        Share (0-1) of the time that is estimated (street modes: 0 on the network, 1
        for a whole-trip estimate); None when the mode does not say or there is no time.
    """

    mode: str
    minutes: float | None
    p10: float | None
    p90: float | None
    estimated: bool
    method: str
    chosen: bool
    within_limit: bool | None
    problem: str = ""
    estimated_share: float | None = None


@dataclass(frozen=True)
class PersonCommute:
    """One person's commute question and the answer by every mode."""

    person: int
    workplace: LatLon
    mode: str
    max_minutes: int
    arrive_by: str
    day: str
    times: tuple[ModeTime, ...]

    def by_mode(self, mode: str) -> ModeTime:
        """Return the time by ``mode`` (KeyError when the engine offers no such mode)."""
        for item in self.times:
            if item.mode == mode:
                return item
        raise KeyError(mode)

    @property
    def chosen(self) -> ModeTime:
        """The time by the person's own mode."""
        return self.by_mode(self.mode)


@dataclass(frozen=True)
class NearbyPlace:
    """A school, international school or childcare place near the wijk.

    Attributes
    ----------
    id, name : str
        From the layer (third-party text: escape it for the output).
    kind : str
        The school's levels (``"kleuter;lager"``), international school's type, or
        childcare category, as in the layer.
    distance_m : float
        Straight-line distance from the wijk's interior point (metres, Lambert 72).
    minutes : mapping of str to float or None
        Minutes by each of :data:`NEARBY_MODES` from the wijk; None beyond that mode's
        search limit.
    estimated : bool
        True when any of those times is estimated.
    municipality : str
        The place's municipality ("" when outside the region).
    searched_minutes : float
        How far the engine searched: a None in ``minutes`` means "more than this".
    """

    id: str
    name: str
    kind: str
    distance_m: float
    minutes: Mapping[str, float | None]
    estimated: bool
    municipality: str
    searched_minutes: float = math.inf

    def within(self, mode: str, limit: float) -> bool:
        """Return True when the place is reached by ``mode`` within ``limit`` minutes."""
        value = self.minutes.get(mode)
        return value is not None and value <= limit


@dataclass(frozen=True)
class SchoolLevel:
    """Schools of one level within walking or cycling reach, nearest first."""

    level: str
    schools: tuple[NearbyPlace, ...]

    def within(self, mode: str) -> tuple[NearbyPlace, ...]:
        """Return the schools within :data:`REACH_MINUTES` of ``mode``."""
        return tuple(s for s in self.schools if s.within(mode, REACH_MINUTES[mode]))


@dataclass(frozen=True)
class Childcare:
    """Childcare within walking or cycling reach, with what the data covers.

    Attributes
    ----------
    places : tuple of NearbyPlace
        Childcare found within reach (nearest first); where coverage is partial or none
        there may be more.
    coverage : str
        The wijk's ``childcare_coverage``: ``"complete"``, ``"partial"`` (a lower bound)
        or ``"none"`` (no data: unknown).
    mapped_share : float or None
        Share of the wijk inside the mapped area (``childcare_mapped_share``).
    """

    places: tuple[NearbyPlace, ...]
    coverage: str
    mapped_share: float | None

    @property
    def count(self) -> int | None:
        """Places within reach; None when the wijk has no childcare data (unknown)."""
        return None if self.coverage == "none" else len(self.places)

    @property
    def lower_bound(self) -> bool:
        """True when the count is only a lower bound (``partial``: OpenStreetMap data)."""
        return self.coverage == "partial"

    @property
    def partly_mapped(self) -> bool:
        """True when a lower bound is because only part of the wijk is in the mapped zone.

        A ``partial`` wijk may lie wholly in the mapped zone (``mapped_share`` 1): its
        count is still a lower bound, since OpenStreetMap may miss places.
        """
        return self.lower_bound and (self.mapped_share is None or self.mapped_share < 1)


@dataclass(frozen=True)
class FromWork:
    """Minutes from one person's workplace to a place, by each of :data:`NEARBY_MODES`.

    None beyond :data:`ADULT_EDUCATION_MINUTES` (the search limit).
    """

    person: int
    minutes: Mapping[str, float | None]
    estimated: bool


@dataclass(frozen=True)
class AdultCentre:
    """An adult-education centre (CVO or basiseducatie) near the wijk.

    The official list names the centres, not their courses: whether one teaches Dutch
    as a second language is not in the data (see the layer's manifest).

    Attributes
    ----------
    place : NearbyPlace
        Distance and minutes from the wijk (``kind``: ``"cvo"`` or ``"basiseducatie"``).
    from_work : tuple of FromWork
        Minutes from each person's workplace.
    """

    place: NearbyPlace
    from_work: tuple[FromWork, ...]


@dataclass(frozen=True)
class TrainsTowards:
    """Direct trains from the station towards one destination on the service day.

    ``trains`` is None when the station is itself that destination.
    """

    target: str
    trains: int | None


@dataclass(frozen=True)
class Station:
    """The railway station nearest to the wijk (straight line).

    Attributes
    ----------
    id, name : str
        GTFS stop id; name in the profile's language (Dutch for English).
    distance_m : float
        Straight-line distance from the wijk's interior point (metres).
    trains_per_weekday : int
        Trains stopping there on the service day (stations layer).
    towards : tuple of TrainsTowards
        Direct trains to each of :data:`TRAIN_TARGETS` (boarding here, alighting there).
    service_day : str
        The day counted (the stations manifest's ``extra.service_day``).
    """

    id: str
    name: str
    distance_m: float
    trains_per_weekday: int
    towards: tuple[TrainsTowards, ...]
    service_day: str

    def trains_to(self, target: str) -> int | None:
        """Direct trains towards ``target`` (a key of :data:`TRAIN_TARGETS`)."""
        for item in self.towards:
            if item.target == target:
                return item.trains
        raise KeyError(target)


@dataclass(frozen=True)
class PricePoint:
    """One year's municipal median sale price (None where Statbel publishes none)."""

    year: int
    median_eur: float | None
    sales: int | None


@dataclass(frozen=True)
class Prices:
    """Municipal median prices of one type: the latest and the yearly series.

    ``latest_eur`` and ``latest_year`` are the neighbourhoods layer's values (the
    ranking's ``price_eur``); ``series`` is the ``housing_prices`` layer, oldest first.
    """

    type: str
    latest_eur: float | None
    latest_year: int | None
    series: tuple[PricePoint, ...]


@dataclass(frozen=True)
class Population:
    """Population and households; None where the data does not cover the place.

    ``wijk`` comes from the statistical sectors (dated by the ``sector_population``
    manifest), the municipal figures from the ``population`` layer (its manifest dates
    them; ``households_year`` is the observed year).  ``wijk_note`` is the layer's
    ``population_note`` (why the wijk's figure is unknown or partial; "" when complete).
    ``wijk_year`` and ``municipality_year`` are the first year each manifest's
    ``data_date`` names (None when it names none).
    """

    wijk: int | None
    municipality: int | None
    households: int | None
    households_year: int | None
    wijk_note: str = ""
    wijk_year: int | None = None
    municipality_year: int | None = None


@dataclass(frozen=True)
class Profile:
    """Everything the profile page and the report show about one wijk.

    ``sources`` maps each section of :data:`SECTION_LAYERS` to the sources of its
    figures; ``reach`` is :data:`REACH_MINUTES`, ``international_reach``
    :data:`INTERNATIONAL_REACH`.
    """

    code: str
    name: str
    municipality: str
    nis: str
    centroid: LatLon
    area_km2: float | None
    commutes: tuple[PersonCommute, ...]
    schools: tuple[SchoolLevel, ...]
    international_schools: tuple[NearbyPlace, ...]
    childcare: Childcare
    station: Station | None
    prices: tuple[Prices, ...]
    population: Population
    adult_education: tuple[AdultCentre, ...]
    sources: Mapping[str, tuple[Source, ...]]
    reach: Mapping[str, float]
    international_reach: tuple[str, float]
    lang: str

    def school_level(self, level: str) -> SchoolLevel:
        """Return the schools of ``level`` (a key of :data:`SCHOOL_LEVELS`)."""
        for item in self.schools:
            if item.level == level:
                return item
        raise KeyError(level)

    def price(self, kind: str) -> Prices:
        """Return the prices of ``kind`` (one of :data:`PRICE_TYPES`)."""
        for item in self.prices:
            if item.type == kind:
                return item
        raise KeyError(kind)


# -- data the profiles read --------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ProfileData:
    """The layers and manifests profiles read (read-only; build with :func:`load_profile_data`)."""

    neighbourhoods: pd.DataFrame
    schools: pd.DataFrame
    international_schools: pd.DataFrame
    childcare: pd.DataFrame
    stations: pd.DataFrame
    adult_education: pd.DataFrame
    housing_prices: pd.DataFrame
    population: pd.DataFrame
    manifests: Mapping[str, LayerManifest]


_POINT_LAYERS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "schools": ("id", "name", "levels", "municipality"),
        "international_schools": ("id", "name", "type", "in_region", "municipality"),
        "childcare": ("id", "name", "category", "municipality"),
        "stations": ("id", "name_nl", "name_fr", "trains_per_weekday"),
        "adult_education": ("id", "name", "kind", "municipality"),
    }
)
_NEIGHBOURHOOD_COLUMNS: Final = (
    "code",
    "name",
    "nis",
    "municipality",
    "area_km2",
    "population",
    "population_note",
    "median_house_price_muni",
    "median_apartment_price_muni",
    "price_year",
    "childcare_coverage",
    "childcare_mapped_share",
    "centroid_lon",
    "centroid_lat",
)


def load_profile_data(data_dir: Path | None = None) -> ProfileData:
    """Read the layers and manifests of a snapshot (default: the one in force), once.

    Raises
    ------
    SnapshotError
        Naming the file when a layer or manifest is missing, damaged or lacks a column.
    """
    return _load_profile_data(str(data_dir or default_data_dir()))


@functools.lru_cache(maxsize=4)
def _load_profile_data(data_dir: str) -> ProfileData:
    # Keyed by folder: switching snapshots never serves another folder's data.
    folder = Path(data_dir)
    points = {
        name: _with_xy(load_layer(name, folder, columns=columns))
        for name, columns in _POINT_LAYERS.items()
    }
    names = sorted({layer for layers in SECTION_LAYERS.values() for layer in layers})
    return ProfileData(
        neighbourhoods=load_layer("neighbourhoods", folder, columns=_NEIGHBOURHOOD_COLUMNS),
        schools=points["schools"],
        international_schools=points["international_schools"],
        childcare=points["childcare"],
        stations=points["stations"],
        adult_education=points["adult_education"],
        housing_prices=load_layer(
            "housing_prices", folder, columns=("nis", "year", "type", "median_price_eur", "sales")
        ),
        population=load_layer(
            "population",
            folder,
            columns=("nis", "population_2020", "households_observed", "households_observed_year"),
        ),
        manifests=MappingProxyType({name: load_manifest(name, folder) for name in names}),
    )


def _with_xy(points: pd.DataFrame) -> pd.DataFrame:
    """Plain frame of a point layer with ``lon``/``lat`` and Lambert 72 ``x``/``y``."""
    out = pd.DataFrame(points.drop(columns="geometry"))
    out["lon"] = points.geometry.x.to_numpy(dtype="float64")
    out["lat"] = points.geometry.y.to_numpy(dtype="float64")
    out["x"], out["y"] = lonlat_to_xy(out["lon"].to_numpy(), out["lat"].to_numpy())
    return out.reset_index(drop=True)


@functools.lru_cache(maxsize=2)
def _default_engine(data_dir: str) -> CommuteEngine:
    # For callers without a shared engine (the report's command line); the app passes
    # its own cached engine so that no second copy of the networks is loaded.
    return CommuteEngine(data_dir=Path(data_dir))


# -- public entry points -----------------------------------------------------------------
def neighbourhood_profile(
    code: str,
    commutes: Sequence[CommuteSpec],
    *,
    lang: str,
    engine: CommuteEngine | None = None,
    data: ProfileData | None = None,
) -> Profile:
    """Return the profile of one wijk for the client's commute question(s).

    Parameters
    ----------
    code : str
        Wijk code (the neighbourhoods layer's ``code``).
    commutes : sequence of CommuteSpec
        One per person (:func:`dashboard.state.commute_spec`); may be empty.
    lang : str
        ``"en"``, ``"nl"`` or ``"fr"``: the language of station names.
    engine : CommuteEngine, optional
        The shared engine (the app's cached one); default: one per snapshot folder.
    data : ProfileData, optional
        The layers (default: :func:`load_profile_data` of the engine's folder).

    Raises
    ------
    UnknownNeighbourhoodError
        When ``code`` is not a wijk of the layer.
    SnapshotError
        When a layer or manifest is missing or damaged.
    """
    return neighbourhood_profiles([code], commutes, lang=lang, engine=engine, data=data)[0]


def neighbourhood_profiles(
    codes: Sequence[str],
    commutes: Sequence[CommuteSpec],
    *,
    lang: str,
    engine: CommuteEngine | None = None,
    data: ProfileData | None = None,
) -> tuple[Profile, ...]:
    """Return the profiles of several wijken, in the order given (commutes asked once).

    See :func:`neighbourhood_profile`; every code is checked before any work.
    """
    if lang not in STATION_NAME_COLUMN:
        msg = f"unknown language {lang!r}: use one of {', '.join(STATION_NAME_COLUMN)}"
        raise ValueError(msg)
    engine = engine or _default_engine(str(default_data_dir()))
    data = data or load_profile_data(engine.data_dir)
    rows = _wijk_rows(data.neighbourhoods, codes)
    times = _commute_times(engine, rows, commutes)
    sources = _sources(data.manifests)
    return tuple(
        _profile(engine, data, row, times[i] if times else (), sources, lang)
        for i, (_, row) in enumerate(rows.iterrows())
    )


def known_codes(data: ProfileData | None = None) -> frozenset[str]:
    """Return every wijk code of the neighbourhoods layer."""
    data = data or load_profile_data()
    return frozenset(data.neighbourhoods["code"].astype(str))


# -- assembling --------------------------------------------------------------------------
def _wijk_rows(places: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """Return the rows of ``codes`` in order (UnknownNeighbourhoodError before any work)."""
    position = {str(code): i for i, code in enumerate(places["code"])}
    for code in codes:
        if str(code) not in position:
            raise UnknownNeighbourhoodError(str(code))
    return places.iloc[[position[str(code)] for code in codes]].reset_index(drop=True)


def _profile(
    engine: CommuteEngine,
    data: ProfileData,
    row: pd.Series,
    commutes: tuple[PersonCommute, ...],
    sources: Mapping[str, tuple[Source, ...]],
    lang: str,
) -> Profile:
    home = LatLon(float(row["centroid_lat"]), float(row["centroid_lon"]))
    return Profile(
        code=str(row["code"]),
        name=str(row["name"]),
        municipality=str(row["municipality"]),
        nis=str(row["nis"]),
        centroid=home,
        area_km2=_float_or_none(row["area_km2"]),
        commutes=commutes,
        schools=_schools(engine, data.schools, home),
        international_schools=_international(engine, data.international_schools, home),
        childcare=_childcare(engine, data.childcare, home, row),
        station=_station(engine, data, home, lang),
        prices=_prices(data.housing_prices, row),
        population=_population(data.population, row, data.manifests),
        adult_education=_adult_education(
            engine, data.adult_education, home, [c.workplace for c in commutes]
        ),
        sources=sources,
        reach=REACH_MINUTES,
        international_reach=INTERNATIONAL_REACH,
        lang=lang,
    )


def _sources(manifests: Mapping[str, LayerManifest]) -> Mapping[str, tuple[Source, ...]]:
    return MappingProxyType(
        {
            section: tuple(Source.from_manifest(manifests[name]) for name in layers)
            for section, layers in SECTION_LAYERS.items()
        }
    )


# -- commutes ----------------------------------------------------------------------------
def _question(spec: CommuteSpec, mode: str) -> Commute:
    """Return the engine question of ``spec``'s person by ``mode``, without their limit.

    Train modes keep the person's arrival time and day when the person goes by train,
    else the street defaults (the engine's default weekday at the usual arrival time).
    """
    if mode in TRAIN_MODES and spec.mode in TRAIN_MODES:
        arrive_by, day = spec.arrive_by, spec.day
    else:
        arrive_by, day = STREET_ARRIVE_BY, STREET_DAY
    return Commute(LatLon(spec.lat, spec.lon), mode, float(MAX_MINUTES), arrive_by, day)


def _commute_times(
    engine: CommuteEngine, rows: pd.DataFrame, commutes: Sequence[CommuteSpec]
) -> list[tuple[PersonCommute, ...]]:
    """Per person, the commute of every wijk of ``rows`` (one engine call per mode)."""
    per_person = []
    for person, spec in enumerate(commutes, start=1):
        by_mode = [_mode_times(engine, rows, spec, mode) for mode in COMMUTE_MODES]
        per_person.append(
            tuple(
                PersonCommute(
                    person=person,
                    workplace=LatLon(spec.lat, spec.lon),
                    mode=spec.mode,
                    max_minutes=spec.max_minutes,
                    arrive_by=spec.arrive_by,
                    day=spec.day,
                    times=tuple(times[i] for times in by_mode),
                )
                for i in range(len(rows))
            )
        )
    # transpose: one tuple of persons per wijk
    return [tuple(p[i] for p in per_person) for i in range(len(rows))] if per_person else []


def _mode_times(
    engine: CommuteEngine, rows: pd.DataFrame, spec: CommuteSpec, mode: str
) -> list[ModeTime]:
    chosen = mode == spec.mode
    try:
        frame = commute_columns(engine, rows, [_question(spec, mode)])
    except CommuteFailedError as exc:
        return [ModeTime(mode, None, None, None, False, "", chosen, None, str(exc.cause))] * len(
            rows
        )
    out = []
    for _, item in frame.iterrows():
        minutes = _float_or_none(item["minutes_1"])
        out.append(
            ModeTime(
                mode=mode,
                minutes=minutes,
                p10=_float_or_none(item["p10_1"]),
                p90=_float_or_none(item["p90_1"]),
                estimated=bool(item["estimated_1"]),
                method=str(item["method_1"]),
                chosen=chosen,
                within_limit=None if minutes is None else minutes <= spec.max_minutes,
                estimated_share=_float_or_none(item.get("estimated_share_1")),
            )
        )
    return out


# -- places nearby -----------------------------------------------------------------------
def _distances(points: pd.DataFrame, home: LatLon) -> np.ndarray:
    hx, hy = lonlat_to_xy(np.array([home.lon]), np.array([home.lat]))
    return np.asarray(np.hypot(points["x"].to_numpy() - hx[0], points["y"].to_numpy() - hy[0]))


def _nearby(
    engine: CommuteEngine, points: pd.DataFrame, home: LatLon, limits: Mapping[str, float]
) -> list[NearbyPlace]:
    """Places of ``points`` reached from ``home`` within any of ``limits``, nearest first.

    Each place gets minutes by every :data:`NEARBY_MODES` (searched up to the longest
    limit of the reach, so a place reached by bike also shows its walking time if short).
    """
    distance = _distances(points, home)
    radius = max(
        _PRESELECT_KMH.get(mode, math.inf) / 3.6 * 60 * limit for mode, limit in limits.items()
    )
    radius += _PRESELECT_MARGIN_M
    near = points.loc[distance <= radius].assign(distance_m=distance[distance <= radius])
    if near.empty:
        return []
    longest = max(limits.values())
    times = {mode: _times_from(engine, home, near, mode, longest) for mode in NEARBY_MODES}
    places = []
    for pos in np.argsort(near["distance_m"].to_numpy(), kind="stable"):
        row = near.iloc[pos]
        minutes = {mode: _float_or_none(times[mode][0][pos]) for mode in NEARBY_MODES}
        if not any(_within(minutes[m], limit) for m, limit in limits.items()):
            continue
        estimated = any(times[m][1][pos] for m in NEARBY_MODES if minutes[m] is not None)
        places.append(_place(row, minutes, estimated, longest))
    return places


def _within(minutes: float | None, limit: float) -> bool:
    return minutes is not None and minutes <= limit


def _times_from(
    engine: CommuteEngine, home: LatLon, places: pd.DataFrame, mode: str, limit: float
) -> tuple[np.ndarray, np.ndarray]:
    """Minutes (rounded to 0.1) and estimated flags from ``home`` to each place."""
    try:
        times = engine.times(
            home,
            places["lon"].to_numpy(),
            places["lat"].to_numpy(),
            mode=mode,
            direction="from",
            max_minutes=limit,
        )
    except EngineError:  # home off every network: no time by this mode, not a failure
        nan = np.full(len(places), np.nan)
        return nan, np.zeros(len(places), dtype=bool)
    return np.round(np.asarray(times.minutes, dtype="float64"), 1), np.asarray(times.estimated)


def _place(
    row: pd.Series, minutes: dict[str, float | None], estimated: bool, searched: float
) -> NearbyPlace:
    kind = next((row[c] for c in ("levels", "type", "category", "kind") if c in row.index), "")
    return NearbyPlace(
        id=_text(row["id"]),
        name=_text(row["name"]),
        kind=_text(kind),
        distance_m=round(float(row["distance_m"]), 0),
        minutes=MappingProxyType(minutes),
        estimated=bool(estimated),
        municipality=_text(row.get("municipality")),
        searched_minutes=searched,
    )


def _schools(engine: CommuteEngine, schools: pd.DataFrame, home: LatLon) -> tuple[SchoolLevel, ...]:
    found = _nearby(engine, schools, home, REACH_MINUTES)
    return tuple(
        SchoolLevel(level, tuple(s for s in found if value in s.kind.split(";")))
        for level, value in SCHOOL_LEVELS.items()
    )


def _international(
    engine: CommuteEngine, schools: pd.DataFrame, home: LatLon
) -> tuple[NearbyPlace, ...]:
    mode, limit = INTERNATIONAL_REACH
    in_region = schools.loc[schools["in_region"].fillna(False).astype(bool)]
    return tuple(_nearby(engine, in_region, home, {mode: limit}))


def _childcare(
    engine: CommuteEngine, childcare: pd.DataFrame, home: LatLon, row: pd.Series
) -> Childcare:
    return Childcare(
        places=tuple(_nearby(engine, childcare, home, REACH_MINUTES)),
        coverage=str(row["childcare_coverage"]),
        mapped_share=_float_or_none(row["childcare_mapped_share"]),
    )


def _adult_education(
    engine: CommuteEngine, centres: pd.DataFrame, home: LatLon, workplaces: Sequence[LatLon]
) -> tuple[AdultCentre, ...]:
    """Return the :data:`ADULT_EDUCATION_COUNT` centres nearest the wijk (straight line)."""
    if centres.empty:
        return ()
    distance = _distances(centres, home)
    order = np.argsort(distance, kind="stable")[:ADULT_EDUCATION_COUNT]
    nearest = centres.iloc[order].assign(distance_m=distance[order]).reset_index(drop=True)
    limit = ADULT_EDUCATION_MINUTES
    home_times = {m: _times_from(engine, home, nearest, m, limit) for m in NEARBY_MODES}
    work_times = [
        {m: _times_from(engine, place, nearest, m, limit) for m in NEARBY_MODES}
        for place in workplaces
    ]
    out = []
    for pos in range(len(nearest)):
        row = nearest.iloc[pos]
        minutes, estimated = _minutes_at(home_times, pos)
        from_work = tuple(
            FromWork(person, *_minutes_at(times, pos))
            for person, times in enumerate(work_times, start=1)
        )
        out.append(AdultCentre(_place(row, minutes, estimated, limit), from_work))
    return tuple(out)


def _minutes_at(
    times: Mapping[str, tuple[np.ndarray, np.ndarray]], pos: int
) -> tuple[dict[str, float | None], bool]:
    """Minutes by each mode at position ``pos`` and whether any known one is estimated."""
    minutes = {mode: _float_or_none(values[0][pos]) for mode, values in times.items()}
    known = [values[1][pos] for mode, values in times.items() if minutes[mode] is not None]
    estimated = any(bool(flag) for flag in known)
    return minutes, estimated


# -- station and trains ------------------------------------------------------------------
def _station(engine: CommuteEngine, data: ProfileData, home: LatLon, lang: str) -> Station | None:
    stations = data.stations
    if stations.empty:
        return None
    distance = _distances(stations, home)
    nearest = int(np.argmin(distance))
    row = stations.iloc[nearest]
    day = _service_day(engine, data.manifests["stations"])
    name = row[STATION_NAME_COLUMN[lang]]
    return Station(
        id=str(row["id"]),
        name=_text(name) or _text(row["name_nl"]),
        distance_m=round(float(distance[nearest]), 0),
        trains_per_weekday=int(row["trains_per_weekday"]),
        towards=_towards(engine, str(row["id"]), day),
        service_day=day,
    )


def _service_day(engine: CommuteEngine, manifest: LayerManifest) -> str:
    """Return the day the stations layer counts trains on, checked against the timetable.

    Raises
    ------
    SnapshotError
        Naming the stations manifest when ``extra.service_day`` is missing or not a day
        of the timetable's week (the trains towards Leuven and Brussels are counted on it).
    """
    day = manifest.extra.get("service_day")
    week = engine.transit_planner().week.dates
    if not isinstance(day, str) or day not in week:
        span = f"{week[0]}..{week[-1]}"
        msg = f"'extra.service_day' is {day!r}, not a day of the timetable week {span}"
        raise SnapshotError(manifest_path("stations", engine.data_dir), msg)
    return day


def _towards(engine: CommuteEngine, station: str, day: str) -> tuple[TrainsTowards, ...]:
    timetable = engine.transit_planner().timetable(day)
    return tuple(
        TrainsTowards(target, None if station in ids else direct_trains(timetable, station, ids))
        for target, ids in TRAIN_TARGETS.items()
    )


def direct_trains(tt: Timetable, station: str, targets: Sequence[str]) -> int:
    """Count the service day's trains boarding at ``station`` and alighting later at a target.

    A train counts once however many targets it calls at; the previous day's trains
    running past midnight are not counted (they belong to the day before).

    Parameters
    ----------
    tt : Timetable
        One service day's timetable.
    station : str
        GTFS stop id of the boarding station.
    targets : sequence of str
        GTFS stop ids of the destination (stations absent from the timetable are skipped).
    """
    ids = [tt.stop_index(t) for t in targets if str(t) in set(tt.stop_ids)]
    if str(station) not in set(tt.stop_ids) or not ids:
        return 0
    here = tt.stop_index(station)
    # connections are stored trip by trip in stop order: a reverse cumulative count of
    # "alight at a target" within each trip says whether the train reaches one later
    arrive = (np.isin(tt.arr_stop, ids) & tt.can_alight).astype(np.int64)
    before = np.concatenate([[0], np.cumsum(arrive)])
    board = np.flatnonzero((tt.dep_stop == here) & tt.can_board)
    reaches = before[tt.trip_end[board] + 1] - before[board] > 0
    trips = tt.trip[board[reaches]]
    own = ~tt.trip_previous_day[trips]
    return int(np.unique(trips[own]).size)


# -- prices and population ---------------------------------------------------------------
def _prices(prices: pd.DataFrame, row: pd.Series) -> tuple[Prices, ...]:
    mine = prices.loc[prices["nis"].astype(str) == str(row["nis"])]
    out = []
    for kind in PRICE_TYPES:
        series = mine.loc[mine["type"] == kind].sort_values("year")
        out.append(
            Prices(
                type=kind,
                latest_eur=_float_or_none(row[f"median_{kind}_price_muni"]),
                latest_year=_int_or_none(row["price_year"]),
                series=tuple(
                    PricePoint(
                        int(p["year"]),
                        _float_or_none(p["median_price_eur"]),
                        _int_or_none(p["sales"]),
                    )
                    for _, p in series.iterrows()
                ),
            )
        )
    return tuple(out)


def _population(
    population: pd.DataFrame, row: pd.Series, manifests: Mapping[str, LayerManifest]
) -> Population:
    mine = population.loc[population["nis"].astype(str) == str(row["nis"])]
    first = mine.iloc[0] if len(mine) else None

    def value(column: str) -> int | None:
        return None if first is None else _int_or_none(first[column])

    return Population(
        wijk=_int_or_none(row["population"]),
        municipality=value("population_2020"),
        households=value("households_observed"),
        households_year=value("households_observed_year"),
        wijk_note=_text(row.get("population_note")),
        wijk_year=_first_year(manifests["sector_population"].data_date),
        municipality_year=_first_year(manifests["population"].data_date),
    )


def _first_year(data_date: str) -> int | None:
    """Return the first four-digit year a manifest's ``data_date`` names, or None."""
    found = _YEAR.search(data_date)
    return int(found.group(0)) if found else None


# -- small converters --------------------------------------------------------------------
def _float_or_none(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def _int_or_none(value: object) -> int | None:
    number = _float_or_none(value)
    return None if number is None else int(number)


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)
