"""AppTest: every page runs on the committed snapshot; widgets change the results;
the URL restores the view; every language renders."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cache, geocoding, maps, state
from dashboard.engine import core, transit_commute
from dashboard.engine.inputs import LatLon
from dashboard.escaping import WORD_JOINER
from dashboard.i18n import t, t_markdown
from dashboard.layers import workplaces as wp
from geodata.io import LayerManifest, SnapshotError, load_layer, load_manifests

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = ("neighbourhoods", "planner", "sources", "compare", "profile")


def _run(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(params or {})
    return at.run()


def _map_script(at: AppTest) -> str:
    """The script streamlit-folium hands to the browser (the map's whole content)."""
    for element in at.get("component_instance"):
        args = str(element.proto.json_args)
        if "L.map(" in args:
            return args
    raise AssertionError("no map on the page")


def _map_js(at: AppTest) -> str:
    """The map's JavaScript: the base map, then its overlays and their layer control.

    streamlit-folium runs the overlays (``feature_group``) after the base ``script``,
    and on a rerun swaps only them.
    """
    args = json.loads(_map_script(at))
    return "\n".join(args[k] or "" for k in ("script", "feature_group", "layer_control"))


def _shown(markdown: str) -> str:
    """What CommonMark shows for Markdown whose only syntax is backslash escapes.

    Without the invisible word joiners that keep URLs from being autolinked.
    """
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


def _captions(at: AppTest) -> str:
    """The captions as the user reads them (escaped values unescaped)."""
    return "\n".join(_shown(c.value) for c in at.caption)


def _assert_inert_markdown(markdown: str, payload: str) -> None:
    """``payload`` is in ``markdown`` only as escaped text: no link, image or autolink."""
    # An unescaped "[" or "](" or "https://" would start a link, image or autolink.
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "", markdown)
    assert "[" not in unescaped and "](" not in unescaped, markdown
    assert "https://" not in markdown and "<" not in unescaped, markdown
    assert payload in _shown(markdown), markdown


def _matches(at: AppTest) -> int:
    """Rows of the results table (the text alternative of the map; the page's only table)."""
    assert not at.exception, at.exception
    return len(at.dataframe[0].value)


@pytest.fixture(scope="module")
def explore() -> AppTest:
    return _run()


def test_explore_runs_with_map_table_and_downloads(explore: AppTest) -> None:
    assert not explore.exception
    assert not explore.error
    assert explore.title[0].value == "Explore"
    assert _matches(explore) > 0
    downloads = {b.key for b in explore.get("download_button")}
    assert {"download_csv", "download_geojson", "download_gpkg"} <= downloads


@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs(explore: AppTest, page: str) -> None:
    explore.switch_page(f"app_pages/{page}.py").run()
    assert not explore.exception
    assert not explore.error
    explore.switch_page("app_pages/explore.py").run()


