"""Compare: 2-4 shortlisted neighbourhoods side by side (drawn by ``app.py``'s router).

The shortlist lives in the link (``short``), so a shared link reproduces the comparison.
Key figures and score components in one table (one column per neighbourhood), a small
map of each, and the municipal price trend.  Commutes use the Explore page's workplaces,
modes and limits; no filter or limit removes a shortlisted neighbourhood here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import cache, maps, state
from dashboard.app_pages import explore_view, intake_parts
from dashboard.engine.errors import EngineError
from dashboard.i18n import format_eur, t, t_markdown
from dashboard.layers import candidates as cand
from dashboard.layers import score
from dashboard.layers.workplaces import Workplace
from dashboard.report.download import report_downloads
from geodata.io import SnapshotError

#: Height of a table row in Streamlit's data grid (px).
ROW_PX = 35


def _figures(
    codes: list[str], s: state.ExploreState, specs: tuple[state.CommuteSpec, ...]
) -> pd.DataFrame:
    """Return the shortlisted places (in shortlist order) with every figure the score reads."""
    places = cache.layer("neighbourhoods")
    rows = places.set_index("code", drop=False).loc[codes].reset_index(drop=True)
    index = pd.Index(places["code"].astype(str))
    commute = pd.DataFrame(cache.commutes_by_layer(specs)["neighbourhoods"]).set_axis(index)
    commute = commute.loc[codes].reset_index(drop=True)
    return score.place_figures(
        rows,
        commute,
        cache.layer("schools"),
        cache.layer("international_schools"),
        cache.layer("childcare"),
        state.place_filters(s),
    )


def _minutes_text(value: Any, limit: int, lang: str) -> str:
    if value is None or pd.isna(value):
        return t("ik_beyond_limit", lang, m=limit)
    return t("ik_minutes", lang, m=round(float(value)))


def _count_text(value: Any, lang: str) -> str:
    return t("ik_unknown", lang) if value is None or pd.isna(value) else str(int(value))


def key_figures(figures: pd.DataFrame, s: state.ExploreState, lang: str) -> pd.DataFrame:
    """One row per figure, one column per neighbourhood (texts as shown).

    Raises ``AllWeightsZeroError`` when every weight is zero (the score rows need one).
    """
    limits = [float(c.max_minutes) for c in state.commuters(s)]
    scores = score.score_table(figures, s.weights(), limits).set_index("code")
    rows: dict[str, list[str]] = {t("col_municipality", lang): list(figures["municipality"])}
    for c in state.commuters(s):
        rows[t(f"col_minutes_{c.person}", lang)] = [
            _minutes_text(v, c.max_minutes, lang) for v in figures[f"minutes_{c.person}"]
        ]
    rows[t("ik_score", lang)] = [_points(scores.loc[code, "score"]) for code in figures["code"]]
    for component in score.COMPONENTS:
        label = t("ik_part", lang, c=t(f"ik_component_{component}", lang))
        rows[label] = [_points(scores.loc[code, f"part_{component}"]) for code in figures["code"]]
    filtered = (s.school_level, s.school_net, s.school_language) != (cand.ANY,) * 3
    schools = t("col_schools" if filtered or s.international_only else "col_schools_all", lang)
    rows[schools] = [_count_text(v, lang) for v in figures["n_schools_match"]]
    rows[t("col_school_sites", lang)] = [_count_text(v, lang) for v in figures["n_school_sites"]]
    rows[t("col_international", lang)] = [_count_text(v, lang) for v in figures["n_international"]]
    care = "col_childcare" if s.childcare_type != cand.ANY else "col_childcare_all"
    rows[t(care, lang)] = [_count_text(v, lang) for v in figures["n_childcare_match"]]
    rows[t("col_stations", lang)] = [_count_text(v, lang) for v in figures["n_stations"]]
    rows[t("col_bus_stops", lang)] = [_count_text(v, lang) for v in figures["n_bus_stops"]]
    for kind in ("house", "apartment"):
        rows[t(kind, lang)] = [
            format_eur(v, lang) or t("ik_unknown", lang)
            for v in figures[f"median_{kind}_price_muni"]
        ]
    rows[t("ik_price_year", lang)] = [_count_text(v, lang) for v in figures["price_year"]]
    rows[t("ik_population", lang)] = [_count_text(v, lang) for v in figures["population"]]
    table = pd.DataFrame(rows, index=list(figures["name"].astype(str))).T
    # Two neighbourhoods may share a name in different municipalities: keep columns apart.
    table.columns = _unique(list(table.columns))
    return table


def _points(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else f"{round(float(value) * 100)}"


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def price_trend(figures: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Median price per year (rows) and municipality (columns) of the compared ones."""
    prices = cache.layer("housing_prices")
    nis = list(dict.fromkeys(figures["nis"].astype(str)))
    mine = prices.loc[prices["nis"].astype(str).isin(nis) & (prices["type"] == kind)]
    trend = mine.pivot_table(index="year", columns="name", values="median_price_eur")
    return pd.DataFrame(trend).sort_index()


