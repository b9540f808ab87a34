"""Report texts that depend on what the data says: verdicts and score problems, translated."""

from __future__ import annotations

import dataclasses
import html

import pytest

from dashboard.i18n import format_number, t
from dashboard.layers.score import Weights
from dashboard.report.html import html_document
from dashboard.report.model import Report, ReportRequest, build_report
from geodata.io import load_layer, load_manifest
from tests.report.cases import SHORTLIST, WORKPLACES


def _no_own_time(report: Report) -> Report:
    """The report with the first profile's own-mode time removed (no time: no verdict)."""
    first = report.profiles[0]
    person = first.commutes[0]
    times = tuple(
        dataclasses.replace(x, minutes=None, p10=None, p90=None, within_limit=None)
        if x.chosen
        else x
        for x in person.times
    )
    commutes = (dataclasses.replace(person, times=times), *first.commutes[1:])
    profiles = (dataclasses.replace(first, commutes=commutes), *report.profiles[1:])
    return dataclasses.replace(report, profiles=profiles)


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_an_own_mode_without_time_is_neither_within_nor_beyond(
    report_en: Report, lang: str
) -> None:
    report = _no_own_time(
        dataclasses.replace(report_en, request=dataclasses.replace(report_en.request, lang=lang))
    )
    page = html_document(report)
    within = t("report_col_within", lang).lower()
    cell = t("report_own_mode", lang, mode=t("report_no_time", lang))
    verdict = t("report_labelled", lang, label=within, value=t("report_unknown", lang))
    assert f"{cell} - {verdict}" in page
    refused = t("report_labelled", lang, label=within, value=t("report_no", lang))
    assert f"{cell} - {refused}" not in page


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_why_there_is_no_score_is_in_the_reports_language(lang: str) -> None:
    zero = Weights(commute=0, schools=0, childcare=0, transport=0, price=0)
    report = build_report(ReportRequest(WORKPLACES[:1], SHORTLIST[:1], lang, zero))
    assert report.score is None
    page = html_document(report)
    assert t("report_score_all_zero", lang) in page
    assert "every weight is zero" not in page


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_population_note_and_years_from_the_manifests(report_en: Report, lang: str) -> None:
    """Wijgmaal (in the test shortlist) has no wijk population: the report says why."""
    report = dataclasses.replace(
        report_en, request=dataclasses.replace(report_en.request, lang=lang)
    )
    page = html.unescape(html_document(report))
    wijgmaal = next(p for p in report.profiles if p.code == "240621")
    note = wijgmaal.population.wijk_note
    assert note and t("report_population_note", lang, note=note) in page
    sector = int(load_manifest("sector_population").data_date[:4])
    municipal = int(load_manifest("population").data_date[:4])
    unknown = t("report_unknown", lang)
    assert t("report_population_wijk_year", lang, year=sector, n=unknown) in page
    people = format_number(wijgmaal.population.municipality, lang)
    assert t("report_population_muni_year", lang, year=municipal, n=people) in page


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_childcare_wholly_in_the_mapped_zone_is_not_called_part_of_it(lang: str) -> None:
    """A 'partial' wijk with mapped share 1 (OSM data): a lower bound, not 'part of'."""
    layer = load_layer("neighbourhoods")
    whole = layer.loc[
        (layer["childcare_coverage"] == "partial") & (layer["childcare_mapped_share"] >= 1)
    ]
    code = str(whole["code"].iloc[0])
    page = html.unescape(html_document(build_report(ReportRequest(WORKPLACES[:1], (code,), lang))))
    assert t("report_childcare_lower_whole", lang) in page
    assert t("report_childcare_partial", lang, share=100) not in page


@pytest.mark.parametrize(
    ("lang", "ask"),
    [("en", "ask the centre"), ("nl", "vraag het aan het centrum"), ("fr", "demandez au centre")],
)
def test_adult_education_heading_promises_no_courses(
    report_en: Report, lang: str, ask: str
) -> None:
    """The official list names no courses: the heading says to ask, in every language."""
    report = dataclasses.replace(
        report_en, request=dataclasses.replace(report_en.request, lang=lang)
    )
    page = html.unescape(html_document(report))
    heading = t("report_adult_title", lang, n=len(report.profiles[0].adult_education))
    assert heading in page and ask in heading
