"""Explore: where could we live, given where we work (drawn by ``app_pages/explore.py``).

Sidebar: workplace(s) with mode, limit, arrival time and travel day; filters for schools,
childcare and budget.  Main area: the map of candidate neighbourhoods (with isochrones of
workplace 1 for street modes) beside the same results as a sortable table with downloads.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import cache, maps, state
from dashboard.app_pages import intake_parts
from dashboard.engine.core import COMMUTE_MODES
from dashboard.engine.errors import EngineError, OutsideCoverageError
from dashboard.engine.transit_commute import feed_date_for
from dashboard.geocoding import GeocodingError, display_host
from dashboard.i18n import t, t_markdown
from dashboard.layers import candidates as cand
from dashboard.layers import export
from dashboard.layers.reach import ISOCHRONE_MODES
from dashboard.layers.workplaces import DEFAULT_REF, Workplace, coords_ref
from geodata.io import SnapshotError

pk = state.person_key


def _keep_valid(key: str, options: list[str], fallback: str) -> None:
    """Reset a choice from the URL that is not offered (before its widget is drawn)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = fallback if fallback in options else options[0]


def _preset_input(person: int, lang: str) -> None:
    table, problem = cache.presets()
    if problem:
        st.warning(t_markdown("presets_missing", lang, msg=problem))
    options = table["ref"].tolist()
    labels = dict(zip(table["ref"], table["label"], strict=True))
    given = st.session_state.get(pk(person, "preset"))
    if given is not None and given not in options:
        # e.g. a link naming a preset the data no longer has: replaced, and said so
        who = t(f"person_{person}", lang)
        st.warning(t_markdown("wp_unknown_preset", lang, who=who, ref=given))
    _keep_valid(pk(person, "preset"), options, DEFAULT_REF)
    st.selectbox(
        t("preset", lang), options, format_func=labels.__getitem__, key=pk(person, "preset")
    )


def _online_matches(query: str, lang: str) -> dict[str, str]:
    """Online geocoder hits as {coordinate ref: label}; the setting's state as a caption.

    A hit becomes a coordinate reference, so a shared link works without the geocoder.
    """
    endpoint = cache.geocoder_url()
    if endpoint is None:
        st.caption(t("geocoder_off", lang))
        return {}
    # The host only: the configured URL may carry credentials (user:password@host).
    st.caption(t_markdown("geocoder_on", lang, host=display_host(endpoint) or "?"))
    try:
        hits = cache.geocode(endpoint, query.strip(), lang)
    except GeocodingError as exc:
        st.warning(t_markdown("geocoder_failed", lang, msg=exc))
        return {}
    return {coords_ref(h.lat, h.lon): f"{h.label} ({t('online', lang)})" for h in hits}


def _address_input(person: int, lang: str) -> None:
    """Address search and its matches.

    A search with no match clears the person's address and says so: the previous
    workplace is never kept silently (the page then computes nothing until a match or
    another way is chosen).  Otherwise the chosen address (or a link's) stays selected,
    first among the matches, where the user sees it.
    """
    query = (st.text_input(t("address_search", lang), key=pk(person, "addr_q")) or "").strip()
    online = _online_matches(query, lang)
    try:
        matches = cache.address_matches(query)
    except SnapshotError as exc:
        st.warning(t_markdown("addresses_missing", lang, msg=exc))
        matches = pd.DataFrame({"id": [], "label": []})
    unknown = matches.iloc[0:0]
    if "located" in matches:
        # Listed workplaces without a sourced coordinate: named, never offered as a choice.
        placed = matches["located"].astype(bool)
        unknown, matches = matches.loc[~placed], matches.loc[placed]
        if len(unknown):
            names = "; ".join(unknown["label"].astype(str))
            st.caption(t_markdown("location_unknown_list", lang, names=names))
    options = ["addr:" + i for i in matches["id"]]
    labels = dict(zip(options, matches["label"], strict=True))
    options += [ref for ref in online if ref not in labels]
    labels.update(online)
    who = t(f"person_{person}", lang)
    if not options and len(query) >= 3:
        # Searched, nothing found: the previous workplace must not stay on silently.
        st.session_state[pk(person, "addr")] = None
        if unknown.empty:  # else the caption above named what matched, unplaced
            st.warning(t_markdown("address_no_match_cleared", lang, who=who, q=query))
        return
    current = st.session_state.get(pk(person, "addr"))
    if current and current not in options:
        # The chosen one (or a link's) stays first and selected, shown beside the matches.
        try:
            labels[current] = cache.person_workplace(person, current).label
            options.insert(0, current)
        except EngineError:
            pass  # reported once, with the person, when the page computes
    if not options:
        st.caption(t("address_hint", lang))
        return
    _keep_valid(pk(person, "addr"), options, options[0])
    st.selectbox(
        t("address_match", lang), options, format_func=labels.__getitem__, key=pk(person, "addr")
    )


