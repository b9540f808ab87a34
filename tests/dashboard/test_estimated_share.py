"""How much of a time is estimated: the engine's share in the ranking, Explore and Profile."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cache
from dashboard.app_pages.explore_view import estimated_text
from dashboard.engine.inputs import LatLon
from dashboard.i18n import t
from dashboard.layers import candidates as cand
from dashboard.layers import profile as prof
from dashboard.state import CommuteSpec
from geodata.io import load_layer

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
#: Near Leuven station (and as the link gives it).
WORK = LatLon(50.8775, 4.7004)
WORK_REF = "50.87750,4.70040"
SHARE = re.compile(r"^estimated: (<1|\d{1,3})%$")


def _columns(mode: str) -> pd.DataFrame:
    places = load_layer("neighbourhoods")
    return cand.commute_columns(cache.engine(), places, [cand.Commute(WORK, mode, 60.0)])


@pytest.mark.parametrize("mode", ["bike", "car"])
def test_street_modes_report_the_estimated_share(mode: str) -> None:
    out = _columns(mode)
    known = out["minutes_1"].notna()
    share = out.loc[known, "estimated_share_1"]
    assert share.between(0, 1).all()
    # the flag and the share agree, and both kinds occur on the real snapshot
    assert ((share > 0) == out.loc[known, "estimated_1"]).all()
    assert 0 < (share > 0).sum() < known.sum()
    assert out.loc[~known, "estimated_share_1"].isna().all()


def test_a_train_commute_has_no_share_column() -> None:
    assert "estimated_share_1" not in _columns("train_walk").columns


def test_estimated_text() -> None:
    assert estimated_text(False, 0.4, "en") == ""
    assert estimated_text(True, 0.356, "en") == "estimated: 36%"
    assert estimated_text(True, 1.0, "nl") == "geschat: 100%"
    assert estimated_text(True, 0.003, "en") == "estimated: <1%"  # never 0% when estimated
    assert estimated_text(True, np.nan, "fr") == "estimé"  # a mode that does not say


def test_explore_table_shows_the_share_next_to_estimated_times() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"w1": WORK_REF, "m1": "car", "t1": "30"})
    at.run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    column = t("ik_col_estimated_share", "en", n=1)
    assert column in table.columns
    flagged = table[t("col_estimated", "en")].astype(bool)
    texts = table[column]
    assert texts[flagged].map(lambda v: bool(SHARE.match(v))).all(), texts[flagged].head()
    assert (texts[~flagged] == "").all()
    # the words say the engine's share: checked against a recomputation
    places = load_layer("neighbourhoods")
    out = _columns("car").set_axis(places["name"].astype(str))
    out = out.loc[~out.index.duplicated(keep=False)]  # names that say which wijk
    sample = table.loc[flagged & table[t("col_name", "en")].isin(out.index)].head(8)
    assert len(sample) == 8
    for name, text in zip(sample[t("col_name", "en")], sample[column], strict=True):
        assert text == estimated_text(True, out.loc[name, "estimated_share_1"], "en"), name


def test_profile_commute_table_shows_the_share() -> None:
    """Herent-Godelinde (outside the detailed network's core): estimated street times."""
    code = "24038A2N"
    spec = CommuteSpec(WORK.lat, WORK.lon, "car", 30, "09:00", "")
    profile = prof.neighbourhood_profile(code, (spec,), lang="en", engine=cache.engine())
    car = profile.commutes[0].by_mode("car")
    assert car.estimated and car.estimated_share is not None and 0 < car.estimated_share <= 1
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"wijk": code, "w1": WORK_REF, "m1": "car", "t1": "30"})
    at.switch_page("app_pages/profile.py").run()
    assert not at.exception, at.exception
    commute = at.dataframe[0].value.set_index(t("mode", "en"))
    cell = commute.loc[t("mode_car", "en") + " ★", t("col_estimated", "en")]
    assert cell == "✱ " + estimated_text(True, car.estimated_share, "en")
