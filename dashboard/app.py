"""Leuven Atlas: first map of the processed layers (the full Explore page comes later).

Run with ``streamlit run dashboard/app.py``.  Loads the committed snapshot in
``geodata/`` and shows every point layer on one map, with sources, dates and licences.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import maps
from geodata.io import LayerManifest, SnapshotError, load_layer, load_manifests


@st.cache_data(show_spinner="Loading layers…")
def _layer(name: str) -> gpd.GeoDataFrame:
    return load_layer(name)


@st.cache_data
def _manifests() -> list[LayerManifest]:
    return load_manifests()


POINT_LAYERS = [
    # layer, label, popup fields, colour, shown at start
    ("schools", "Schools (2022)", ["name", "levels", "net", "address"], "#1f77b4", True),
    (
        "international_schools",
        "International schools",
        ["name", "type", "curriculum", "coord_quality"],
        "#d62728",
        True,
    ),
    (
        "childcare",
        "Childcare (partial: OSM, central Leuven)",
        ["name", "category", "address", "coverage"],
        "#2ca02c",
        True,
    ),
    (
        "stations",
        "Railway stations (2019)",
        ["name_nl", "name_fr", "trains_per_weekday"],
        "#9467bd",
        True,
    ),
    ("bus_stops", "Bus stops (De Lijn 2019)", ["name", "lines"], "#ff7f0e", False),
]


def _map() -> None:
    fmap = maps.base_map()
    munis = _layer("municipalities")
    maps.polygon_layer(
        munis, "Municipalities (2025)", ["name", "nis"], ["Municipality", "NIS"]
    ).add_to(fmap)
    wijken = _layer("wijken")
    maps.polygon_layer(
        wijken,
        "Neighbourhoods (wijken)",
        ["name", "code"],
        ["Wijk", "Code"],
        color="#999999",
        show=False,
    ).add_to(fmap)
    for name, label, fields, color, show in POINT_LAYERS:
        frame = _layer(name)
        present = [f for f in fields if f in frame.columns]
        maps.point_layer(frame, label, present, present, color=color, show=show).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    st_folium(fmap, key="overview_map", height=620, use_container_width=True, returned_objects=[])


def _sources() -> None:
    rows = [
        {
            "layer": m.title,
            "rows": m.rows,
            "data date": m.data_date,
            "source": m.source,
            "licence": m.licence,
            "coverage": m.coverage,
        }
        for m in _manifests()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def main() -> None:
    """Render the page."""
    st.set_page_config(page_title="Leuven Atlas", page_icon="🗺️", layout="wide")
    st.title("Leuven Atlas")
    st.caption(
        "Schools, international schools, childcare, stations and bus stops around Leuven. "
        "Map data © OpenStreetMap contributors."
    )
    try:
        _map()
        st.subheader("Data sources")
        _sources()
    except SnapshotError as exc:
        st.error(str(exc))


main()
