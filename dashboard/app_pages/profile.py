"""Profile: one neighbourhood for a relocating family (drawn by ``app.py``'s router).

Opened from the Explore map's popups and results table, the Neighbourhoods page and the
comparison: the wijk travels in the link (``wijk``).  The figures come from
:func:`dashboard.layers.profile.neighbourhood_profile` for the Explore page's commute
question(s); the morning chain (home -> crèche or school -> work) and the school
allocation hint from :mod:`dashboard.layers.allocation`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from dashboard import cache, state
from dashboard.app_pages import explore_view, intake_parts
from dashboard.engine.errors import EngineError
from dashboard.i18n import format_eur, format_number, has_key, t, t_markdown
from dashboard.layers import allocation
from dashboard.layers import profile as prof
from dashboard.layers.workplaces import Workplace
from dashboard.report.download import report_downloads
from geodata.io import SnapshotError


def _minutes(value: float | None, lang: str) -> str:
    return "–" if value is None else t("ik_minutes", lang, m=round(value))


def _commutes(profile: prof.Profile, lang: str) -> None:
    st.subheader(t("ik_pf_commute", lang))
    for person in profile.commutes:
        who = t(f"person_{person.person}", lang)
        rows = [
            {
                t("mode", lang): t(f"mode_{m.mode}", lang) + (" ★" if m.chosen else ""),
                t("ik_pf_minutes", lang): _minutes(m.minutes, lang),
                t("ik_pf_spread", lang): (
                    f"{round(m.p10)}–{round(m.p90)}"
                    if m.p10 is not None and m.p90 is not None and m.p90 - m.p10 >= 1
                    else ""
                ),
                t("ik_pf_within", lang, m=person.max_minutes): m.within_limit,
                t("col_estimated", lang): (
                    "✱ " + explore_view.estimated_text(True, m.estimated_share, lang)
                    if m.estimated
                    else ""
                ),
            }
            for m in person.times
        ]
        st.markdown("**" + t_markdown("ik_plain", lang, v=who) + "**")
        within = t("ik_pf_within", lang, m=person.max_minutes)
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            width="stretch",
            column_config={within: st.column_config.CheckboxColumn()},
        )
    st.caption(t("ik_pf_commute_note", lang))


def _places_table(places: Sequence[prof.NearbyPlace], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("ik_name", lang): p.name,
                t("col_municipality", lang): p.municipality,
                t("ik_pf_distance", lang): format_number(p.distance_m, lang),
                **{
                    t(f"mode_{mode}", lang): _minutes(p.minutes.get(mode), lang)
                    for mode in prof.NEARBY_MODES
                },
                t("col_estimated", lang): "✱" if p.estimated else "",
            }
            for p in places
        ]
    )


def _schools(profile: prof.Profile, lang: str) -> None:
    st.subheader(t("ik_pf_schools", lang))
    reach = ", ".join(
        t("ik_pf_reach", lang, mode=t(f"mode_{m}", lang), m=round(v))
        for m, v in profile.reach.items()
    )
    st.caption(t("ik_pf_schools_note", lang, reach=reach))
    for level in profile.schools:
        title = t(f"ik_pf_level_{level.level}", lang)
        st.markdown("**" + t_markdown("ik_pf_count", lang, what=title, n=len(level.schools)) + "**")
        if level.schools:
            st.dataframe(_places_table(level.schools, lang), hide_index=True, width="stretch")
    mode, limit = profile.international_reach
    title = t("ik_pf_international", lang, mode=t(f"mode_{mode}", lang), m=round(limit))
    st.markdown(
        "**"
        + t_markdown("ik_pf_count", lang, what=title, n=len(profile.international_schools))
        + "**"
    )
    if profile.international_schools:
        table = _places_table(profile.international_schools, lang)
        st.dataframe(table, hide_index=True, width="stretch")


def _childcare(profile: prof.Profile, lang: str) -> None:
    st.subheader(t("ik_pf_childcare", lang))
    care = profile.childcare
    year = cache.data_years().get("childcare", "?")
    if care.count is None:
        st.info(t("ik_pf_childcare_unknown", lang, year=year))
        return
    if care.partly_mapped:
        share = round((care.mapped_share or 0.0) * 100)
        st.markdown(t("ik_pf_childcare_lower", lang, n=care.count, share=share))
    else:
        key = "ik_pf_childcare_lower_whole" if care.lower_bound else "ik_pf_childcare_count"
        st.markdown(t(key, lang, n=care.count))
    if care.places:
        st.dataframe(_places_table(care.places, lang), hide_index=True, width="stretch")
    st.caption(t("childcare_partial_note", lang, year=year))


def _trips(minutes: Mapping[str, float | None], estimated: bool, limit: float, lang: str) -> str:
    """Minutes by each nearby mode in one cell ("Bike 12 min · Car 8 min"); ✱ estimated."""
    parts = []
    for mode in prof.NEARBY_MODES:
        value = minutes.get(mode)
        shown = t("ik_pf_beyond", lang, m=round(limit)) if value is None else _minutes(value, lang)
        parts.append(f"{t(f'mode_{mode}', lang)} {shown}")
    return " · ".join(parts) + (" ✱" if estimated else "")


def _adult_education(profile: prof.Profile, lang: str) -> None:
    """Draw the nearest adult-education centres, minutes from home and work, and the caveat."""
    centres = profile.adult_education
    st.subheader(t("report_adult_title", lang, n=len(centres)))
    st.caption(t("report_adult_note", lang))
    if not centres:
        st.info(t("ik_pf_adult_none", lang))
        return
    rows = []
    for centre in centres:
        place = centre.place
        key = f"report_adult_kind_{place.kind}"
        limit = place.searched_minutes
        row = {
            t("ik_name", lang): place.name,
            t("field_type", lang): t(key, lang) if has_key(key) else place.kind,
            t("col_municipality", lang): place.municipality,
            t("ik_pf_distance", lang): format_number(place.distance_m, lang),
            t("report_col_from_home", lang): _trips(place.minutes, place.estimated, limit, lang),
        }
        for work in centre.from_work:
            label = t("report_col_from_work", lang, n=work.person)
            row[label] = _trips(work.minutes, work.estimated, limit, lang)
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    estimated = any(c.place.estimated or any(w.estimated for w in c.from_work) for c in centres)
    star = " " + t("ik_pf_star_estimated", lang) if estimated else ""
    st.caption(_source_line(profile, "adult_education", lang) + star)


def _source_line(profile: prof.Profile, section: str, lang: str) -> str:
    """Source, date and licence of a section's layers, as their manifests say."""
    return " ".join(
        t_markdown("ik_pf_source_line", lang, source=s.source, date=s.data_date, licence=s.licence)
        for s in profile.sources.get(section, ())
    )


