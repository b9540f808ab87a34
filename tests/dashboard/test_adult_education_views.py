"""Adult-education centres (issue 10, item 7) on the Profile page and the Explore map.

On the committed snapshot: the profile model's nearest centres with minutes from home and
from each workplace, the caveat that the official list names no courses, and the
manifest's source, date and licence; on Explore an optional map layer, off by default.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cache, maps
from dashboard.i18n import t
from dashboard.layers import profile as prof
from dashboard.state import CommuteSpec
from geodata.io import load_layer, load_manifest
from tests.dashboard.test_app import _map_js, _shown
from tests.dashboard.test_maps import _explore_layers

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
#: A centre name that would be live markup if not escaped (hand-made).
PAYLOAD = "<img src=x onerror=alert(7)>"
CODE = "2406219"  # Heverlee Centrum, Leuven
#: Person 1 near Leuven station by bike, person 2 in Brussels by car (as the link gives them).
PARAMS = {"w1": "50.87750,4.70040", "m1": "bike", "w2": "50.84550,4.35710", "m2": "car"}
SPECS = (
    CommuteSpec(50.8775, 4.7004, "bike", 30, "09:00", ""),
    CommuteSpec(50.8455, 4.3571, "car", 30, "09:00", ""),
)


def _profile_page(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"wijk": CODE, **params})
    at.switch_page("app_pages/profile.py").run()
    assert not at.exception, at.exception
    return at


def _centres_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if t("report_col_from_home", "en") in d.value)


def test_profile_page_lists_the_nearest_centres_with_times_and_the_caveat() -> None:
    at = _profile_page(PARAMS)
    model = prof.neighbourhood_profile(CODE, SPECS, lang="en", engine=cache.engine())
    centres = model.adult_education
    assert len(centres) == prof.ADULT_EDUCATION_COUNT
    title = t("report_adult_title", "en", n=len(centres))
    assert title in [h.value for h in at.subheader]
    table = _centres_table(at)
    assert table[t("ik_name", "en")].tolist() == [c.place.name for c in centres]
    work = [t("report_col_from_work", "en", n=n) for n in (1, 2)]
    assert set(work) <= set(table.columns)
    # minutes from home by bike, as the model gives them (nearest first, within the search)
    for cell, centre in zip(table[t("report_col_from_home", "en")], centres, strict=True):
        bike = centre.place.minutes["bike"]
        expected = "–" if bike is None else t("ik_minutes", "en", m=round(bike))
        assert f"{t('mode_bike', 'en')} {expected}" in cell
    # Brussels by car: the person-2 column gives car minutes for every centre
    assert table[work[1]].str.contains(t("mode_car", "en") + " ").all()
    captions = "\n".join(_shown(c.value) for c in at.caption)
    assert t("report_adult_note", "en") in captions
    manifest = load_manifest("adult_education")
    for fact in (manifest.source, manifest.data_date, manifest.licence):
        assert fact in captions, fact


def test_profile_page_centres_in_french() -> None:
    at = _profile_page({**PARAMS, "lang": "fr"})
    table = next(d.value for d in at.dataframe if t("report_col_from_home", "fr") in d.value)
    kinds = {t(f"report_adult_kind_{k}", "fr") for k in ("cvo", "basiseducatie")}
    assert set(table[t("field_type", "fr")]) <= kinds


def test_explore_map_has_an_adult_education_layer_off_by_default() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"m1": "bike", "t1": "20"})
    at.run()
    assert not at.exception, at.exception
    js = _map_js(at)
    year = load_manifest("adult_education").data_date[:4]
    name = t("ik_layer_adult_education", "en", year=year)
    assert f'"{name}"' in js  # the layer control's entry
    centres = load_layer("adult_education")
    for centre in centres["name"]:
        assert json.dumps(str(centre))[1:-1] in js, centre
    assert json.dumps(load_manifest("adult_education").source)[1:-1] in js


@pytest.fixture(scope="module")
def shown_layers() -> maps.ExploreLayers:
    names = ("neighbourhoods", "schools", "international_schools", "childcare")
    frames = {n: load_layer(n) for n in (*names, "stations", "bus_stops")}
    return _explore_layers(frames, 20)


def test_adult_education_layer_is_hidden_until_chosen_and_escaped(
    shown_layers: maps.ExploreLayers,
) -> None:
    centres = load_layer("adult_education").assign(source="Onderwijs Vlaanderen")
    centres.loc[centres.index[0], "name"] = PAYLOAD
    parts = maps.explore_map_parts(
        replace(shown_layers, adult_education=centres), colour_by="commute", lang="nl"
    )
    groups = {g.layer_name: g for g in parts.overlays}
    year = load_manifest("adult_education").data_date[:4]
    name = t("ik_layer_adult_education", "nl", year=year)
    (group,) = [g for n, g in groups.items() if n.startswith(name.split(":")[0])]
    assert group.show is False
    page = maps.explore_map(
        replace(shown_layers, adult_education=centres), colour_by="commute", lang="nl"
    )
    html = page.get_root().render()
    assert PAYLOAD not in html  # escaped, never live markup
    # without the layer (a page that gives none) nothing is drawn for it
    plain = maps.explore_map_parts(shown_layers, colour_by="commute", lang="nl")
    assert not [g for g in plain.overlays if g.layer_name.startswith(name.split(":")[0])]
