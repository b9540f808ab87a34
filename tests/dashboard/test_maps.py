"""The Explore map: payload size on the real snapshot, escaping, estimated areas marked."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from pathlib import Path

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
from geodata.catalog import default_data_dir
from geodata.io import load_layer, load_manifests
from tests.dashboard.test_escaping import HOSTILE, _cooked

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


def test_isochrone_layer_renders_bands_that_take_no_clicks() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[4.7, 50.8], [4.8, 50.8], [4.8, 50.9], [4.7, 50.8]]],
    }
    features = [{"type": "Feature", "properties": {"minutes": 20.0}, "geometry": square}]
    fmap = maps.base_map(tiles=None)
    maps.isochrone_layer(features, "Isochrones <bike>").add_to(fmap)
    page = fmap.get_root().render()
    assert maps.MINUTE_COLOURS[1] in page  # 20 min: the second commute class
    # on top of the neighbourhoods, so clicks must pass through to them
    assert '"interactive": false' in page


def test_view_bounds_hold_candidates_and_workplaces(layers: dict[str, gpd.GeoDataFrame]) -> None:
    shown = _explore_layers(layers, 15)
    (south, west), (north, east) = maps.view_bounds(shown.candidates, shown.workplaces)
    cw, cs, ce, cn = shown.candidates.total_bounds
    assert south <= cs and west <= cw and north >= cn and east >= ce
    assert (north - south) < 0.5  # the candidate area, not the whole region
    # no candidates: a small box around the workplace
    (south, west), (north, east) = maps.view_bounds(shown.candidates.iloc[:0], shown.workplaces)
    assert south < LEUVEN_STATION.lat < north and west < LEUVEN_STATION.lon < east
    assert north - south == pytest.approx(0.02, abs=1e-4)


def test_map_fits_view_collapses_control_and_has_compact_legend(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    page = maps.explore_map(_explore_layers(layers, 15), colour_by="commute", lang="en")
    script = page.get_root().render()
    assert ".fitBounds(" in script
    assert '"collapsed": true' in script
    assert 'L.control({position: "bottomleft"})' in script
    assert "atlas-legend" in script


def test_travel_texts_mark_estimates_and_the_limit() -> None:
    import pandas as pd

    times = pd.DataFrame(
        {
            "minutes_1": [12.3, float("nan"), 25.0],
            "p10_1": [12.3, float("nan"), 25.0],
            "p90_1": [12.3, float("nan"), 25.0],
            "estimated_1": [False, False, True],
        },
        index=[5, 7, 9],
    )
    texts = maps.travel_texts(times, 1, 30, "en")
    assert list(texts) == ["12 min", "more than 30 min", "25 min (estimated)"]
    points = gpd.GeoDataFrame(
        {"name": ["a", "b"]}, geometry=gpd.points_from_xy([4.7, 4.8], [50.9, 50.8]), index=[9, 5]
    )
    shown = maps.with_travel_texts(points, times, [30], "nl")
    assert list(shown["time_1"]) == ["25 min (geschat)", "12 min"]


def _tooltip_texts(page: str) -> list[str]:
    """The shown text of every folium ``Tooltip``: its template literal, run and unescaped.

    The literal is read up to its first unescaped backtick, as JavaScript would.
    """
    bodies = re.findall(r"bindTooltip\(\s*`((?:[^`\\]|\\.)*)`", page)
    shown = []
    for body in bodies:
        markup = _cooked(body)  # raises on ${...} or an escape JavaScript rejects
        inner = re.fullmatch(r"\s*<div>\s*(.*?)\s*</div>\s*", markup, re.DOTALL)
        assert inner, markup
        assert "<" not in inner[1], markup  # no element from the label
        shown.append(html.unescape(inner[1]))
    return shown


@pytest.mark.parametrize("label", HOSTILE)
def test_workplace_tooltip_shows_hostile_label_literally(label: str) -> None:
    fmap = maps.base_map(tiles=None)
    maps.workplace_layer([(label, 50.88, 4.70), ("Leuven", 50.87, 4.71)], "Workplaces").add_to(fmap)
    page = fmap.get_root().render()
    assert _tooltip_texts(page) == [f"1: {label}", "2: Leuven"]
    assert "</script><script>alert" not in page


def test_point_aliases_and_layer_names_are_html_text() -> None:
    points = gpd.GeoDataFrame(
        {"name": ["<img src=x onerror=alert(3)>"], "address": ["Blok\\1 `t ${x}"]},
        geometry=gpd.points_from_xy([4.70], [50.88]),
        crs=4326,
    )
    alias = "Naam <b onmouseover=alert(4)>"
    name = "Scholen <img src=y onerror=alert(5)>"
    fmap = maps.base_map(tiles=None)
    layer = maps.compact_point_layer(
        points, name, ["name", "address"], [alias, "Adres"], color="#000000"
    )
    layer.add_to(fmap)
    maps.folium.LayerControl().add_to(fmap)
    page = fmap.get_root().render()
    # folium writes aliases and layer names as JSON; Leaflet sets them with innerHTML
    aliases = json.loads(re.search(r"let aliases = (\[.*?\]);", page)[1])
    assert aliases == [html.escape(alias), "Adres"]
    names = re.findall(r'^\s*("[^"\n]*Scholen[^"\n]*") :', page, re.MULTILINE)
    assert [json.loads(n) for n in names] == [html.escape(name)]
    data = json.loads(re.search(r"_add\((\{.*?\})\);", page, re.DOTALL)[1])
    props = data["features"][0]["properties"]
    assert props == {"name": html.escape(points["name"][0]), "address": "Blok\\1 `t ${x}"}


#: Texts that Jinja would read as a template: "49", or a syntax error failing the map.
TEMPLATE_TEXTS = ("{{ 7*7 }} school", "{% if x %}", "{# comment")


def test_data_text_is_never_read_as_a_template(layers: dict[str, gpd.GeoDataFrame]) -> None:
    shown = _explore_layers(layers, 30)
    cand, schools = shown.candidates.copy(), shown.schools.copy()
    for i, text in enumerate(TEMPLATE_TEXTS):
        cand.loc[cand.index[i], "name"] = text
        schools.loc[schools.index[i], "name"] = text
    workplaces = tuple((text, LEUVEN_STATION.lat, LEUVEN_STATION.lon) for text in TEMPLATE_TEXTS)
    fmap = maps.explore_map(
        replace(shown, candidates=cand, schools=schools, workplaces=workplaces),
        colour_by="commute",
        lang="en",
    )
    page = fmap.get_root().render()
    assert "49 school" not in page
    for text in TEMPLATE_TEXTS:
        # as JSON data (features) and as a template literal (workplace tooltips)
        assert json.dumps(text)[1:-1] in page or text in page, text
    assert page.count("{{ 7*7 }} school") >= 2


def _without_ids(page: str) -> str:
    """A rendered map with folium's random element ids replaced (they differ per build)."""
    return re.sub(r"[0-9a-f]{32}", "ID", page)