def _station(profile: prof.Profile, lang: str) -> None:
    st.subheader(t("ik_pf_station", lang))
    station = profile.station
    if station is None:
        st.info(t("ik_pf_no_station", lang))
        return
    towards = {
        item.target: (t("ik_pf_is_there", lang) if item.trains is None else str(item.trains))
        for item in station.towards
    }
    st.markdown(
        t_markdown(
            "ik_pf_station_text",
            lang,
            name=station.name,
            km=f"{station.distance_m / 1000:.1f}",
            n=station.trains_per_weekday,
            leuven=towards.get("leuven", "?"),
            brussels=towards.get("brussels", "?"),
            day=station.service_day,
        )
    )


def _prices(profile: prof.Profile, lang: str) -> None:
    st.subheader(t("ik_pf_prices", lang, municipality=profile.municipality))
    latest = [
        f"{t(p.type, lang)}: {format_eur(p.latest_eur, lang) or t('ik_unknown', lang)}"
        for p in profile.prices
    ]
    year = next((p.latest_year for p in profile.prices if p.latest_year), None)
    st.markdown(t_markdown("ik_plain", lang, v="; ".join(latest)) + f" ({year or '?'})")
    series = pd.DataFrame(
        {
            t(p.type, lang): pd.Series(
                {point.year: point.median_eur for point in p.series}, dtype="float64"
            )
            for p in profile.prices
        }
    )
    if not series.dropna(how="all").empty:
        # Years as text: a number axis writes them with a thousands separator (2,010).
        shown = series.set_axis(series.index.astype(str))
        st.line_chart(shown, x_label=t("ik_year", lang), y_label="€")
    st.caption(t("ik_pf_prices_note", lang))


