"""Every Streamlit cache of the app, in one place.

``st.cache_resource`` holds what is read-only and costly to copy: the commute engine
(preloaded once, never mutated), the processed layers and the address index (handed out
as copies, or never mutated), the commutes of a change and the ranking built on them;
``st.cache_data`` holds small answers (presets, matches, geocoder hits).  Resources are
not pickled on every read: unpickling the layers' geometries was a fifth of a rerun.
Cached functions take widget values (plain strings and numbers, frozen dataclasses of
them) as arguments, so the cache key always covers everything the result depends on.
Errors (missing files, engine refusals) are not cached: the next run tries again.
The engine, layers and manifests are keyed by the snapshot folder in force
(``LEUVEN_ATLAS_DATA_DIR``), so switching folders never serves another folder's data.
Tests that damage a copy of the snapshot clear every cache before and after
(``st.cache_data.clear()``, ``st.cache_resource.clear()``).
"""

from __future__ import annotations

import contextlib
import enum
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard import geocoding, maps
from dashboard.engine.core import CommuteEngine
from dashboard.engine.errors import BadInputError, EngineError
from dashboard.engine.inputs import LatLon
from dashboard.layers import allocation, reach
from dashboard.layers import profile as prof
from dashboard.layers import workplaces as wp
from dashboard.layers.candidates import (
    Commute,
    PlaceFilters,
    Ranking,
    commute_columns,
    rank_with_removals,
)
from dashboard.state import CommuteSpec
from geodata.catalog import READER_COLUMNS, default_data_dir
from geodata.io import LayerManifest, SnapshotError, load_layer, load_manifest, load_manifests


def engine() -> CommuteEngine:
    """Return the shared commute engine, preloaded: no query pays a network or planner load."""
    return _engine(str(default_data_dir()))


@st.cache_resource(show_spinner=False)
def _engine(data_dir: str) -> CommuteEngine:
    # Loaded at once (networks, bus network, the week's timetables): the first train
    # query after start then costs what any other does.
    engine = CommuteEngine(data_dir=Path(data_dir))
    # A damaged file stops only the modes that need it: they load it again when asked
    # and report it then, for the person concerned; the other modes work.
    with contextlib.suppress(SnapshotError, EngineError):
        engine.preload()
    return engine


def layer(name: str) -> pd.DataFrame:
    """Return a processed layer with the columns the app reads (a copy: callers may edit it).

    Raises ``SnapshotError`` naming the file when it is missing, damaged or lacks one.
    """
    return _layer(name, str(default_data_dir())).copy()


@st.cache_resource(show_spinner=False)
def _layer(name: str, data_dir: str) -> pd.DataFrame:
    # A resource, never handed out itself (see layer): a copy shares the immutable
    # geometries, where a cache_data read unpickled every polygon again.
    return load_layer(name, Path(data_dir), columns=READER_COLUMNS.get(name, ()))


def neighbourhood_codes() -> frozenset[str]:
    """Return the wijk codes of the neighbourhoods layer (for checking a link's codes).

    Read from the cached layer itself, without the copy :func:`layer` makes: a link
    check on every rerun then costs a set lookup.  Raises ``SnapshotError`` like it.
    """
    return _neighbourhood_codes(str(default_data_dir()))


@st.cache_resource(show_spinner=False)
def _neighbourhood_codes(data_dir: str) -> frozenset[str]:
    return frozenset(_layer("neighbourhoods", data_dir)["code"].astype(str))


def manifests() -> list[LayerManifest]:
    """Return every manifest of the snapshot (raises ``SnapshotError`` for a bad one)."""
    return _manifests(str(default_data_dir()))


@st.cache_data(show_spinner=False)
def _manifests(data_dir: str) -> list[LayerManifest]:
    return load_manifests(Path(data_dir))


def manifest(name: str) -> LayerManifest:
    """Return one layer's manifest (raises ``SnapshotError`` naming it when bad)."""
    return _manifest(name, str(default_data_dir()))


@st.cache_data(show_spinner=False)
def _manifest(name: str, data_dir: str) -> LayerManifest:
    return load_manifest(name, Path(data_dir))


