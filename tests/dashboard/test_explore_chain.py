"""Explore's results table: the morning chain option and unknown values (AppTest, snapshot)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard import cache, state
from dashboard.app_pages import explore_view
from dashboard.i18n import t
from dashboard.layers import candidates as cand
from dashboard.layers import export
from geodata.io import load_layer

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def _run(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


def _results(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value.set_index(t("col_name", "en"))


def test_chain_via_a_primary_school_joins_legs_and_total() -> None:
    at = _run({"m1": "bike", "t1": "25", "chain": "school"})
    table = _results(at)
    total = table[t("ik_col_chain_total", "en")]
    legs = table[t("ik_col_chain_to_stop", "en")] + table[t("ik_col_chain_to_work", "en")]
    via = table[t("ik_col_chain_via", "en")]
    fits = total.notna()
    assert 0 < fits.sum() < len(table)  # near the workplace a chain fits, not everywhere
    assert (total[fits] <= 25).all()
    # the total is both legs plus the fixed drop-off (rounding to 0.1 per leg)
    dropoff = (total[fits] - legs[fits]).round(1)
    assert dropoff.between(4.8, 5.2).all(), dropoff.describe()
    assert (via[~fits] == t("ik_chain_no_fit", "en")).all()
    assert (via[fits] != t("ik_chain_no_fit", "en")).all()
    # the ranking is unchanged by the chain: still by commute
    assert table[t("col_rank", "en")].tolist() == list(range(1, len(table) + 1))
    assert any("Morning chain for Person 1" in c.value for c in at.caption)
    assert at.query_params["chain"] == "school"


def test_train_commuter_gets_the_message_and_no_chain_columns() -> None:
    at = _run({"m1": "train_walk", "t1": "60", "chain": "childcare"})
    assert any("commutes by a mode with a timetable" in i.value for i in at.info)
    assert t("ik_col_chain_total", "en") not in _results(at).columns


def test_chain_off_adds_no_columns_and_the_export_keeps_empty_stops() -> None:
    at = _run({"m1": "bike", "t1": "25"})
    assert t("ik_col_chain_total", "en") not in _results(at).columns
    spec = state.CommuteSpec(50.8775, 4.7004, "bike", 25, "09:00", "")
    chain = cache.chain_columns(spec, "childcare")
    frame = load_layer("neighbourhoods").assign(rank=1)
    joined = frame.join(chain, on="code")
    table = cand.result_table(joined)
    columns = [c for c in table.columns if c.startswith("chain_")]
    assert columns == list(explore_view.CHAIN_COLUMNS)
    assert 0 < table["chain_minutes"].isna().sum() < len(table)
    assert (table.loc[table["chain_minutes"].isna(), "chain_stop"] == "").all()


# -- unknown values in the results table ---------------------------------------------------
def test_unknown_childcare_is_an_empty_cell_with_its_reason_in_table_and_csv() -> None:
    """Before: a grey "None" in the table.  Now an empty cell (the table's placeholder),
    the column help says why, the column stays numeric, and the CSV cell is empty."""
    at = _run({"m1": "car", "t1": "30"})
    frame = at.dataframe[0]
    assert frame.proto.HasField("placeholder") and frame.proto.placeholder == ""
    config = json.loads(frame.proto.columns)
    column = t("col_childcare_all", "en")
    assert config[column]["help"] == t("ik_help_childcare_empty", "en")
    table = _results(at)
    unknown = table[column].isna()
    assert 0 < unknown.sum() < len(table)
    assert pd.api.types.is_numeric_dtype(table[column])
    csv = pd.read_csv(io.BytesIO(export.to_csv_bytes(_ranking_for_export())), keep_default_na=False)
    assert (csv.loc[csv["childcare_coverage"] == "none", "n_childcare_match"] == "").all()


def test_neighbourhoods_page_shows_unknown_childcare_empty() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("app_pages/neighbourhoods.py").run()
    assert not at.exception, at.exception
    frame = at.dataframe[0]
    assert frame.proto.HasField("placeholder") and frame.proto.placeholder == ""
    help_text = json.loads(frame.proto.columns)[t("col_childcare", "en")]["help"]
    assert help_text == t("ik_help_childcare_empty", "en")


def _ranking_for_export() -> gpd.GeoDataFrame:
    """A ranking of every neighbourhood (10 minutes for all) on the real layers."""
    places = load_layer("neighbourhoods")
    commute = pd.DataFrame(
        {"minutes_1": 10.0, "p10_1": 10.0, "p90_1": 10.0, "estimated_1": False, "method_1": "x"},
        index=places.index,
    )
    return cand.rank_candidates(
        places,
        commute,
        load_layer("schools"),
        load_layer("international_schools"),
        load_layer("childcare"),
        cand.PlaceFilters(),
    )