def test_sources_lists_every_manifest() -> None:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("app_pages/sources.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == len(load_manifests())
    assert table["Licence"].str.contains("OpenStreetMap contributors").any()
    assert any("not on the map" in m.value for m in at.markdown)


def _sources_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("app_pages/sources.py").run()
    assert not at.exception
    return at


def _sources_markdown(lang: str) -> str:
    return "\n".join(_shown(m.value) for m in _sources_page(lang).markdown)


def test_sources_titles_are_translated() -> None:
    layers = list(_sources_page("fr").dataframe[0].value["Couche"])
    assert "Communes" in layers and "Écoles (liste officielle)" in layers
    assert "Municipalities" not in layers


def test_sources_gap_numbers_come_from_the_manifests(monkeypatch: pytest.MonkeyPatch) -> None:
    childcare = next(m for m in load_manifests() if m.name == "childcare")
    official = childcare.extra["flanders_brussels"]["locations"]
    text = _sources_markdown("nl")
    assert f"{official:,d}".replace(",", ".") in text
    assert f"{childcare.rows} OpenStreetMap" in text
    # a snapshot recording other numbers shows those (hand-made manifests: a fixture)
    real = cache.manifests

    def changed() -> list[LayerManifest]:
        out = []
        for m in real():
            if m.name == "childcare":
                extra = {**m.extra, "flanders_brussels": {**official_facts, "locations": 6001}}
                m = LayerManifest(**{**m.__dict__, "extra": extra})
            if m.name == "neighbourhoods":
                m = LayerManifest(
                    **{**m.__dict__, "extra": {**m.extra, "wijken_with_population": 7}}
                )
            out.append(m)
        return out

    official_facts = childcare.extra["flanders_brussels"]
    monkeypatch.setattr(cache, "manifests", changed)
    text = _sources_markdown("en")
    assert "6,001 licensed locations" in text
    assert "only for the 7 of 427 neighbourhoods" in text


def test_bike_15_reaches_fewer_neighbourhoods_than_car_30() -> None:
    at = _run()  # default workplace: Leuven station
    at.selectbox(key="p1_mode").set_value("bike")
    at.slider(key="p1_max").set_value(15).run()
    bike = _matches(at)
    at.selectbox(key="p1_mode").set_value("car")
    at.slider(key="p1_max").set_value(30).run()
    car = _matches(at)
    assert 0 < bike < car


def test_filters_reduce_results() -> None:
    at = _run({"m1": "car", "t1": "30"})
    everything = _matches(at)
    at.selectbox(key=state.SCHOOL_LEVEL).set_value("secundair").run()
    secondary = _matches(at)
    assert 0 < secondary < everything
    # The budget flags (the municipal median is context, not a neighbourhood's price).
    at.number_input(key=state.BUDGET_MAX).set_value(350_000).run()
    assert _matches(at) == secondary
    flags = at.dataframe[0].value["Median above budget"]
    assert flags.any() and not flags.all()


def test_second_workplace_only_removes_candidates() -> None:
    at = _run({"m1": "car", "t1": "30"})
    alone = _matches(at)
    at.checkbox(key=state.SECOND_ON).check().run()
    at.radio(key=state.person_key(2, "how")).set_value("coords").run()
    at.number_input(key=state.person_key(2, "lat")).set_value(50.8640)
    at.number_input(key=state.person_key(2, "lon")).set_value(4.6790)
    at.selectbox(key=state.person_key(2, "mode")).set_value("bike")
    at.slider(key=state.person_key(2, "max")).set_value(20).run()
    both = _matches(at)
    assert 0 < both < alone
    assert at.query_params["w2"] == "50.86400,4.67900"


def test_url_sets_widgets() -> None:
    at = _run({"m1": "ebike", "t1": "35", "lvl": "lager", "bt": "apartment", "lang": "nl"})
    assert at.selectbox(key="p1_mode").value == "ebike"
    assert at.slider(key="p1_max").value == 35
    assert at.selectbox(key=state.SCHOOL_LEVEL).value == "lager"
    assert at.radio(key=state.BUDGET_TYPE).value == "apartment"
    assert at.selectbox(key=state.LANG).value == "nl"


def test_widgets_write_url() -> None:
    at = _run()
    assert at.query_params == {}  # defaults keep the link short
    at.selectbox(key="p1_mode").set_value("car")
    at.slider(key="p1_max").set_value(45)
    at.checkbox(key=state.INTL_ONLY).check().run()
    assert at.query_params == {"m1": "car", "t1": "45", "intl": "1"}
    restored = _run(dict(at.query_params))
    assert restored.selectbox(key="p1_mode").value == "car"
    assert restored.checkbox(key=state.INTL_ONLY).value is True
    assert _matches(restored) == _matches(at)


def test_bad_url_values_fall_back_to_defaults() -> None:
    at = _run({"m1": "rocket", "t1": "abc", "lang": "xx", "w1": "not-a-place"})
    assert not at.exception
    assert at.selectbox(key="p1_mode").value == "bike"
    assert at.selectbox(key=state.LANG).value == "en"


@pytest.mark.parametrize(
    ("lang", "title"), [("en", "Explore"), ("nl", "Verkennen"), ("fr", "Explorer")]
)
def test_each_language_renders(lang: str, title: str) -> None:
    at = _run({"lang": lang})
    assert not at.exception
    assert at.title[0].value == title


def test_workplace_outside_coverage_is_explained() -> None:
    at = _run({"w1": "51.30000,3.20000"})  # Bruges: far beyond the engine's region
    assert not at.exception
    assert at.error
    assert "outside the covered region" in at.error[0].value


def test_train_mode_with_arrival_time_spread_and_day() -> None:
    at = _run({"m1": "train_bike", "t1": "45", "arr": "08:30", "day": "2026-12-05"})
    assert at.selectbox(key="p1_mode").value == "train_bike"
    assert at.time_input(key=state.ARRIVE).value.strftime("%H:%M") == "08:30"
    assert _matches(at) > 0
    table = at.dataframe[0].value
    assert {"10th pct min (1)", "90th pct min (1)"} <= set(table.columns)
    assert (table["10th pct min (1)"] <= table["Minutes (1)"]).all()
    assert (table["90th pct min (1)"] >= table["Minutes (1)"]).all()
    # the service day, once, as a caption: a Saturday maps onto the feed week's Saturday
    assert _captions(at).count("NMBS 2019 feed, 2019-10-19 (the same weekday as 2026-12-05)") == 1
    assert "over the hour before arrival" in _map_script(at)  # popups: typical + range
    assert "No isochrone for Person 1" in _captions(at)
    # a Tuesday that is never the default day (the default moves with today's date)
    tuesday = state.default_travel_day() + timedelta(days=7)
    at.date_input(key=state.TRAVEL_DAY).set_value(tuesday).run()
    assert at.query_params["day"] == tuesday.isoformat()
    assert f"NMBS 2019 feed, 2019-10-15 (the same weekday as {tuesday.isoformat()})" in _captions(
        at
    )


def test_timetable_year_comes_from_its_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    real = cache.data_years

    def later() -> dict[str, str]:  # a snapshot rebuilt from a 2031 feed (hand-made)
        return {**real(), "rail_timetable": "2031"}

    monkeypatch.setattr(cache, "data_years", later)
    at = _run({"m1": "train_bike", "t1": "45", "day": "2026-12-08"})
    assert "NMBS 2031 feed, 2019-10-15" in _captions(at)
    assert "2031 NMBS timetable" in at.date_input(key=state.TRAVEL_DAY).help


def test_childcare_and_bus_years_come_from_their_manifests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = cache.data_years

    def later() -> dict[str, str]:  # a snapshot rebuilt from 2032/2033 sources (hand-made)
        return {**real(), "childcare": "2032", "bus_stops": "2033"}

    monkeypatch.setattr(cache, "data_years", later)
    at = _run({"m1": "walk_bus", "t1": "30"})
    captions = _captions(at)
    assert "objects of central Leuven (2032)" in captions
    assert "De Lijn feed of 2033" in captions
    assert "2024" not in captions and "(2019" not in captions


def test_sources_bus_gap_names_the_stops_year(monkeypatch: pytest.MonkeyPatch) -> None:
    real = cache.manifests

    def changed() -> list[LayerManifest]:  # a bus_stops manifest dated 2034 (hand-made)
        return [
            LayerManifest(**{**m.__dict__, "data_date": "2034-02-01"})
            if m.name == "bus_stops"
            else m
            for m in real()
        ]

    monkeypatch.setattr(cache, "manifests", changed)
    text = _sources_markdown("en")
    assert "stops for the whole region (2034)" in text


def test_street_modes_have_no_spread_columns(explore: AppTest) -> None:
    assert "10th pct min (1)" not in explore.dataframe[0].value.columns
    assert "NMBS timetable" not in _captions(explore)


def test_bike_isochrones_from_leuven_station(explore: AppTest) -> None:
    # the default view: bike, 20 minutes, Leuven station
    script = _map_script(explore)
    assert "Isochrones to workplace 1 (Bike, street network of Leuven)" in script
    captions = _captions(explore)
    assert "within 5, 10, 15, 20 min (Bike, network)" in captions  # the band limits
    assert "No isochrone" not in captions


def test_walk_bus_runs_with_estimates_and_coverage_note() -> None:
    at = _run({"m1": "walk_bus", "t1": "30"})
    assert _matches(at) > 0
    assert at.dataframe[0].value["Estimated"].any()
    captions = _captions(at)
    assert "Walk + bus is an estimate for central Leuven only" in captions
    assert "No isochrone for Person 1" in captions
    assert '"_dash": "6 4"' in _map_script(at).replace('\\"', '"')


def test_address_search_is_offline_only_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(geocoding.GEOCODER_ENV, raising=False)
    at = _run()
    at.radio(key="p1_how").set_value("address").run()
    captions = _captions(at)
    assert "Search is offline only" in captions
    # The hint names what the offline index now holds (not only Leuven addresses).
    assert all(word in captions for word in ("station", "municipalities", "major workplaces"))


@contextmanager
def _geocoder_serving(reply: bytes) -> Iterator[str]:
    """A Nominatim-like ``/search`` on loopback answering ``reply``; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/search"
    finally:
        server.shutdown()
        server.server_close()


def test_online_geocoder_adds_hits(monkeypatch: pytest.MonkeyPatch) -> None:
    reply = (Path(__file__).parent / "data" / "nominatim_search_naamsestraat.json").read_bytes()
    with _geocoder_serving(reply) as endpoint:  # the recorded reply, from loopback
        monkeypatch.setenv(geocoding.GEOCODER_ENV, endpoint)
        at = _run()
        at.radio(key="p1_how").set_value("address").run()
        at.text_input(key="p1_addr_q").set_value("naamsestraat 22 zzz").run()
    assert f"Online geocoder on ({geocoding.display_host(endpoint)})" in _captions(at)
    choice = at.selectbox(key="p1_addr")
    online = [o for o in choice.options if o.endswith("(online)")]
    assert len(online) == 2
    choice.select_index(choice.options.index(online[0])).run()
    assert at.query_params["w1"] == "50.87512,4.70356"
    assert _matches(at) > 0


def test_school_popups_show_travel_time(explore: AppTest) -> None:
    script = _map_script(explore).replace('\\"', '"')
    assert '"To workplace 1"' in script  # the popup alias of the time field
    minutes = re.findall(r'"time_1": "(\d+) min"', script)
    assert minutes, "no school popup with a travel time"
    assert all(0 <= int(m) <= 20 for m in minutes)  # default: bike, 20 minutes
    assert '"time_1": "more than 20 min"' in script


def test_map_view_fits_the_candidates(explore: AppTest) -> None:
    script = _map_js(explore)
    # the view the map fits (at load and again when the frame is resized)
    match = re.search(r"var bounds = \[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", script)
    assert match, "the map does not fit its view"
    south, west, north, east = (float(v) for v in match.groups())
    places = load_layer("neighbourhoods")
    shown = places.loc[places["name"].isin(explore.dataframe[0].value["Neighbourhood"])]
    cw, cs, ce, cn = shown.total_bounds
    assert south <= cs and west <= cw and north >= cn and east >= ce
    # the start view is the candidate area (bike, 20 min), not the whole region
    _, whole_s, _, whole_n = places.total_bounds
    assert (north - south) < 0.5 * (whole_n - whole_s)
    assert south < 50.88228 < north and west < 4.71587 < east  # the workplace


def test_a_new_result_keeps_the_base_map_and_swaps_the_overlays() -> None:
    """The browser keeps its map frame: only the overlays change with the workplace.

    streamlit-folium keys its frame on the base map's script; a changed script reloads
    the frame and Leaflet (~0.5-0.7 s per change in Chromium, measured).
    """
    at = _run({"m1": "car", "t1": "20"})
    before = json.loads(_map_script(at))
    at.selectbox(key=state.person_key(1, "mode")).set_value("bike").run()
    after = json.loads(_map_script(at))
    assert after["script"] == before["script"]
    assert after["feature_group"] != before["feature_group"]
    assert "var bounds" in after["feature_group"]  # the view is fitted to the new result


def test_results_table_puts_minutes_after_the_name(explore: AppTest) -> None:
    columns = list(explore.dataframe[0].value.columns)
    assert columns[:3] == ["Rank", "Neighbourhood", "Minutes (1)"]


def test_map_click_rule_is_explained(explore: AppTest) -> None:
    assert "click a spot without one to set the workplace" in _captions(explore)


def test_clicks_on_features_set_the_workplace_in_map_click_mode() -> None:
    click_through = 'map.fire("click", {latlng: e.popup.getLatLng()})'
    at = _run()
    assert click_through not in _map_js(at)  # preset: popups
    at.radio(key="p1_how").set_value("coords").run()
    assert click_through in _map_js(at)
    assert "every click on the map sets the workplace" in _captions(at)


#: Markdown a shared link could carry: a live link and an image the browser would fetch.
LINK = "[click here](https://evil.example/login)"
IMAGE = "![x](https://evil.example/t.png)"


@pytest.mark.parametrize("payload", [LINK, IMAGE, "**bold** :red[red] $x$ <b>tag</b>"])
def test_markdown_in_a_shared_link_is_shown_as_text(payload: str) -> None:
    at = _run({"w1": f"addr:{payload}"})
    assert not at.exception
    assert len(at.error) == 1
    _assert_inert_markdown(at.error[0].value, payload)
    assert _shown(at.error[0].value).startswith("Person 1: the address addr:")
    assert "not in the address index" in at.error[0].value


def test_markdown_in_the_second_workplace_is_shown_as_text() -> None:
    at = _run({"w2": f"addr:{LINK} {IMAGE}"})
    assert not at.exception
    _assert_inert_markdown(at.error[0].value, f"{LINK} {IMAGE}")
    assert _shown(at.error[0].value).startswith("Person 2: ")


def test_unknown_address_of_person_2_is_reported_for_person_2() -> None:
    at = _run({"w2": "addr:999999999"})
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value.startswith("Person 2: the address addr\\:")
    assert "Person 1" not in at.error[0].value


def test_unknown_preset_of_person_2_is_reported_for_person_2() -> None:
    at = _run({"w2": "wp:no-such-place", "lang": "nl"})
    assert not at.exception
    assert [w.value for w in at.warning if w.value.startswith("Persoon 2: de voorkeuze")]


def test_missing_address_index_names_the_index_not_the_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing() -> Any:
        raise SnapshotError(Path("addresses.parquet"), "file not found (test fixture)")

    monkeypatch.setattr(cache, "address_table", missing)
    at = _run({"w2": "addr:1"})
    assert not at.exception
    text = _shown(at.error[0].value)
    assert text.startswith("Person 2: the address index is missing or unreadable"), text
    assert "addresses.parquet" in text
    assert "mode" not in text  # the old "Choose another mode" advice was wrong


def test_address_search_without_match_clears_the_workplace_and_says_so() -> None:
    at = _run()
    at.radio(key="p1_how").set_value("address").run()
    at.text_input(key="p1_addr_q").set_value("naamsestraat").run()
    assert at.selectbox(key="p1_addr").value is not None  # a match is the workplace
    assert _matches(at) > 0
    at.text_input(key="p1_addr_q").set_value("zzqqxx no such street").run()
    assert not at.exception
    assert any("no address matches" in w.value for w in at.warning)
    assert any("Person 1: search an address" in i.value for i in at.info)
    assert not at.dataframe  # nothing computed with the previous address


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Brussels-Central", "Brussel-Centraal"),
        ("Brussel-Centraal", "Brussel-Centraal"),
        ("Bruxelles-Central", "Bruxelles-Central"),
        ("Schuman", "Schuman"),
    ],
)
def test_brussels_workplaces_are_found_offline(
    monkeypatch: pytest.MonkeyPatch, query: str, expected: str
) -> None:
    monkeypatch.delenv(geocoding.GEOCODER_ENV, raising=False)
    at = _run({"m1": "train_walk", "t1": "60"})
    at.radio(key="p1_how").set_value("address").run()
    at.text_input(key="p1_addr_q").set_value(query).run()
    choice = at.selectbox(key="p1_addr")
    assert expected in choice.options[0], choice.options[:3]
    assert at.query_params["w1"] == choice.value
    assert _matches(at) > 0  # Leuven neighbourhoods within an hour by train


def test_workplace_of_unknown_location_is_listed_not_offered() -> None:
    at = _run()
    at.radio(key="p1_how").set_value("address").run()
    at.text_input(key="p1_addr_q").set_value("eurocontrol").run()
    assert not at.exception
    assert any(
        "Location unknown" in c and "EUROCONTROL" in c
        for c in map(_shown, (c.value for c in at.caption))
    )
    offered = [o for box in at.selectbox if box.key == "p1_addr" for o in box.options]
    assert not any("EUROCONTROL" in o for o in offered)
    assert not at.dataframe  # and nothing computed for a workplace that is not there


def test_link_to_a_workplace_of_unknown_location_is_refused_for_its_person() -> None:
    at = _run({"w2": "addr:workplace:eurocontrol-hq"})
    assert not at.exception
    text = _shown(at.error[0].value)
    assert text.startswith("Person 2: EUROCONTROL headquarters is listed, but its location")


#: Bike 15 min from Leuven station, secondary schools, group childcare (known only) and a
#: strict budget of EUR 100k: each rule removes some, nothing is left.
_NOTHING_LEFT = {
    "t1": "15",
    "lvl": "secundair",
    "cc": "groepsopvang_0_3",
    "cck": "0",
    "bmax": "100000",
    "bs": "1",
}
_REASONS = (
    r"(\d+) (beyond the time limit|without a matching school|without matching childcare"
    r"|with a municipal median above the budget)"
)


def test_no_result_names_the_constraints_and_counts() -> None:
    at = _run(_NOTHING_LEFT)
    assert _matches(at) == 0
    text = " ".join(i.value for i in at.info)
    counts = {why: int(n) for n, why in re.findall(_REASONS, text)}
    assert len(counts) == 4, text
    # applied in order, the counts add up to every neighbourhood
    assert sum(counts.values()) == len(load_layer("neighbourhoods")), text
    within = _matches(_run({"t1": "15"}))
    assert counts["beyond the time limit"] == len(load_layer("neighbourhoods")) - within


def test_no_result_with_international_schools_names_that_rule() -> None:
    # the international-school rule replaces the school rule (one count, not two)
    at = _run({"t1": "15", "lvl": "secundair", "intl": "1"})
    assert _matches(at) == 0
    text = " ".join(i.value for i in at.info)
    assert re.search(r"\d+ beyond the time limit; \d+ without an international school", text)
    assert "without a matching school" not in text


def test_no_result_names_each_persons_time_limit() -> None:
    # two people: the time limits are named per person (Person 2's removes the rest)
    at = _run({"t1": "60", "w2": "50.84370,4.38266", "m2": "walk", "t2": "5"})
    assert _matches(at) == 0
    text = " ".join(i.value for i in at.info)
    assert re.search(r"\d+ beyond Person 2's time limit", text), text


#: The issue's couple: Gasthuisberg by bike (30 min), the European Commission by bike +
#: train (75 min), a EUR 400k house (coordinates from workplaces/major_workplaces.csv).
_COUPLE = {
    "w1": "50.87947,4.67276",
    "m1": "bike",
    "t1": "30",
    "w2": "50.84370,4.38266",
    "m2": "train_bike",
    "t2": "75",
    "bmax": "400000",
}


def _leuven_rows(at: AppTest) -> pd.DataFrame:
    table = at.dataframe[0].value
    return table.loc[table["Municipality"] == "Leuven"]


def test_budget_flags_leuven_and_strict_budget_removes_it() -> None:
    at = _run(_COUPLE)
    leuven = _leuven_rows(at)
    assert len(leuven) > 0 and leuven["Median above budget"].all()
    assert at.checkbox(key=state.BUDGET_STRICT).value is False
    at.checkbox(key=state.BUDGET_STRICT).check().run()
    assert _matches(at) > 0 and _leuven_rows(at).empty
    assert not at.dataframe[0].value["Median above budget"].any()
    assert at.query_params["bs"] == "1"
    # the link restores the strict budget
    again = _run({**_COUPLE, "bs": "1"})
    assert again.checkbox(key=state.BUDGET_STRICT).value is True
    assert _leuven_rows(again).empty


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_budget_controls_are_translated(lang: str) -> None:
    at = _run({**_COUPLE, "lang": lang})
    assert at.checkbox(key=state.BUDGET_STRICT).label == t("budget_strict", lang)
    radio = at.radio(key=state.SORT_BY)
    assert radio.label == t("sort_by", lang)
    assert radio.options == [t("sort_commute", lang), t("sort_budget", lang)]


def test_sort_by_budget_flag_puts_flagged_candidates_last() -> None:
    at = _run(_COUPLE)
    by_commute = at.dataframe[0].value["Median above budget"].tolist()
    assert by_commute != sorted(by_commute)  # flagged rows are mixed in by commute
    at.radio(key=state.SORT_BY).set_value("budget").run()
    table = at.dataframe[0].value
    assert table["Median above budget"].tolist() == sorted(by_commute)
    assert table["Rank"].tolist() == list(range(1, len(table) + 1))
    assert at.query_params["sort"] == "budget"
    again = _run({**_COUPLE, "sort": "budget"})
    assert again.radio(key=state.SORT_BY).value == "budget"
    assert again.dataframe[0].value["Median above budget"].tolist() == sorted(by_commute)


def test_address_searches_share_one_cached_table() -> None:
    table = cache.address_table()
    assert cache.address_table() is table  # a resource, not a copy per search
    cache.address_matches.clear()
    wp._INDEXES.pop(id(table), None)
    assert len(cache.address_matches("Leuven")) > 0
    # the search index was built on the shared table (and is reused by the next search)
    assert id(table) in wp._INDEXES
    assert len(cache.address_matches("Brussel-Centraal")) > 0
    assert cache.address_table() is table


def test_engine_is_preloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    cache._engine.clear()
    engine = cache.engine()

    def no_load(*args: object, **kwargs: object) -> object:
        raise AssertionError("a query loaded data after the engine was created")

    monkeypatch.setattr(transit_commute, "load_timetable", no_load)
    monkeypatch.setattr(transit_commute, "load_layer", no_load)
    monkeypatch.setattr(core, "load_street_network", no_load)
    monkeypatch.setattr(core, "load_graph", no_load)
    station = LatLon(50.8812, 4.7155)
    lon, lat = np.array([4.70, 4.68]), np.array([50.87, 50.88])
    for mode in ("train_bike", "bike", "walk_bus"):
        assert core.commute_times(engine, station, lon, lat, mode=mode).minutes.shape == (2,)


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_area_workplace_is_said_to_be_the_centre(lang: str) -> None:
    at = _run({"lang": lang, "m1": "car", "t1": "30"})
    at.radio(key="p1_how").set_value("address").run()
    at.text_input(key="p1_addr_q").set_value("Herent").run()
    matches = cache.address_matches("Herent")
    herent = next(r for r in matches["ref"] if cache.person_workplace(1, r).is_area)
    at.selectbox(key="p1_addr").set_value(herent).run()
    label = cache.person_workplace(1, herent).label
    who = t("person_1", lang)
    expected = _shown(t_markdown("workplace_area_centre", lang, who=who, label=label))
    assert expected in _captions(at)
    # a street address is not an area: no such caption
    at.text_input(key="p1_addr_q").set_value("naamsestraat").run()
    street = cache.address_matches("naamsestraat")["ref"].iloc[0]
    at.selectbox(key="p1_addr").set_value(street).run()
    assert not cache.person_workplace(1, street).is_area
    assert _shown(t_markdown("workplace_area_centre", lang, who=who, label=label)) not in (
        _captions(at)
    )


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_map_popups_and_filters_are_translated(lang: str) -> None:
    at = _run({"lang": lang, "m1": "car", "t1": "30"})
    script = _map_js(at)
    for english in ("Statbel (prices)", '"network"', "partial: OpenStreetMap", '"Levels"'):
        assert english not in script, english
    # the euro sign arrives as a JSON escape in the script
    assert re.search(r'"price_text": "\\u20ac \d{3}\.\d{3}"', script), "not as € 455.000"
    assert "groepsopvang_0_3" not in at.selectbox(key=state.CHILDCARE_TYPE).options
    coverage = set(at.dataframe[0].value[t("col_childcare_coverage", lang)])
    assert coverage == {t("coverage_partial", lang), t("coverage_none", lang)}
    at.radio(key=state.COLOUR_BY).set_value("price").run()
    legend = _map_js(at)
    assert "250.000-300.000" in legend and "250,000" not in legend


def test_markdown_in_manifests_is_shown_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # A hand-made manifest (test fixture) whose texts carry Markdown.
    hostile = LayerManifest(
        name="fixture",
        title=f"Fixture {LINK}",
        source=f"Publisher {IMAGE}",
        source_url="https://example.org",
        licence="CC-BY **4.0** <b>x</b>",
        data_date="2024",
        coverage=f"# heading\n- item {LINK}",
    )
    monkeypatch.setattr(cache, "manifests", lambda: [hostile])
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("app_pages/sources.py").run()
    assert not at.exception
    (expander,) = at.expander
    _assert_inert_markdown(expander.label, f"Fixture {LINK} (fixture)")
    details = next(m.value for m in at.markdown if "Publisher" in m.value)
    _assert_inert_markdown(details, f"Publisher {IMAGE}")
    assert f"# heading - item {LINK}" in _shown(details)  # one line, no heading, no list
    assert "CC-BY **4.0** <b>x</b>" in _shown(details)


def test_geocoder_caption_hides_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = "https://atlas:s3cret@geocoder.example.org:8443/search"
    monkeypatch.setenv(geocoding.GEOCODER_ENV, endpoint)
    monkeypatch.setattr(cache, "geocode", lambda endpoint, query, language: [])  # no network
    at = _run()
    at.radio(key="p1_how").set_value("address").run()
    captions = _captions(at)
    assert "Online geocoder on (geocoder.example.org:8443)" in captions
    assert "s3cret" not in captions and "atlas:" not in captions


def test_neighbourhoods_page_shows_names_sites_and_unknown_childcare() -> None:
    # Before: "24028A0 (Geetbets)", "Heverlee Centrum: 9 schools" only, and Bertem
    # centrum (no OSM data) with 0 childcare.
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update({"lang": "nl"})
    at.run()
    at.switch_page("app_pages/neighbourhoods.py").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index(t("col_name", "nl"))
    assert "Geetbets-Centrum e.o. (Geetbets)" in table.index
    assert not any(n.startswith("24028A0") for n in table.index)
    heverlee = table.loc["Heverlee Centrum (Leuven)"]
    assert (heverlee[t("col_schools_all", "nl")], heverlee[t("col_school_sites", "nl")]) == (9, 2)
    assert pd.isna(table.loc["Bertem centrum (Bertem)", t("col_childcare", "nl")])
    years = maps.snapshot_years()
    note = t("schools_sites_note", "nl", year=years["schools"])
    assert note in "\n".join(c.value for c in at.caption)


def test_explore_table_says_childcare_unknown_outside_the_mapped_area() -> None:
    # Before: these wijken without any OSM data were "partial" with 0 childcare.
    at = _run({"m1": "car", "t1": "30"})
    table = at.dataframe[0].value.set_index(t("col_name", "en"))
    without_data = ["Wijgmaal (Leuven)", "Herent-Centraal (Herent)", "Bertem centrum (Bertem)"]
    shown = [n for n in without_data if n in table.index]
    assert shown, "none of the wijken without OSM data is in the default results"
    assert (table.loc[shown, t("col_childcare_coverage", "en")] == t("coverage_none", "en")).all()
    assert table.loc[shown, t("col_childcare_all", "en")].isna().all()


# -- relocation intake (issue 10): score, shortlist, profile links ------------------------
def _scores(at: AppTest) -> pd.DataFrame:
    """The Explore page's score table (the second table, below the results)."""
    assert not at.exception, at.exception
    table = at.dataframe[1].value
    assert "Score" in table.columns
    return table


def test_explore_scores_show_components_and_raw_values(explore: AppTest) -> None:
    table = _scores(explore)
    for column in ("Commute (points)", "Minutes (1)", "Price (points)", "Municipal median (€)"):
        assert column in table.columns
    assert table["Score"].is_monotonic_decreasing
    assert len(table) == _matches(explore)
    # childcare unknown outside the mapped area: named, not scored as 0
    unknown = table.loc[table["Childcare (count)"].isna()]
    assert len(unknown) > 0
    assert unknown["Childcare (points)"].isna().all()
    assert unknown["No data for"].str.contains("Childcare").all()


def test_price_weight_puts_the_cheapest_first() -> None:
    at = _run({"m1": "car", "t1": "30"})
    for component in ("commute", "schools", "childcare", "transport"):
        at.slider(key=state.weight_key(component)).set_value(0)
    at.slider(key=state.weight_key("price")).set_value(5).run()
    table = _scores(at)
    cheapest = table["Municipal median (€)"].min()
    assert table["Municipal median (€)"].iloc[0] == cheapest
    assert table["Score"].iloc[0] == 100
    assert at.query_params["w_commute"] == "0" and at.query_params["w_price"] == "5"
    # every weight 0: a clear message instead of a score
    at.slider(key=state.weight_key("price")).set_value(0).run()
    assert not at.exception
    assert any("Every weight is 0" in w.value for w in at.warning)
    assert len(at.dataframe) == 1  # the results stay, the score table goes


def test_shortlist_from_explore_goes_into_the_link() -> None:
    at = _run({"m1": "car", "t1": "30"})
    places = load_layer("neighbourhoods")
    codes = places["code"].astype(str).tolist()[:2]
    at.multiselect(key=state.SHORTLIST).select(codes[0]).select(codes[1]).run()
    assert not at.exception
    assert at.query_params["short"] == ",".join(codes)
    assert any("Compare these 2" in str(link.proto.label) for link in at.get("page_link"))


def test_neighbourhoods_page_links_profiles_and_keeps_the_shortlist() -> None:
    at = _run({"short": "2406210,2406213"})
    at.switch_page("app_pages/neighbourhoods.py").run()
    assert not at.exception
    links = at.dataframe[0].value["Profile"]
    assert links.str.startswith("profile?").all() and links.str.contains("wijk=").all()
    assert links.str.contains("short=2406210%2C2406213").all()
    assert at.multiselect(key=state.SHORTLIST).value == ["2406210", "2406213"]
