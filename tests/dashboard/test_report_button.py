"""The one-click intake report on the Compare and Profile pages (AppTest, real snapshot).

The files the download buttons offer are the ones kept in the session
(:data:`dashboard.state.REPORT_FILES`); their text is read back with pypdf.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.report.download import ReportFiles
from geodata.io import load_layer

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")

#: Two Leuven neighbourhoods and one in Bonheiden (names from the snapshot).
SHORTLIST = ("2406219", "240629", "24011A0")


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    layer = load_layer("neighbourhoods").set_index("code")
    return {code: str(layer.loc[code, "name"]) for code in SHORTLIST}


def _open(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(params)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _downloads(at: AppTest) -> list[str]:
    return [str(b.proto.label) for b in at.get("download_button")]


def _pdf_text(files: ReportFiles) -> str:
    reader = PdfReader(io.BytesIO(files.pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_compare_report_is_built_on_click_and_names_the_shortlist(
    names: dict[str, str],
) -> None:
    at = _open("app_pages/compare.py", {"short": ",".join(SHORTLIST), "m1": "bike", "t1": "30"})
    # nothing is built before the click
    assert state.REPORT_FILES not in at.session_state
    assert _downloads(at) == []
    at.button(key=state.COMPARE_REPORT).click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    files = at.session_state[state.REPORT_FILES]
    assert files.pdf.startswith(b"%PDF")
    text = " ".join(_pdf_text(files).split())
    for name in names.values():
        assert " ".join(name.split()) in text, name
    html = files.html.decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert _downloads(at) == ["Download the PDF", "Download the print page (HTML)"]
    # another view (a different weight) is another report: the old files are not offered
    at.slider(key=state.weight_key("price")).set_value(5).run()
    assert _downloads(at) == []


def test_profile_report_for_one_neighbourhood_in_dutch(names: dict[str, str]) -> None:
    code = SHORTLIST[0]
    at = _open("app_pages/profile.py", {"wijk": code, "m1": "bike", "lang": "nl"})
    at.button(key=state.PROFILE_REPORT).click().run()
    assert not at.exception, at.exception
    files = at.session_state[state.REPORT_FILES]
    assert files.request.shortlist == (code,) and files.request.lang == "nl"
    text = " ".join(_pdf_text(files).split())
    assert names[code] in text and "Verhuisintake" in text
    assert _downloads(at) == ["PDF downloaden", "Afdrukpagina downloaden (HTML)"]


def test_refused_workplace_is_a_message_not_a_traceback() -> None:
    """A workplace beyond the engine's region: the profile shows no commute, and the
    report refuses it with the engine's reason, naming the person."""
    at = _open("app_pages/profile.py", {"wijk": SHORTLIST[0], "w1": "51.30000,3.20000"})
    at.button(key=state.PROFILE_REPORT).click().run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith("The report could not be prepared (Person 1)") for e in errors), errors
    assert state.REPORT_FILES not in at.session_state
    assert _downloads(at) == []