def neighbourhood_profile(code: str, specs: tuple[CommuteSpec, ...], lang: str) -> prof.Profile:
    """Return :func:`dashboard.layers.profile.neighbourhood_profile`, once per question.

    A rerun of the Profile page (any widget) would otherwise ask the engine again
    (about 1.75 s cold, 0.25 s warm).  The profile is frozen: shared between reruns.

    Raises
    ------
    UnknownNeighbourhoodError
        When ``code`` is not a wijk of the layer (not cached).
    SnapshotError
        When a layer or manifest is missing or damaged (not cached).
    """
    return _neighbourhood_profile(code, specs, lang, str(default_data_dir()))


@st.cache_resource(show_spinner=False, max_entries=32)
def _neighbourhood_profile(
    code: str, specs: tuple[CommuteSpec, ...], lang: str, data_dir: str
) -> prof.Profile:
    data = prof.load_profile_data(Path(data_dir))
    return prof.neighbourhood_profile(code, specs, lang=lang, engine=engine(), data=data)


def data_years() -> dict[str, str]:
    """Return the data year of each layer the texts date (:func:`maps.snapshot_years`).

    Texts that name a year (a timetable, a school list) take it from here: the snapshot
    names its own dates.  A damaged manifest only leaves its layer's year out.
    """
    return _data_years(str(default_data_dir()))


@st.cache_data(show_spinner=False)
def _data_years(data_dir: str) -> dict[str, str]:
    return maps.snapshot_years(Path(data_dir))


def presets() -> tuple[pd.DataFrame, str]:
    """Return the preset table and, when the workplaces layer is missing or damaged, why.

    A bad ``stations`` layer raises ``SnapshotError``: presets cannot be listed without it.
    """
    return _presets(str(default_data_dir()))


@st.cache_data(show_spinner=False)
def _presets(data_dir: str) -> tuple[pd.DataFrame, str]:
    try:
        places: gpd.GeoDataFrame | None = layer("workplaces")
        problem = ""
    except SnapshotError as exc:
        places, problem = None, str(exc)
    return wp.preset_table(places, layer("stations")), problem


def address_table() -> gpd.GeoDataFrame:
    """Return the address index, shared by every search (read-only: never mutate it).

    Raises ``SnapshotError`` naming the file when it is missing or damaged.
    """
    return _layer("addresses", str(default_data_dir()))


@st.cache_data(show_spinner=False, max_entries=256)
def address_matches(query: str) -> pd.DataFrame:
    """Return addresses matching ``query`` (raises ``SnapshotError`` when missing)."""
    return wp.search_addresses(address_table(), query)


def _addresses_or_none() -> gpd.GeoDataFrame | None:
    try:
        return address_table()
    except SnapshotError:
        return None


@st.cache_data(show_spinner=False, max_entries=256)
def workplace(ref: str) -> wp.Workplace:
    """Resolve a workplace reference (raises ``BadInputError`` when unknown)."""
    table, _ = presets()
    addresses = _addresses_or_none() if wp.ref_kind(ref) == "address" else None
    return wp.resolve_workplace(ref, table, addresses)


class WorkplaceProblem(enum.Enum):
    """Why a workplace reference could not be resolved (value: its message key)."""

    UNKNOWN_PRESET = "wp_unknown_preset"
    UNKNOWN_ADDRESS = "wp_unknown_address"
    NO_ADDRESS_INDEX = "wp_no_address_index"
    BAD_COORDINATES = "wp_bad_coordinates"
    LOCATION_UNKNOWN = "wp_location_unknown"


class WorkplaceError(EngineError):
    """A person's workplace could not be resolved.

    Attributes
    ----------
    person : int
        1 or 2: whose workplace it is.
    ref : str
        The reference as given (from the widgets or a shared link).
    problem : WorkplaceProblem
        What is wrong with it.
    detail : str
        The underlying message (names the file or the value).
    """

    def __init__(self, person: int, ref: str, problem: WorkplaceProblem, detail: str) -> None:
        super().__init__(f"person {person}: {problem.name.lower()} {ref!r}: {detail}")
        self.person = person
        self.ref = ref
        self.problem = problem
        self.detail = detail


_UNKNOWN_BY_KIND = {
    "preset": WorkplaceProblem.UNKNOWN_PRESET,
    "address": WorkplaceProblem.UNKNOWN_ADDRESS,
    "coords": WorkplaceProblem.BAD_COORDINATES,
}