def _person_inputs(person: int, lang: str) -> None:
    st.subheader(t(f"person_{person}", lang))
    how = st.radio(
        t("choose_by", lang),
        state.HOW_OPTIONS,
        format_func=lambda h: t(f"how_{h}", lang),
        key=pk(person, "how"),
        horizontal=True,
    )
    if how == "preset":
        _preset_input(person, lang)
    elif how == "address":
        _address_input(person, lang)
    else:
        left, right = st.columns(2)
        left.number_input(t("latitude", lang), format="%.5f", step=0.001, key=pk(person, "lat"))
        right.number_input(t("longitude", lang), format="%.5f", step=0.001, key=pk(person, "lon"))
        st.caption(t("click_hint", lang))
    st.selectbox(
        t("mode", lang),
        COMMUTE_MODES,
        format_func=lambda m: t(f"mode_{m}", lang),
        key=pk(person, "mode"),
    )
    st.slider(t("max_minutes", lang), *state.MINUTES_RANGE, step=5, key=pk(person, "max"))


def _filter_inputs(lang: str) -> None:
    any_label = t("any", lang)
    with st.expander(t("filters", lang), expanded=True):
        st.selectbox(
            t("school_level", lang),
            (cand.ANY, *cand.SCHOOL_LEVELS),
            format_func=lambda v: any_label if v == cand.ANY else t(f"level_{v}", lang),
            key=state.SCHOOL_LEVEL,
        )
        st.selectbox(
            t("school_net", lang),
            (cand.ANY, *cand.SCHOOL_NETS),
            format_func=lambda v: any_label if v == cand.ANY else v,
            key=state.SCHOOL_NET,
        )
        st.selectbox(
            t("school_language", lang),
            (cand.ANY, *cand.SCHOOL_LANGUAGES),
            format_func=lambda v: any_label if v == cand.ANY else v,
            key=state.SCHOOL_LANG,
        )
        st.checkbox(t("international_only", lang), key=state.INTL_ONLY)
        st.selectbox(
            t("childcare_type", lang),
            (cand.ANY, *cand.CHILDCARE_TYPES),
            format_func=lambda v: any_label if v == cand.ANY else t(f"cc_{v}", lang),
            key=state.CHILDCARE_TYPE,
        )
        st.checkbox(t("childcare_keep_unknown", lang), key=state.CHILDCARE_KEEP)
        st.caption(t("childcare_partial_note", lang, year=_data_year("childcare")))
        st.radio(
            t("budget_type", lang),
            cand.BUDGET_TYPES,
            format_func=lambda v: t(v, lang),
            key=state.BUDGET_TYPE,
            horizontal=True,
        )
        st.number_input(
            t("budget_max", lang), *state.BUDGET_RANGE, step=25_000, key=state.BUDGET_MAX
        )
        st.checkbox(
            t("budget_strict", lang), key=state.BUDGET_STRICT, help=t("budget_strict_help", lang)
        )
        st.radio(
            t("sort_by", lang),
            cand.SORT_KEYS,
            format_func=lambda v: t(f"sort_{v}", lang),
            key=state.SORT_BY,
            horizontal=True,
        )
        st.radio(
            t("colour_by", lang),
            state.COLOUR_OPTIONS,
            format_func=lambda v: t(f"colour_{v}", lang),
            key=state.COLOUR_BY,
            horizontal=True,
        )