def _population(profile: prof.Profile, lang: str) -> None:
    st.subheader(t("ik_pf_population", lang))
    people = profile.population
    unknown = t("ik_unknown", lang)

    def number(value: int | None) -> str:
        return unknown if value is None else format_number(value, lang)

    def label(key: str, year: int | None) -> str:
        text = t(key, lang)
        return text if year is None else t("ik_pf_pop_year", lang, label=text, year=year)

    rows = {
        label("ik_pf_pop_wijk", people.wijk_year): number(people.wijk),
        label("ik_pf_pop_municipality", people.municipality_year): number(people.municipality),
        t("ik_pf_households", lang, year=people.households_year or "?"): number(people.households),
    }
    st.dataframe(pd.Series(rows, name="").to_frame(), width="stretch")
    if people.wijk is None and people.wijk_note:
        # The note is data text: shown as text, never as Markdown.
        st.caption(t_markdown("ik_pf_pop_note", lang, note=people.wijk_note))


def _chain(profile: prof.Profile, workplaces: list[Workplace], lang: str) -> None:
    """Morning chain: home -> crèche or school -> work for the person who drops off."""
    st.subheader(t("ik_chain", lang))
    intake_parts.chain_inputs(len(workplaces), lang)
    ask = intake_parts.chain_ask(workplaces, lang)
    if ask is None:
        return
    try:
        run = intake_parts.chain_rows(ask, [profile.code]).iloc[0]
    except (EngineError, SnapshotError) as exc:
        explore_view.report(exc, lang)
        return
    who = t(f"person_{ask.person}", lang)
    show_chain(run, who, ask.mode, ask.max_minutes, ask.stop, lang)


def show_chain(run: pd.Series, who: str, mode: str, limit: int, stop: str, lang: str) -> None:
    """Draw one wijk's chain (a row of :func:`intake_parts.chain_rows`), or why there is none."""
    stop_text = t(f"ik_chain_{stop}", lang)
    if not run["chain_stop"] or pd.isna(run["chain_minutes"]):
        st.info(t("ik_chain_none", lang, who=who, m=limit, stop=stop_text))
        return
    rows = {
        t("ik_chain_leg1", lang, stop=str(run["chain_stop"])): _minutes(run["chain_to_stop"], lang),
        t("ik_chain_dropoff", lang): _minutes(allocation.DROPOFF_MINUTES, lang),
        t("ik_chain_leg2", lang): _minutes(run["chain_to_work"], lang),
        t("ik_chain_total", lang): _minutes(run["chain_minutes"], lang),
    }
    st.dataframe(pd.Series(rows, name=t(f"mode_{mode}", lang)).to_frame(), width="stretch")
    note = t("ik_chain_note", lang, who=who, stop=stop_text)
    st.caption(note + (" " + t("ik_chain_estimated", lang) if run["chain_estimated"] else ""))


def _allocation(profile: prof.Profile, workplaces: list[Workplace], lang: str) -> None:
    """Primary schools near the wijk: straight-line distance from home and from work."""
    st.subheader(t("ik_alloc", lang))
    st.markdown(
        t(
            "ik_alloc_rule",
            lang,
            source=allocation.RULE_SOURCE_URL,
            site=allocation.REGISTRATION_URL,
            places=", ".join(allocation.SYSTEM_MUNICIPALITIES),
        )
    )
    table = allocation.distance_table(
        cache.layer("schools"), profile.centroid, [w.point for w in workplaces]
    )
    km = round(allocation.NEAR_M / 1000)
    if table.empty:
        st.info(t("ik_alloc_none", lang, km=km))
        return
    names = {
        "name": t("ik_name", lang),
        "address": t("ik_address", lang),
        "home_m": t("ik_alloc_home", lang),
        **{
            f"work_{p}_m": t("ik_alloc_work", lang, who=t(f"person_{p}", lang))
            for p in range(1, len(workplaces) + 1)
        },
        "in_system": t("ik_alloc_in_system", lang),
    }
    st.dataframe(
        table[list(names)].rename(columns=names),
        hide_index=True,
        width="stretch",
        column_config={names["in_system"]: st.column_config.CheckboxColumn()},
    )
    st.caption(t("ik_alloc_note", lang, km=km))


