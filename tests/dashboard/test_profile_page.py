"""Profile page on the committed snapshot (AppTest): sections, chain, allocation, links."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import maps, state
from dashboard.layers import allocation
from dashboard.layers import profile as prof
from geodata.io import load_layer, load_manifest
from tests.dashboard.test_escaping import HOSTILE

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PROFILE = "app_pages/profile.py"


@pytest.fixture(scope="module")
def leuven_code() -> str:
    """A real neighbourhood of Leuven (in the childcare-mapped area)."""
    layer = load_layer("neighbourhoods")
    mapped = layer.loc[
        (layer["municipality"] == "Leuven") & (layer["childcare_coverage"] != "none")
    ]
    return str(mapped.iloc[0]["code"])


def _profile(params: dict[str, str]) -> AppTest:
    """Open a link to the Profile page (its first run is on that page)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.switch_page(PROFILE).run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(parts + [i.value for i in at.info] + [w.value for w in at.warning])


def test_profile_from_the_link_shows_every_section(leuven_code: str) -> None:
    at = _profile({"wijk": leuven_code, "m1": "bike", "t1": "20"})
    name = load_layer("neighbourhoods").set_index("code").loc[leuven_code, "name"]
    assert at.header[0].value.replace("\\", "") == name
    headings = [h.value for h in at.subheader]
    for expected in ("Commute by every mode", "Schools within reach", "Nearest railway station"):
        assert expected in headings
    assert any(h.startswith("Median prices in Leuven") for h in headings)
    assert "Primary school places: distance counts" in headings
    # the commute table: one row per mode, the chosen one starred, bike within 20 min
    commute = at.dataframe[0].value
    chosen = commute.loc[commute["Mode"].str.endswith("★")]
    assert chosen["Mode"].tolist() == ["Bike ★"]
    assert chosen["Within 20 min"].tolist() == [True]
    assert at.query_params["wijk"] == leuven_code


def test_allocation_hint_is_sourced_and_gives_distances(leuven_code: str) -> None:
    at = _profile({"wijk": leuven_code})
    text = _text(at)
    assert allocation.RULE_SOURCE_URL in text and allocation.REGISTRATION_URL in text
    assert "chance" in text  # says that no chance is given
    tables = [d.value for d in at.dataframe]
    hint = next(t for t in tables if "From the neighbourhood (m)" in t.columns)
    assert "From Person 1's work (m)" in hint.columns
    assert hint["From the neighbourhood (m)"].is_monotonic_increasing
    assert (hint["From the neighbourhood (m)"] <= allocation.NEAR_M).all()


def test_morning_chain_via_a_primary_school(leuven_code: str) -> None:
    at = _profile({"wijk": leuven_code, "m1": "bike", "t1": "30", "chain": "school"})
    chain = next(d.value for d in at.dataframe if "Total" in d.value.index)
    minutes = {k: float(v.removesuffix(" min")) for k, v in chain.iloc[:, 0].items()}
    legs = [v for k, v in minutes.items() if k != "Total"]
    assert abs(sum(legs) - minutes["Total"]) <= 2  # whole minutes, rounded separately
    assert minutes["Total"] <= 30
    assert at.selectbox(key=state.CHAIN_STOP).value == "school"
    assert at.query_params["chain"] == "school"


def test_morning_chain_needs_a_street_mode(leuven_code: str) -> None:
    at = _profile({"wijk": leuven_code, "m1": "train_walk", "chain": "childcare"})
    assert "the chain is computed for" in _text(at)


def test_morning_chain_that_does_not_fit_says_so(leuven_code: str) -> None:
    at = _profile({"wijk": leuven_code, "m1": "walk", "t1": "5", "chain": "school"})
    assert "No chain via a primary school fits" in _text(at)


def test_unknown_and_malformed_wijk_codes_are_named(leuven_code: str) -> None:
    unknown = _profile({"wijk": "99999"})
    assert "'99999' in the link ('wijk') is not a neighbourhood code" in _text(unknown)
    assert any("Choose a neighbourhood" in i.value for i in unknown.info)
    assert "wijk" not in unknown.query_params
    malformed = _profile({"wijk": "<b>x</b>"})
    assert "could not be read and was cleared" in _text(malformed)
    assert not malformed.header


