"""Compare page and shortlist on the committed snapshot (AppTest), and their bad inputs."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import maps, state
from dashboard.layers import score
from geodata.io import load_layer

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
COMPARE = "app_pages/compare.py"


@pytest.fixture(scope="module")
def places() -> dict[str, str]:
    """Code -> name of three real neighbourhoods: two in Leuven, one in Bonheiden."""
    layer = load_layer("neighbourhoods")
    leuven = layer.loc[layer["municipality"] == "Leuven"]
    other = layer.loc[layer["municipality"] == "Bonheiden"]
    rows = [leuven.iloc[1], leuven.iloc[4], other.iloc[0]]
    return {str(r["code"]): str(r["name"]) for r in rows}


def _compare(params: dict[str, str]) -> AppTest:
    """Open a link to the Compare page (its first run is on that page)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.switch_page(COMPARE).run()
    assert not at.exception, at.exception
    return at


def _warnings(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)


def test_shortlist_from_the_link_is_compared_side_by_side(places: dict[str, str]) -> None:
    codes = list(places)
    at = _compare({"short": ",".join(codes)})
    table = at.dataframe[0].value
    assert list(table.columns) == list(places.values())  # shortlist order
    assert "Score" in table.index and "Price (points)" in table.index
    assert table.loc["Municipality"].tolist() == ["Leuven", "Leuven", "Bonheiden"]
    # one small map per neighbourhood, each holding that neighbourhood only
    scripts = [str(c.proto.json_args) for c in at.get("component_instance")]
    maps = [s for s in scripts if "L.map(" in s]
    assert len(maps) == 3
    for code, script in zip(codes, maps, strict=True):
        assert json.dumps(places[code])[1:-1] in script
    # the price trend of the two municipalities, 2010-2024
    assert any("price" in h.value.lower() for h in at.subheader)
    # the shortlist survives a URL round trip
    assert at.query_params["short"] == ",".join(codes)
    again = _compare({"short": at.query_params["short"]})
    assert list(again.dataframe[0].value.columns) == list(places.values())


def test_unknown_code_is_named_and_dropped(places: dict[str, str]) -> None:
    codes = list(places)[:2]
    at = _compare({"short": ",".join([codes[0], "99999X", codes[1]])})
    assert "'99999X' in the link ('short') is not a neighbourhood code" in _warnings(at)
    assert list(at.dataframe[0].value.columns) == [places[c] for c in codes]
    assert at.query_params["short"] == ",".join(codes)


def test_more_than_four_are_cut_with_a_message() -> None:
    layer = load_layer("neighbourhoods")
    codes = layer["code"].astype(str).tolist()[:6]
    at = _compare({"short": ",".join(codes)})
    assert "at most 4 neighbourhoods" in _warnings(at)
    assert ",".join(codes[4:]) in _warnings(at).replace("\\", "")
    assert len(at.dataframe[0].value.columns) == 4
    assert at.multiselect(key=state.SHORTLIST).value == codes[:4]


def test_malformed_shortlist_is_cleared_with_a_message() -> None:
    at = _compare({"short": "[x](https://evil.example)"})
    warning = _warnings(at)
    assert "could not be read and was cleared" in warning
    assert "](" not in warning.replace("\\]\\(", "")  # shown as text, not a link
    assert any("at least 2" in i.value for i in at.info)
    assert "short" not in at.query_params


def test_fewer_than_two_asks_for_more(places: dict[str, str]) -> None:
    at = _compare({"short": next(iter(places))})
    assert any("Pick at least 2" in i.value for i in at.info)
    assert not at.dataframe


def test_all_weights_zero_gives_a_clear_message(places: dict[str, str]) -> None:
    zero = dict.fromkeys(state.WEIGHT_URL_NAMES.values(), "0")
    at = _compare({"short": ",".join(places), **zero})
    assert "Every weight is 0" in _warnings(at)
    assert not at.dataframe


def test_price_weight_moves_the_cheaper_one_up(places: dict[str, str]) -> None:
    """Bonheiden's median house price is above Leuven's in the snapshot: more weight on
    price lowers its score against the Leuven neighbourhoods."""
    layer = load_layer("neighbourhoods").set_index("code")
    codes = list(places)
    prices = layer.loc[codes, "median_house_price_muni"]
    assert prices.iloc[2] > prices.iloc[0] == prices.iloc[1]  # the premise, on real data
    at = _compare({"short": ",".join(codes), "w_price": "0"})
    before = at.dataframe[0].value.loc["Score"].astype(float)
    at.slider(key=state.weight_key("price")).set_value(score.WEIGHT_RANGE[1]).run()
    after = at.dataframe[0].value.loc["Score"].astype(float)
    assert (after.iloc[:2] > before.iloc[:2]).all()  # cheapest: price part 100
    assert after.iloc[2] < before.iloc[2]  # dearest: price part 0
    assert at.query_params["w_price"] == str(score.WEIGHT_RANGE[1])


def test_compare_page_in_french(places: dict[str, str]) -> None:
    at = _compare({"short": ",".join(places), "lang": "fr"})
    assert at.title[0].value == "Comparer"
    assert "Commune" in at.dataframe[0].value.index


def test_morning_chain_for_each_compared_neighbourhood(places: dict[str, str]) -> None:
    at = _compare({"short": ",".join(places), "m1": "bike", "t1": "25", "chain": "school"})
    chain = next(d.value for d in at.dataframe if "Total" in d.value.columns)
    assert list(chain.index) == list(places.values())
    leuven = chain.iloc[:2]
    assert leuven["Total"].str.endswith(" min").all()  # near the station: a chain fits
    totals = leuven["Total"].str.removesuffix(" min").astype(int)
    assert (totals <= 25).all()
    assert chain.iloc[2]["Via"] == "no chain within the limit"  # Bonheiden, 25 min by bike
    assert at.query_params["chain"] == "school"


@pytest.mark.parametrize("payload", ["</script><script>alert(2)</script>", "Herberg `t ${x}"])
def test_small_map_escapes_names_and_fits_the_neighbourhood(payload: str) -> None:
    layer = load_layer("neighbourhoods")
    place = layer.iloc[[0]].copy()
    place["name"] = payload  # a hostile name (hand-made, not in the data)
    fmap = maps.neighbourhood_map(
        place,
        layer_name=payload,
        name_alias="Name",
        workplaces=((payload, 50.88228, 4.71587),),
        workplace_layer_name="Workplaces",
    )
    page = fmap.get_root().render()
    assert "<script>alert(2)" not in page
    # the tooltip writes the name with innerHTML: it travels HTML-escaped in the data
    escaped = json.dumps(html.escape(payload, quote=True)).replace("&", "\\u0026")[1:-1]
    assert escaped in page
    west, south, east, north = (float(v) for v in place.total_bounds)
    assert json.dumps([[south, west], [north, east]]) in page  # the view: this place only
