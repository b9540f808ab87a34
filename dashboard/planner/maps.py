"""The planner's choropleth: neighbourhoods filled by an indicator (no Streamlit here).

Every text reaching the map is escaped for where the browser puts it, as in
:mod:`dashboard.maps`: feature properties (names from the data, reasons, our labels)
and the popup/tooltip aliases are written with ``innerHTML`` (:func:`html_text`); the
legend is HTML inside a JavaScript string (``dashboard.maps.add_legend`` applies
:func:`~dashboard.escaping.js_string`); the GeoJSON is rendered as text, never compiled
as a template (:class:`dashboard.maps.GeoJsonLayer`).  Missing values are grey with the
reason in the popup, estimated times have a dashed outline and lower bounds a dotted one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import folium
import numpy as np
import pandas as pd

from dashboard import maps
from dashboard.escaping import html_text

#: Class upper bounds and colours (green = well served) of each indicator.
NEAREST_BINS: Final[tuple[float, ...]] = (5, 10, 15, 20, 30, float("inf"))
GOOD_TO_BAD: Final[tuple[str, ...]] = (
    "#1a9850",
    "#91cf60",
    "#d9ef8b",
    "#fee08b",
    "#fc8d59",
    "#d73027",
)
COUNT_BINS: Final[tuple[float, ...]] = (0, 1, 2, 5, 10, float("inf"))
DASH_ESTIMATED: Final = "6 4"
DASH_LOWER_BOUND: Final = "1 4"


@dataclass(frozen=True)
class Classes:
    """Colour classes of a choropleth: upper bounds, colours and their legend labels."""

    bins: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]


def classes_for(indicator: str, values: np.ndarray, fmt: Callable[[float], str]) -> Classes:
    """Return the colour classes of ``indicator``; catchment values by quintiles.

    Times: green for short; counts and catchment values: green for many.  ``fmt``
    writes a bound for the legend (the page's number format).
    """
    if indicator == "nearest":
        return _classes(NEAREST_BINS, GOOD_TO_BAD, fmt)
    if indicator == "count":
        return _classes(COUNT_BINS, tuple(reversed(GOOD_TO_BAD)), fmt)
    known = values[np.isfinite(values)]
    if not len(known):
        return Classes((float("inf"),), (GOOD_TO_BAD[0],), ("",))
    cuts = np.unique(np.quantile(known, [0.2, 0.4, 0.6, 0.8]))
    bins = (*(float(c) for c in cuts), float("inf"))
    # bad (red) for the lowest class to good (green) for the highest, spread evenly
    bad_to_good = tuple(reversed(GOOD_TO_BAD))
    picks = np.linspace(0, len(bad_to_good) - 1, len(bins)).round().astype(int)
    return _classes(bins, tuple(bad_to_good[i] for i in picks), fmt)


def _classes(bins: Sequence[float], colours: Sequence[str], fmt: Callable[[float], str]) -> Classes:
    labels = []
    for i, bound in enumerate(bins):
        if bound == float("inf"):
            labels.append("> " + fmt(bins[i - 1]) if i else "")
        else:
            labels.append("≤ " + fmt(bound))
    return Classes(tuple(bins), tuple(colours), tuple(labels))


@dataclass(frozen=True)
class LegendTexts:
    """Our own legend texts (escaped anyway)."""

    title: str
    estimated: str
    lower_bound: str
    missing: str


def legend_html(classes: Classes, texts: LegendTexts) -> str:
    """Return the legend: the classes, grey for missing, dashed and dotted outlines."""
    swatch = (
        '<span style="background:{};display:inline-block;width:10px;height:8px;'
        'margin-right:3px;border:1px solid #555"></span>'
    )
    line = (
        '<span style="display:inline-block;width:16px;height:0;border-top:2px {} #333;'
        'margin-right:3px"></span>'
    )
    rows = [
        f"<div>{swatch.format(colour)}{html_text(label)}</div>"
        for colour, label in zip(classes.colours, classes.labels, strict=True)
    ]
    rows.append(f"<div>{swatch.format(maps.NO_DATA_COLOUR)}{html_text(texts.missing)}</div>")
    rows.append(f"<div>{line.format('dashed')}{html_text(texts.estimated)}</div>")
    rows.append(f"<div>{line.format('dotted')}{html_text(texts.lower_bound)}</div>")
    return (
        '<details id="planner-legend" open style="background:rgba(255,255,255,0.85);'
        "padding:2px 5px;font:11px/1.25 sans-serif;border:1px solid #999;border-radius:3px;"
        'max-width:170px">'
        f'<summary style="cursor:pointer;font-weight:bold">{html_text(texts.title)}</summary>'
        f"{''.join(rows)}</details>"
    )


def fill_colour(value: float, classes: Classes) -> str:
    """Return the class colour of ``value``; grey when it is missing."""
    return maps.colour_for(value, classes.bins, classes.colours)


def choropleth(
    table: pd.DataFrame,
    geometry: pd.Series,
    *,
    classes: Classes,
    popup: pd.DataFrame,
    layer_name: str,
    legend: LegendTexts,
) -> folium.Map:
    """Return an OSM map of the table's neighbourhoods filled by ``value``.

    Parameters
    ----------
    table : DataFrame
        :func:`dashboard.planner.service_gaps.indicator_table` rows (``code``, ``value``,
        ``estimated``, ``lower_bound``).
    geometry : Series
        GeoJSON geometries indexed by ``code`` (``dashboard.cache.candidate_geometry``).
    classes : Classes
        Colour classes (:func:`classes_for`).
    popup : DataFrame
        The popup's texts, one column per line, in the table's row order; column names
        are the labels.  Plain text: escaped here.
    layer_name, legend
        Our texts (escaped here).
    """
    fmap = maps.base_map()
    props = pd.DataFrame(
        {f"f{i}": popup[c].astype(str).map(html_text).to_numpy() for i, c in enumerate(popup)}
    )
    props["_fill"] = [fill_colour(v, classes) for v in table["value"]]
    props["_dash"] = [
        DASH_LOWER_BOUND if low else DASH_ESTIMATED if est else ""
        for est, low in zip(table["estimated"], table["lower_bound"], strict=True)
    ]
    shapes = geometry.reindex(pd.Index(table["code"].astype(str))).tolist()
    fields = [f"f{i}" for i in range(len(popup.columns))]
    aliases = [html_text(str(c)) for c in popup.columns]
    maps.GeoJsonLayer(
        _collection(props, shapes),
        name=html_text(layer_name),
        style_function=_style,
        tooltip=folium.GeoJsonTooltip(fields=fields[:2], aliases=aliases[:2]),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
    ).add_to(fmap)
    maps.add_legend(fmap, legend_html(classes, legend))
    return fmap


def _style(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    return {
        "color": "#333333",
        "weight": 1.5 if props["_dash"] else 0.8,
        "dashArray": props["_dash"] or None,
        "fillColor": props["_fill"],
        "fillOpacity": 0.6,
    }


def _collection(props: pd.DataFrame, geometries: Sequence[Any]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of property rows and their geometries."""
    records = json.loads(props.to_json(orient="records", force_ascii=False))
    # A feature id: folium's style function then switches on it, not on a name.
    features = [
        {"id": str(idx), "type": "Feature", "properties": record, "geometry": shape}
        for idx, record, shape in zip(props.index, records, geometries, strict=True)
        if shape is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def distinct_labels(labels: list[str]) -> list[str]:
    """Return ``labels`` with repeats numbered, so each class keeps its own bar."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out
