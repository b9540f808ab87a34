"""Data & sources: every layer's source, date, licence, coverage and known gaps.

Everything here is read from the manifests the ETL writes beside each file, so the page
cannot drift from the data.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import cache, state
from dashboard.escaping import markdown_text
from dashboard.i18n import format_number, has_key, t, t_markdown
from dashboard.maps import data_years
from geodata.io import LayerManifest, SnapshotError

GAPS = ("gap_childcare", "gap_buses", "gap_streets", "gap_population")
#: Graphs whose titles and gap text say what they cover, from their manifests.
STREET_GRAPHS = ("graph:walk", "graph:bike", "graph:car")
#: Key of the municipalities a graph covers in its manifest's ``extra`` (written by
#: ``etl.stages.graphs.municipalities_covered``).
MUNICIPALITIES_KEY = "coverage_municipalities"
#: Up to this many fully covered municipalities are named; more are counted.
NAMED_MUNICIPALITIES = 3


def _title(manifest: LayerManifest, lang: str) -> str:
    """Return a layer's title in ``lang`` (the manifest's own for a layer not in the table).

    The street graphs' titles say what they cover (:func:`coverage_values`); a graph
    manifest without those facts keeps its own title.
    """
    key = "title_" + manifest.name.replace(":", "_")
    if not has_key(key):
        return manifest.title
    if manifest.name not in STREET_GRAPHS:
        return t(key, lang)
    values = coverage_values([manifest], lang)
    return manifest.title if values is None else t(key, lang, **values)


def _municipality_count(n: int, lang: str) -> str:
    key = {0: "municipality_count_0", 1: "municipality_count_1"}.get(n, "municipality_count_n")
    return t(key, lang, n=format_number(n, lang))


def coverage_values(graphs: list[LayerManifest], lang: str) -> dict[str, str] | None:
    """Say from the manifests what street graphs cover (None: a fact is missing).

    Parameters
    ----------
    graphs : list of LayerManifest
        Graph manifests with ``extra.coverage_municipalities`` (the ETL's measurement of
        their coverage areas against the region's municipalities).
    lang : str
        Language of the counts.

    Returns
    -------
    dict or None
        ``covered``: the municipalities every graph covers in full, named when at most
        :data:`NAMED_MUNICIPALITIES`, else counted; ``partly``: the count of the others
        any graph covers in part or in full; ``area``: the area in km² (a range when the
        graphs differ); ``region``: the number of region municipalities.
    """
    if not graphs:
        return None
    try:
        facts = [m.extra[MUNICIPALITIES_KEY] for m in graphs]
        covered = set.intersection(*(set(f["covered"]) for f in facts))
        touched = set().union(*(set(f["covered"]) | set(f["partly"]) for f in facts))
        areas = sorted(float(f["area_km2"]) for f in facts)
        region = format_number(int(facts[0]["region_municipalities"]), lang)
    except (KeyError, TypeError, ValueError):
        return None
    names = sorted(covered)
    return {
        "covered": ", ".join(names)
        if 0 < len(names) <= NAMED_MUNICIPALITIES
        else _municipality_count(len(names), lang),
        "partly": _municipality_count(len(touched - covered), lang),
        "area": "–".join(dict.fromkeys(format_number(a, lang) for a in (areas[0], areas[-1]))),
        "region": region,
    }


def gap_values(manifests: list[LayerManifest], lang: str) -> dict[str, dict[str, str] | None]:
    """Return the numbers of each known-gap text, read from the manifests (None: unknown).

    The data records them (rows, ``extra`` facts); typed into a translation they would
    drift from the snapshot.
    """
    by_name = {m.name: m for m in manifests}
    out: dict[str, dict[str, str] | None] = {key: {} for key in GAPS}
    try:
        childcare = by_name["childcare"]
        official = childcare.extra["flanders_brussels"]
        out["gap_childcare"] = {
            "osm": format_number(childcare.rows, lang),
            "locations": format_number(official["locations"], lang),
            "date": str(official["reference_date"]),
        }
    except (KeyError, TypeError, ValueError):
        out["gap_childcare"] = None
    bus_year = data_years(manifests).get("bus_stops")
    out["gap_buses"] = {"year": bus_year} if bus_year else None
    graphs = [by_name[name] for name in STREET_GRAPHS if name in by_name]
    out["gap_streets"] = coverage_values(graphs, lang)
    out["gap_population"] = _population_values(by_name.get("neighbourhoods"), lang)
    return out


def _population_values(places: LayerManifest | None, lang: str) -> dict[str, str] | None:
    """``n`` wijken with a population, ``mapped`` with mapped sectors, of ``total``."""
    if places is None:
        return None
    try:
        mapping = places.extra["sector_mapping"]
        # sector_mapping counts wijken per verified rule, plus the "unmapped" ones
        mapped = sum(int(v) for k, v in mapping.items() if k != "unmapped")
        return {
            "n": format_number(places.extra["wijken_with_population"], lang),
            "mapped": format_number(mapped, lang),
            "total": format_number(places.rows, lang),
        }
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _overview(manifests: list[LayerManifest], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("col_layer", lang): _title(m, lang),
                t("col_rows", lang): m.rows,
                t("col_date", lang): m.data_date,
                t("col_source", lang): m.source,
                t("col_licence", lang): m.licence,
                t("col_coverage", lang): m.coverage,
                t("col_url", lang): m.source_url,
            }
            for m in manifests
        ]
    )


def _not_mapped(extra: dict[str, Any]) -> pd.DataFrame | None:
    """Rows a layer lists but cannot place (e.g. schools without coordinates)."""
    rows = extra.get("not_mapped")
    if not rows:
        return None
    if isinstance(rows, list) and all(isinstance(r, dict) for r in rows):
        return pd.DataFrame(rows).astype(str)
    return pd.DataFrame({"not_mapped": [json.dumps(rows, ensure_ascii=False)]})


def _details(manifest: LayerManifest, lang: str) -> None:
    # Manifest texts come from the sources: shown as text, never as Markdown (the
    # expander label is Markdown too).
    with st.expander(markdown_text(f"{_title(manifest, lang)} ({manifest.name})")):
        texts = (
            ("col_source", manifest.source),
            ("col_date", manifest.data_date),
            ("col_licence", manifest.licence),
            ("col_coverage", manifest.coverage),
        )
        st.markdown(
            "  \n".join(f"**{t(key, lang)}:** {markdown_text(str(value))}" for key, value in texts)
        )
        missing = _not_mapped(manifest.extra)
        if missing is not None:
            st.markdown(f"**{t('not_mapped', lang)}**")
            st.dataframe(missing, hide_index=True)
        facts = {k: v for k, v in manifest.extra.items() if k != "not_mapped"}
        if facts:
            st.json(facts, expanded=False)


def render() -> None:
    """Draw the Data & sources page."""
    lang = state.language()
    st.title(t("page_sources", lang))
    st.caption(t("sources_intro", lang) + " " + t("osm_credit", lang))
    try:
        manifests = cache.manifests()
    except SnapshotError as exc:
        st.error(t_markdown("data_missing", lang, msg=exc))
        return
    st.dataframe(_overview(manifests, lang), key="sources_table", hide_index=True, width="stretch")
    st.subheader(t("known_gaps", lang))
    gaps = gap_values(manifests, lang)
    st.markdown(
        "\n".join(
            f"- {t_markdown(key, lang, **values)}"
            for key, values in gaps.items()
            if values is not None
        )
    )
    st.subheader(t("layer_details", lang))
    for manifest in manifests:
        _details(manifest, lang)


render()