def test_prepared_parts_draw_the_same_map(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Features and polygons prepared once per layer give the map built from scratch."""
    shown = _explore_layers(layers, 30)
    sources = {
        "schools": "schools",
        "international": "international_schools",
        "childcare": "childcare",
        "stations": "stations",
        "bus_stops": "bus_stops",
    }
    for lang in ("en", "fr"):
        prepared = replace(
            shown,
            features={k: maps.point_features(k, layers[v], lang) for k, v in sources.items()},
            candidate_geometry=maps.display_geometry(layers["neighbourhoods"]).set_axis(
                layers["neighbourhoods"]["code"]
            ),
        )
        pages = [
            _without_ids(maps.explore_map(x, colour_by="commute", lang=lang).get_root().render())
            for x in (shown, prepared)
        ]
        assert pages[0] == pages[1]


def test_default_view_payload_is_under_one_megabyte(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    # the page's default: bike, 20 min, to Leuven station
    places = layers["neighbourhoods"]
    times = commute_columns(CommuteEngine(), places, [Commute(LEUVEN_STATION, "bike", 20)])
    filters = PlaceFilters()
    ranked = rank_candidates(
        places,
        times,
        layers["schools"],
        layers["international_schools"],
        layers["childcare"],
        filters,
    )
    shown = maps.ExploreLayers(
        candidates=ranked,
        schools=points_in(matching_schools(layers["schools"], filters), ranked["code"]),
        international=layers["international_schools"],
        childcare=layers["childcare"],
        stations=layers["stations"],
        bus_stops=points_in(layers["bus_stops"], ranked["code"]),
        workplaces=(("Leuven station", LEUVEN_STATION.lat, LEUVEN_STATION.lon),),
    )
    fmap = maps.explore_map(shown, colour_by="commute", lang="en")
    assert maps.map_payload_bytes(fmap) < 1_000_000


def test_years_in_layer_names_and_sources_come_from_the_manifests(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    # the committed snapshot's own years
    years = maps.data_years(load_manifests())
    assert years["schools"] == "2022" and years["stations"] == "2019"
    page = maps.explore_map(_explore_layers(layers, 30), colour_by="commute", lang="en")
    assert "Schools (2022)" in page.get_root().render()
    # a snapshot rebuilt from later data is named by its own dates (hand-made years)
    later = {"schools": "2031", "stations": "2032", "bus_stops": "2033", "childcare": "2034"}
    shown = replace(_explore_layers(layers, 30), years=later)
    page = maps.explore_map(shown, colour_by="commute", lang="nl").get_root().render()
    for text in (
        "Scholen (2031)",
        "Onderwijs Vlaanderen 2031",
        "Treinstations (2032)",
        "NMBS/SNCB GTFS 2032",
        "Treinen per weekdag (2032)",
        "De Lijn 2033",
        "OpenStreetMap 2034 (gedeeltelijk)",
    ):
        assert text in page, text
    for old in ("(2022)", "(2019)", "Vlaanderen 2022", "GTFS 2019", "De Lijn 2019", "OSM 2024"):
        assert old not in page, old


def test_a_damaged_manifest_only_leaves_its_year_out(tmp_path: Path) -> None:
    # hand-made snapshot folder: the real stations manifest, a garbage schools manifest
    real = default_data_dir() / "stations.manifest.json"
    (tmp_path / "stations.manifest.json").write_bytes(real.read_bytes())
    (tmp_path / "schools.manifest.json").write_bytes(b"\xff not json")
    assert maps.snapshot_years(tmp_path) == {"stations": "2019"}


def test_schools_at_one_site_are_one_marker_listing_every_school(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    # Heverlee Centrum: 9 school numbers at 2 addresses, 8 at Naamsesteenweg 355.
    # Before: 9 markers, 8 stacked on one point where only the top popup could be opened.
    schools = layers["schools"][layers["schools"]["wijk"] == "2406219"]
    sites = maps.group_sites(list(maps.point_features("schools", schools, "en")))
    assert sorted(f["properties"][maps.SITE_COUNT_FIELD] for f in sites) == [1, 8]
    big = max(sites, key=lambda f: f["properties"][maps.SITE_COUNT_FIELD])
    at_site = schools[schools["address"] == "Naamsesteenweg 355, 3001 Leuven"]
    expected = sorted(html.escape(n, quote=True) for n in at_site["name"])
    assert sorted(big["properties"]["name"].split("<br>")) == expected
    shown = replace(_explore_layers(layers, 30), schools=schools)
    page = maps.explore_map(shown, colour_by="commute", lang="nl").get_root().render()
    assert page.count("Heilig Hartinstituut Lyceum Middenschool") == 1
    assert "Scholen op dit adres" in page


def test_merged_site_keeps_every_name_escaped() -> None:
    # hand-made: two hostile names at one point
    frame = gpd.GeoDataFrame(
        {"name": list(HOSTILE[3:5]), "levels": ["lager", "kleuter"], "level": ["lager"] * 2},
        geometry=gpd.points_from_xy([4.7, 4.7], [50.88, 50.88]),
        crs="EPSG:4326",
    )
    (site,) = maps.group_sites(list(maps.point_features("schools", frame, "en", years={})))
    assert site["properties"]["name"].count("<br>") == 1
    assert "<script" not in site["properties"]["name"] and "<img" not in site["properties"]["name"]
    assert site["properties"]["levels"] == "lager; kleuter"
    assert site["properties"][maps.SITE_COUNT_FIELD] == 2
