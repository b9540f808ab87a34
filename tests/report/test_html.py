"""The print view (HTML) and the PDF with hostile third-party names (hand-made copies).

The names come from public registers and OpenStreetMap; a report must show them as text.
The hostile report is the real one with two names replaced: the wijk's and a school's.
"""

from __future__ import annotations

import dataclasses
import io
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from dashboard.i18n import t
from dashboard.report.html import html_document
from dashboard.report.model import Report
from dashboard.report.pdf import pdf_bytes

#: The ``$...$`` comes first so that the map's shortened label keeps it: matplotlib
#: would read it as a formula (and fail on the unknown command) without parse_math=False.
HOSTILE_WIJK = '$\\nosuchcommand$ <script>alert("wijk")</script> & Ridder'
HOSTILE_SCHOOL = "\"><img src=x onerror=alert('school')> <b>bold</b> & co"


def _hostile(report: Report) -> Report:
    first = report.profiles[0]
    level = next(level for level in first.schools if level.schools)
    school = dataclasses.replace(level.schools[0], name=HOSTILE_SCHOOL)
    levels = tuple(
        dataclasses.replace(item, schools=(school, *item.schools[1:])) if item is level else item
        for item in first.schools
    )
    hostile = dataclasses.replace(first, name=HOSTILE_WIJK, schools=levels)
    return dataclasses.replace(report, profiles=(hostile, *report.profiles[1:]))


class _Tags(HTMLParser):
    """Collect every tag and attribute the browser would see."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def hostile(report_en: Report) -> Report:
    return _hostile(report_en)


def test_html_shows_hostile_names_as_text(hostile: Report) -> None:
    page = html_document(hostile)
    parsed = _Tags()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert "b" not in parsed.tags  # the school's <b> stays text
    assert parsed.tags.count("img") == 2  # the map and the price chart, nothing else
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    text = "".join(parsed.text)
    assert HOSTILE_WIJK in text
    assert HOSTILE_SCHOOL in text


def test_html_is_inert_and_self_contained(report_en: Report) -> None:
    page = html_document(report_en)
    parsed = _Tags()
    parsed.feed(page)
    assert "script" not in parsed.tags
    sources = [value or "" for name, value in parsed.attributes if name in ("src", "href")]
    assert sources and all(value.startswith("data:image/png;base64,") for value in sources)
    assert "default-src 'none'" in page
    assert f'<html lang="{report_en.lang}">' in page
    for profile in report_en.profiles:
        assert profile.code in page


def test_pdf_shows_hostile_names_as_text(hostile: Report) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes(hostile)))
    text = re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))
    assert re.sub(r"\s+", "", HOSTILE_WIJK) in text
    assert re.sub(r"\s+", "", HOSTILE_SCHOOL) in text


def test_html_says_what_the_pdf_says(report_en: Report) -> None:
    page = html_document(report_en)
    for key in ("report_title", "report_client", "report_sources_title", "report_estimated_note"):
        assert t(key, "en").replace("'", "&#x27;") in page
