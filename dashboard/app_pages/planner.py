"""Planner: service gaps per neighbourhood (map, ranking, distribution, downloads, method).

The widgets live in the session only (no URL state): a choice that is not offered (an
old session value) is replaced by the default with a message naming it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Final

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import cache, state
from dashboard.engine.accessibility import FACILITY_LAYERS, THRESHOLDS
from dashboard.i18n import format_number, t, t_markdown
from dashboard.planner import data
from dashboard.planner import export as pexport
from dashboard.planner import indicators as ind
from dashboard.planner import maps as pmaps
from dashboard.planner import service_gaps as sg
from geodata.io import load_manifest

#: Widget keys (session only).
LAYER: Final = "planner_layer"
MODE: Final = "planner_mode"
THRESHOLD: Final = "planner_threshold"
INDICATOR: Final = "planner_indicator"
MUNICIPALITIES: Final = "planner_municipalities"
MAP: Final = "planner_map"
#: Rows of the worst-served ranking.
WORST_ROWS: Final = 10
DEFAULT_THRESHOLD: Final = 15


def _choice(key: str, field: str, options: Sequence[Any], default: Any, lang: str) -> None:
    """Replace a session value that is not offered by ``default``, saying so."""
    if key not in st.session_state:
        st.session_state[key] = default
    value = st.session_state[key]
    if value not in options:
        st.warning(t_markdown("pl_bad_choice", lang, field=field, value=value, default=default))
        st.session_state[key] = default


def _offered_only(key: str, field: str, options: Sequence[str], lang: str) -> None:
    """Drop session values of a multiselect that are not offered, naming them."""
    values = st.session_state.get(key)
    if not isinstance(values, list):
        return
    stale = [v for v in values if v not in options]
    if stale:
        text = ", ".join(map(str, stale))
        st.warning(t_markdown("pl_bad_choices", lang, field=field, value=text))
        st.session_state[key] = [v for v in values if v in options]


def _controls(lang: str) -> sg.GapQuery:
    layers, thresholds = list(FACILITY_LAYERS), list(THRESHOLDS)
    _choice(LAYER, t("pl_layer", lang), layers, layers[0], lang)
    modes = sg.PLANNER_MODES
    _choice(MODE, t("pl_mode", lang), modes, modes[0], lang)
    _choice(THRESHOLD, t("pl_threshold", lang), thresholds, DEFAULT_THRESHOLD, lang)
    _choice(INDICATOR, t("pl_indicator", lang), sg.INDICATORS, sg.INDICATORS[0], lang)
    c1, c2, c3, c4 = st.columns(4)
    layer = c1.selectbox(
        t("pl_layer", lang), layers, format_func=lambda v: t(f"pl_layer_{v}", lang), key=LAYER
    )
    mode = c2.selectbox(
        t("pl_mode", lang), modes, format_func=lambda v: t(f"mode_{v}", lang), key=MODE
    )
    threshold = c3.selectbox(t("pl_threshold", lang), thresholds, key=THRESHOLD)
    indicator = c4.selectbox(
        t("pl_indicator", lang),
        sg.INDICATORS,
        format_func=lambda v: t(f"pl_ind_{v}", lang),
        key=INDICATOR,
    )
    return sg.GapQuery(str(layer), str(mode), int(threshold), str(indicator))


def _number(value: float, lang: str, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}"
    if lang == "en":
        return text
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _value_text(value: float, reason: object, lang: str, digits: int) -> str:
    if isinstance(reason, str):  # a Reason; None (or NaN) where the value is known
        return t("pl_unknown", lang) + " (" + t(f"pl_reason_{reason}", lang) + ")"
    return _number(value, lang, digits)


def _digits(indicator: str) -> int:
    return {"nearest": 1, "count": 0}.get(indicator, 2)


def _shown_table(table: pd.DataFrame, query: sg.GapQuery, lang: str) -> pd.DataFrame:
    """Return the table as the page shows it: our column names, texts for missing values."""
    digits = _digits(query.indicator)
    yes, no = t("pl_yes", lang), t("pl_no", lang)
    unknown = t("pl_unknown", lang)
    columns: dict[str, Any] = {
        t("pl_col_name", lang): table["name"],
        t("pl_col_municipality", lang): table["municipality"],
        _value_label(query, lang): [
            _value_text(v, r, lang, digits)
            for v, r in zip(table["value"], table["reason"], strict=True)
        ],
    }
    if query.indicator != "nearest":  # else the value is the nearest time already
        columns[t("pl_col_nearest", lang)] = [
            _number(v, lang) if np.isfinite(v) else unknown for v in table["nearest_minutes"]
        ]
    columns[t("pl_col_population", lang)] = [
        format_number(p, lang) if p == p else unknown for p in table["population"]
    ]
    columns[t("pl_col_estimated", lang)] = [yes if e else no for e in table["estimated"]]
    columns[t("pl_col_lower_bound", lang)] = [yes if b else no for b in table["lower_bound"]]
    columns[t("pl_col_detail", lang)] = table["detail"]
    return pd.DataFrame(columns)


def _value_label(query: sg.GapQuery, lang: str) -> str:
    limit = int(sg.CATCHMENT_MAX_MINUTES) if query.indicator == "e2sfca" else query.threshold
    return t(f"pl_value_{query.indicator}", lang, t=limit)


def _notes(query: sg.GapQuery, lang: str) -> None:
    """Say what the catchment indicators rest on (capacity proxies, fixed zones)."""
    if query.indicator not in sg.CATCHMENT_INDICATORS:
        return
    if query.layer not in sg.CAPACITY_COLUMNS:
        st.info(t("pl_no_capacity", lang))
        return
    source, column = sg.CAPACITY_COLUMNS[query.layer]
    values = cache.layer(source)[column]
    kind = "childcare" if query.layer == "childcare" else "schools"
    st.caption(t(f"pl_capacity_{kind}", lang, known=int(values.notna().sum()), total=len(values)))
    if query.indicator == "e2sfca":
        zones = ", ".join(f"≤ {u:g} min: {w:g}" for u, w in ind.E2SFCA_ZONES)
        st.caption(t("pl_e2sfca_zones", lang, zones=zones))


def _summary(shown: pd.DataFrame, query: sg.GapQuery, lang: str) -> None:
    share = sg.region_summary(shown, query.threshold)
    known = int(shown["value"].notna().sum())
    st.caption(t("pl_shown", lang, n=len(shown), known=known, missing=len(shown) - known))
    if share.reason is not None:
        st.markdown(t("pl_summary_none", lang, missing=share.areas_missing))
        return
    st.markdown(
        t(
            "pl_summary",
            lang,
            share=f"{share.share:.0%}",
            t=query.threshold,
            mode=t(f"mode_{query.mode}", lang).lower(),
            beyond=format_number(share.residents_beyond, lang),
            residents=format_number(share.residents_counted, lang),
            areas=share.areas_counted,
            missing=share.areas_missing,
        )
    )


def _classes(shown: pd.DataFrame, query: sg.GapQuery, lang: str) -> pmaps.Classes:
    digits = _digits(query.indicator)
    return pmaps.classes_for(
        query.indicator, shown["value"].to_numpy(float), lambda v: _number(v, lang, digits)
    )


def _map(shown: pd.DataFrame, query: sg.GapQuery, classes: pmaps.Classes, lang: str) -> None:
    st.subheader(t("pl_map", lang))
    popup = _shown_table(shown, query, lang)
    fmap = pmaps.choropleth(
        shown,
        cache.candidate_geometry(),
        classes=classes,
        popup=popup,
        layer_name=t(f"pl_layer_{query.layer}", lang),
        legend=pmaps.LegendTexts(
            title=_value_label(query, lang),
            estimated=t("pl_legend_estimated", lang),
            lower_bound=t("pl_legend_lower_bound", lang),
            missing=t("pl_legend_missing", lang),
        ),
    )
    st_folium(fmap, key=MAP, height=520, use_container_width=True, returned_objects=[])


def _worst(shown: pd.DataFrame, query: sg.GapQuery, lang: str) -> None:
    st.subheader(t("pl_worst", lang))
    worst = sg.worst_served(shown, query.indicator, WORST_ROWS)
    if worst.empty:
        st.info(t("pl_worst_none", lang))
        return
    table = _shown_table(worst, query, lang).drop(columns=[t("pl_col_detail", lang)])
    st.dataframe(table, hide_index=True, key="planner_worst")


def _distribution(shown: pd.DataFrame, classes: pmaps.Classes, lang: str) -> None:
    st.subheader(t("pl_distribution", lang))
    labels = pmaps.distinct_labels([*classes.labels, t("pl_legend_missing", lang)])
    colours = [*classes.colours, "#bbbbbb"]
    # by class position, not label: two classes may print the same bounds
    which = [
        classes.colours.index(pmaps.fill_colour(v, classes)) if v == v else len(labels) - 1
        for v in shown["value"]
    ]
    counts = np.bincount(np.asarray(which, dtype=int), minlength=len(labels))
    frame = pd.DataFrame({"class": labels, "n": counts})
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("class:N", sort=labels, title=t("pl_class", lang)),
            y=alt.Y("n:Q", title=t("pl_neighbourhoods", lang)),
            color=alt.Color("class:N", scale=alt.Scale(domain=labels, range=colours), legend=None),
        )
    )
    st.altair_chart(chart, width="stretch")


def _downloads(shown: pd.DataFrame, query: sg.GapQuery, lang: str) -> None:
    st.subheader(t("pl_downloads", lang))
    table = pexport.export_table(shown, query, lang)
    polygons = data.places()[["code", "geometry"]]
    name = f"leuven_atlas_{query.layer}_{query.mode}_{query.indicator}_{query.threshold}"
    downloads = (
        ("csv", functools.partial(pexport.to_csv_bytes, table), "text/csv"),
        (
            "geojson",
            functools.partial(pexport.to_geojson_bytes, table, polygons),
            "application/geo+json",
        ),
        (
            "gpkg",
            functools.partial(pexport.to_gpkg_bytes, table, polygons),
            "application/geopackage+sqlite3",
        ),
    )
    for col, (kind, to_bytes, mime) in zip(st.columns(3), downloads, strict=True):
        col.download_button(
            t(f"download_{kind}", lang),
            data=to_bytes,  # a callable: the file is built only when clicked
            file_name=f"{name}.{kind}",
            mime=mime,
            key=f"planner_download_{kind}",
            width="stretch",
        )


def _sources(lang: str) -> None:
    st.subheader(t("pl_sources", lang))
    access = load_manifest("accessibility")
    st.caption(
        t_markdown(
            "pl_source_access",
            lang,
            title=access.title,
            source=access.source,
            date=access.data_date,
            licence=access.licence,
            built=access.built_at[:10],
            coverage=access.coverage,
        )
    )
    places = load_manifest("neighbourhoods")
    population = load_manifest("sector_population")
    st.caption(
        t_markdown(
            "pl_source_population",
            lang,
            date=population.data_date,
            n=places.extra.get("wijken_with_population", "?"),
            total=places.rows,
        )
    )


def _methodology(lang: str) -> None:
    with st.expander(t("pl_method", lang)):
        for key, values in _worked_examples(lang).items():
            st.markdown(t(key, lang, **values))
        train = load_manifest("accessibility").extra.get("train")
        if isinstance(train, dict):  # the question the layer's train rows answer
            st.markdown(
                t(
                    "pl_method_train",
                    lang,
                    walk=f"{train['access_max_min']['train_walk']:g}",
                    bike=f"{train['access_max_min']['train_bike']:g}",
                    window=train["window_min"],
                    arrive=train["arrive_by"],
                    date=train["feed_date"],
                )
            )


def _worked_examples(lang: str) -> dict[str, dict[str, object]]:
    """Return the methodology's examples, computed by the indicator functions themselves."""
    p1, p2, s, d1, d2, d0 = 100.0, 300.0, 20.0, 5.0, 25.0, 30.0
    minutes, population, capacity = np.array([[d1], [d2]]), np.array([p1, p2]), np.array([s])
    fca = ind.two_step_fca(minutes, population, capacity, d0).values
    e2 = ind.enhanced_two_step_fca(minutes, population, capacity).values
    w = ind.zone_weights(np.array([d1, d2]))
    near = np.array([[4.0, 12.0, 25.0]])
    counts = {t_: ind.cumulative_opportunities(near, t_).values[0] for t_ in (10, 15, 30)}
    share = ind.share_beyond(np.array([d1, d2]), population, 10)
    n = functools.partial(_number, lang=lang)
    return {
        "pl_method_nearest": {},
        "pl_method_count": {
            "d1": 4,
            "d2": 12,
            "d3": 25,
            **{f"c{k}": int(v) for k, v in counts.items()},
        },
        "pl_method_fca": {
            "p1": int(p1),
            "p2": int(p2),
            "s": int(s),
            "d1": int(d1),
            "d2": int(d2),
            "d0": int(d0),
            "r": n(s / (p1 + p2), digits=4),
            "a": n(fca[0], digits=4),
        },
        "pl_method_e2sfca": {
            "weights": ", ".join(f"≤ {u:g} min: {wt:g}" for u, wt in ind.E2SFCA_ZONES),
            "s": int(s),
            "p1": int(p1),
            "p2": int(p2),
            "w1": n(w[0], digits=2),
            "w2": n(w[1], digits=2),
            "r": n(e2[0] / w[0], digits=4),
            "a1": n(e2[0], digits=4),
            "a2": n(e2[1], digits=4),
        },
        "pl_method_share": {
            "p1": int(p1),
            "p2": int(p2),
            "d1": int(d1),
            "d2": int(d2),
            "t": 10,
            "share": f"{share.share:.0%}",
        },
        "pl_method_missing": {},
    }


def render() -> None:
    """Draw the Planner page."""
    lang = state.language()
    st.title(t("page_planner", lang))
    st.markdown(t("pl_intro", lang))
    query = _controls(lang)
    places = data.places()
    municipalities = sorted(places["municipality"].dropna().astype(str).unique())
    _offered_only(MUNICIPALITIES, t("pl_municipalities", lang), municipalities, lang)
    chosen = st.multiselect(t("pl_municipalities", lang), municipalities, key=MUNICIPALITIES)
    _notes(query, lang)
    with st.spinner(t("pl_computing", lang)):
        table = data.indicator_table(query)
    shown = sg.filter_municipalities(table, chosen)
    _summary(shown, query, lang)
    classes = _classes(shown, query, lang)
    _map(shown, query, classes, lang)
    _worst(shown, query, lang)
    _distribution(shown, classes, lang)
    with st.expander(t("pl_all", lang)):
        st.dataframe(_shown_table(shown, query, lang), hide_index=True, key="planner_all")
    _downloads(shown, query, lang)
    _sources(lang)
    _methodology(lang)


render()
