"""Stage ``accessibility``: every neighbourhood x facility layer x mode (planners).

The commute engine's batch (:mod:`dashboard.engine.accessibility`,
:mod:`dashboard.engine.accessibility_train`) run on the snapshot being built: minutes
from each neighbourhood's representative point to the nearest primary school, secondary
school, international school, childcare location, railway station and adult-education
centre, and how many lie within 5/10/15/20/30 minutes, by walk, bike, e-bike and car,
and by train with walk or bike access for the neighbourhoods with a station within
reach (arriving by the app's default arrive-by time, median over the hour before it,
on the feed's Tuesday).  One row per (code, layer, mode); a table without geometry
(join on ``code`` with ``neighbourhoods``).

The same batch also runs from the statistical sectors whose polygon and population the
mirror holds (``sector_population``: 100 sectors, mostly in Leuven), into the layer
``accessibility_sectors`` (join on ``code`` with ``sector``); a sector's childcare rows
follow the childcare coverage of the neighbourhood it lies in.

The stage depends on the graphs and the facility layers it reads, and on the engine's
source files (``extra_inputs``): a change in the routing code rebuilds it like a change
in the data.  The engine's default settings (speeds, peak factor) are recorded in the
manifest.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.engine import accessibility as acc
from dashboard.engine import accessibility_train as acct
from dashboard.engine.core import CommuteEngine
from dashboard.engine.settings import STREET_MODES
from dashboard.engine.transit_commute import MAX_ACCESS_MIN, feed_date_for, feed_week
from etl.pipeline import BuildContext, Output, Stage
from geodata.io import LayerManifest, load_layer, load_manifest

ENGINE_DIR = Path(acc.__file__).resolve().parent

_FACILITY_SOURCES = ("schools", "international_schools", "childcare", "stations", "adult_education")
_GRAPHS = ("graph:walk", "graph:bike", "graph:car", "graph:strategic_car")
_TIMETABLE = ("rail_timetable",)


def engine_sources(ctx: BuildContext) -> list[Path]:
    """Return the engine's source files: a routing change must rebuild the layer."""
    del ctx  # the engine's code, wherever the snapshot is built
    return sorted(ENGINE_DIR.glob("*.py"))


def build(ctx: BuildContext) -> list[Output]:
    """Run the batch on the snapshot in ``ctx.out_dir``: neighbourhoods, then sectors."""
    engine = CommuteEngine(data_dir=ctx.out_dir)
    layers = acc.facility_points(ctx.out_dir)
    counts = {k: len(v) for k, v in layers.items()}
    places = load_layer("neighbourhoods", ctx.out_dir)
    table = acct.region_batch(engine, acc.neighbourhood_points(ctx.out_dir), layers)
    table = childcare_known_only(table, places)
    sectors = load_layer("sector_population", ctx.out_dir)
    by_sector = acct.region_batch(engine, sector_points(sectors), layers)
    by_sector = childcare_known_only(by_sector, sector_coverage(sectors, places))
    return [
        Output(_manifest(ctx, table, counts), table),
        Output(_sector_manifest(ctx, by_sector, counts), by_sector),
    ]


def sector_points(sectors: gpd.GeoDataFrame) -> acc.Places:
    """Return each statistical sector's representative point (inside its polygon)."""
    points = sectors.geometry.representative_point()
    return acc.Places(
        sectors["sector"].astype(str).to_numpy(), points.x.to_numpy(), points.y.to_numpy()
    )


