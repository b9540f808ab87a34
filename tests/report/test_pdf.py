"""The intake report PDF, generated here and read back through its text (pypdf)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from dashboard.i18n import t
from dashboard.layers import profile as pf
from dashboard.report.content import Heading, Table, report_blocks
from dashboard.report.model import Report, build_report
from dashboard.report.pdf import pdf_bytes
from tests.report.cases import SHORTLIST, request


def _pages(pdf: bytes, report: Report) -> list[str]:
    """Each page's text without its footer, runs of whitespace made one space.

    Every page must carry the footer (title, date, page number): it is checked and cut.
    """
    out = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        text = " ".join((page.extract_text() or "").split())
        title = t("report_title", report.lang)
        footer = f"{title} · {report.generated} {t('report_page', report.lang, n=number)}"
        assert text.startswith(footer), f"page {number} lacks its footer"
        out.append(text.removeprefix(footer).strip())
    return out


@pytest.fixture(scope="module")
def pages(report_en: Report) -> list[str]:
    return _pages(pdf_bytes(report_en), report_en)


def _profile_starts(pages: list[str], report: Report) -> list[int]:
    """The page on which each profile starts, in shortlist order."""
    found = []
    for number, profile in enumerate(report.profiles, start=1):
        heading = f"{number}. {profile.name} ({profile.code})"
        found.append(next(i for i, text in enumerate(pages) if text.startswith(heading)))
    assert found == sorted(found), "profiles appear in shortlist order"
    return found


def _profile_pages(pages: list[str], report: Report) -> list[str]:
    """Each profile's text: from its first page to the page before the next section."""
    starts = _profile_starts(pages, report)
    heading = t("report_sources_title", report.lang)
    sources = next(i for i, text in enumerate(pages) if text.startswith(heading))
    ends = [*starts[1:], sources]
    return [" ".join(pages[a:b]) for a, b in zip(starts, ends, strict=True)]


def test_one_page_per_profile_after_the_summary(report_en: Report, pages: list[str]) -> None:
    starts = _profile_starts(pages, report_en)
    assert len(starts) == len(SHORTLIST)
    # summary (and map) first, then every profile from a new page, then the sources
    assert len(pages) >= 1 + len(SHORTLIST) + 1
    assert pages[0].startswith(t("report_title", "en"))
    sources = [
        i for i, text in enumerate(pages) if text.startswith(t("report_sources_title", "en"))
    ]
    assert len(sources) == 1 and sources[0] > starts[-1]


def _squeezed(text: str) -> str:
    """Text without any whitespace: a narrow cell may wrap a name inside a word."""
    return re.sub(r"\s+", "", text)


def test_every_wijk_name_is_in_the_summary_and_the_profiles(
    report_en: Report, pages: list[str]
) -> None:
    for number, profile in enumerate(report_en.profiles, start=1):
        assert _squeezed(f"{number}. {profile.name} ({profile.code})") in _squeezed(pages[0])
        assert profile.municipality in pages[0]


def _chosen_text(person: pf.PersonCommute) -> str:
    own = person.chosen
    assert own.minutes is not None
    return f"{round(own.minutes)}{'*' if own.estimated else ''} (chosen)"


def test_minutes_are_the_profiles(report_en: Report, pages: list[str]) -> None:
    for page, profile in zip(_profile_pages(pages, report_en), report_en.profiles, strict=True):
        for person in profile.commutes:
            assert _chosen_text(person) in page
        car = profile.commutes[0].by_mode("car")
        assert car.minutes is not None
        assert re.search(rf"\bCar {round(car.minutes)}\*?(?!\d)", page)


def test_minutes_beyond_the_limit_are_said_so_in_the_summary(report_en: Report) -> None:
    wijgmaal = report_en.profiles[SHORTLIST.index("240621")]
    own = wijgmaal.commutes[0].chosen
    assert own.within_limit is False, "the case needs a commute beyond the limit"
    summary = next(b for b in report_blocks(report_en) if isinstance(b, Table))
    row = next(r for r in summary.rows if r[0].endswith("(240621)"))
    assert row[2] == f"{round(own.minutes or 0)} ({t('report_beyond_limit', 'en')})"


def test_estimates_are_flagged(report_en: Report, pages: list[str]) -> None:
    herent = report_en.profiles[SHORTLIST.index("24038A2N")]
    own = herent.commutes[0].chosen
    assert own.estimated, "Herent lies outside the detailed network: its times are estimated"
    page = _profile_pages(pages, report_en)[SHORTLIST.index("24038A2N")]
    assert f"{round(own.minutes or 0)}* (chosen)" in page
    assert t("report_estimated_note", "en")[:40] in page


def test_unknown_childcare_is_not_zero(report_en: Report, pages: list[str]) -> None:
    page = _profile_pages(pages, report_en)[SHORTLIST.index("240621")]
    assert report_en.profiles[SHORTLIST.index("240621")].childcare.count is None
    assert t("report_childcare_none", "en") in page


def test_sources_and_dates_of_every_figure_are_printed(report_en: Report, pages: list[str]) -> None:
    text = " ".join(pages)
    layers = {name for names in pf.SECTION_LAYERS.values() for name in names}
    assert {s.layer for s in report_en.sources} == layers
    for source in report_en.sources:
        assert source.source in text, source.layer
        assert source.data_date in text, source.layer
        assert source.title in text, source.layer


def test_score_components_are_printed(report_en: Report, pages: list[str]) -> None:
    assert report_en.score is not None
    assert t("report_score_title", "en") in " ".join(pages[:3])
    for row in report_en.score:
        if row.score is not None:
            assert f"{row.score * 100:.0f}" in pages[0]


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_language_switches_every_text(lang: str) -> None:
    report = build_report(request(lang, SHORTLIST[:1]))
    pages = _pages(pdf_bytes(report), report)
    text = " ".join(pages)
    assert pages[0].startswith(t("report_title", lang))
    assert t("report_title", "en") not in text
    headings = [b.text for b in report_blocks(report) if isinstance(b, Heading)]
    assert t("report_sources_title", lang) in headings
    assert t("report_commute_title", lang) in text
    assert t("report_commute_title", "en") not in text


def test_adult_education_centres_are_listed_with_the_courses_caveat(
    report_en: Report, pages: list[str]
) -> None:
    for page, profile in zip(_profile_pages(pages, report_en), report_en.profiles, strict=True):
        assert profile.adult_education, "the region has adult-education centres"
        assert t("report_adult_note", "en") in page
        squeezed = _squeezed(page)
        for centre in profile.adult_education:
            assert _squeezed(centre.place.name) in squeezed
