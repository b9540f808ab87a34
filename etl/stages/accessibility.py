"""Stage ``accessibility``: every neighbourhood x facility layer x street mode (planners).

The commute engine's batch (:mod:`dashboard.engine.accessibility`) run on the snapshot
being built: minutes from each neighbourhood's representative point to the nearest
primary school, secondary school, international school, childcare location, railway
station and adult-education centre, and how many lie within 5/10/15/20/30 minutes, by
walk, bike, e-bike and car.  One row per (code, layer, mode); a table without geometry
(join on ``code`` with ``neighbourhoods``).

The stage depends on the graphs and the facility layers it reads, and on the engine's
source files (``extra_inputs``): a change in the routing code rebuilds it like a change
in the data.  The engine's default settings (speeds, peak factor) are recorded in the
manifest.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd

from dashboard.engine import accessibility as acc
from dashboard.engine.core import CommuteEngine
from dashboard.engine.settings import STREET_MODES
from etl.pipeline import BuildContext, Output, Stage
from geodata.io import LayerManifest, load_layer, load_manifest

ENGINE_DIR = Path(acc.__file__).resolve().parent

_FACILITY_SOURCES = ("schools", "international_schools", "childcare", "stations", "adult_education")
_GRAPHS = ("graph:walk", "graph:bike", "graph:car", "graph:strategic_car")


def engine_sources(ctx: BuildContext) -> list[Path]:
    """Return the engine's source files: a routing change must rebuild the layer."""
    del ctx  # the engine's code, wherever the snapshot is built
    return sorted(ENGINE_DIR.glob("*.py"))


def build(ctx: BuildContext) -> list[Output]:
    """Run the batch on the snapshot in ``ctx.out_dir``."""
    engine = CommuteEngine(data_dir=ctx.out_dir)
    origins = acc.neighbourhood_points(ctx.out_dir)
    layers = acc.facility_points(ctx.out_dir)
    table = acc.batch_accessibility(engine, origins, layers, STREET_MODES)
    table = childcare_known_only(table, load_layer("neighbourhoods", ctx.out_dir))
    return [Output(_manifest(ctx, table, {k: len(v) for k, v in layers.items()}), table)]


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


def _manifest(ctx: BuildContext, table: pd.DataFrame, facilities: dict[str, int]) -> LayerManifest:
    inputs = [load_manifest(name, ctx.out_dir) for name in (*_FACILITY_SOURCES, *_GRAPHS)]
    dates = " · ".join(f"{m.name.removeprefix('graph:')}: {m.data_date}" for m in inputs)
    estimated = table.groupby("mode")["estimated"].mean().round(3).to_dict()
    coverage = (
        f"{table['code'].nunique()} neighbourhoods x {len(facilities)} facility layers x "
        f"{table['mode'].nunique()} street modes ({', '.join(STREET_MODES)}). Times beyond "
        "the street graphs' coverage areas are estimated (column estimated; share of rows "
        + ", ".join(f"{mode} {share:.0%}" for mode, share in estimated.items())
        + "). Childcare rows follow the neighbourhood's childcare_coverage: null with the "
        "reason where nothing is mapped, a lower bound where the list is partial (offline: "
        "OpenStreetMap, central Leuven only)."
    )
    return LayerManifest(
        "accessibility",
        "Accessibility of neighbourhoods to facilities (street modes)",
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
            "modes": list(STREET_MODES),
            "origin": "representative point of each neighbourhood (inside its polygon)",
            "estimated_share_of_rows": estimated,
            "engine_settings": asdict(CommuteEngine(data_dir=ctx.out_dir).settings),
            "method": "nearest: one multi-source search per layer and mode; counts: one "
            "bounded search per neighbourhood and mode (dashboard/engine/accessibility.py)",
        },
    )


STAGES = [
    Stage(
        name="accessibility",
        inputs=(),
        depends=("neighbourhoods", *_FACILITY_SOURCES, *_GRAPHS),
        outputs=("accessibility",),
        build=build,
        extra_inputs=engine_sources,
    )
]