def person_workplace(person: int, ref: str) -> wp.Workplace:
    """Resolve ``person``'s workplace reference.

    Raises
    ------
    WorkplaceError
        Carrying the person, the reference and what is wrong: an unknown preset or
        address, a listed workplace whose location is unknown, a missing or unreadable
        address index, unusable coordinates.
    SnapshotError
        When the stations layer (needed for every preset) is missing or damaged.
    """
    kind = wp.ref_kind(ref)
    if kind == "address":
        try:
            address_table()
        except SnapshotError as exc:
            raise WorkplaceError(person, ref, WorkplaceProblem.NO_ADDRESS_INDEX, str(exc)) from exc
    try:
        return workplace(ref)
    except wp.LocationUnknownError as exc:
        raise WorkplaceError(person, ref, WorkplaceProblem.LOCATION_UNKNOWN, exc.label) from exc
    except BadInputError as exc:
        # a reference kind added later reads as an unknown preset, never as a crash
        problem = _UNKNOWN_BY_KIND.get(kind, WorkplaceProblem.UNKNOWN_PRESET)
        raise WorkplaceError(person, ref, problem, str(exc)) from exc


@st.cache_data(show_spinner=False, max_entries=64)
def isochrones(lat: float, lon: float, mode: str, max_minutes: int) -> list[dict[str, Any]]:
    """Isochrone band features to a workplace (raises ``OutsideCoverageError`` off-network)."""
    return reach.isochrone_features(engine(), LatLon(lat, lon), mode=mode, max_minutes=max_minutes)


def geocoder_url() -> str | None:
    """Return the online geocoder's endpoint when an operator switched it on, else None."""
    try:
        secrets: Any = dict(st.secrets)
    except Exception:  # no or unreadable secrets.toml: the setting is simply off
        secrets = None
    return geocoding.configured_url(secrets=secrets)


@st.cache_data(show_spinner=False, max_entries=256, ttl=24 * 3600)
def geocode(endpoint: str, query: str, language: str) -> list[geocoding.GeocodeHit]:
    """Online geocoder hits (raises ``GeocodingError``; errors are not cached)."""
    return geocoding.search(endpoint, query, language=language)


#: Layers whose places get commute times: the neighbourhoods (ranked by their
#: centroids) and the point layers whose popups show them.
COMMUTE_LAYERS: tuple[str, ...] = (
    "neighbourhoods",
    "schools",
    "international_schools",
    "childcare",
    "adult_education",
)
#: Of those, the layers only a popup needs: a damaged one is left out of the answer
#: (the page names it where it draws the layer), never the ranking with it.
OPTIONAL_COMMUTE_LAYERS: frozenset[str] = frozenset({"adult_education"})


def _origins(name: str) -> pd.DataFrame:
    """``centroid_lon``/``centroid_lat`` of every place of a layer (a point's own position)."""
    places = layer(name)
    if name == "neighbourhoods":
        return pd.DataFrame(places[["centroid_lon", "centroid_lat"]])
    return pd.DataFrame(
        {"centroid_lon": places.geometry.x, "centroid_lat": places.geometry.y},
        index=places.index,
    )


def commutes_by_layer(commutes: tuple[CommuteSpec, ...]) -> dict[str, pd.DataFrame]:
    """Commute columns of every place of :data:`COMMUTE_LAYERS`, one engine call per person.

    The neighbourhoods and the point layers are asked together: a train commute's
    window (or a street search) is computed once per change, not once per layer.
    The frames are shared between reruns: read them, never modify them.

    Raises
    ------
    CommuteFailedError
        When the engine refuses a person's query (not cached: the next run tries again).
    SnapshotError
        When a layer is missing or damaged.
    """
    return _commutes_by_layer(commutes, str(default_data_dir()))


@st.cache_resource(show_spinner=False, max_entries=64)
def _commutes_by_layer(commutes: tuple[CommuteSpec, ...], data_dir: str) -> dict[str, pd.DataFrame]:
    parts = {}
    for name in COMMUTE_LAYERS:
        try:
            parts[name] = _origins(name)
        except SnapshotError:
            if name not in OPTIONAL_COMMUTE_LAYERS:
                raise
    together = pd.concat(parts.values(), keys=list(parts), names=["layer", None])
    times = commute_columns(engine(), together, _questions(commutes))
    return {name: pd.DataFrame(times.loc[name]) for name in parts}


def ranking(commutes: tuple[CommuteSpec, ...], filters: PlaceFilters) -> Ranking:
    """Rank the neighbourhoods for the given commutes and filters.

    Parameters
    ----------
    commutes : tuple of CommuteSpec
        One entry per person (:func:`dashboard.state.commute_spec`).
    filters : PlaceFilters
        What a candidate must offer, the budget flag or cut, the sort order.

    Returns
    -------
    Ranking
        The candidates (a copy: callers may edit it), and what each constraint removed.
    """
    ranked = _ranking(commutes, filters, str(default_data_dir()))
    return replace(ranked, candidates=ranked.candidates.copy())