def _sidebar(lang: str) -> None:
    with st.sidebar:
        _person_inputs(1, lang)
        st.checkbox(t("second_workplace", lang), key=state.SECOND_ON)
        if st.session_state.get(state.SECOND_ON):
            _person_inputs(2, lang)
            st.radio(
                t("click_target", lang),
                ("1", "2"),
                format_func=lambda p: t(f"person_{p}", lang),
                key=state.CLICK_TARGET,
                horizontal=True,
            )
        st.time_input(t("arrive_by", lang), step=300, key=state.ARRIVE)
        first, last = _day_bounds()
        st.date_input(
            t("travel_day", lang),
            key=state.TRAVEL_DAY,
            min_value=first,
            max_value=last,
            help=t("travel_day_help", lang, year=_timetable_year()),
            format="YYYY-MM-DD",
        )
        _filter_inputs(lang)
        with st.expander(t("ik_chain", lang)):
            persons = 2 if st.session_state.get(state.SECOND_ON) else 1
            intake_parts.chain_inputs(persons, lang)
        with st.expander(t("ik_weights", lang)):
            intake_parts.weight_inputs(lang)


def _data_year(layer_name: str) -> str:
    """Return a layer's data year from its manifest ("?" when unreadable)."""
    return cache.data_years().get(layer_name, "?")


def _timetable_year() -> str:
    """Return the train timetable's year from its manifest ("?" when unreadable)."""
    return _data_year("rail_timetable")


def _day_bounds() -> tuple[date | None, date | None]:
    """Return the travel days offered; unbounded when the timetable manifest is unreadable.

    A street commute needs no timetable: the page goes on, and a train commute names
    the damaged file when it is computed.
    """
    try:
        return state.day_range()
    except SnapshotError:
        return None, None


def _on_map_click() -> None:
    """Set a workplace from a map click (callback: runs before the widgets are drawn)."""
    event = st.session_state.get(state.MAP) or {}
    target = state.workplace_from_click(event, st.session_state.to_dict())
    if target is not None:
        state.apply_map_click(*target)


def report(exc: Exception, lang: str) -> None:
    """Show one clear line for a failed computation, for the person it concerns.

    Decided by the error's type and fields, never by its wording.  The messages name
    what the user or the link gave (a workplace reference, a value): shown as text,
    never as Markdown (:func:`~dashboard.i18n.t_markdown`).
    """
    if isinstance(exc, SnapshotError):
        st.error(t_markdown("data_missing", lang, msg=exc))
        return
    if isinstance(exc, cache.WorkplaceError):
        who = t(f"person_{exc.person}", lang)
        st.error(t_markdown(exc.problem.value, lang, who=who, ref=exc.ref, msg=exc.detail))
        return
    person = exc.person if isinstance(exc, cand.CommuteFailedError) else 1
    cause = exc.cause if isinstance(exc, cand.CommuteFailedError) else exc
    who = t(f"person_{person}", lang)
    if isinstance(cause, OutsideCoverageError):
        st.error(t_markdown("outside_coverage", lang, who=who, msg=cause))
    else:
        st.error(t_markdown("bad_input", lang, who=who, msg=cause))


def _modes(s: state.ExploreState) -> list[str]:
    return [c.mode for c in state.commuters(s)]


def _compute(
    s: state.ExploreState,
) -> tuple[cand.Ranking, list[Workplace], tuple[state.CommuteSpec, ...]]:
    """Rank the candidates; return the ranking, the workplaces and the commutes asked."""
    people = state.commuters(s)
    workplaces = [cache.person_workplace(c.person, c.workplace) for c in people]
    commutes = tuple(
        state.commute_spec(s, c, w.point) for c, w in zip(people, workplaces, strict=True)
    )
    return cache.ranking(commutes, state.place_filters(s)), workplaces, commutes


def _with_times(
    points: Any, layer_name: str, commutes: tuple[state.CommuteSpec, ...], lang: str
) -> Any:
    """Points with their popup travel texts (the same engine call as the neighbourhoods)."""
    if not len(points):
        return points
    try:
        times = cache.point_commutes(layer_name, commutes)
    except (EngineError, SnapshotError):  # the neighbourhoods were answered: no times
        return points
    return maps.with_travel_texts(points, times, [c.max_minutes for c in commutes], lang)


