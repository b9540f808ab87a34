"""AppTest on damaged copies of the snapshot: every page runs without an exception, and a
page that reads the damaged file shows a message naming it, as text.

The app is pointed at a linked copy of the snapshot (``LEUVEN_ATLAS_DATA_DIR``) in which
one file is damaged (see :mod:`tests.geodata.faults`); every Streamlit cache is cleared
before and after each test, so no result of another folder is served or kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geodata.catalog import DATA_DIR_ENV
from tests.geodata import faults

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = ("explore", "neighbourhoods", "planner", "sources")

#: Damaged file -> fault, and the pages that read that file (and so must name it).
DAMAGES: dict[tuple[str, str], set[str]] = {
    ("stations.parquet", "garbage"): {"explore"},
    ("workplaces.parquet", "zero_byte"): {"explore"},
    # the planner's catchments start from the neighbourhoods too
    ("neighbourhoods.parquet", "missing_column"): {"explore", "neighbourhoods", "planner"},
    ("schools.parquet", "truncated"): {"explore"},
    ("childcare.parquet", "missing_column"): {"explore"},
    # only a map layer of Explore reads it: named there, the ranking goes on
    ("adult_education.parquet", "garbage"): {"explore"},
    ("graphs/bike.npz", "nan_time"): {"explore"},
    ("graphs/bike.npz", "truncated"): {"explore"},
    ("stations.manifest.json", "wrong_shape"): {"sources"},
    ("graphs/walk.manifest.json", "garbage"): {"sources"},
}
CASES = [(rel, fault, page) for (rel, fault) in DAMAGES for page in PAGES]


@pytest.fixture(autouse=True)
def clean_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="module", autouse=True)
def snapshot_unchanged() -> Iterator[None]:
    before = faults.digests()
    yield
    assert faults.digests() == before


def _plain(markdown: str) -> str:
    """The text a reader sees: Markdown backslash escapes undone, word joiners (U+2060,
    which some escaping puts after ``.`` and ``:`` so no link forms) dropped."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


@pytest.mark.parametrize(("rel", "fault", "page"), CASES, ids=[f"{p}-{r}-{f}" for r, f, p in CASES])
def test_page_on_a_damaged_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rel: str, fault: str, page: str
) -> None:
    bad = faults.damage(faults.linked_copy(tmp_path), rel, fault)
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120)
    if page != "explore":
        at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # An error box, or a warning where the page carries on without the file (workplaces:
    # the station presets still work).
    shown = [_plain(box.value) for box in (*at.error, *at.warning)]
    if page in DAMAGES[(rel, fault)]:
        assert any(str(bad) in text for text in shown), shown
    else:
        assert not any(str(bad) in text for text in shown), shown


#: Columns the intake pages read that the ETL's own stages do not: a file without one
#: must be a message naming the file and the column on the Compare page (was a KeyError).
INTAKE_COLUMNS = [
    ("neighbourhoods.parquet", "population"),
    ("neighbourhoods.parquet", "price_year"),
    ("housing_prices.parquet", "median_price_eur"),
]


@pytest.mark.parametrize(("rel", "column"), INTAKE_COLUMNS)
def test_compare_page_names_a_file_without_a_column_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rel: str, column: str
) -> None:
    folder = faults.linked_copy(tmp_path)
    target = folder / rel
    target.unlink()  # drop the link first: never write through it
    table = pq.read_table(faults.SNAPSHOT / rel)
    pq.write_table(table.drop_columns([column]), target)
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["short"] = "2406219,240629"
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [_plain(box.value) for box in at.error]
    assert any(str(target) in text and column in text for text in shown), shown


def test_a_damaged_optional_layer_leaves_the_ranking_on_explore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The adult-education centres only feed a map layer: without them Explore still
    ranks (the commute call leaves the optional layer out) and names the file once."""
    bad = faults.damage(faults.linked_copy(tmp_path), "adult_education.parquet", "garbage")
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    named = [w for w in at.warning if str(bad) in _plain(w.value)]
    assert len(named) == 1
    assert len(at.dataframe[0].value) > 0  # the results table
