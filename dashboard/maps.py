"""Turn processed layers into folium layers (no Streamlit here).

Third-party text (school and childcare names, addresses) is HTML-escaped before it
reaches a popup or tooltip: folium inserts property values into the page as HTML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd

LEUVEN_CENTRE = (50.8798, 4.7005)

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


def escape_text_columns(frame: gpd.GeoDataFrame, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """Return ``frame[columns + geometry]`` with every text value HTML-escaped.

    Missing values become empty strings so popups never show ``None``.
    """
    out = frame[[*columns, "geometry"]].copy()
    for column in columns:
        values = out[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            out[column] = values.astype("string").fillna("")
        else:
            out[column] = values.astype("string").fillna("").map(html.escape)
    return out


def base_map(tiles: str | None = "OpenStreetMap") -> folium.Map:
    """Create the map centred on Leuven with OSM tiles and their attribution."""
    return folium.Map(
        location=LEUVEN_CENTRE,
        zoom_start=11,
        tiles=tiles,
        attr=OSM_ATTRIBUTION if tiles else None,
        prefer_canvas=True,
        control_scale=True,
    )


def polygon_layer(
    frame: gpd.GeoDataFrame,
    name: str,
    fields: Sequence[str],
    aliases: Sequence[str],
    *,
    color: str = "#555555",
    show: bool = True,
    tolerance_deg: float = 0.0003,
) -> folium.GeoJson:
    """Outline polygons (simplified for display, ~30 m) with a tooltip of ``fields``."""
    shown = escape_text_columns(frame, fields)
    shown["geometry"] = shown.geometry.simplify(tolerance_deg, preserve_topology=True)
    return folium.GeoJson(
        shown,
        name=name,
        show=show,
        style_function=lambda _: {"color": color, "weight": 1, "fillOpacity": 0.03},
        tooltip=folium.GeoJsonTooltip(fields=list(fields), aliases=list(aliases)),
    )


def point_layer(
    frame: gpd.GeoDataFrame,
    name: str,
    fields: Sequence[str],
    aliases: Sequence[str],
    *,
    color: str,
    radius: int = 5,
    show: bool = True,
) -> folium.GeoJson:
    """Points drawn as canvas circle markers (fast for thousands) with popups."""
    shown = escape_text_columns(frame, fields)
    return folium.GeoJson(
        shown,
        name=name,
        show=show,
        marker=folium.CircleMarker(radius=radius, fill=True, fill_opacity=0.85, weight=1),
        style_function=lambda _: {"color": color, "fillColor": color},
        popup=folium.GeoJsonPopup(fields=list(fields), aliases=list(aliases)),
    )