def _isochrones(
    s: state.ExploreState, workplace: Workplace, lang: str
) -> tuple[list[dict[str, Any]], str]:
    """Isochrone features of workplace 1 and a note: their band limits, or why none."""
    who = t("person_1", lang)
    mode = t(f"mode_{s.mode_1}", lang)
    if s.mode_1 not in ISOCHRONE_MODES:
        return [], t("isochrone_note_mode", lang, who=who, mode=mode)
    try:
        features = cache.isochrones(
            workplace.point.lat, workplace.point.lon, s.mode_1, s.max_minutes_1
        )
    except OutsideCoverageError:
        return [], t("isochrone_note_outside", lang, who=who)
    limits = sorted(float(f["properties"]["minutes"]) for f in features)
    bands = t("isochrone_band", lang, m=", ".join(f"{m:g}" for m in limits), mode=mode)
    return features, t("layer_isochrones", lang, mode=mode) + ": " + bands + "."


#: The map's point layers (keys of :data:`maps.POINT_LAYERS`) and the layer each shows.
_POINT_SOURCES = (
    ("schools", "schools"),
    ("international", "international_schools"),
    ("childcare", "childcare"),
    ("stations", "stations"),
    ("bus_stops", "bus_stops"),
)


def _adult_education(commutes: tuple[state.CommuteSpec, ...], lang: str) -> Any:
    """Return the adult-education centres with their source and travel texts, or None.

    The source is the manifest's (it names its date; the licence is on the Sources
    page).  A missing or damaged file leaves the layer off the map and is named once.
    """
    try:
        centres = cache.layer("adult_education")
        manifest = cache.manifest("adult_education")
    except SnapshotError as exc:
        st.warning(t_markdown("data_missing", lang, msg=exc))
        return None
    centres["source"] = manifest.source
    return _with_times(centres, "adult_education", commutes, lang)


def _map(
    result: Any,
    s: state.ExploreState,
    workplaces: list[Workplace],
    commutes: tuple[state.CommuteSpec, ...],
    lang: str,
) -> None:
    filters = state.place_filters(s)
    isochrones, iso_note = _isochrones(s, workplaces[0], lang)
    schools = cache.layer("schools")
    intl = cache.layer("international_schools")
    shown_schools = cand.points_in(cand.matching_schools(schools, filters), result["code"])
    shown_intl = intl.loc[intl["in_region"].fillna(False).astype(bool)]
    care = cand.matching_childcare(cache.layer("childcare"), filters)
    layers = maps.ExploreLayers(
        candidates=result,
        schools=_with_times(shown_schools, "schools", commutes, lang),
        international=_with_times(shown_intl, "international_schools", commutes, lang),
        childcare=_with_times(care, "childcare", commutes, lang),
        stations=cache.layer("stations"),
        bus_stops=cand.points_in(cache.layer("bus_stops"), result["code"]),
        workplaces=tuple((w.label, w.point.lat, w.point.lon) for w in workplaces),
        isochrones=isochrones,
        isochrone_mode=s.mode_1,
        schools_filtered=(s.school_level, s.school_net, s.school_language) != (cand.ANY,) * 3,
        childcare_filtered=s.childcare_type != cand.ANY,
        # Prepared once per layer (and language), not on every rerun.
        features={key: cache.point_features(key, name, lang) for key, name in _POINT_SOURCES},
        candidate_geometry=cache.candidate_geometry(),
        years=cache.data_years(),
        profile_links=dict(
            zip(result["code"], intake_parts.profile_links(result["code"], s), strict=True)
        ),
        adult_education=_adult_education(commutes, lang),
    )
    everywhere = state.clicks_set_workplace_everywhere(st.session_state.to_dict())
    parts = maps.explore_map_parts(
        layers, colour_by=s.colour_by, lang=lang, clicks_pass_through=everywhere
    )
    st_folium(
        parts.base,
        # Rendered once, by st_folium itself: render=True rendered the whole page first
        # and then the map again.
        render=False,
        # The results travel as overlays: the frame and Leaflet stay while the base map
        # (tiles, legend, click rule) is unchanged, instead of reloading on every change.
        feature_group_to_add=parts.overlays,
        layer_control=parts.control,
        key=state.MAP,
        height=600,
        use_container_width=True,
        # Map clicks only: opening a popup reruns nothing.
        returned_objects=["last_clicked"],
        on_change=_on_map_click,
    )
    st.caption(t("map_click_help", lang))
    st.caption(t("osm_credit", lang) + " " + t("estimated_note", lang))
    if iso_note:
        st.caption(iso_note)