def sector_coverage(sectors: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Return ``code`` (sector) and the ``childcare_coverage`` of the sector's neighbourhood."""
    coverage = places.set_index(places["code"].astype(str))["childcare_coverage"]
    return pd.DataFrame(
        {
            "code": sectors["sector"].astype(str).to_numpy(),
            "childcare_coverage": sectors["wijk"].astype(str).map(coverage).to_numpy(),
        }
    )


#: ``method`` of childcare rows where the data cannot answer.
CHILDCARE_UNKNOWN = "unknown: no childcare mapped in this neighbourhood (OSM, central Leuven only)"
#: ``method`` suffix of childcare rows that count only the mapped locations.
CHILDCARE_LOWER_BOUND = " (lower bound: childcare partly mapped)"


def childcare_known_only(table: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Blank the childcare rows the data cannot answer; mark the partial ones.

    Offline, childcare locations exist only where OpenStreetMap mapped them (central
    Leuven): a neighbourhood with ``childcare_coverage`` "none" (or none recorded) gets no
    nearest time and no counts (null, the reason in ``method``), never 0; "partial" keeps
    the values as lower bounds (counts) and upper bounds (nearest), said in ``method``;
    "complete" (an imported official list) keeps them as they are.
    """
    out = table.copy()
    counts = [c for c in out.columns if c.startswith("count_")]
    out[counts] = out[counts].astype("Int64")
    coverage = places.set_index("code")["childcare_coverage"].astype(str)
    kind = out["code"].map(coverage)
    childcare = out["layer"] == "childcare"
    unknown = childcare & ((kind == "none") | kind.isna())
    out.loc[unknown, ["nearest_minutes", *counts]] = pd.NA
    out.loc[unknown, "method"] = CHILDCARE_UNKNOWN
    partial = childcare & (kind == "partial")
    out.loc[partial, "method"] = out.loc[partial, "method"] + CHILDCARE_LOWER_BOUND
    return out


def _sector_manifest(
    ctx: BuildContext, table: pd.DataFrame, facilities: dict[str, int]
) -> LayerManifest:
    """Manifest of the sectors' layer: the neighbourhoods' one, with the sectors' coverage."""
    base = _manifest(ctx, table, facilities)
    sectors = load_manifest("sector_population", ctx.out_dir)
    coverage = base.coverage.replace(
        f"{table['code'].nunique()} neighbourhoods",
        f"{table['code'].nunique()} statistical sectors",
        1,
    ).replace("neighbourhoods with a station", "sectors with a station")
    return replace(
        base,
        name="accessibility_sectors",
        title="Accessibility of statistical sectors to facilities (street modes and train)",
        data_date=f"{base.data_date} · sectors: {sectors.data_date}",
        coverage=f"{coverage} Sectors: {sectors.coverage}",
        extra={
            **base.extra,
            "origin": "representative point of each statistical sector (inside its polygon)",
        },
    )


def _manifest(ctx: BuildContext, table: pd.DataFrame, facilities: dict[str, int]) -> LayerManifest:
    inputs = [
        load_manifest(name, ctx.out_dir) for name in (*_FACILITY_SOURCES, *_GRAPHS, *_TIMETABLE)
    ]
    dates = " · ".join(f"{m.name.removeprefix('graph:')}: {m.data_date}" for m in inputs)
    estimated = table.groupby("mode")["estimated"].mean().round(3).to_dict()
    reached = {m: int(table.loc[table["mode"] == m, "code"].nunique()) for m in acct.TRAIN_MODES}
    question = acct.TrainQuestion()
    service = feed_date_for(question.day, feed_week(ctx.out_dir))
    coverage = (
        f"{table['code'].nunique()} neighbourhoods x {len(facilities)} facility layers x "
        f"{len(STREET_MODES)} street modes ({', '.join(STREET_MODES)}); train modes for the "
        "neighbourhoods with a station within reach ("
        + ", ".join(
            f"{m}: {n}, {MAX_ACCESS_MIN[m.removeprefix('train_')]:g} min access"
            for m, n in reached.items()
        )
        + f"), arriving by {question.arrive_by:%H:%M}, median over the "
        f"{question.window_min} minutes before (NMBS timetable of {service.feed_date}). "
        "Times beyond "
        "the street graphs' coverage areas are estimated (column estimated; share of rows "
        + ", ".join(f"{mode} {share:.0%}" for mode, share in estimated.items())
        + "). Childcare rows follow the neighbourhood's childcare_coverage: null with the "
        "reason where nothing is mapped, a lower bound where the list is partial (offline: "
        "OpenStreetMap, central Leuven only)."
    )
    return LayerManifest(
        "accessibility",
        "Accessibility of neighbourhoods to facilities (street modes and train)",
        "Computed by the Leuven Atlas commute engine from the snapshot's street graphs "
        "(OpenStreetMap) and facility layers",
        "",
        "derived data; inputs: ODbL 1.0, © OpenStreetMap contributors (street graphs), "
        "and the facility layers' own licences (see their manifests)",
        dates,
        coverage,
        extra={
            "facilities": facilities,
            "thresholds_min": list(acc.THRESHOLDS),
            "modes": list(acct.BATCH_MODES),
            "train": {
                "arrive_by": f"{question.arrive_by:%H:%M}",
                "window_min": question.window_min,
                "feed_date": service.feed_date,
                "service_note": service.note,
                "access_max_min": {m: MAX_ACCESS_MIN[m.removeprefix("train_")] for m in reached},
                "neighbourhoods_with_station": reached,
            },
            "origin": "representative point of each neighbourhood (inside its polygon)",
            "estimated_share_of_rows": estimated,
            "engine_settings": asdict(CommuteEngine(data_dir=ctx.out_dir).settings),
            "method": "nearest: one multi-source search per layer and mode; counts: one "
            "bounded search per neighbourhood and mode (dashboard/engine/accessibility.py); "
            "train: one profile search per target station, the faster of train and direct "
            "per pair (dashboard/engine/accessibility_train.py)",
        },
    )


STAGES = [
    Stage(
        name="accessibility",
        inputs=(),
        depends=("neighbourhoods", "sector_population", *_FACILITY_SOURCES, *_GRAPHS, *_TIMETABLE),
        outputs=("accessibility", "accessibility_sectors"),
        build=build,
        extra_inputs=engine_sources,
    )
]
