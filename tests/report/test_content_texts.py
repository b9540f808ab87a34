"""Report texts that depend on what the data says: verdicts and score problems, translated."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard.i18n import t
from dashboard.layers.score import Weights
from dashboard.report.html import html_document
from dashboard.report.model import Report, ReportRequest, build_report
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