def _mode_notes(s: state.ExploreState, lang: str) -> None:
    """Say once how train times are summarised (and which timetable day), and bus coverage."""
    modes = _modes(s)
    if any(m in state.TRAIN_MODES for m in modes):
        day = state.travel_day(s)
        feed = feed_date_for(day).feed_date
        year = _timetable_year()
        st.caption(t("train_note", lang, feed=feed, day=day.isoformat(), year=year))
    if "walk_bus" in modes:
        st.caption(t("walk_bus_note", lang, year=_data_year("bus_stops")))


def _column_config(names: dict[str, str], lang: str) -> dict[str, Any]:
    """Compact widths and whole minutes for the results table (keys: shown names).

    Unknown values are empty cells (the table's placeholder), numbers stay numbers so
    the columns sort; the help of each column that can be empty says why.
    """
    minutes = {c for c in names if c.startswith(("minutes_", "p10_", "p90_"))}
    chain = {"chain_to_stop", "chain_to_work", "chain_minutes"} & set(names)
    config: dict[str, Any] = {
        names[c]: st.column_config.NumberColumn(format="%.0f", width="small") for c in minutes
    }
    for c in chain:
        config[names[c]] = st.column_config.NumberColumn(
            format="%.0f", width="small", help=t("ik_help_chain_empty", lang)
        )
    for c in ("estimated_share_1", "estimated_share_2"):
        config[names[c]] = st.column_config.TextColumn(
            width="small", help=t("ik_help_estimated_share", lang)
        )
    config[names["rank"]] = st.column_config.NumberColumn(width=48)
    config[names["name"]] = st.column_config.TextColumn(width="medium")
    for count in ("n_schools_match", "n_international"):
        config[names[count]] = st.column_config.NumberColumn(width=110)
    config[names["n_childcare_match"]] = st.column_config.NumberColumn(
        width=110, help=t("ik_help_childcare_empty", lang)
    )
    config[names["estimated"]] = st.column_config.CheckboxColumn(width="small")
    if "chain_estimated" in names:
        config[names["chain_estimated"]] = st.column_config.CheckboxColumn(width="small")
    if "median_over_budget" in names:
        config[names["median_over_budget"]] = st.column_config.CheckboxColumn(width="small")
    # Numbers, so the column sorts by price; shown with the browser's digit grouping.
    config[names["price_eur"]] = st.column_config.NumberColumn(
        format="localized", help=t("ik_help_price_empty", lang)
    )
    return config


def _column_names(s: state.ExploreState, lang: str) -> dict[str, str]:
    """Shown names of the table columns, in display order (key columns first).

    The counts say what they count: "matching" only when a filter narrows them.
    """
    schools_filtered = (s.school_level, s.school_net, s.school_language) != (cand.ANY,) * 3
    names = {
        "rank": t("col_rank", lang),
        "name": t("col_name", lang),
        "minutes_1": t("col_minutes_1", lang),
        "estimated_share_1": t("ik_col_estimated_share", lang, n=1),
        "minutes_2": t("col_minutes_2", lang),
        "estimated_share_2": t("ik_col_estimated_share", lang, n=2),
        "chain_stop": t("ik_col_chain_via", lang),
        "chain_to_stop": t("ik_col_chain_to_stop", lang),
        "chain_to_work": t("ik_col_chain_to_work", lang),
        "chain_minutes": t("ik_col_chain_total", lang),
        "chain_estimated": t("ik_col_chain_estimated", lang),
        "n_schools_match": t("col_schools" if schools_filtered else "col_schools_all", lang),
        "n_childcare_match": t(
            "col_childcare" if s.childcare_type != cand.ANY else "col_childcare_all", lang
        ),
        "price_eur": t("col_price", lang),
        "median_over_budget": t("col_over_budget", lang),
        "p10_1": t("col_p10_1", lang),
        "p90_1": t("col_p90_1", lang),
        "p10_2": t("col_p10_2", lang),
        "p90_2": t("col_p90_2", lang),
        "n_international": t("col_international", lang),
        "childcare_coverage": t("col_childcare_coverage", lang),
        "estimated": t("col_estimated", lang),
        "municipality": t("col_municipality", lang),
        "n_stations": t("col_stations", lang),
        "n_bus_stops": t("col_bus_stops", lang),
    }
    # The spread columns only mean something for trains (street times have none).
    for person, mode in enumerate(_modes(s), start=1):
        if mode not in state.TRAIN_MODES:
            names.pop(f"p10_{person}")
            names.pop(f"p90_{person}")
    if s.budget_max_eur <= 0:  # no budget: no flag to show
        names.pop("median_over_budget")
    return names


