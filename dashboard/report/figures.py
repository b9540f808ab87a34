"""Static images of the report, drawn with matplotlib (no browser, no map tiles).

:func:`map_png` draws the neighbourhood boundaries around the shortlist, the shortlisted
neighbourhoods filled and numbered, the workplaces and the railway stations, in Lambert
72 (EPSG:31370, so distances look right), with the attribution the layers' manifests
require.  :func:`price_chart_png` draws the municipal median prices per year.

Every text drawn here comes from the data or the texts module; matplotlib's math parser
is switched off for each (``parse_math=False``), so a ``$`` in a name is shown, not read
as a formula.  The figures use the object API (``Figure`` + Agg canvas), never pyplot:
no global state, safe in a server thread.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dashboard.i18n import t
from dashboard.layers.profile import Profile
from dashboard.report.model import Report
from geodata.io import load_layer, load_manifest

#: Fill colours of the shortlisted neighbourhoods, in shortlist order (colour-blind safe).
SHORTLIST_COLOURS: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
#: Margin around the shortlist and workplaces (metres).
MAP_MARGIN_M: Final = 3000.0
#: A workplace farther from the framed shortlist than this many times its larger side is
#: shown by an arrow at the edge (with its distance) instead of widening the map.
NEAR_FACTOR: Final = 1.0
#: Layers whose attribution the map image carries (what it draws or is derived from).
MAP_LAYERS: Final = ("wijken", "stations", "graph:walk")
LAMBERT: Final = 31370
DPI: Final = 150


def attribution(layers: Sequence[str] = MAP_LAYERS, data_dir: Path | None = None) -> str:
    """Return the attributions the layers' licences ask for ("quoted" parts), joined.

    The manifests write the required text in single quotes (``attribution
    'NMBS/SNCB'``); a licence without quotes is given whole.
    """
    parts: list[str] = []
    for name in layers:
        licence = load_manifest(name, data_dir).licence
        quoted = re.findall(r"'([^']+)'", licence) or [licence]
        parts.extend(q for q in quoted if q not in parts)
    return "; ".join(parts)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)  # type: ignore[no-untyped-call]
    return buffer.getvalue()


@dataclass(frozen=True)
class MapView:
    """What the map shows: its bounds (Lambert 72) and which workplaces fall outside.

    ``off_map`` holds the 0-based indices of workplaces drawn as an arrow at the edge
    (with their distance) because including them would shrink the shortlist to a dot.
    """

    bounds: tuple[float, float, float, float]
    off_map: tuple[int, ...]


def map_view(
    shortlist_bounds: Sequence[float], work_x: Sequence[float], work_y: Sequence[float]
) -> MapView:
    """Frame the shortlist; take in a workplace only when it is near (:data:`NEAR_FACTOR`).

    A workplace counts as near when its distance from the shortlist's box (with
    :data:`MAP_MARGIN_M`) is at most :data:`NEAR_FACTOR` times the box's larger side,
    or :data:`MAP_MARGIN_M`, whichever is more.  The bounds are then widened to 5:4.
    """
    x0, y0, x1, y1 = (float(v) for v in shortlist_bounds)
    x0, y0, x1, y1 = x0 - MAP_MARGIN_M, y0 - MAP_MARGIN_M, x1 + MAP_MARGIN_M, y1 + MAP_MARGIN_M
    reach = max(NEAR_FACTOR * max(x1 - x0, y1 - y0), MAP_MARGIN_M)
    off = []
    xs, ys = [x0, x1], [y0, y1]
    for index, (x, y) in enumerate(zip(work_x, work_y, strict=True)):
        gap = float(np.hypot(max(x0 - x, 0.0, x - x1), max(y0 - y, 0.0, y - y1)))
        if gap > reach:
            off.append(index)
        else:
            xs.append(x - MAP_MARGIN_M / 2)
            xs.append(x + MAP_MARGIN_M / 2)
            ys.append(y - MAP_MARGIN_M / 2)
            ys.append(y + MAP_MARGIN_M / 2)
    return MapView(_five_by_four(min(xs), min(ys), max(xs), max(ys)), tuple(off))


def _five_by_four(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    """Widen the short side so the image keeps its proportions (no squashed map)."""
    width, height = x1 - x0, y1 - y0
    if width < height * 1.25:
        pad = (height * 1.25 - width) / 2
        return x0 - pad, y0, x1 + pad, y1
    pad = (width / 1.25 - height) / 2
    return x0, y0 - pad, x1, y1 + pad


def map_png(report: Report, *, width_in: float = 7.0, height_in: float = 5.6) -> bytes:
    """Return the report's map as PNG bytes."""
    wijken = _projected("wijken", report.data_dir, ("code", "name"))
    stations = _projected("stations", report.data_dir, ("id",))
    chosen = wijken.set_index("code").loc[[p.code for p in report.profiles]]
    points = gpd.points_from_xy([s.lon for s in report.specs], [s.lat for s in report.specs])
    work: gpd.GeoSeries = gpd.GeoSeries(points, crs=4326).to_crs(LAMBERT)
    view = map_view(chosen.total_bounds, work.x.tolist(), work.y.tolist())
    x0, y0, x1, y1 = view.bounds
    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    ax = fig.add_axes((0.01, 0.06, 0.98, 0.93))
    wijken.cx[x0:x1, y0:y1].boundary.plot(ax=ax, color="#9a9a9a", linewidth=0.4)
    _draw_shortlist(ax, chosen, [p.name for p in report.profiles])
    near = stations.cx[x0:x1, y0:y1]
    ax.scatter(near.geometry.x, near.geometry.y, marker="s", s=14, color="#333333", zorder=4)
    _draw_workplaces(ax, work, view, report.lang)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    credit = attribution(data_dir=report.data_dir)
    fig.text(0.01, 0.015, credit, fontsize=5.5, color="#444444", parse_math=False, wrap=True)
    return _png(fig)