@st.cache_resource(show_spinner=False, max_entries=64)
def _ranking(commutes: tuple[CommuteSpec, ...], filters: PlaceFilters, data_dir: str) -> Ranking:
    return rank_with_removals(
        layer("neighbourhoods"),
        commutes_by_layer(commutes)["neighbourhoods"],
        layer("schools"),
        layer("international_schools"),
        layer("childcare"),
        filters,
    )


def _questions(commutes: tuple[CommuteSpec, ...]) -> list[Commute]:
    return [spec.question() for spec in commutes]


def point_commutes(layer_name: str, commutes: tuple[CommuteSpec, ...]) -> pd.DataFrame:
    """Commute columns from every point of a layer to the workplace(s) (popup times).

    The whole layer, not the filtered points: changing a filter then costs nothing.
    The same engine answer as the neighbourhoods' (:func:`commutes_by_layer`), so a
    school's popup and its neighbourhood's row agree.  Raises ``CommuteFailedError``,
    and ``SnapshotError`` for an optional layer left out because its file is damaged.
    """
    answer = commutes_by_layer(commutes)
    if layer_name not in answer:  # only an optional layer can be missing
        layer(layer_name)  # raises the SnapshotError naming its file
    return answer[layer_name]


def point_features(key: str, layer_name: str, lang: str) -> pd.Series:
    """Map features of a whole point layer in ``lang`` (:func:`maps.point_features`).

    Escaped texts and rounded coordinates, prepared once per layer and language; shared
    between reruns: read them, never modify them.
    """
    return _point_features(key, layer_name, lang, str(default_data_dir()))


@st.cache_resource(show_spinner=False, max_entries=32)
def _point_features(key: str, layer_name: str, lang: str, data_dir: str) -> pd.Series:
    return maps.point_features(key, layer(layer_name), lang, data_years())


def candidate_geometry() -> pd.Series:
    """Return the neighbourhood polygons as drawn (simplified once), indexed by ``code``.

    GeoJSON geometries (:func:`maps.display_geometry`), shared: never modify them.
    """
    return _candidate_geometry(str(default_data_dir()))


@st.cache_resource(show_spinner=False)
def _candidate_geometry(data_dir: str) -> pd.Series:
    places = layer("neighbourhoods")
    shapes = maps.display_geometry(places)
    shapes.index = pd.Index(places["code"])
    return shapes


#: Stops of the morning chain -> the layer they are taken from.
CHAIN_STOP_LAYERS: dict[str, str] = {"childcare": "childcare", "school": "schools"}


def chain_columns(spec: CommuteSpec, stop: str) -> pd.DataFrame:
    """Best morning chain from every neighbourhood via a crèche or a primary school.

    Parameters
    ----------
    spec : CommuteSpec
        The commute of the person who drops the child off (a street mode).
    stop : str
        ``"childcare"`` or ``"school"`` (:data:`dashboard.state.CHAIN_STOPS` but off).

    Returns
    -------
    DataFrame
        :func:`dashboard.layers.allocation.chain_columns` indexed by wijk ``code``;
        shared between reruns: read it, never modify it.

    Raises
    ------
    BadInputError
        For a mode that is not a street mode.
    SnapshotError
        When a layer is missing or damaged.
    ValueError
        For a ``stop`` that is neither.
    """
    if stop not in CHAIN_STOP_LAYERS:
        msg = f"unknown chain stop {stop!r}; choose one of {', '.join(CHAIN_STOP_LAYERS)}"
        raise ValueError(msg)
    return _chain_columns(spec, stop, str(default_data_dir()))


@st.cache_resource(show_spinner=False, max_entries=16)
def _chain_columns(spec: CommuteSpec, stop: str, data_dir: str) -> pd.DataFrame:
    # Seconds by car over every primary school of the region: computed once per question.
    stops = layer(CHAIN_STOP_LAYERS[stop])
    if stop == "school":
        stops = allocation.primary_schools(stops)
    places = layer("neighbourhoods")
    chain = allocation.chain_columns(
        engine(), places, LatLon(spec.lat, spec.lon), spec.mode, spec.max_minutes, stops
    )
    return chain.set_axis(pd.Index(places["code"].astype(str), name="code"))
