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
from pathlib import Path
from typing import Final

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


def map_png(report: Report, *, width_in: float = 7.0, height_in: float = 5.6) -> bytes:
    """Return the report's map as PNG bytes."""
    wijken = _projected("wijken", report.data_dir, ("code", "name"))
    stations = _projected("stations", report.data_dir, ("id",))
    chosen = wijken.set_index("code").loc[[p.code for p in report.profiles]]
    points = gpd.points_from_xy([s.lon for s in report.specs], [s.lat for s in report.specs])
    work: gpd.GeoSeries = gpd.GeoSeries(points, crs=4326).to_crs(LAMBERT)
    x0, y0, x1, y1 = _extent(chosen, work)
    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    ax = fig.add_axes((0.01, 0.06, 0.98, 0.93))
    view = wijken.cx[x0:x1, y0:y1]
    view.boundary.plot(ax=ax, color="#9a9a9a", linewidth=0.4)
    for number, (_, row) in enumerate(chosen.iterrows(), start=1):
        colour = SHORTLIST_COLOURS[(number - 1) % len(SHORTLIST_COLOURS)]
        gpd.GeoSeries([row.geometry], crs=LAMBERT).plot(
            ax=ax, color=colour, alpha=0.45, edgecolor=colour, linewidth=1.2
        )
        _label(ax, row.geometry, f"{number}. {_short(str(row['name']))}", colour)
    near = stations.cx[x0:x1, y0:y1]
    ax.scatter(near.geometry.x, near.geometry.y, marker="s", s=14, color="#333333", zorder=4)
    ax.scatter(work.x, work.y, marker="*", s=220, color="#D55E00", edgecolor="black", zorder=5)
    for number, point in enumerate(work, start=1):
        ax.annotate(
            t("report_map_workplace", report.lang, n=number),
            (point.x, point.y),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=7,
            parse_math=False,
            zorder=6,
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    credit = attribution(data_dir=report.data_dir)
    fig.text(0.01, 0.015, credit, fontsize=5.5, color="#444444", parse_math=False, wrap=True)
    return _png(fig)


def _projected(name: str, data_dir: Path, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    layer = load_layer(name, data_dir, columns=columns)
    return gpd.GeoDataFrame(layer, geometry="geometry").to_crs(LAMBERT)


def _extent(chosen: gpd.GeoDataFrame, work: gpd.GeoSeries) -> tuple[float, float, float, float]:
    """Bounds (Lambert 72) of the shortlist and workplaces with a margin, 5:4 at least."""
    xs = np.concatenate([chosen.total_bounds[[0, 2]], work.x.to_numpy()])
    ys = np.concatenate([chosen.total_bounds[[1, 3]], work.y.to_numpy()])
    x0, x1 = xs.min() - MAP_MARGIN_M, xs.max() + MAP_MARGIN_M
    y0, y1 = ys.min() - MAP_MARGIN_M, ys.max() + MAP_MARGIN_M
    # widen the short side so the image keeps its proportions (no squashed map)
    width, height = x1 - x0, y1 - y0
    if width < height * 1.25:
        pad = (height * 1.25 - width) / 2
        x0, x1 = x0 - pad, x1 + pad
    else:
        pad = (width / 1.25 - height) / 2
        y0, y1 = y0 - pad, y1 + pad
    return float(x0), float(y0), float(x1), float(y1)


def _short(name: str, limit: int = 28) -> str:
    """Return a label that fits the map: the name without its "(municipality)", shortened."""
    base = re.sub(r"\s*\([^()]*\)\s*$", "", name) or name
    return base if len(base) <= limit else base[: limit - 1] + "…"


def _label(ax: object, geometry: object, text: str, colour: str) -> None:
    point = geometry.representative_point()  # type: ignore[attr-defined]
    ax.annotate(  # type: ignore[attr-defined]
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
            label = f"{profile.municipality}: {t('report_col_' + kind, lang)}"
            ax.plot(years, values, style, color=colour, linewidth=1.4, label=label)
    ax.set_ylabel("k€", parse_math=False)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=7)
    for text in ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0)).get_texts():
        text.set_parse_math(False)
    return _png(fig)
