"""The one-click intake report in the app: built when the button is clicked, then offered.

The Compare and Profile pages draw :func:`report_downloads`.  Nothing is built on an
ordinary rerun: the button builds the report once (:func:`build_report` on the engine the
pages share), renders it as PDF and print HTML, and keeps both in the session with the
request they answer, so the two downloads are offered until the view changes (a new
shortlist, workplace, limit, weight or language is a new request: the old files are no
longer offered for it).  A refused request or a damaged snapshot is one clear message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from dashboard import cache, state
from dashboard.engine.errors import EngineError
from dashboard.i18n import t, t_markdown
from dashboard.layers import score
from dashboard.layers.candidates import PlaceFilters
from dashboard.report.html import html_document
from dashboard.report.model import ReportInputError, ReportRequest, build_report, request_from_specs
from dashboard.report.pdf import pdf_bytes
from geodata.io import SnapshotError

#: Name of the downloaded files (the suffix is added per format).
FILE_STEM = "leuven_atlas_intake_report"


@dataclass(frozen=True)
class ReportFiles:
    """The rendered report and the request it answers (kept in the session)."""

    request: ReportRequest
    pdf: bytes
    html: bytes


def report_files(request: ReportRequest) -> ReportFiles:
    """Build the report of ``request`` and render it as PDF and HTML.

    Raises
    ------
    ReportInputError
        For a request the report refuses (shortlist, workplace the engine does not cover).
    SnapshotError
        When a layer or manifest is missing or damaged.
    EngineError
        When the engine refuses a question outright.
    """
    report = build_report(request, engine=cache.engine())
    return ReportFiles(request, pdf_bytes(report), html_document(report).encode("utf-8"))


def report_downloads(
    specs: Sequence[state.CommuteSpec],
    shortlist: Sequence[str],
    lang: str,
    weights: score.Weights,
    filters: PlaceFilters,
    *,
    key: str,
) -> None:
    """Draw the report button and, once built for this view, the PDF and HTML downloads.

    ``filters`` are the page's (:func:`dashboard.state.place_filters`), so the report's
    score counts what the page counted; ``key`` tells the pages' buttons apart.
    """
    request = request_from_specs(specs, shortlist, lang, weights, filters)
    st.subheader(t("report_app_title", lang))
    if st.button(t("report_app_button", lang, n=len(shortlist)), key=key):
        st.session_state.pop(state.REPORT_FILES, None)
        try:
            with st.spinner(t("report_app_building", lang)):
                st.session_state[state.REPORT_FILES] = report_files(request)
        except (ReportInputError, SnapshotError, EngineError) as exc:
            _refused(exc, lang)
            return
    files = st.session_state.get(state.REPORT_FILES)
    if not isinstance(files, ReportFiles) or files.request != request:
        st.caption(t("report_app_help", lang))
        return
    pdf, html = st.columns(2)
    pdf.download_button(
        t("report_app_pdf", lang),
        data=files.pdf,
        file_name=f"{FILE_STEM}.pdf",
        mime="application/pdf",
        key=f"{key}_pdf",
        width="stretch",
    )
    html.download_button(
        t("report_app_html", lang),
        data=files.html,
        file_name=f"{FILE_STEM}.html",
        mime="text/html",
        key=f"{key}_html",
        width="stretch",
    )
    st.caption(t("report_app_ready", lang))


def _refused(exc: Exception, lang: str) -> None:
    """One line naming why the report could not be made (decided by the error's type)."""
    if isinstance(exc, SnapshotError):
        st.error(t_markdown("data_missing", lang, msg=exc))
    elif isinstance(exc, ReportInputError):
        what = _argument_text(exc.argument, lang)
        st.error(t_markdown("report_app_refused", lang, what=what, msg=exc.problem))
    else:
        st.error(t_markdown("report_app_failed", lang, msg=exc))


#: Report inputs that belong to one person (the command line adds the person: ``mode2``).
_PERSON_ARGUMENTS = ("workplace", "mode", "max-minutes")


def _argument_text(argument: str, lang: str) -> str:
    """Return the page's name of a refused input: the person, the shortlist, or as named."""
    person = 2 if argument.endswith("2") else 1
    if argument.removesuffix("2") in _PERSON_ARGUMENTS:
        return t(f"person_{person}", lang)
    if argument == "wijk":
        return t("ik_shortlist_title", lang)
    return argument
