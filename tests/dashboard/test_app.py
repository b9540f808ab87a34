"""AppTest: the app starts on the committed snapshot and lists every layer's source."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from geodata.io import load_manifests

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def test_app_runs_and_lists_sources() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Leuven Atlas"
    table = at.dataframe[0].value
    assert len(table) == len(load_manifests())
    assert any("OpenStreetMap contributors" in lic for lic in table["licence"])
    assert not at.error