def test_add_to_shortlist_from_the_profile(leuven_code: str) -> None:
    at = _profile({"wijk": leuven_code})
    at.button(key=state.PROFILE_SHORTLIST_ADD).click().run()
    assert not at.exception
    assert at.query_params["short"] == leuven_code


def test_profile_in_dutch(leuven_code: str) -> None:
    at = _profile({"wijk": leuven_code, "lang": "nl"})
    assert at.title[0].value == "Wijkprofiel"
    assert "Scholen binnen bereik" in [h.value for h in at.subheader]


def test_profile_link_carries_the_view_and_the_code() -> None:
    s = state.ExploreState(mode_1="car", shortlist=("2406210", "2406213"), weight_price=4)
    link = state.profile_link(s, "21018_92")
    parts = urlsplit(link)
    assert parts.path == state.PROFILE_PATH
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    assert state.ExploreState.from_query(query) == state.ExploreState(
        mode_1="car", shortlist=("2406210", "2406213"), weight_price=4, profile_wijk="21018_92"
    )


@pytest.mark.parametrize("payload", HOSTILE[:4])
def test_popup_profile_link_escapes_its_parts(payload: str) -> None:
    anchor = maps.profile_anchor('profile?wijk=1"><script>', payload)
    assert anchor.count("<a ") == 1 and "<script>" not in anchor
    assert html.unescape(anchor.split(">", 1)[1].rsplit("<", 1)[0]) == payload


def test_explore_map_popups_link_to_profiles() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    args = next(
        json.loads(str(c.proto.json_args))
        for c in at.get("component_instance")
        if "L.map(" in str(c.proto.json_args)
    )
    overlays = args["feature_group"]
    assert "profile_link" in overlays and "/profile?wijk=" in overlays.replace("\\u0026", "&")
    # the results table links each row to its profile
    links = at.dataframe[0].value["Profile"]
    assert links.str.startswith("profile?").all()


def test_population_note_and_years_from_the_manifests() -> None:
    """Wijgmaal: no wijk population; the page says why, and dates both figures."""
    code = "240621"
    at = _profile({"wijk": code})
    note = str(load_layer("neighbourhoods").set_index("code").loc[code, "population_note"])
    shown = _text(at).replace("\\", "")  # the note is Markdown-escaped data text
    assert note and f"Why the neighbourhood's population is unknown: {note}" in shown
    sector = load_manifest("sector_population").data_date[:4]
    municipal = load_manifest("population").data_date[:4]
    labels = [str(i) for d in at.dataframe for i in d.value.index]
    assert f"Population of the neighbourhood ({sector})" in labels
    assert f"Population of the municipality ({municipal})" in labels


@pytest.mark.parametrize("whole", [True, False])
def test_childcare_lower_bound_is_worded_by_the_mapped_share(whole: bool) -> None:
    """'partial' is OSM data (a lower bound); 'part of the area' only when share < 1."""
    layer = load_layer("neighbourhoods")
    # In Leuven: the mapped zone is there (both cases occur)
    partial = layer.loc[
        (layer["childcare_coverage"] == "partial") & (layer["municipality"] == "Leuven")
    ]
    chosen = partial.loc[(partial["childcare_mapped_share"] >= 1) == whole].iloc[0]
    text = _text(_profile({"wijk": str(chosen["code"])}))
    assert ("the whole area lies in the mapped zone" in text) is whole
    assert ("covers part of this area only" in text) is not whole
    if not whole:
        assert f"{round(float(chosen['childcare_mapped_share']) * 100)}%" in text


def test_a_rerun_does_not_profile_again(leuven_code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The profile is cached per question: a widget rerun asks the engine nothing new."""
    calls: list[str] = []
    real = prof.neighbourhood_profile

    def counted(code: str, *args: Any, **kwargs: Any) -> prof.Profile:
        calls.append(code)
        return real(code, *args, **kwargs)

    monkeypatch.setattr(prof, "neighbourhood_profile", counted)
    at = _profile({"wijk": leuven_code, "m1": "walk", "t1": "17"})
    first = len(calls)
    at.run()
    assert not at.exception
    assert len(calls) == first