def estimated_text(estimated: bool, share: Any, lang: str) -> str:
    """Return "estimated: NN%" for an estimated time whose estimated share is known.

    ``share`` is the engine's share (0-1) of the time that is estimated; an estimated
    time without one (a mode that does not say) is "estimated"; a routed time "".  A
    share above 0 never reads as 0%.
    """
    if not estimated:
        return ""
    if share is None or pd.isna(share):
        return t("ik_estimated", lang)
    percent = float(share) * 100
    shown = "<1" if 0 < percent < 0.5 else str(round(percent))
    return t("ik_estimated_share", lang, pct=shown)


def removal_reasons(ranking: cand.Ranking, lang: str) -> list[str]:
    """Each constraint that removed neighbourhoods, with how many, in the order applied.

    Each count is of the neighbourhoods the earlier constraints left (see
    :class:`~dashboard.layers.candidates.Removal`), so they add up to all
    neighbourhoods minus the candidates.  A time limit names its person when two
    people commute.
    """
    two = any(r.person == 2 for r in ranking.removals)
    reasons = []
    for removal in ranking.removals:
        if not removal.removed:
            continue
        if removal.constraint == cand.Constraint.COMMUTE and two:
            who = t(f"person_{removal.person}", lang)
            reasons.append(t("removed_time_person", lang, n=removal.removed, who=who))
        elif removal.constraint == cand.Constraint.COMMUTE:
            reasons.append(t("removed_time", lang, n=removal.removed))
        else:
            reasons.append(t(f"removed_{removal.constraint.value}", lang, n=removal.removed))
    return reasons


def _no_results(ranking: cand.Ranking, lang: str) -> None:
    """Say which constraint removed how many neighbourhoods."""
    reasons = removal_reasons(ranking, lang)
    if not reasons:
        st.info(t("no_results", lang))
        return
    joined = "; ".join(reasons)
    st.info(t("no_results_because", lang, reasons=joined) + " " + t("no_results", lang))


def _downloads(result: Any, lang: str) -> None:
    downloads = (
        ("csv", export.to_csv_bytes, "csv", "text/csv"),
        ("geojson", export.to_geojson_bytes, "geojson", "application/geo+json"),
        ("gpkg", export.to_gpkg_bytes, "gpkg", "application/geopackage+sqlite3"),
    )
    for col, (kind, to_bytes, suffix, mime) in zip(st.columns(3), downloads, strict=True):
        col.download_button(
            t(f"download_{kind}", lang),
            # a callable: the file is built only when the button is clicked
            data=functools.partial(to_bytes, result),
            file_name=f"leuven_atlas_candidates.{suffix}",
            mime=mime,
            key=f"download_{kind}",
            width="stretch",
        )


def _table(ranking: cand.Ranking, s: state.ExploreState, lang: str) -> None:
    result = ranking.candidates
    st.subheader(t("results", lang))
    st.write(t("n_results", lang, n=len(result), total=ranking.total))
    if result.empty:
        _no_results(ranking, lang)
    table = cand.result_table(result).drop(columns=["centroid_lon", "centroid_lat"])
    names = _column_names(s, lang)
    shown = pd.DataFrame(table[[c for c in names if c in table.columns]])
    shown["childcare_coverage"] = [
        maps.coverage_label(c, lang) for c in shown["childcare_coverage"]
    ]
    for person in (1, 2):  # the export keeps the share (0-1); the page says it in words
        column = f"estimated_share_{person}"
        if column in shown:
            flags = result[f"estimated_{person}"].to_numpy(dtype=bool)
            shown[column] = [
                estimated_text(flag, share, lang)
                for flag, share in zip(flags, shown[column], strict=True)
            ]
    if "chain_stop" in shown:  # the export keeps "" where no chain fits; the page says so
        no_fit = t("ik_chain_no_fit", lang)
        shown["chain_stop"] = [str(v) if v else no_fit for v in shown["chain_stop"]]
    shown = shown.rename(columns=names)
    # Last: a new tab with the whole view and the wijk in its link (the profile page).
    profile = t("ik_profile", lang)
    shown[profile] = intake_parts.profile_links(table["code"], s)
    st.dataframe(
        shown,
        key=state.TABLE,
        hide_index=True,
        height=460,
        width="stretch",
        column_config={**_column_config(names, lang), profile: intake_parts.link_column(lang)},
        # An unknown count or price is an empty cell (as in the CSV), never a grey "None".
        placeholder="",
    )
    _mode_notes(s, lang)
    childcare_note = t("childcare_partial_note", lang, year=_data_year("childcare"))
    schools_note = t("schools_sites_note", lang, year=_data_year("schools"))
    st.caption(" ".join((t("price_note", lang), childcare_note, schools_note)))
    _downloads(result, lang)


