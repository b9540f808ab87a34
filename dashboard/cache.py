"""Every Streamlit cache of the app, in one place.

``st.cache_resource`` holds the read-only commute engine (never mutated after loading);
``st.cache_data`` holds frames.  Cached functions take widget values (plain strings and
numbers) as arguments, so the cache key always covers everything the result depends on.
Errors (missing files, engine refusals) are not cached: the next run tries again.
The engine, layers and manifests are keyed by the snapshot folder in force
(``LEUVEN_ATLAS_DATA_DIR``), so switching folders never serves another folder's data.
Tests that damage a copy of the snapshot clear every cache before and after
(``st.cache_data.clear()``, ``st.cache_resource.clear()``).
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard import geocoding
from dashboard.engine.core import CommuteEngine
from dashboard.engine.errors import BadInputError, EngineError
from dashboard.engine.inputs import LatLon
from dashboard.layers import reach
from dashboard.layers import workplaces as wp
from dashboard.layers.candidates import (
    Commute,
    PlaceFilters,
    commute_columns,
    point_commute_columns,
    rank_candidates,
)
from geodata.catalog import READER_COLUMNS, default_data_dir
from geodata.io import LayerManifest, SnapshotError, load_layer, load_manifests

#: One person's commute as cached functions take it: (lat, lon, mode, max_minutes,
#: arrive_by, day) -- widget values, hashable.
CommuteKey = tuple[float, float, str, int, str, str]


def engine() -> CommuteEngine:
    """Return the shared commute engine (graphs load lazily on first query)."""
    return _engine(str(default_data_dir()))


@st.cache_resource(show_spinner=False)
def _engine(data_dir: str) -> CommuteEngine:
    return CommuteEngine(data_dir=Path(data_dir))


def layer(name: str) -> pd.DataFrame:
    """Return a processed layer with the columns the app reads.

    Raises ``SnapshotError`` naming the file when it is missing, damaged or lacks one.
    """
    return _layer(name, str(default_data_dir()))


@st.cache_data(show_spinner=False)
def _layer(name: str, data_dir: str) -> pd.DataFrame:
    return load_layer(name, Path(data_dir), columns=READER_COLUMNS.get(name, ()))


def manifests() -> list[LayerManifest]:
    """Return every manifest of the snapshot (raises ``SnapshotError`` for a bad one)."""
    return _manifests(str(default_data_dir()))


@st.cache_data(show_spinner=False)
def _manifests(data_dir: str) -> list[LayerManifest]:
    return load_manifests(Path(data_dir))


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


@st.cache_data(show_spinner=False, max_entries=256)
def address_matches(query: str) -> pd.DataFrame:
    """Return addresses matching ``query`` (raises ``SnapshotError`` when missing)."""
    return wp.search_addresses(layer("addresses"), query)


def _addresses_or_none() -> gpd.GeoDataFrame | None:
    try:
        return layer("addresses")
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
            layer("addresses")
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


@st.cache_data(show_spinner=False, max_entries=64)
def candidates(
    commutes: tuple[CommuteKey, ...],
    school_level: str,
    school_net: str,
    school_language: str,
    international_only: bool,
    childcare_type: str,
    childcare_keep_unknown: bool,
    budget_type: str,
    budget_max_eur: int,
) -> gpd.GeoDataFrame:
    """Rank the neighbourhoods for the given commutes and filters.

    Parameters
    ----------
    commutes : tuple of (lat, lon, mode, max_minutes, arrive_by, day)
        One entry per person (widget values, hashable; ``day`` an ISO date or ``""``).
    school_level, school_net, school_language, international_only, childcare_type,
    childcare_keep_unknown, budget_type, budget_max_eur
        The filter widgets' values (see :class:`PlaceFilters`).
    """
    places = layer("neighbourhoods")
    times = commute_columns(engine(), places, _questions(commutes))
    filters = PlaceFilters(
        school_level=school_level,
        school_net=school_net,
        school_language=school_language,
        international_only=international_only,
        childcare_type=childcare_type,
        childcare_keep_unknown=childcare_keep_unknown,
        budget_type=budget_type,
        budget_max_eur=float(budget_max_eur),
    )
    return rank_candidates(
        places,
        times,
        layer("schools"),
        layer("international_schools"),
        layer("childcare"),
        filters,
    )


def _questions(commutes: tuple[CommuteKey, ...]) -> list[Commute]:
    return [
        Commute(LatLon(lat, lon), mode, float(limit), arrive, day)
        for lat, lon, mode, limit, arrive, day in commutes
    ]


@st.cache_data(show_spinner=False, max_entries=64)
def point_commutes(layer_name: str, commutes: tuple[CommuteKey, ...]) -> pd.DataFrame:
    """Commute columns from every point of a layer to the workplace(s) (popup times).

    The whole layer, not the filtered points: changing a filter then costs nothing.
    Raises ``CommuteFailedError`` like :func:`candidates`.
    """
    return point_commute_columns(engine(), layer(layer_name), _questions(commutes))