def _maps(figures: pd.DataFrame, workplaces: list[Workplace], lang: str) -> None:
    places = cache.layer("neighbourhoods").set_index("code", drop=False)
    points = tuple((w.label, w.point.lat, w.point.lon) for w in workplaces)
    for column, code in zip(st.columns(len(figures)), figures["code"], strict=True):
        with column:
            place = places.loc[[code]]
            st.markdown("**" + t_markdown("ik_plain", lang, v=place["name"].iloc[0]) + "**")
            fmap = maps.neighbourhood_map(
                place,
                layer_name=t("layer_neighbourhoods", lang),
                name_alias=t("col_name", lang),
                workplaces=points,
                workplace_layer_name=t("layer_workplaces", lang),
            )
            st_folium(
                fmap,
                key=f"compare_map_{code}",
                height=300,
                use_container_width=True,
                returned_objects=[],
            )
            if st.button(t("ik_open_profile", lang), key=f"compare_profile_{code}"):
                st.session_state[state.PROFILE_WIJK] = code
                st.switch_page(intake_parts.PROFILE_PAGE)


def _trend(figures: pd.DataFrame, s: state.ExploreState, lang: str) -> None:
    kind = s.budget_type
    st.subheader(t("ik_price_trend", lang, kind=t(kind, lang)))
    try:
        trend = price_trend(figures, kind)
    except SnapshotError as exc:  # the rest of the page (and the report button) goes on
        st.error(t_markdown("data_missing", lang, msg=exc))
        return
    if trend.empty:
        st.info(t("ik_no_prices", lang))
        return
    last = int(trend.index.max())  # the data's own last year, not a typed one
    # Years as text: a number axis writes them with a thousands separator (2,010).
    st.line_chart(trend.set_axis(trend.index.astype(str)), x_label=t("ik_year", lang), y_label="€")
    st.caption(t("ik_price_trend_note", lang, year=last))


def chain_table(figures: pd.DataFrame, chain: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per compared neighbourhood: the stop, both legs and the total (texts).

    ``chain`` is :func:`intake_parts.chain_rows` for the compared codes, in their order.
    """
    none = t("ik_chain_no_fit", lang)
    rows = []
    for _, run in chain.iterrows():
        fits = bool(run["chain_stop"]) and pd.notna(run["chain_minutes"])
        rows.append(
            {
                t("ik_chain_via", lang): str(run["chain_stop"]) if fits else none,
                t("ik_chain_to_stop", lang): _minutes_text(run["chain_to_stop"], 0, lang)
                if fits
                else "",
                t("ik_chain_leg2", lang): _minutes_text(run["chain_to_work"], 0, lang)
                if fits
                else "",
                t("ik_chain_total", lang): _minutes_text(run["chain_minutes"], 0, lang)
                if fits
                else "",
                t("col_estimated", lang): "✱" if fits and bool(run["chain_estimated"]) else "",
            }
        )
    return pd.DataFrame(rows, index=_unique(list(figures["name"].astype(str))))


def _chain(figures: pd.DataFrame, workplaces: list[Workplace], lang: str) -> None:
    st.subheader(t("ik_chain", lang))
    intake_parts.chain_inputs(len(workplaces), lang)
    ask = intake_parts.chain_ask(workplaces, lang)
    if ask is None:
        return
    try:
        chain = intake_parts.chain_rows(ask, list(figures["code"].astype(str)))
    except (EngineError, SnapshotError) as exc:
        explore_view.report(exc, lang)
        return
    st.dataframe(chain_table(figures, chain, lang), width="stretch")
    who = t(f"person_{ask.person}", lang)
    st.caption(t("ik_chain_compare_note", lang, who=who, m=ask.max_minutes))


def render() -> None:
    """Draw the Compare page."""
    lang = state.language()
    st.title(t("page_compare", lang))
    st.caption(t("ik_compare_intro", lang, n=state.MAX_SHORTLIST))
    try:
        labels = intake_parts.neighbourhood_labels()
    except SnapshotError as exc:
        st.error(t_markdown("data_missing", lang, msg=exc))
        return
    codes = intake_parts.shortlist_picker(labels, lang, link=False)
    if len(codes) < 2:
        st.info(t("ik_compare_need_two", lang, n=state.MAX_SHORTLIST))
        return
    s = state.current()
    with st.expander(t("ik_weights", lang)):
        intake_parts.weight_inputs(lang)
    try:
        workplaces, specs = intake_parts.commute_questions(s)
        figures = _figures(codes, s, specs)
    except (EngineError, SnapshotError) as exc:
        explore_view.report(exc, lang)
        return
    st.caption(t("ik_compare_commutes", lang))
    try:
        table = key_figures(figures, s, lang)
    except score.AllWeightsZeroError:
        st.warning(t("ik_all_weights_zero", lang))
        return
    # Tall enough for every row: the figures are read side by side, not scrolled.
    height = ROW_PX * (len(table) + 1) + 3
    st.dataframe(table, key=state.COMPARE_TABLE, width="stretch", height=height)
    st.caption(t("ik_score_method_compare", lang, tied=round(score.TIED * 100)))
    _maps(figures, workplaces, lang)
    _chain(figures, workplaces, lang)
    _trend(figures, s, lang)
    report_downloads(
        specs, codes, lang, s.weights(), state.place_filters(s), key=state.COMPARE_REPORT
    )


render()