def _draw_shortlist(ax: Any, chosen: gpd.GeoDataFrame, names: Sequence[str]) -> None:
    """Fill and number the shortlisted neighbourhoods (labels: the profiles' names)."""
    for number, (geometry, name) in enumerate(zip(chosen.geometry, names, strict=True), 1):
        colour = SHORTLIST_COLOURS[(number - 1) % len(SHORTLIST_COLOURS)]
        gpd.GeoSeries([geometry], crs=LAMBERT).plot(
            ax=ax, color=colour, alpha=0.45, edgecolor=colour, linewidth=1.2
        )
        _label(ax, geometry, f"{number}. {_short(name)}", colour)


def _draw_workplaces(ax: Any, work: gpd.GeoSeries, view: MapView, lang: str) -> None:
    """Stars for the workplaces on the map, an arrow at the edge for the others."""
    x0, y0, x1, y1 = view.bounds
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    for index, point in enumerate(work):
        label = t("report_map_workplace", lang, n=index + 1)
        here = np.array([point.x, point.y])
        if index not in view.off_map:
            ax.scatter(
                [point.x],
                [point.y],
                marker="*",
                s=220,
                color="#D55E00",
                edgecolor="black",
                zorder=5,
            )
            ax.annotate(
                label,
                (point.x, point.y),
                xytext=(7, -11),
                textcoords="offset points",
                fontsize=7,
                parse_math=False,
                zorder=8,
            )
            continue
        # the border point on the way from the centre to the workplace
        direction = here - centre
        scale = min(
            (x1 - x0) / 2 * 0.92 / abs(direction[0]) if direction[0] else np.inf,
            (y1 - y0) / 2 * 0.92 / abs(direction[1]) if direction[1] else np.inf,
        )
        edge = centre + direction * scale
        km = float(np.hypot(*(here - centre))) / 1000
        ax.annotate(
            f"{label} ({km:.0f} km)",
            xy=(edge[0], edge[1]),
            xytext=(centre + direction * scale * 0.78),
            arrowprops={"arrowstyle": "-|>", "color": "#D55E00", "linewidth": 1.5},
            fontsize=7,
            ha="center",
            color="#8a3200",
            parse_math=False,
            zorder=8,
        )


def _projected(name: str, data_dir: Path, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    layer = load_layer(name, data_dir, columns=columns)
    return gpd.GeoDataFrame(layer, geometry="geometry").to_crs(LAMBERT)


def _short(name: str, limit: int = 28) -> str:
    """Return a label that fits the map: the name without its "(municipality)", shortened."""
    base = re.sub(r"\s*\([^()]*\)\s*$", "", name) or name
    return base if len(base) <= limit else base[: limit - 1] + "…"


def _label(ax: Any, geometry: Any, text: str, colour: str) -> None:
    point = geometry.representative_point()
    ax.annotate(
        text,
        (point.x, point.y),
        ha="center",
        fontsize=7,
        weight="bold",
        color="black",
        parse_math=False,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": colour, "alpha": 0.85},
        zorder=7,
    )


def price_chart_png(profiles: Sequence[Profile], lang: str) -> bytes:
    """Return the municipal median prices per year of the shortlist's municipalities."""
    fig = Figure(figsize=(7.0, 2.8), dpi=DPI)
    ax = fig.add_axes((0.1, 0.14, 0.62, 0.8))
    seen: set[str] = set()
    for number, profile in enumerate(profiles, start=1):
        if profile.nis in seen:
            continue
        seen.add(profile.nis)
        colour = SHORTLIST_COLOURS[(number - 1) % len(SHORTLIST_COLOURS)]
        for kind, style in (("house", "-"), ("apartment", "--")):
            series = profile.price(kind).series
            years = [p.year for p in series]
            values = [np.nan if p.median_eur is None else p.median_eur / 1000 for p in series]
            label = f"{profile.municipality}: {t('report_kind_' + kind, lang)}"
            ax.plot(years, values, style, color=colour, linewidth=1.4, label=label)
    ax.set_ylabel("k€", parse_math=False)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=7)
    for text in ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0)).get_texts():
        text.set_parse_math(False)
    return _png(fig)
