"""Offline workplace search over the committed ``addresses`` layer (real data).

Stations, municipalities, deelgemeenten and major workplaces are rows of the address
index (see ``geodata/README.md``); these tests search the committed snapshot the way the
page does (``cache.address_matches`` / ``cache.workplace``) and through the layer
functions.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import streamlit as st
from shapely.geometry import Point

from dashboard import cache
from dashboard.engine.errors import BadInputError
from dashboard.layers import workplaces as wp
from geodata.io import load_layer

BRUSSELS_CENTRAL = "addr:station:8813003"


@pytest.fixture(scope="module")
def addresses() -> gpd.GeoDataFrame:
    return load_layer("addresses")


@pytest.fixture(scope="module")
def presets() -> pd.DataFrame:
    return wp.preset_table(load_layer("workplaces"), load_layer("stations"))


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    st.cache_data.clear()


@pytest.mark.parametrize(
    "query",
    [
        "Brussels-Central",
        "Brussel-Centraal",
        "Bruxelles-Central",
        "bruxelles central",
        "BRÜSSEL CENTRAL",
        "Brussel Centraal",
    ],
)
def test_brussels_central_in_every_language(addresses: gpd.GeoDataFrame, query: str) -> None:
    top = wp.search_addresses(addresses, query).iloc[0]
    assert top["ref"] == BRUSSELS_CENTRAL
    assert top["kind"] == "station"
    assert bool(top["located"])


def test_page_call_path_finds_brussels_and_schuman() -> None:
    """``cache.address_matches`` and ``cache.workplace``: what the Explore page calls."""
    hits = cache.address_matches("Brussel-Centraal")
    assert hits["id"].iloc[0] == "station:8813003"
    place = cache.workplace("addr:" + hits["id"].iloc[0])
    assert place.label == "Brussel-Centraal/Bruxelles-Central (station)"
    assert (round(place.point.lat, 3), round(place.point.lon, 3)) == (50.846, 4.357)
    schuman = cache.address_matches("Schuman")
    assert schuman["label"].iloc[0] == "Brussel-Schuman/Bruxelles-Schuman (station)"


def test_accents_and_case_do_not_matter(addresses: gpd.GeoDataFrame) -> None:
    plain = wp.search_addresses(addresses, "liege guillemins")
    assert plain["ref"].iloc[0] == "addr:station:8841004"
    for query in ("Liège-Guillemins", "LIÈGE GUILLEMINS", "luik-guillemins"):
        assert wp.search_addresses(addresses, query)["ref"].tolist() == plain["ref"].tolist()


def test_municipality_is_its_centre(addresses: gpd.GeoDataFrame, presets: pd.DataFrame) -> None:
    hits = wp.search_addresses(addresses, "Bruxelles")
    assert hits["ref"].iloc[0] == "addr:municipality:21004"
    place = wp.resolve_workplace("addr:municipality:21004", presets, addresses)
    assert place.kind == "municipality"
    assert place.precision == "municipality_centre"
    assert place.is_area
    assert place.label == "Brussel / Bruxelles (municipality centre)"


def test_deelgemeente_point_inside_its_polygon(
    addresses: gpd.GeoDataFrame, presets: pd.DataFrame
) -> None:
    hits = wp.search_addresses(addresses, "kessel lo")
    assert hits["ref"].iloc[0] == "addr:deelgemeente:24062C"
    place = wp.resolve_workplace(hits["ref"].iloc[0], presets, addresses)
    assert place.precision == "deelgemeente_centre"
    deel = load_layer("deelgemeenten")
    polygon = deel.geometry[deel["code"] == "24062C"].iloc[0]
    assert polygon.contains(Point(place.point.lon, place.point.lat))


def test_major_workplace(addresses: gpd.GeoDataFrame, presets: pd.DataFrame) -> None:
    hits = wp.search_addresses(addresses, "berlaymont")
    assert hits["ref"].tolist() == ["addr:workplace:eu-commission-berlaymont"]
    place = wp.resolve_workplace(hits["ref"].iloc[0], presets, addresses)
    assert (place.point.lat, place.point.lon) == (50.8437, 4.38266)
    assert place.precision == "exact_building"


def test_location_unknown_is_listed_not_placed(
    addresses: gpd.GeoDataFrame, presets: pd.DataFrame
) -> None:
    hits = wp.search_addresses(addresses, "eurocontrol")
    row = hits.set_index("ref").loc["addr:workplace:eurocontrol-hq"]
    assert not bool(row["located"])
    assert row["precision"] == "unknown"
    with pytest.raises(wp.LocationUnknownError) as caught:
        wp.resolve_workplace("addr:workplace:eurocontrol-hq", presets, addresses)
    assert isinstance(caught.value, BadInputError)
    assert caught.value.label == "EUROCONTROL headquarters"
    with pytest.raises(wp.LocationUnknownError):
        cache.workplace("addr:workplace:eurocontrol-hq")


def test_places_rank_before_streets(addresses: gpd.GeoDataFrame) -> None:
    """ "leuven" names the station and municipality before any of 19k street addresses."""
    hits = wp.search_addresses(addresses, "leuven", limit=3)
    assert hits["ref"].tolist() == [
        "addr:station:8833001",
        "addr:municipality:24062",
        "addr:deelgemeente:24062A",
    ]
    assert wp.search_addresses(addresses, "b-x").empty  # under 3 letters


def test_whole_word_prefix_before_longer_word(addresses: gpd.GeoDataFrame) -> None:
    """ "NATO" is NATO headquarters before the station Natoye (shorter label)."""
    hits = wp.search_addresses(addresses, "NATO", limit=2)
    assert hits["ref"].tolist() == ["addr:workplace:nato-hq", "addr:station:8864915"]


def test_every_hit_ref_round_trips(addresses: gpd.GeoDataFrame, presets: pd.DataFrame) -> None:
    """A ref from the search (the value a shared link carries) resolves to the same row."""
    for query in ("brussel", "zaventem", "leuven", "nato", "naamsestraat 22"):
        hits = wp.search_addresses(addresses, query)
        assert not hits.empty, query
        for _, hit in hits[hits["located"]].iterrows():
            place = wp.resolve_workplace(hit["ref"], presets, addresses)
            assert (place.ref, place.label, place.kind) == (hit["ref"], hit["label"], hit["kind"])


def test_search_without_key_columns_still_works() -> None:
    """An older snapshot (labels only) is still searched, accent-insensitively."""
    old = gpd.GeoDataFrame(
        {"id": ["1", "2"], "label": ["Rue de l'Étuve 1, 1000 Bruxelles", "Etuvestraat 2"]},
        geometry=gpd.points_from_xy([4.35, 4.35], [50.84, 50.84]),
        crs="EPSG:4326",
    )
    hits = wp.search_addresses(old, "etuve")
    assert hits["id"].tolist() == ["2", "1"]
    assert hits["kind"].tolist() == ["address", "address"]
