"""Neighbourhoods: the profile of every wijk as a sortable, filterable table.

Reads the ``neighbourhoods`` layer as the ETL built it (no commute times here; the
Explore page adds them).  Each row links to the neighbourhood's full profile, and the
shortlist to compare is kept here as on the Explore page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import cache, state
from dashboard.app_pages import intake_parts
from dashboard.i18n import t, t_markdown
from geodata.io import SnapshotError

COLUMNS = {
    "name": "col_name",
    "municipality": "col_municipality",
    "n_schools": "col_schools_all",
    "n_school_sites": "col_school_sites",
    "n_childcare": "col_childcare",
    "childcare_coverage": "col_childcare_coverage",
    "median_house_price_muni": "house",
    "median_apartment_price_muni": "apartment",
    "n_stations": "col_stations",
    "n_bus_stops": "col_bus_stops",
}


def render() -> None:
    """Draw the Neighbourhoods page."""
    lang = state.language()
    st.title(t("page_neighbourhoods", lang))
    st.caption(t("neighbourhoods_intro", lang))
    try:
        frame = cache.layer("neighbourhoods")
    except SnapshotError as exc:
        st.error(t_markdown("data_missing", lang, msg=exc))
        return
    municipalities = sorted(frame["municipality"].dropna().astype(str).unique())
    chosen = st.multiselect(
        t("municipality_filter", lang), municipalities, key=state.MUNICIPALITY_FILTER
    )
    if chosen:
        frame = frame.loc[frame["municipality"].isin(chosen)]
    table = pd.DataFrame(frame[list(COLUMNS)]).rename(
        columns={c: t(k, lang) for c, k in COLUMNS.items()}
    )
    st.write(t("n_results", lang, n=len(table), total=len(cache.layer("neighbourhoods"))))
    profile = t("ik_profile", lang)
    table[profile] = intake_parts.profile_links(frame["code"], state.current())
    st.dataframe(
        table,
        key=state.NEIGHBOURHOOD_TABLE,
        hide_index=True,
        width="stretch",
        column_config={
            profile: intake_parts.link_column(lang),
            t("col_childcare", lang): st.column_config.NumberColumn(
                help=t("ik_help_childcare_empty", lang)
            ),
        },
        # Unknown childcare counts and prices: empty cells, never a grey "None".
        placeholder="",
    )
    years = cache.data_years()
    childcare = t("childcare_partial_note", lang, year=years.get("childcare", "?"))
    schools = t("schools_sites_note", lang, year=years.get("schools", "?"))
    st.caption(" ".join((t("price_note", lang), childcare, schools)))
    st.subheader(t("ik_shortlist_title", lang))
    intake_parts.shortlist_picker(intake_parts.neighbourhood_labels(), lang)


render()
