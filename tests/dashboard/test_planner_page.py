"""AppTest: the Planner page on the committed snapshot.

Every indicator renders; a longer time limit counts more facilities; missing values are
shown as missing with their reason; the municipality filter narrows the table; the
downloads are offered; a choice that is not offered is replaced and named.  The widgets
are session-only (no URL state), so the bad choice comes from the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import t
from geodata.io import load_layer, load_manifest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
INDICATORS = ("nearest", "count", "fca", "e2sfca")


@pytest.fixture(scope="module")
def page() -> Iterator[AppTest]:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("app_pages/planner.py").run()
    yield at


def _choose(at: AppTest, **values: object) -> AppTest:
    for name, value in values.items():
        at.selectbox(key=f"planner_{name}").set_value(value)
    at.multiselect(key="planner_municipalities").set_value([])
    return at.run()


def _all_rows(at: AppTest) -> pd.DataFrame:
    """The "all neighbourhoods shown" table (the last table of the page)."""
    frame: pd.DataFrame = at.dataframe[-1].value
    return frame


def _value_column(at: AppTest, indicator: str, threshold: int) -> str:
    limit = 30 if indicator == "e2sfca" else threshold
    return t(f"pl_value_{indicator}", "en", t=limit)


@pytest.mark.parametrize("indicator", INDICATORS)
def test_page_renders_each_indicator(page: AppTest, indicator: str) -> None:
    at = _choose(page, layer="primary_schools", mode="walk", threshold=10, indicator=indicator)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    rows = _all_rows(at)
    assert len(rows) == 427
    assert _value_column(at, indicator, 10) in rows.columns
    assert any(t("pl_method", "en") == e.label for e in at.expander)
    assert "L.map(" in "".join(str(c.proto.json_args) for c in at.get("component_instance"))


def test_a_longer_limit_counts_more(page: AppTest) -> None:
    at = _choose(page, layer="primary_schools", mode="bike", threshold=5, indicator="count")
    short = _all_rows(at)[_value_column(at, "count", 5)].astype(int)
    at = _choose(at, threshold=30)
    wide = _all_rows(at)[_value_column(at, "count", 30)].astype(int)
    assert (wide.to_numpy() >= short.to_numpy()).all()
    assert wide.sum() > short.sum()


def test_missing_values_are_shown_as_missing(page: AppTest) -> None:
    at = _choose(page, layer="childcare", mode="walk", threshold=15, indicator="nearest")
    values = _all_rows(at)[_value_column(at, "nearest", 15)]
    unknown = t("pl_unknown", "en") + " (" + t("pl_reason_unmapped", "en") + ")"
    places = load_layer("neighbourhoods")
    assert (values == unknown).sum() == int((places["childcare_coverage"] == "none").sum())
    assert not values.isin(["0", "0.0"]).any()
    # 2SFCA of stations: no capacity figures at all, said once and in every row
    at = _choose(at, layer="stations", indicator="fca")
    assert any(t("pl_no_capacity", "en") == box.value for box in at.info)
    values = _all_rows(at)[_value_column(at, "fca", 15)]
    assert set(values) == {t("pl_unknown", "en") + " (" + t("pl_reason_no_capacity", "en") + ")"}


def test_train_mode_marks_places_without_a_station(page: AppTest) -> None:
    at = _choose(
        page, layer="secondary_schools", mode="train_walk", threshold=30, indicator="count"
    )
    assert not at.exception, [e.value for e in at.exception]
    values = _all_rows(at)[_value_column(at, "count", 30)]
    no_station = t("pl_unknown", "en") + " (" + t("pl_reason_no_station", "en") + ")"
    train = load_manifest("accessibility").extra["train"]
    assert (values == no_station).sum() == 427 - train["neighbourhoods_with_station"]["train_walk"]
    # the methodology states the question the train rows answer, from the manifest
    method = next(e for e in at.expander if e.label == t("pl_method", "en"))
    texts = " ".join(m.value for m in method.markdown)
    assert train["arrive_by"] in texts and train["feed_date"] in texts


def test_municipality_filter_narrows_the_table(page: AppTest) -> None:
    at = _choose(page, layer="stations", mode="bike", threshold=15, indicator="nearest")
    at.multiselect(key="planner_municipalities").set_value(["Leuven", "Herent"]).run()
    rows = _all_rows(at)
    assert 0 < len(rows) < 427
    assert set(rows[t("pl_col_municipality", "en")]) == {"Leuven", "Herent"}
    worst = at.dataframe[0].value
    assert set(worst[t("pl_col_municipality", "en")]) <= {"Leuven", "Herent"}


def test_downloads_are_offered(page: AppTest) -> None:
    at = _choose(page, layer="primary_schools", mode="walk", threshold=15, indicator="nearest")
    keys = {b.key for b in at.get("download_button")}
    assert {"planner_download_csv", "planner_download_geojson", "planner_download_gpkg"} <= keys


def test_a_threshold_not_offered_is_replaced_and_named() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.session_state["planner_threshold"] = 7
    at.switch_page("app_pages/planner.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("7" in w.value and "15" in w.value for w in at.warning)
    assert _value_column(at, "nearest", 15) in _all_rows(at).columns
    assert at.selectbox(key="planner_threshold").value == 15


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_page_speaks_the_language(lang: str) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.selectbox(key="lang").set_value(lang).run()
    at.switch_page("app_pages/planner.py").run()
    assert not at.exception
    assert at.title[0].value == t("page_planner", lang)
    assert t("pl_col_population", lang) in _all_rows(at).columns


def test_a_municipality_not_offered_is_left_out_and_named() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.session_state["planner_municipalities"] = ["Leuven", "Atlantis"]
    at.switch_page("app_pages/planner.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Atlantis" in w.value for w in at.warning)
    assert set(_all_rows(at)[t("pl_col_municipality", "en")]) == {"Leuven"}


def test_classes_with_the_same_label_keep_their_own_bars() -> None:
    from dashboard.planner.maps import distinct_labels

    assert distinct_labels(["≤ 5", "≤ 5", "> 5", "≤ 5"]) == ["≤ 5", "≤ 5 (2)", "> 5", "≤ 5 (3)"]
