"""Turn processed layers into folium layers (no Streamlit here).

Every text reaching the map is escaped for where the browser puts it (see
:mod:`dashboard.escaping`; contexts as in folium 0.20 and Leaflet 1.9):

- feature properties (names, addresses, any text column) travel as JSON data, and
  ``GeoJsonPopup``/``GeoJsonTooltip`` write them *and their aliases* into the popup with
  ``innerHTML``: HTML text, so :func:`~dashboard.escaping.html_text`;
- layer names go into the layer control with ``innerHTML``: HTML text too;
- a folium ``Tooltip`` (the workplace markers, whose labels come from the data, an
  address or a geocoder) is written *raw* into a JavaScript template literal and then
  shown as HTML: ``template_literal(html_text(label))``;
- the legend is HTML in a JavaScript string: :func:`~dashboard.escaping.js_string`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from dashboard.engine.bus import METHOD_BUS, METHOD_WALK
from dashboard.engine.street import (
    METHOD_NETWORK,
    METHOD_OUTSIDE,
    METHOD_REGIONAL,
    METHOD_STRAIGHT,
)
from dashboard.escaping import html_text, js_string, template_literal
from dashboard.i18n import format_eur, format_number

LEUVEN_CENTRE = (50.8798, 4.7005)

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


def escape_text_columns(frame: gpd.GeoDataFrame, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """Return ``frame[columns + geometry]`` with every value as HTML-escaped text.

    Missing values become empty strings so popups never show ``None``.
    """
    out = frame[[*columns, "geometry"]].copy()
    for column in columns:
        values = out[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            out[column] = values.astype("string").fillna("")
        else:
            out[column] = values.astype("string").fillna("").map(html_text)
    return out


def _html(texts: Sequence[str]) -> list[str]:
    """Popup and tooltip labels as HTML text (folium writes them with ``innerHTML``)."""
    return [html_text(text) for text in texts]


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


MINUTE_BINS: tuple[float, ...] = (10, 20, 30, 45, 60, 90, float("inf"))
MINUTE_COLOURS: tuple[str, ...] = (
    "#1a9850",
    "#66bd63",
    "#a6d96a",
    "#fee08b",
    "#fdae61",
    "#f46d43",
    "#d73027",
)
#: Upper bounds (EUR) of the price classes and their colours.
PRICE_BINS: tuple[float, ...] = (250_000, 300_000, 350_000, 400_000, 450_000, float("inf"))
PRICE_COLOURS: tuple[str, ...] = ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")
NO_DATA_COLOUR = "#bbbbbb"
#: Colour of a school by its main level (schools layer ``level``).
SCHOOL_LEVEL_COLOURS: dict[str, str] = {
    "basis": "#1f77b4",
    "kleuter": "#17becf",
    "lager": "#1f77b4",
    "secundair": "#9467bd",
    "buitengewoon basis": "#8c564b",
    "buitengewoon secundair": "#8c564b",
}
OTHER_SCHOOL_COLOUR = "#7f7f7f"
#: Coordinates of display geometries are rounded to this grid (degrees, ~1 m).
DISPLAY_GRID_DEG = 1e-5


def colour_for(value: float, bins: Sequence[float], colours: Sequence[str]) -> str:
    """Return the colour of the first class whose upper bound holds ``value``."""
    if value is None or pd.isna(value):
        return NO_DATA_COLOUR
    for bound, colour in zip(bins, colours, strict=True):
        if value <= bound:
            return colour
    return colours[-1]


#: Simplification tolerance of the neighbourhood polygons on the map (degrees, ~40 m).
DISPLAY_TOLERANCE_DEG = 0.0004


def display_geometry(
    frame: gpd.GeoDataFrame, tolerance_deg: float = DISPLAY_TOLERANCE_DEG
) -> pd.Series:
    """Return the polygons of ``frame`` as drawn, as GeoJSON geometries (same index).

    Simplified and rounded to ~1 m.  Depends on the layer only: a caller may prepare it
    once for the whole layer and pass it in :attr:`ExploreLayers.candidate_geometry`
    (indexed by ``code``); these dicts are then shared: never modify them.
    """
    import shapely.geometry

    shapes = _display_geometry(frame, tolerance_deg)
    return pd.Series([shapely.geometry.mapping(g) for g in shapes], index=frame.index, dtype=object)


def _display_geometry(frame: gpd.GeoDataFrame, tolerance_deg: float) -> gpd.GeoSeries:
    """Simplify and round polygons for the map (payload, not analysis)."""
    import shapely

    simple = frame.geometry.simplify(tolerance_deg, preserve_topology=True)
    return gpd.GeoSeries(
        shapely.set_precision(simple.values, DISPLAY_GRID_DEG), index=frame.index, crs=frame.crs
    )


def _as_geojson(frame: gpd.GeoDataFrame) -> dict:  # type: ignore[type-arg]
    """GeoJSON dict without per-feature bounding boxes (a third of a point's bytes).

    Point layers are assembled directly from coordinate arrays: geopandas' generic
    ``to_json`` was the slowest step of a map rerun.
    """
    if len(frame) and bool((frame.geometry.geom_type == "Point").all()):
        return _points_geojson(frame)
    parsed: dict = json.loads(frame.to_json(show_bbox=False, drop_id=False))  # type: ignore[type-arg]
    return parsed


def _points_geojson(frame: gpd.GeoDataFrame) -> dict:  # type: ignore[type-arg]
    """GeoJSON FeatureCollection of a point frame, same layout as ``to_json``."""
    xs, ys = frame.geometry.x.tolist(), frame.geometry.y.tolist()
    points = [{"type": "Point", "coordinates": [x, y]} for x, y in zip(xs, ys, strict=True)]
    return _collection(frame.drop(columns=frame.geometry.name), points)


def _collection(props: pd.DataFrame, geometries: Sequence[Any]) -> dict:  # type: ignore[type-arg]
    """GeoJSON FeatureCollection of property rows and their geometries (``to_json`` layout)."""
    records = json.loads(props.to_json(orient="records", force_ascii=False))
    features = [
        {"id": str(idx), "type": "Feature", "properties": record, "geometry": geometry}
        for idx, record, geometry in zip(props.index, records, geometries, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _point_frame(frame: gpd.GeoDataFrame, fields: Sequence[str]) -> gpd.GeoDataFrame:
    shown = escape_text_columns(frame, [f for f in fields if f in frame.columns])
    shown["geometry"] = gpd.points_from_xy(
        frame.geometry.x.round(5), frame.geometry.y.round(5), crs=frame.crs
    )
    return shown


class _RenderedText(Element):
    """Text rendered once, kept as it is.

    branca's ``MacroElement.render`` wraps each rendered part in ``Element(text)``,
    which compiles the text as a Jinja template: for a GeoJSON layer that is the whole
    data, lexed and compiled on every rerun (a fifth of a map rerun, measured).
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        """Return the text as rendered."""
        return self._text


class _TextParts(MacroElement):
    """``MacroElement.render`` that adds its rendered parts as text, not as templates."""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca: None
        """Add the header, html and script parts to the figure, then render children."""
        figure: Any = self.get_root()
        targets = {"header": figure.header, "html": figure.html, "script": figure.script}
        for part, target in targets.items():
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                target.add_child(_RenderedText(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class GeoJsonLayer(folium.GeoJson, _TextParts):
    """``folium.GeoJson`` whose rendered script (holding the data) is never compiled.

    Besides the time, compiling data as a template read a name holding ``{{ 7*7 }}`` as
    "49" and failed the whole map on one holding ``{% if``.
    """


class _Tooltip(folium.Tooltip, _TextParts):
    """``folium.Tooltip`` whose text (a workplace label: user or data text) stays text."""


class _LayerControl(folium.LayerControl, _TextParts):
    """``folium.LayerControl`` whose layer names stay text."""


def neighbourhood_layer(
    candidates: gpd.GeoDataFrame,
    *,
    colour_by: str,
    fields: Sequence[str],
    aliases: Sequence[str],
    name: str,
    tolerance_deg: float = DISPLAY_TOLERANCE_DEG,
    geometry: pd.Series | None = None,
    html_fields: Sequence[str] = (),
) -> GeoJsonLayer:
    """Candidate neighbourhoods filled by commute time or price; estimated ones dashed.

    ``candidates`` needs ``worst_minutes``, ``price_eur`` and ``estimated`` besides
    ``fields``.  Style values travel as ``_fill``/``_dash`` properties so that one
    style function serves every feature.  ``geometry``: the display polygons of
    :func:`display_geometry` indexed by ``code`` (else simplified here).
    ``html_fields`` (also in ``fields``) already hold safe HTML built here (the profile
    link of :func:`profile_anchor`): not escaped again.
    """
    shown = escape_text_columns(candidates, [f for f in fields if f not in html_fields])
    for column in html_fields:
        shown[column] = candidates[column].astype("string").fillna("")
    shown = shown[[*fields, "geometry"]]
    if colour_by == "price":
        fills = [colour_for(v, PRICE_BINS, PRICE_COLOURS) for v in candidates["price_eur"]]
    else:
        fills = [colour_for(v, MINUTE_BINS, MINUTE_COLOURS) for v in candidates["worst_minutes"]]
    shown["_fill"] = fills
    shown["_dash"] = ["6 4" if e else "" for e in candidates["estimated"].astype(bool)]
    if geometry is None:
        shown["geometry"] = _display_geometry(candidates, tolerance_deg)
        data = _as_geojson(shown)
    else:
        # Prepared polygons: only the properties are converted on a rerun.
        data = _collection(shown.drop(columns="geometry"), geometry.loc[candidates["code"]])

    def style(feature: dict) -> dict:  # type: ignore[type-arg]
        props = feature["properties"]
        return {
            "color": "#333333",
            "weight": 1.5 if props["_dash"] else 1,
            "dashArray": props["_dash"] or None,
            "fillColor": props["_fill"],
            "fillOpacity": 0.55,
        }

    return GeoJsonLayer(
        data,
        name=html_text(name),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=list(fields[:3]), aliases=_html(aliases[:3])),
        popup=folium.GeoJsonPopup(fields=list(fields), aliases=_html(aliases)),
    )


#: CSS class of the app's own profile links in popups.
PROFILE_LINK_CLASS = "atlas-profile-link"


def profile_anchor(href: str, label: str) -> str:
    """Return a popup link (HTML) to a neighbourhood's profile, opened in a new tab.

    ``href`` is the app-relative link of :func:`dashboard.state.profile_link`; the map
    runs in an iframe served below the app, so the link is made absolute from the
    server's root (the app served at ``/``).  Both parts are escaped as HTML text.  The
    class :data:`PROFILE_LINK_CLASS` marks the link as the app's own (the browser test
    tells it apart from anything a data value could inject).
    """
    return (
        f'<a class="{PROFILE_LINK_CLASS}" href="/{html_text(href)}" target="_blank" '
        f'rel="noopener">{html_text(label)}</a>'
    )


def school_layer(
    schools: gpd.GeoDataFrame,
    name: str,
    fields: Sequence[str],
    aliases: Sequence[str],
    *,
    show: bool = True,
) -> GeoJsonLayer:
    """Schools as canvas circle markers coloured by their main level."""
    shown = _point_frame(schools, fields)
    shown["_colour"] = [
        SCHOOL_LEVEL_COLOURS.get(str(level), OTHER_SCHOOL_COLOUR) for level in schools["level"]
    ]
    return GeoJsonLayer(
        _as_geojson(shown),
        name=html_text(name),
        show=show,
        marker=folium.CircleMarker(radius=4, fill=True, fill_opacity=0.85, weight=1),
        style_function=lambda f: {
            "color": f["properties"]["_colour"],
            "fillColor": f["properties"]["_colour"],
        },
        popup=folium.GeoJsonPopup(fields=list(fields), aliases=_html(aliases)),
    )


def compact_point_layer(
    frame: gpd.GeoDataFrame,
    name: str,
    fields: Sequence[str],
    aliases: Sequence[str],
    *,
    color: str,
    radius: int = 5,
    show: bool = True,
) -> GeoJsonLayer:
    """Points as canvas circle markers (fast for thousands) with popups; ~1 m coordinates."""
    present = [f for f in fields if f in frame.columns]
    shown = _point_frame(frame, present)
    labels = [a for f, a in zip(fields, aliases, strict=True) if f in frame.columns]
    return GeoJsonLayer(
        _as_geojson(shown),
        name=html_text(name),
        show=show,
        marker=folium.CircleMarker(radius=radius, fill=True, fill_opacity=0.85, weight=1),
        style_function=lambda _: {"color": color, "fillColor": color},
        popup=folium.GeoJsonPopup(fields=present, aliases=_html(labels)),
    )


def workplace_layer(points: Sequence[tuple[str, float, float]], name: str) -> folium.FeatureGroup:
    """Workplaces as large numbered circles (no icon font: works offline)."""
    group = folium.FeatureGroup(name=html_text(name))
    colours = ("#000000", "#c51b7d")
    for number, (label, lat, lon) in enumerate(points, start=1):
        folium.CircleMarker(
            location=(lat, lon),
            radius=10,
            color="#ffffff",
            weight=3,
            fill=True,
            fill_color=colours[(number - 1) % 2],
            fill_opacity=1.0,
            # folium writes Tooltip text raw into a template literal, shown as HTML.
            tooltip=_Tooltip(template_literal(html_text(f"{number}: {label}"))),
        ).add_to(group)
    return group


def isochrone_layer(features: Sequence[dict[str, Any]], name: str) -> GeoJsonLayer:
    """Isochrone bands as translucent polygons coloured like the commute classes.

    The bands are drawn above the neighbourhoods (to stay visible) but take no clicks
    or hovers: on a canvas map the topmost shape gets the click, and the bands would
    otherwise swallow every click meant for a neighbourhood or a school under them.
    The page states the band limits in a caption instead of a tooltip.

    Parameters
    ----------
    features : sequence of dict
        GeoJSON features with a ``minutes`` property, largest band first (drawn below).
    name : str
        Layer name in the layer control.
    """
    shown = []
    for feature in features:
        minutes = float(feature["properties"]["minutes"])
        props = {"_colour": colour_for(minutes, MINUTE_BINS, MINUTE_COLOURS)}
        shown.append({"type": "Feature", "properties": props, "geometry": feature["geometry"]})
    return GeoJsonLayer(
        {"type": "FeatureCollection", "features": shown},
        name=html_text(name),
        style_function=lambda f: {
            "color": f["properties"]["_colour"],
            "weight": 2,
            "fillColor": f["properties"]["_colour"],
            "fillOpacity": 0.12,
            "interactive": False,
        },
    )


def spread_texts(minutes: pd.Series, p10: pd.Series, p90: pd.Series, template: str) -> pd.Series:
    """Popup text of train times: ``template`` with the median and the p10-p90 range.

    Places without a spread (direct trip faster than any train, or no time) get plain
    minutes or an empty string.
    """

    def one(m: float, lo: float, hi: float) -> str:
        if pd.isna(m):
            return ""
        if pd.isna(lo) or pd.isna(hi) or round(lo) == round(hi):
            return f"{m:.0f} min"
        return template.format(m=f"{m:.0f}", lo=f"{lo:.0f}", hi=f"{hi:.0f}")

    return pd.Series(
        [one(m, lo, hi) for m, lo, hi in zip(minutes, p10, p90, strict=True)],
        index=minutes.index,
        dtype="string",
    )


def legend_html(
    title: str,
    bins: Sequence[float],
    colours: Sequence[str],
    note: str,
    *,
    unit: str = "",
    lang: str = "en",
) -> str:
    """Return a compact, foldable legend (plain HTML, our own text, escaped anyway).

    A ``<details>`` block: open at first, one click on the title folds it away, so it
    never has to hide a popup or the map for long.
    """
    rows = []
    low = 0.0
    for bound, colour in zip(bins, colours, strict=True):
        low_text = format_number(low, lang)  # 250,000 in English, 250.000 in NL/FR
        if bound == float("inf"):
            text = f"> {low_text}{unit}"
        else:
            text = f"{low_text}-{format_number(bound, lang)}{unit}"
        rows.append(
            f'<div><span style="background:{colour};display:inline-block;width:10px;'
            f'height:8px;margin-right:3px;border:1px solid #555"></span>{html_text(text)}</div>'
        )
        low = bound
    return (
        '<details id="atlas-legend" open style="background:rgba(255,255,255,0.85);'
        "padding:2px 5px;font:11px/1.25 sans-serif;border:1px solid #999;border-radius:3px;"
        'max-width:150px">'
        f'<summary style="cursor:pointer;font-weight:bold">{html_text(title)}</summary>'
        f"{''.join(rows)}"
        '<div style="margin-top:2px"><span style="display:inline-block;width:16px;height:0;'
        f'border-top:2px dashed #333;margin-right:3px"></span>{html_text(note)}</div>'
        "</details>"
    )


class _LegendControl(_TextParts):
    """A Leaflet control holding the legend HTML (bottom left, stacked with the scale).

    A control, not a fixed ``<div>`` over the page: Leaflet stacks it with the other
    controls, and clicks on it do not reach the map (no accidental workplace).  It hides
    while a popup is open, so it never covers one.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var box = L.DomUtil.create("div", "leaflet-control atlas-legend-control");
            box.innerHTML = {{ this.legend_js }};
            L.DomEvent.disableClickPropagation(box);
            L.DomEvent.disableScrollPropagation(box);
            // Out of the way while a popup is open: it must never hide one.
            {{ this._parent.get_name() }}.on("popupopen", function () {
                box.style.visibility = "hidden";
            });
            {{ this._parent.get_name() }}.on("popupclose", function () {
                box.style.visibility = "";
            });
            return box;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, legend: str, position: str = "bottomleft") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "LegendControl"
        self.legend_js = js_string(legend)
        self.position = position


class _ClickThrough(MacroElement):
    """Make a click on a feature also a map click at that spot (and skip its popup).

    Leaflet stops the click that opens a popup, so streamlit-folium's ``last_clicked``
    never sees clicks on neighbourhoods or points.  When the workplace is chosen by map
    click, this hands such a click on as a map click (at the clicked spot; for a point,
    the point) and closes the popup; the page then moves the workplace there.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.on("popupopen", function (e) {
            var map = {{ this._parent.get_name() }};
            map.closePopup(e.popup);
            map.fire("click", {latlng: e.popup.getLatLng()});
        });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ClickThrough"


class _FitView(MacroElement):
    """Fit the map to bounds with a margin, and again when the map's size changes.

    folium's ``fit_bounds`` fits once, at the size the frame has at load; Streamlit may
    still resize the frame after that, and Leaflet then keeps the centre and zoom, which
    cut far-off candidates at the edge.  Refitting on ``resize`` stops at the user's first
    drag, wheel or click on the map: their view is theirs.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this.map.get_name() }};
            {%- for group in this.hidden %}
            map.removeLayer({{ group.get_name() }});
            {%- endfor %}
            var bounds = {{ this.bounds|tojson }};
            // Run again on every update of the layers (st_folium feature groups): one
            // resize handler, for the latest bounds; a new result is fitted again.
            map._atlasMoved = false;
            function fit() {
                map.fitBounds(bounds, {padding: [{{ this.padding }}, {{ this.padding }}],
                                       animate: false});
            }
            fit();
            if (!map._atlasWatch) {
                map._atlasWatch = true;
                ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (name) {
                    map.getContainer().addEventListener(
                        name, function () { map._atlasMoved = true; }, {passive: true});
                });
            }
            if (map._atlasFit) { map.off("resize", map._atlasFit); }
            map._atlasFit = function () { if (!map._atlasMoved) { fit(); } };
            map.on("resize", map._atlasFit);
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        fmap: folium.Map,
        bounds: list[list[float]],
        padding: int,
        hidden: Sequence[folium.FeatureGroup] = (),
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "FitView"
        self.map = fmap
        self.bounds = bounds
        self.padding = int(padding)
        # Overlays off at first: st_folium adds every updated group to the map.
        self.hidden = list(hidden)


#: Margin (px) around the fitted view, so edge candidates clear the map's controls.
FIT_PADDING_PX = 28


def add_legend(fmap: folium.Map, legend: str) -> None:
    """Attach a legend to the map as a compact bottom-left control."""
    _LegendControl(legend).add_to(fmap)


def view_bounds(
    candidates: gpd.GeoDataFrame,
    workplaces: Sequence[tuple[str, float, float]],
    *,
    min_span_deg: float = 0.02,
) -> list[list[float]]:
    """Return ``[[south, west], [north, east]]`` holding the candidates and workplaces.

    The start view shows what matters (a 15-minute bike area is a few streets, Leuven at
    zoom 11 a dot).  A span below ``min_span_deg`` (~2 km) is widened around its centre
    so a lone workplace is not shown at street level.
    """
    lats = [lat for _, lat, _ in workplaces]
    lons = [lon for _, _, lon in workplaces]
    if len(candidates):
        west, south, east, north = (float(v) for v in candidates.total_bounds)
        lats += [south, north]
        lons += [west, east]
    if not lats:
        lats, lons = [LEUVEN_CENTRE[0]], [LEUVEN_CENTRE[1]]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    half_lat = max(north - south, min_span_deg) / 2
    half_lon = max(east - west, min_span_deg) / 2
    mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
    # Rounded outwards to ~1 m: short, and never cuts off the outermost candidate.
    return [
        [_round_down(mid_lat - half_lat), _round_down(mid_lon - half_lon)],
        [_round_up(mid_lat + half_lat), _round_up(mid_lon + half_lon)],
    ]


def _round_down(value: float) -> float:
    return math.floor(value * 1e5) / 1e5


def _round_up(value: float) -> float:
    return math.ceil(value * 1e5) / 1e5


#: Popup fields with a point's commute text per person (see :func:`with_travel_texts`).
TRAVEL_FIELDS: tuple[str, ...] = ("time_1", "time_2")


def with_travel_texts(
    points: gpd.GeoDataFrame, times: pd.DataFrame, limits: Sequence[float], lang: str
) -> gpd.GeoDataFrame:
    """Return ``points`` with ``time_1`` (and ``time_2``) popup texts from ``times``.

    ``times`` is :func:`dashboard.layers.candidates.commute_columns` for the whole layer
    (index of the layer); ``points`` may be any subset of its rows.
    """
    out = points.copy()
    for person, limit in enumerate(limits, start=1):
        texts = travel_texts(times, person, limit, lang)
        out[f"time_{person}"] = texts.reindex(points.index).fillna("")
    return out


def travel_texts(times: pd.DataFrame, person: int, max_minutes: float, lang: str) -> pd.Series:
    """Popup text of a point's commute for one person: "12 min", "12 min (estimated)"...

    ``times`` holds the columns of :func:`dashboard.layers.candidates.commute_columns`
    for that person; a point beyond the limit reads "more than N min".
    """
    from dashboard.i18n import t

    minutes, p10, p90 = (times[f"{c}_{person}"] for c in ("minutes", "p10", "p90"))
    texts = spread_texts(minutes, p10, p90, t("spread_text", lang))
    beyond = t("beyond_limit", lang, m=f"{max_minutes:g}")
    estimated = times[f"estimated_{person}"].fillna(False).astype(bool)
    suffix = " (" + t("estimated_word", lang) + ")"
    out = [
        beyond if not text else (text + suffix if est else text)
        for text, est in zip(texts, estimated, strict=True)
    ]
    return pd.Series(out, index=times.index, dtype="string")


def map_payload_bytes(fmap: folium.Map) -> int:
    """Size of the rendered map page in bytes (what the browser receives)."""
    return len(fmap.get_root().render().encode("utf-8"))


@dataclass(frozen=True)
class ExploreLayers:
    """The frames drawn on the Explore map (already filtered to what is shown)."""

    candidates: gpd.GeoDataFrame
    schools: gpd.GeoDataFrame
    international: gpd.GeoDataFrame
    childcare: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    bus_stops: gpd.GeoDataFrame
    workplaces: tuple[tuple[str, float, float], ...]
    #: Isochrone band features of workplace 1 (empty: none drawn) and their mode.
    isochrones: Sequence[dict[str, Any]] = ()
    isochrone_mode: str = ""
    #: Whether a school / childcare filter narrows the counts (their popup labels say so).
    schools_filtered: bool = False
    childcare_filtered: bool = False
    #: Display parts prepared once per layer and language (see :func:`point_features`
    #: and :func:`display_geometry`); missing ones are computed here.  Same output.
    features: Mapping[str, pd.Series] = field(default_factory=dict)
    candidate_geometry: pd.Series | None = None
    #: Year of each layer's data (:func:`data_years`); read from the snapshot if empty.
    years: Mapping[str, str] = field(default_factory=dict)
    #: Link to each candidate's profile by ``code`` (:func:`dashboard.state.profile_link`);
    #: empty: no link in the popups.
    profile_links: Mapping[str, str] = field(default_factory=dict)
    #: Adult-education centres with a ``source`` column (manifest source and date); None:
    #: no such layer on the map.
    adult_education: gpd.GeoDataFrame | None = None


@dataclass
class MapParts:
    """The Explore map as a base map and the overlays that change between reruns.

    ``base`` holds the tiles, the legend and the click rule: it changes only with the
    language, the colouring and the click rule.  ``overlays`` (one feature group per
    layer-control entry, and a last one that fits the view) and ``control`` change with
    every result.  streamlit-folium keeps its frame (and Leaflet) while the base map is
    the same and swaps the overlays (``feature_group_to_add``, ``layer_control``); a
    new base map reloads the frame (~0.5-0.7 s in Chromium).
    """

    base: folium.Map
    overlays: list[folium.FeatureGroup]
    control: folium.LayerControl


def explore_map(
    layers: ExploreLayers, *, colour_by: str, lang: str, clicks_pass_through: bool = False
) -> folium.Map:
    """Assemble the Explore map: candidates, amenities, workplaces, legend, layer control.

    One map holding every part of :func:`explore_map_parts` (its overlays and layer
    control added to the base map).
    """
    parts = explore_map_parts(
        layers, colour_by=colour_by, lang=lang, clicks_pass_through=clicks_pass_through
    )
    for overlay in parts.overlays:
        overlay.add_to(parts.base)
    parts.control.add_to(parts.base)
    return parts.base


def _group(layer: folium.Element, name: str, *, show: bool = True) -> folium.FeatureGroup:
    """Return a layer-control entry holding one layer (its name escaped as HTML text)."""
    group = folium.FeatureGroup(name=html_text(name), show=show)
    layer.add_to(group)
    return group


def explore_map_parts(
    layers: ExploreLayers, *, colour_by: str, lang: str, clicks_pass_through: bool = False
) -> MapParts:
    """Assemble the Explore map's parts: base map, overlays, layer control.

    Parameters
    ----------
    layers : ExploreLayers
        What to draw.
    colour_by : str
        ``"commute"`` or ``"price"``: the fill of the neighbourhoods.
    lang : str
        Interface language of layer names, aliases and the legend.
    clicks_pass_through : bool
        When True (the workplace is chosen by map click), a click on a neighbourhood or a
        point counts as a map click too (see :class:`_ClickThrough`); otherwise it only
        opens that feature's popup.
    """
    from dashboard.i18n import t

    fmap = base_map()
    overlays: list[folium.FeatureGroup] = []
    cand = layers.candidates.copy()
    two = "minutes_2" in cand.columns
    fields = ["name", "municipality", "minutes_1", *(["minutes_2"] if two else [])]
    aliases = [t("col_name", lang), t("col_municipality", lang), t("col_minutes_1", lang)]
    aliases += [t("col_minutes_2", lang)] if two else []
    for person in (1, 2) if two else (1,):
        spread = _train_spread(cand, person, lang)
        if spread is not None:
            cand[f"spread_{person}"] = spread
            fields.append(f"spread_{person}")
            aliases.append(t(f"col_spread_{person}", lang))
    fields += ["method_text", "n_schools_match", "n_childcare_match", "coverage_text"]
    aliases += [
        t("col_method", lang),
        t("col_schools" if layers.schools_filtered else "col_schools_all", lang),
        t("col_childcare" if layers.childcare_filtered else "col_childcare_all", lang),
        t("col_childcare_coverage", lang),
    ]
    fields += ["price_text", "source"]
    aliases += [t("col_price", lang), t("source", lang)]
    html_fields: list[str] = []
    if layers.profile_links:
        label = t("ik_open_profile", lang)
        cand["profile_link"] = [
            profile_anchor(layers.profile_links[str(c)], label)
            if str(c) in layers.profile_links
            else ""
            for c in cand["code"]
        ]
        fields.append("profile_link")
        aliases.append(t("ik_profile", lang))
        html_fields.append("profile_link")
    for column in ("minutes_1", "minutes_2") if two else ("minutes_1",):
        cand[column] = cand[column].round().astype("Int64")  # whole minutes, as the table
    cand["method_text"] = [method_label(m, lang) for m in cand["method_1"].astype(str)]
    cand["coverage_text"] = [coverage_label(c, lang) for c in cand["childcare_coverage"]]
    cand["price_text"] = [format_eur(v, lang) for v in cand["price_eur"]]
    cand["source"] = t("source_neighbourhoods", lang)
    if len(cand):
        name = t("layer_neighbourhoods", lang)
        polygons = neighbourhood_layer(
            cand,
            colour_by=colour_by,
            fields=fields,
            aliases=aliases,
            name=name,
            geometry=layers.candidate_geometry,
            html_fields=html_fields,
        )
        overlays.append(_group(polygons, name))
    years = layers.years or _snapshot_years()
    for key in POINT_LAYERS:
        frame = getattr(layers, key)
        if frame is None:  # an optional layer the page did not give
            continue
        layer = _point_layer(key, frame, layers.features.get(key), lang, years)
        if layer is not None:
            name = _point_layer_name(key, lang, years)
            overlays.append(_group(layer, name, show=POINT_LAYERS[key].show))
    if layers.isochrones:
        mode = t(f"mode_{layers.isochrone_mode}", lang)
        name = t("layer_isochrones", lang, mode=mode)
        overlays.append(_group(isochrone_layer(layers.isochrones, name), name))
    if layers.workplaces:
        overlays.append(workplace_layer(layers.workplaces, t("layer_workplaces", lang)))
    if colour_by == "price":
        legend = legend_html(
            t("legend_price", lang),
            PRICE_BINS,
            PRICE_COLOURS,
            t("legend_estimated", lang),
            lang=lang,
        )
    else:
        legend = legend_html(
            t("legend_minutes", lang),
            MINUTE_BINS,
            MINUTE_COLOURS,
            t("legend_estimated", lang),
            lang=lang,
        )
    add_legend(fmap, legend)
    if clicks_pass_through:
        _ClickThrough().add_to(fmap)
    view = folium.FeatureGroup(name="view", control=False)
    bounds = view_bounds(layers.candidates, layers.workplaces)
    hidden = [group for group in overlays if not group.show]
    _FitView(fmap, bounds, FIT_PADDING_PX, hidden).add_to(view)
    overlays.append(view)
    # Collapsed: open, the list of overlays covered half the map.
    return MapParts(fmap, overlays, _LayerControl(collapsed=True))


def _train_spread(cand: gpd.GeoDataFrame, person: int, lang: str) -> pd.Series | None:
    """Spread texts of a person whose times vary over the window (trains), else None."""
    from dashboard.i18n import t

    columns = [f"minutes_{person}", f"p10_{person}", f"p90_{person}"]
    if not set(columns) <= set(cand.columns) or not len(cand):
        return None
    low, high = cand[columns[1]], cand[columns[2]]
    if not (high - low).fillna(0).gt(0.5).any():
        return None  # street modes: p10 = p90 = minutes
    return spread_texts(cand[columns[0]], low, high, t("spread_text", lang))


def data_years(manifests: Sequence[Any]) -> dict[str, str]:
    """Return each layer's data year (first four digits of its manifest's ``data_date``).

    Texts naming a year ("Schools (2022)", "NMBS 2019 timetable") take it from here,
    so a rebuilt snapshot is named by its own date.  Layers without a leading year are
    left out.
    """
    years = {}
    for manifest in manifests:
        head = str(manifest.data_date)[:4]
        if head.isascii() and head.isdigit():
            years[manifest.name] = head
    return years


#: Layers whose data year the app's texts name.
YEAR_LAYERS: tuple[str, ...] = (
    "schools",
    "adult_education",
    "childcare",
    "stations",
    "bus_stops",
    "rail_timetable",
)


def snapshot_years(data_dir: Path | None = None) -> dict[str, str]:
    """Return the data years of :data:`YEAR_LAYERS` in a snapshot (default: in force).

    Each manifest is read on its own: a damaged one (named by the Sources page and by
    the loaders that need its layer) only leaves its layer's year out of the texts.
    """
    from geodata.io import SnapshotError, load_manifest

    found = []
    for name in YEAR_LAYERS:
        try:
            found.append(load_manifest(name, data_dir))
        except SnapshotError:
            continue
    return data_years(found)


def _snapshot_years() -> dict[str, str]:
    return snapshot_years()


#: The layer whose data year a point layer's texts name.
_YEAR_LAYER = {
    "schools": "schools",
    "international": "international_schools",
    "childcare": "childcare",
    "stations": "stations",
    "bus_stops": "bus_stops",
    "adult_education": "adult_education",
}


@dataclass(frozen=True)
class PointSpec:
    """How a point layer of the Explore map is drawn.

    ``fields`` are the popup fields that do not change between reruns (the travel texts
    are added per rerun); ``colour`` is empty for the schools (coloured by level).
    """

    name_key: str
    fields: tuple[str, ...]
    colour: str
    radius: int
    show: bool = True
    travel: bool = True


#: The point layers of :class:`ExploreLayers`, drawn in this order.
POINT_LAYERS: dict[str, PointSpec] = {
    "schools": PointSpec(
        "layer_schools", ("name", "levels", "net", "language", "address", "source"), "", 4
    ),
    "international": PointSpec(
        "layer_international",
        ("name", "type", "curriculum", "coord_quality", "source"),
        "#d62728",
        7,
    ),
    "childcare": PointSpec(
        "layer_childcare", ("name", "category", "address", "coverage", "source"), "#2ca02c", 5
    ),
    "stations": PointSpec(
        "layer_stations",
        ("name_nl", "name_fr", "trains_per_weekday", "source"),
        "#6a3d9a",
        6,
        travel=False,
    ),
    # Thousands of stops: no per-feature source (it is in the layer name) to keep the
    # payload small; lines are known in central Leuven only.
    "bus_stops": PointSpec(
        "layer_bus_stops", ("name", "lines"), "#ff7f0e", 3, show=False, travel=False
    ),
    # A handful of centres (CVO, basiseducatie); off until asked for.  The source comes
    # with the frame (its manifest's source and date, see ExploreLayers.adult_education).
    "adult_education": PointSpec(
        "ik_layer_adult_education", ("name", "type", "address", "source"), "#17becf", 7, show=False
    ),
}


def _static_columns(
    key: str, frame: gpd.GeoDataFrame, lang: str, years: Mapping[str, str]
) -> gpd.GeoDataFrame:
    """Return a point layer with its shown texts in ``lang`` (source, translated codes)."""
    from dashboard.i18n import t

    sources = {
        "schools": f"Onderwijs Vlaanderen {years.get('schools', '')}".strip(),
        "international": t("source_international", lang),
        "childcare": t("source_childcare", lang, year=years.get("childcare", "")),
        "stations": f"NMBS/SNCB GTFS {years.get('stations', '')}".strip(),
    }
    out = frame.copy()
    if key in sources:
        out["source"] = sources[key]
    if key == "adult_education" and len(out):
        out["type"] = [_adult_kind(str(k), lang) for k in out["kind"]]
    if key == "childcare" and len(out):
        out["category"] = [childcare_label(c, lang) for c in out["category"].astype(str)]
        out["coverage"] = [coverage_label(c, lang) for c in out["coverage"]]
    if key == "schools":
        out["_colour"] = [
            SCHOOL_LEVEL_COLOURS.get(str(level), OTHER_SCHOOL_COLOUR) for level in out["level"]
        ]
    return out


def _adult_kind(kind: str, lang: str) -> str:
    """Return a centre's kind in ``lang`` (a kind added later: as given)."""
    from dashboard.i18n import has_key, t

    key = f"report_adult_kind_{kind}"
    return t(key, lang) if has_key(key) else kind


def point_features(
    key: str, frame: gpd.GeoDataFrame, lang: str, years: Mapping[str, str] | None = None
) -> pd.Series:
    """GeoJSON features of a point layer's static popup fields, escaped, by row label.

    Every text is HTML-escaped (:func:`escape_text_columns`) and the coordinates are
    rounded to ~1 m.  The result depends on the layer and ``lang`` only, so a caller may
    prepare it once for the whole layer and pass it in :attr:`ExploreLayers.features`.
    ``years``: :func:`data_years` (read from the snapshot when None).
    """
    spec = POINT_LAYERS[key]
    shown = _static_columns(key, frame, lang, _snapshot_years() if years is None else years)
    present = [f for f in spec.fields if f in shown.columns]
    if key == "schools":
        present.append("_colour")
    collection = _points_geojson(_point_frame(shown, present)) if len(shown) else None
    features = collection["features"] if collection else []
    return pd.Series(features, index=frame.index, dtype=object)


def _point_layer_name(key: str, lang: str, years: Mapping[str, str]) -> str:
    """Return a point layer's name in ``lang`` (with its data year)."""
    from dashboard.i18n import t

    return t(POINT_LAYERS[key].name_key, lang, year=years.get(_YEAR_LAYER[key], ""))


def _point_layer(
    key: str,
    frame: gpd.GeoDataFrame,
    features: pd.Series | None,
    lang: str,
    years: Mapping[str, str],
) -> GeoJsonLayer | None:
    """One point layer of :func:`explore_map` (None when it has no point).

    ``features`` (from :func:`point_features` for the whole layer) are reused; the
    travel texts of ``frame`` (``time_1``, ``time_2``) are added, escaped.
    """
    if not len(frame):
        return None
    spec = POINT_LAYERS[key]
    if features is None:
        features = point_features(key, frame, lang, years)
    chosen = features.loc[frame.index]
    travel = [f for f in TRAVEL_FIELDS if spec.travel and f in frame.columns]
    texts = {f: frame[f].astype("string").fillna("").map(html_text).tolist() for f in travel}
    out = []
    for position, feature in enumerate(chosen):
        props = dict(feature["properties"])
        props.update({f: values[position] for f, values in texts.items()})
        out.append({**feature, "properties": props})
    if key == "schools":
        out = group_sites(out)
    fields = [f for f in spec.fields if f in out[0]["properties"]] + travel
    if key == "schools":
        fields.insert(1, SITE_COUNT_FIELD)
    # The source last, as before the travel texts were added.
    if "source" in fields:
        fields.remove("source")
        fields.append("source")
    year = years.get(_YEAR_LAYER[key], "")
    aliases = [_alias(f, lang, year) for f in fields]
    if spec.colour:
        # One colour for all: the marker options say it (no per-feature style map).
        marker = folium.CircleMarker(
            radius=spec.radius,
            fill=True,
            fill_opacity=0.85,
            weight=1,
            color=spec.colour,
            fill_color=spec.colour,
        )
        style_function = None
    else:
        marker = folium.CircleMarker(radius=spec.radius, fill=True, fill_opacity=0.85, weight=1)

        def style_function(f: dict) -> dict:  # type: ignore[type-arg]
            return {"color": f["properties"]["_colour"], "fillColor": f["properties"]["_colour"]}

    return GeoJsonLayer(
        {"type": "FeatureCollection", "features": out},
        name=html_text(_point_layer_name(key, lang, years)),
        marker=marker,
        style_function=style_function,
        popup=folium.GeoJsonPopup(fields=fields, aliases=_html(aliases)),
    )


#: Popup field of a school site: how many school numbers share the point.
SITE_COUNT_FIELD = "site_schools"


def group_sites(features: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge point features at the same coordinates into one feature per site.

    The schools source lists one row per school number at its main seat, and several
    numbers often share one address (a kleuter-, lager and secundair school of one
    campus): one marker with one popup listing every school is what a user can read.
    Names (already escaped) are listed one per line; other texts keep their distinct
    values joined by "; "; :data:`SITE_COUNT_FIELD` gives the number of schools.  The
    first feature's id and travel texts (equal at one point) are kept.
    """
    sites: dict[tuple[float, ...], list[dict[str, Any]]] = {}
    for feature in features:
        sites.setdefault(tuple(feature["geometry"]["coordinates"]), []).append(feature)
    return [_merged_site(group) for group in sites.values()]


def _merged_site(group: list[dict[str, Any]]) -> dict[str, Any]:
    first = group[0]
    props = dict(first["properties"])
    props[SITE_COUNT_FIELD] = len(group)
    if len(group) > 1:
        for field in ("name", "levels", "net", "language", "address"):
            values = [g["properties"].get(field) for g in group]
            distinct = list(dict.fromkeys(str(v) for v in values if v not in (None, "")))
            props[field] = ("<br>" if field == "name" else "; ").join(distinct)
    return {**first, "properties": props}


def _alias(field: str, lang: str, year: str = "") -> str:
    """Popup label of a point field: our translated labels, else the field name.

    ``year``: the layer's data year, for labels that name it ("Trains per weekday").
    """
    from dashboard.i18n import has_key, t

    if field == "source":
        return t("source", lang)
    if field in TRAVEL_FIELDS:
        return t(f"popup_{field}", lang)
    if has_key(f"field_{field}"):
        return t(f"field_{field}", lang, year=year)
    return field.replace("_", " ")


#: Engine method texts -> their label key (exact values of the street and bus engines).
_METHOD_KEYS: dict[str, str] = {
    METHOD_NETWORK: "method_network",
    METHOD_REGIONAL: "method_regional",
    METHOD_STRAIGHT: "method_straight",
    METHOD_OUTSIDE: "method_outside",
    METHOD_WALK: "method_walk",
    METHOD_BUS: "method_bus",
}


def method_label(method: str, lang: str) -> str:
    """How a time was computed, in ``lang`` (the engine's own text when not known).

    Train methods carry the feed date in their text (see
    :mod:`dashboard.engine.transit_commute`): told apart by their leading words.
    """
    from dashboard.i18n import t

    key = _METHOD_KEYS.get(method)
    if key is None and method.startswith("direct "):
        key = "method_direct"
    elif key is None and method.startswith("train + "):
        key = "method_train"
    elif key is None and method.startswith("walk (") and method[6:-1] in _METHOD_KEYS:
        return t("method_walk", lang) + " (" + method_label(method[6:-1], lang) + ")"
    return t(key, lang) if key else method


def coverage_label(coverage: object, lang: str) -> str:
    """Return childcare data coverage in ``lang``.

    ``coverage`` is ``partial``/``none``/``complete`` or a layer text starting with one
    of them (``"partial: OpenStreetMap, ..."``); anything else is shown as it is.
    """
    from dashboard.i18n import has_key, t

    text = "" if not isinstance(coverage, str) else coverage
    kind = text.split(":", 1)[0].strip().lower()
    return t(f"coverage_{kind}", lang) if has_key(f"coverage_{kind}") else text


def childcare_label(category: str, lang: str) -> str:
    """Return a childcare category code (``groepsopvang_0_3``) as a label in ``lang``."""
    from dashboard.i18n import has_key, t

    return t(f"cc_{category}", lang) if has_key(f"cc_{category}") else category


# -- small maps of single neighbourhoods (comparison, profile) ---------------------------
#: Outline of the neighbourhood on a small map.
SMALL_MAP_PADDING_PX: Final = 24
SMALL_MAP_STYLE: Final = {
    "color": "#08519c",
    "weight": 2,
    "fillColor": "#6baed6",
    "fillOpacity": 0.3,
}


def neighbourhood_map(
    place: gpd.GeoDataFrame,
    *,
    layer_name: str,
    name_alias: str,
    workplaces: Sequence[tuple[str, float, float]] = (),
    workplace_layer_name: str = "",
) -> folium.Map:
    """Return a small map of one neighbourhood (its outline and name) and the workplaces.

    Parameters
    ----------
    place : GeoDataFrame
        One row of the ``neighbourhoods`` layer (``name`` and polygon geometry).
    layer_name, name_alias : str
        Interface text: the outline's layer name and the tooltip's label.
    workplaces : sequence of (label, lat, lon)
        Drawn as on the Explore map; the view fits the neighbourhood only.
    workplace_layer_name : str
        Layer name of the workplaces.

    Every text is escaped as on the Explore map (names and labels are HTML text).
    """
    fmap = base_map()
    shown = escape_text_columns(place, ["name"])
    shown["geometry"] = _display_geometry(place, DISPLAY_TOLERANCE_DEG)
    GeoJsonLayer(
        _as_geojson(shown),
        name=html_text(layer_name),
        style_function=lambda _: SMALL_MAP_STYLE,
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=_html([name_alias])),
    ).add_to(fmap)
    if workplaces:
        workplace_layer(workplaces, workplace_layer_name).add_to(fmap)
    # The view holds the neighbourhood (workplaces far away would shrink it to a dot),
    # fitted again when Streamlit resizes the frame.
    west, south, east, north = (float(v) for v in place.total_bounds)
    _FitView(fmap, [[south, west], [north, east]], SMALL_MAP_PADDING_PX).add_to(fmap)
    return fmap
