"""The Explore map: payload size on the real snapshot, escaping, estimated areas marked."""

from __future__ import annotations

import geopandas as gpd
import pytest

from dashboard import maps
from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.layers.candidates import (
    Commute,
    PlaceFilters,
    commute_columns,
    matching_schools,
    points_in,
    rank_candidates,
)
from geodata.io import load_layer

LEUVEN_STATION = LatLon(50.88228, 4.71587)


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    names = (
        "neighbourhoods",
        "schools",
        "international_schools",
        "childcare",
        "stations",
        "bus_stops",
    )
    return {n: load_layer(n) for n in names}


def _explore_layers(layers: dict[str, gpd.GeoDataFrame], minutes: int) -> maps.ExploreLayers:
    places = layers["neighbourhoods"]
    commutes = [Commute(LEUVEN_STATION, "car", minutes), Commute(LEUVEN_STATION, "car", minutes)]
    times = commute_columns(CommuteEngine(), places, commutes)
    filters = PlaceFilters()
    ranked = rank_candidates(
        places,
        times,
        layers["schools"],
        layers["international_schools"],
        layers["childcare"],
        filters,
    )
    return maps.ExploreLayers(
        candidates=ranked,
        schools=points_in(matching_schools(layers["schools"], filters), ranked["code"]),
        international=layers["international_schools"],
        childcare=layers["childcare"],
        stations=layers["stations"],
        bus_stops=points_in(layers["bus_stops"], ranked["code"]),
        workplaces=(("Leuven <b>station</b>", LEUVEN_STATION.lat, LEUVEN_STATION.lon),),
    )


def test_worst_case_map_stays_under_two_megabytes(layers: dict[str, gpd.GeoDataFrame]) -> None:
    shown = _explore_layers(layers, 120)  # every neighbourhood and every bus stop
    assert len(shown.candidates) == len(layers["neighbourhoods"])
    fmap = maps.explore_map(shown, colour_by="commute", lang="en")
    assert maps.map_payload_bytes(fmap) < 2_000_000


def test_map_escapes_names_and_marks_estimates(layers: dict[str, gpd.GeoDataFrame]) -> None:
    shown = _explore_layers(layers, 30)
    evil = shown.candidates.copy()
    evil.loc[evil.index[0], "name"] = "<img src=x onerror=alert(1)>"
    fmap = maps.explore_map(
        maps.ExploreLayers(evil, *list(shown.__dict__.values())[1:]), colour_by="price", lang="fr"
    )
    page = fmap.get_root().render()
    assert "<img src=x onerror" not in page
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page  # escaped, then JSON
    assert "<b>station</b>" not in page
    assert '"_dash": "6 4"' in page  # estimated areas are dashed
    assert "contour en tirets" in page  # legend in French
    assert "OpenStreetMap" in page


def test_colour_for_classes() -> None:
    assert maps.colour_for(5, maps.MINUTE_BINS, maps.MINUTE_COLOURS) == maps.MINUTE_COLOURS[0]
    assert maps.colour_for(200, maps.MINUTE_BINS, maps.MINUTE_COLOURS) == maps.MINUTE_COLOURS[-1]
    assert (
        maps.colour_for(float("nan"), maps.MINUTE_BINS, maps.MINUTE_COLOURS) == maps.NO_DATA_COLOUR
    )


def test_spread_texts() -> None:
    import pandas as pd

    template = "typical {m} min, {lo}–{hi} min over the hour before arrival"
    texts = maps.spread_texts(
        pd.Series([26.2, 12.0, float("nan")]),
        pd.Series([21.0, 12.0, float("nan")]),
        pd.Series([35.6, 12.0, float("nan")]),
        template,
    )
    assert list(texts) == [
        "typical 26 min, 21–36 min over the hour before arrival",
        "12 min",
        "",
    ]


def test_isochrone_layer_renders_bands() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[4.7, 50.8], [4.8, 50.8], [4.8, 50.9], [4.7, 50.8]]],
    }
    features = [{"type": "Feature", "properties": {"minutes": 20.0}, "geometry": square}]
    fmap = maps.base_map(tiles=None)
    maps.isochrone_layer(features, "Isochrones", "within {m} min <bike>").add_to(fmap)
    page = fmap.get_root().render()
    assert "within 20 min \\u0026lt;bike\\u0026gt;" in page
    assert maps.MINUTE_COLOURS[1] in page  # 20 min: the second commute class