def _sources(profile: prof.Profile, lang: str) -> None:
    with st.expander(t("ik_pf_sources", lang)):
        seen: set[str] = set()
        rows = []
        for section, sources in profile.sources.items():
            for source in sources:
                if source.layer in seen:
                    continue
                seen.add(source.layer)
                rows.append(
                    {
                        t("ik_pf_section", lang): t(f"ik_pf_section_{section}", lang),
                        t("ik_pf_layer", lang): source.title,
                        t("source", lang): source.source,
                        t("ik_pf_date", lang): source.data_date,
                        t("ik_pf_licence", lang): source.licence,
                    }
                )
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _header(profile: prof.Profile, lang: str) -> None:
    st.header(t_markdown("ik_plain", lang, v=profile.name))
    st.caption(
        t_markdown("ik_pf_caption", lang, municipality=profile.municipality, code=profile.code)
    )
    shortlist = [str(c) for c in st.session_state.get(state.SHORTLIST) or ()]
    if profile.code in shortlist:
        st.page_link(intake_parts.COMPARE_PAGE, label=t("ik_on_shortlist", lang), icon="⚖️")
    elif len(shortlist) >= state.MAX_SHORTLIST:
        st.caption(t("ik_shortlist_full", lang, n=state.MAX_SHORTLIST))
    elif st.button(t("ik_add_shortlist", lang), key=state.PROFILE_SHORTLIST_ADD):
        st.session_state[state.SHORTLIST] = [*shortlist, profile.code]
        st.rerun()


def render() -> None:
    """Draw the Profile page."""
    lang = state.language()
    st.title(t("page_profile", lang))
    try:
        labels = intake_parts.neighbourhood_labels()
    except SnapshotError as exc:
        st.error(t_markdown("data_missing", lang, msg=exc))
        return
    st.selectbox(
        t("ik_pf_choose", lang),
        list(labels),
        format_func=lambda code: labels.get(code, code),
        key=state.PROFILE_WIJK,
        index=None,
        placeholder=t("ik_pf_choose_placeholder", lang),
    )
    s = state.current()
    if not s.profile_wijk:
        st.info(t("ik_pf_pick", lang))
        return
    try:
        workplaces, specs = intake_parts.commute_questions(s)
    except (EngineError, SnapshotError) as exc:
        explore_view.report(exc, lang)  # the profile goes on without commutes
        workplaces, specs = [], ()
    try:
        with st.spinner(t("computing", lang)):
            profile = cache.neighbourhood_profile(s.profile_wijk, tuple(specs), lang)
    except prof.UnknownNeighbourhoodError as exc:
        st.error(t_markdown("wijk_unknown", lang, name="wijk", value=exc.code))
        return
    except SnapshotError as exc:
        st.error(t_markdown("data_missing", lang, msg=exc))
        return
    _header(profile, lang)
    if profile.commutes:
        _commutes(profile, lang)
    _chain(profile, workplaces, lang)
    _schools(profile, lang)
    _allocation(profile, workplaces, lang)
    _childcare(profile, lang)
    _adult_education(profile, lang)
    _station(profile, lang)
    _prices(profile, lang)
    _population(profile, lang)
    _sources(profile, lang)
    if specs:  # the report starts from the workplaces: none resolved, none to report
        report_downloads(
            specs,
            [profile.code],
            lang,
            s.weights(),
            state.place_filters(s),
            key=state.PROFILE_REPORT,
        )


render()