def render() -> None:
    """Draw the Explore page: the map across the page, the results table below it.

    Stacked, not side by side: beside a map the table showed only rank, name and the
    first minutes column at 1400 px; across the page its key columns (both people's
    minutes, schools, childcare, price) are readable at 1400 px and it scrolls at 1024 px.
    """
    lang = state.language()
    st.title(t("page_explore", lang))
    st.caption(t("explore_intro", lang) + " " + t("share_hint", lang))
    _sidebar(lang)
    unset = state.unset_workplaces(st.session_state.to_dict())
    if unset:
        for person in unset:
            st.info(t("address_pick_prompt", lang, who=t(f"person_{person}", lang)))
        return
    s = state.current()
    try:
        with st.spinner(t("computing", lang)):
            ranking, workplaces, commutes = _compute(s)
    except (EngineError, SnapshotError) as exc:
        report(exc, lang)
        return
    _area_notes(workplaces, lang)
    with st.spinner(t("building_map", lang)):
        _map(ranking.candidates, s, workplaces, commutes, lang)
    ranking = _with_chain(ranking, workplaces, commutes, lang)
    _table(ranking, s, lang)
    _intake(ranking, s, lang)


#: Columns of :func:`dashboard.layers.allocation.chain_columns`, joined onto the results.
CHAIN_COLUMNS = ("chain_stop", "chain_to_stop", "chain_to_work", "chain_minutes", "chain_estimated")


def _with_chain(
    ranking: cand.Ranking,
    workplaces: list[Workplace],
    commutes: tuple[state.CommuteSpec, ...],
    lang: str,
) -> cand.Ranking:
    """Join the morning chain's legs and total onto the candidates when it is asked for.

    Off, or asked for a commuter by a timetabled mode (who gets the message of
    :func:`intake_parts.chain_ask`): the ranking as it was.  The chain never removes or
    reorders a candidate: its columns sit beside the commute, sortable in the table.
    """
    ask = intake_parts.chain_ask(workplaces, lang)
    if ask is None:
        return ranking
    try:
        with st.spinner(t("computing", lang)):
            chain = cache.chain_columns(ask.spec, ask.stop)
    except (EngineError, SnapshotError) as exc:
        report(exc, lang)
        return ranking
    candidates = ranking.candidates.copy()
    joined = chain.reindex(candidates["code"].astype(str))
    for column in CHAIN_COLUMNS:
        candidates[column] = joined[column].to_numpy()
    who = t(f"person_{ask.person}", lang)
    stop = t(f"ik_chain_{ask.stop}", lang)
    st.caption(t("ik_chain_explore_note", lang, who=who, m=ask.max_minutes, stop=stop))
    return replace(ranking, candidates=candidates)


def _intake(ranking: cand.Ranking, s: state.ExploreState, lang: str) -> None:
    """Draw the score of each candidate (weights in the sidebar) and the shortlist."""
    st.subheader(t("ik_scores_title", lang))
    intake_parts.show_scores(ranking.candidates, s, lang, key=state.SCORE_TABLE)
    st.subheader(t("ik_shortlist_title", lang))
    intake_parts.shortlist_picker(intake_parts.neighbourhood_labels(), lang)


def _area_notes(workplaces: list[Workplace], lang: str) -> None:
    """Say when a workplace stands for a whole municipality or deelgemeente."""
    for person, workplace in enumerate(workplaces, start=1):
        if workplace.is_area:
            who = t(f"person_{person}", lang)
            st.caption(t_markdown("workplace_area_centre", lang, who=who, label=workplace.label))
