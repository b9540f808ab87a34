"""Stage ``graphs``: routable walk, bike, car and strategic car graphs as compact arrays.

Outputs ``graph:walk``, ``graph:bike``, ``graph:car`` and ``graph:strategic_car`` (the KU
Leuven regional model network).  The three OSM graphs come from one of two street sources,
read into links of one shape and turned into graphs by the same functions:

* the regional PBF ``osm/leuven_region.osm.pbf`` when the raw folder has it (written by
  ``python -m etl fetch osm``: the Belgian extract clipped to the region's municipalities),
  read by :func:`etl.sources.osm_streets.streets_from_pbf`; car speeds from the ways' own
  ``maxspeed`` tags;
* otherwise the MATSim network of Leuven municipality (the mirror), with car speeds joined
  from an Overpass answer.

Access and speed rules are tabled in :mod:`etl.transform.graphs`; every graph keeps only
its largest strongly connected component.

Arrays of the OSM graphs: ``node_lon``, ``node_lat``, ``node_x``, ``node_y`` (float64,
EPSG:4326 / EPSG:31370), ``node_osm_id`` (int64), ``edge_from``, ``edge_to`` (int32),
``edge_length_m``, ``edge_time_s`` (float32), ``edge_highway`` (int8 code) and
``highway_names`` (code -> name).  The strategic graph has ``node_id`` and
``node_is_zone_centroid`` instead of ``node_osm_id``, and ``edge_link_type`` (int8),
``edge_is_connector`` (bool) instead of ``edge_highway``.

Every manifest records the graph's coverage area, derived from its own kept edges
(:func:`etl.transform.graphs.coverage_polygon`; the strategic graph without its zone
connectors, which are not roads), as ``extra["coverage_area"]`` (read it with
:func:`geodata.coverage.coverage_area`), and its ``coverage`` text says, from that area
and the region's municipality boundaries, how many municipalities it covers (the names
in ``extra["coverage_municipalities"]``, for texts that must not hard-code them).

The walk, bike and car manifests record ``extra["detour_factor"]``: network distance /
straight-line distance measured on the graph itself (:func:`etl.transform.graphs.detour_factor`:
500 random node pairs at least 1 km apart, shortest paths on ``edge_length_m`` in the
graph's own directions, so the car's one-way streets count).  The engine multiplies the
straight-line remainder beyond a graph's coverage area by its median.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from etl.pipeline import BuildContext, Output, Stage
from etl.settings import METRIC_CRS, OSM_EXTRACT_URL
from etl.sources import osm as src
from etl.sources import osm_streets
from etl.sources.boundaries import MUNICIPALITIES, parse_municipalities
from etl.transform import graphs as tg
from etl.transform.region import LEUVEN_REGION, check_inside
from geodata.coverage import COVERAGE_KEY, coverage_entry
from geodata.io import LayerManifest

OSM_SOURCE = (
    "OpenStreetMap contributors (via MATSim network, XanderPENG/matsim-xp; Overpass 2021-03-31)"
)
OSM_PBF_SOURCE = "OpenStreetMap contributors (PBF extract, read with osmium)"
OSM_LICENCE = "ODbL 1.0, © OpenStreetMap contributors"
OSM_URL = "https://github.com/XanderPENG/matsim-xp"
STRATEGIC_SOURCE = "KU Leuven network via TrafficPLANit/PLANitTNTP"
STRATEGIC_LICENCE = (
    "repository licence: PLANit modified BSD; the data's own licence is not stated; "
    "attribution: TrafficPLANit/PLANitTNTP, KU Leuven network"
)
STRATEGIC_URL = "https://github.com/TrafficPLANit/PLANitTNTP"
#: Share of a municipality's area inside a coverage area to count it as covered.
COVERED_SHARE = 0.9
#: Smallest share counted as "part of" a municipality (ignores slivers along borders).
PARTLY_COVERED_SHARE = 0.01
#: Key of :func:`municipalities_covered` in every graph manifest's ``extra``.
MUNICIPALITIES_KEY = "coverage_municipalities"

_OSM_EDGE_COLUMNS = {"length_m": "float32", "time_s": "float32", "highway_code": "int8"}


@dataclass(frozen=True)
class StreetSource:
    """Street links of one source, ready for :func:`street_outputs`.

    Attributes
    ----------
    nodes, links, ways : DataFrame
        As :class:`etl.sources.osm.MatsimNetwork` (nodes, links) and
        :class:`etl.sources.osm.OverpassWays` (ways: the car speed tags per way).
    osm_date : str
        OSM time of the data (ISO), "" when unknown.
    kind : str
        ``"matsim"`` (MATSim network + Overpass speeds) or ``"pbf"``.
    label : str
        Where the data covers, for titles ("Leuven municipality", "regional extract").
    source, url : str
        Manifest source text and address.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    ways: pd.DataFrame
    osm_date: str
    kind: str
    label: str
    source: str
    url: str


def build(ctx: BuildContext) -> list[Output]:
    """Read the street source and the strategic network and build the four graphs."""
    streets = street_source(ctx)
    municipalities = parse_municipalities(ctx.raw(MUNICIPALITIES))
    strategic_nodes = src.parse_strategic_nodes(ctx.raw(src.STRATEGIC_NODES))
    strategic_links = src.parse_strategic_links(ctx.raw(src.STRATEGIC_LINKS))
    return [
        *street_outputs(streets, municipalities),
        _strategic_output(strategic_nodes, strategic_links, municipalities),
    ]


def street_source(ctx: BuildContext) -> StreetSource:
    """Return the regional PBF's streets when the raw folder has it, else MATSim's."""
    regional = ctx.source_dir / osm_streets.REGIONAL_PBF
    if regional.is_file():
        return pbf_street_source(ctx.raw(osm_streets.REGIONAL_PBF), "regional OSM extract")
    network = src.parse_matsim_network(ctx.raw(src.MATSIM_NETWORK))
    overpass = src.parse_overpass_ways(ctx.raw(src.OVERPASS_DRIVE))
    return StreetSource(
        network.nodes,
        network.links,
        overpass.ways,
        overpass.osm_base,
        "matsim",
        "Leuven municipality",
        OSM_SOURCE,
        OSM_URL,
    )


def pbf_street_source(path: Path, label: str) -> StreetSource:
    """Read a PBF's streets (:func:`etl.sources.osm_streets.streets_from_pbf`).

    Raises
    ------
    SourceError
        Also when more than 5 % of the street nodes lie outside the Leuven region's
        envelope (a PBF of somewhere else; ways crossing the region's border keep a few
        nodes outside, hence the tolerance).
    """
    streets = osm_streets.streets_from_pbf(path)
    nodes = streets.nodes
    check_inside(
        nodes["lon"],
        nodes["lat"],
        LEUVEN_REGION,
        path,
        what="street nodes",
        labels=[f"node {n}" for n in nodes["node_id"]],
    )
    return StreetSource(
        streets.nodes,
        streets.links,
        streets.ways,
        streets.osm_base,
        "pbf",
        label,
        OSM_PBF_SOURCE,
        OSM_EXTRACT_URL,
    )


def street_outputs(streets: StreetSource, municipalities: gpd.GeoDataFrame) -> list[Output]:
    """Build the walk, bike and car graphs of a street source."""
    links = streets.links
    return [
        _osm_output("walk", streets, tg.walk_edges(links), _walk_rules(), municipalities),
        _osm_output("bike", streets, tg.bike_edges(links), _bike_rules(streets), municipalities),
        _car_output(streets, tg.car_edges(links, streets.ways), municipalities),
    ]


def _extra_inputs(ctx: BuildContext) -> list[Path]:
    """Return the regional PBF when present: it feeds the stage (digested like an input)."""
    regional = ctx.source_dir / osm_streets.REGIONAL_PBF
    return [regional] if regional.is_file() else []


def municipalities_covered(
    area: shapely.Geometry, municipalities: gpd.GeoDataFrame
) -> dict[str, Any]:
    """Measure which of the region's municipalities a coverage area (EPSG:31370) covers.

    Returns
    -------
    dict
        ``area_km2``; ``region_municipalities`` (their count); ``covered`` (names of those
        with at least :data:`COVERED_SHARE` of their area inside), ``partly`` (at least
        :data:`PARTLY_COVERED_SHARE`) and ``not_covered`` (the rest), names sorted; the
        two thresholds.  Stored as the manifests' ``extra["coverage_municipalities"]``.
    """
    metric = municipalities.to_crs(METRIC_CRS)
    share = metric.geometry.intersection(area).area / metric.geometry.area
    names = metric["name"]
    partly = (share >= PARTLY_COVERED_SHARE) & (share < COVERED_SHARE)
    return {
        "area_km2": round(area.area / 1e6, 1),
        "region_municipalities": len(metric),
        "covered": sorted(names[share >= COVERED_SHARE]),
        "partly": sorted(names[partly]),
        "not_covered": sorted(names[share < PARTLY_COVERED_SHARE]),
        "covered_share": COVERED_SHARE,
        "partly_share": PARTLY_COVERED_SHARE,
    }


def coverage_statement(facts: dict[str, Any]) -> str:
    """Say in words what :func:`municipalities_covered` measured.

    Returns
    -------
    str
        E.g. "79 km² (extra.coverage_area): at least 90% of 1 of the 60 region
        municipalities (Leuven), part of 8 more, none of 51 (Aarschot, ...)".
    """
    full, missed = facts["covered"], facts["not_covered"]
    return (
        f"{facts['area_km2']:.0f} km² (extra.coverage_area): at least "
        f"{facts['covered_share']:.0%} of {len(full)} of the {facts['region_municipalities']} "
        f"region municipalities ({_names(full)}), part of {len(facts['partly'])} more, none "
        f"of {len(missed)} ({_names(missed)})"
    )


def _names(names: list[str], shown: int = 5) -> str:
    if not names:
        return "-"
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _osm_arrays(
    nodes: pd.DataFrame, edges: pd.DataFrame
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Merge parallel edges, prune to the largest SCC and pack the OSM graph arrays."""
    merged = tg.merge_parallel_edges(edges)
    merged["highway_code"] = tg.highway_codes(merged["highway"])
    arrays, stats = tg.compact_graph(
        nodes, merged, id_array="node_osm_id", node_columns={}, edge_columns=_OSM_EDGE_COLUMNS
    )
    arrays["edge_highway"] = arrays.pop("edge_highway_code")
    arrays["highway_names"] = np.array(tg.HIGHWAY_NAMES)
    stats["parallel_edges_merged"] = int(len(edges) - len(merged))
    return arrays, stats


def _osm_output(
    mode: str,
    streets: StreetSource,
    edges: pd.DataFrame,
    rules: dict[str, Any],
    municipalities: gpd.GeoDataFrame,
) -> Output:
    arrays, stats = _osm_arrays(streets.nodes, edges)
    entry, area = _coverage(arrays)
    extra: dict[str, Any] = {
        "nodes": len(arrays["node_lon"]),
        "edges": len(arrays["edge_from"]),
        "connectivity": stats,
        "rules": rules,
        "highway_codes": dict(enumerate(tg.HIGHWAY_NAMES)),
        "edges_by_highway": _edges_by_highway(arrays),
        COVERAGE_KEY: entry,
        "detour_factor": tg.detour_factor(arrays),
    }
    extra[MUNICIPALITIES_KEY] = municipalities_covered(area, municipalities)
    coverage = (
        f"{streets.label}: {coverage_statement(extra[MUNICIPALITIES_KEY])}; outside the "
        f"coverage area there is no {mode} network: the engine routes to the edge of the area and "
        "estimates the rest (straight line x the detour factor in this manifest)"
    )
    manifest = LayerManifest(
        f"graph:{mode}",
        f"{mode.capitalize()} network (OpenStreetMap, {streets.label})",
        streets.source,
        streets.url,
        OSM_LICENCE,
        _network_date(streets),
        coverage,
        extra=extra,
    )
    return Output(manifest, arrays=arrays)


def _network_date(streets: StreetSource) -> str:
    # the MATSim file has no OSM timestamp; its repository dates the conversion to 2024
    if streets.kind == "matsim":
        return "2024"
    return streets.osm_date[:10] or "unknown"


def _car_output(
    streets: StreetSource, edges: pd.DataFrame, municipalities: gpd.GeoDataFrame
) -> Output:
    merged_sources = tg.merge_parallel_edges(edges)
    arrays, stats = _osm_arrays(streets.nodes, edges)
    kept_edges = merged_sources[_kept_edge_mask(merged_sources, arrays)]
    share = kept_edges["speed_source"].value_counts(normalize=True).round(4)
    entry, area = _coverage(arrays)
    extra: dict[str, Any] = {
        "nodes": len(arrays["node_lon"]),
        "edges": len(arrays["edge_from"]),
        "connectivity": stats,
        "rules": _car_rules(streets),
        "highway_codes": dict(enumerate(tg.HIGHWAY_NAMES)),
        "edges_by_highway": _edges_by_highway(arrays),
        "speed_source_share": {k: float(v) for k, v in share.sort_index().items()},
        "share_edges_with_osm_maxspeed": float(share.get("maxspeed", 0.0)),
        **(_overpass_facts(kept_edges, streets.osm_date) if streets.kind == "matsim" else {}),
        COVERAGE_KEY: entry,
        # measured like walk and bike, on directed car lengths: one-way detours count
        "detour_factor": tg.detour_factor(arrays),
    }
    data_date = (
        f"2024 (network); {streets.osm_date[:10] or 'unknown'} (maxspeed tags)"
        if streets.kind == "matsim"
        else _network_date(streets)
    )
    extra[MUNICIPALITIES_KEY] = municipalities_covered(area, municipalities)
    coverage = (
        f"{streets.label}: {coverage_statement(extra[MUNICIPALITIES_KEY])}; outside the "
        "coverage area only graph:strategic_car (main roads) exists, and the engine estimates the "
        "rest (straight line x the detour factor in this manifest); free-flow times at the speed "
        "limit, no congestion or junction delay; "
        f"{1 - extra['share_edges_with_osm_maxspeed']:.0%} of edges have no OSM maxspeed and "
        "use an assumed speed (extra.speed_source_share)"
    )
    manifest = LayerManifest(
        "graph:car",
        f"Car network (OpenStreetMap, {streets.label})",
        streets.source,
        streets.url,
        OSM_LICENCE,
        data_date,
        coverage,
        extra=extra,
    )
    return Output(manifest, arrays=arrays)


def _overpass_facts(kept_edges: pd.DataFrame, osm_base: str) -> dict[str, Any]:
    """How the 2021 Overpass speed tags matched the MATSim links (MATSim source only)."""
    in_overpass = kept_edges["in_overpass"]
    return {
        "share_edges_way_in_overpass": round(float(in_overpass.mean()), 4),
        "share_edges_with_osm_maxspeed_among_overpass_ways": round(
            float((kept_edges.loc[in_overpass, "speed_source"] == "maxspeed").mean()), 4
        ),
        "note_overpass_join": "the 2021 Overpass answer is osmnx's 'drive' network: it has "
        "no service roads or tracks, and ways split or created after 2021 have new ids, so "
        "those edges use the class table",
        "edges_against_2021_oneway_tag": int(kept_edges["against_oneway"].sum()),
        "overpass_osm_base": osm_base,
    }


def _coverage(
    arrays: dict[str, np.ndarray],
    edge_mask: np.ndarray | None = None,
    edges_used: str = tg.COVERAGE_ALL_EDGES,
) -> tuple[dict[str, str], shapely.Geometry]:
    """Return the manifest entry of the coverage area (see :mod:`geodata.coverage`) and it."""
    geometry, method = tg.coverage_polygon(arrays, edge_mask=edge_mask, edges_used=edges_used)
    return coverage_entry(geometry, method), geometry


def _kept_edge_mask(edges: pd.DataFrame, arrays: dict[str, np.ndarray]) -> np.ndarray:
    """Mark the merged edges whose (from, to) OSM node ids survived SCC pruning."""
    ids = arrays["node_osm_id"]
    pairs = pd.MultiIndex.from_arrays([ids[arrays["edge_from"]], ids[arrays["edge_to"]]])
    mine = pd.MultiIndex.from_arrays([edges["from_id"], edges["to_id"]])
    return np.asarray(mine.isin(pairs))


def _edges_by_highway(arrays: dict[str, np.ndarray]) -> dict[str, int]:
    counts = np.bincount(arrays["edge_highway"], minlength=len(tg.HIGHWAY_NAMES))
    return {tg.HIGHWAY_NAMES[i]: int(c) for i, c in enumerate(counts) if c}


def _strategic_output(
    nodes: pd.DataFrame, links: pd.DataFrame, municipalities: gpd.GeoDataFrame
) -> Output:
    edges = links.rename(
        columns={"from_node": "from_id", "to_node": "to_id", "free_flow_time_s": "time_s"}
    )
    edges["time_s"] = edges["time_s"].clip(lower=tg.MIN_TIME_S)
    edges["length_m"] = edges["length_m"].clip(lower=tg.MIN_LENGTH_M)
    merged = tg.merge_parallel_edges(edges)
    arrays, stats = tg.compact_graph(
        nodes.rename(columns={"node": "node_id"}),
        merged,
        id_array="node_id",
        node_columns={"is_zone_centroid": "bool"},
        edge_columns={
            "length_m": "float32",
            "time_s": "float32",
            "link_type": "int8",
            "is_connector": "bool",
        },
    )
    centroids_in = int(nodes["is_zone_centroid"].sum())
    extra: dict[str, Any] = {
        "nodes": len(arrays["node_lon"]),
        "edges": len(arrays["edge_from"]),
        "connectivity": stats,
        "zone_centroids_kept": int(arrays["node_is_zone_centroid"].sum()),
        "zone_centroids_dropped": centroids_in - int(arrays["node_is_zone_centroid"].sum()),
        "connector_edges": int(arrays["edge_is_connector"].sum()),
        "rules": {
            "edge_time_s": "free_flow_time_s of the model (length / speed_kmh); connectors "
            "(link_type 15, 120 km/h) join zone centroids 1-430 to the network and are "
            "for first/last legs only",
            "speed_kmh_by_link_type": _speeds_by_type(links),
        },
    }
    extra[COVERAGE_KEY], area = _coverage(
        arrays,
        edge_mask=~arrays["edge_is_connector"],
        edges_used="every edge of the graph (after pruning) except the zone connectors",
    )
    extra[MUNICIPALITIES_KEY] = municipalities_covered(area, municipalities)
    manifest = LayerManifest(
        "graph:strategic_car",
        "Regional car network (strategic model, KU Leuven)",
        STRATEGIC_SOURCE,
        STRATEGIC_URL,
        STRATEGIC_LICENCE,
        "before 2020",
        f"main roads of the region: {coverage_statement(extra[MUNICIPALITIES_KEY])}; a strategic "
        "model network: main roads only, no street geometry or names, free-flow times",
        extra=extra,
    )
    return Output(manifest, arrays=arrays)


def _speeds_by_type(links: pd.DataFrame) -> dict[str, dict[str, float]]:
    grouped = links.groupby("link_type")["speed_kmh"].agg(["min", "median", "max", "count"])
    return {str(t): {str(k): float(v) for k, v in row.items()} for t, row in grouped.iterrows()}


def _walk_rules() -> dict[str, Any]:
    return {
        "access": "highway in walk_highways or modes contain walk; not no_walk_highways; "
        "not rail (modes pt only); not walk_forbidden (OSM PBF links: foot=no, access=no "
        "...); both directions",
        "walk_highways": sorted(tg.WALK_HIGHWAYS),
        "no_walk_highways": sorted(tg.NO_WALK_HIGHWAYS),
        "speed_kmh": tg.WALK_SPEED_KMH,
        "speed_kmh_by_highway": tg.WALK_SPEED_BY_HIGHWAY,
    }


def _access_rule(streets: StreetSource, mode: str) -> str:
    if streets.kind == "matsim":
        return f"MATSim modes contain {mode}; direction as given"
    return (
        f"modes derived from the OSM tags contain {mode} (etl.sources.osm_streets: class "
        "default, then access tags, oneway); direction as derived"
    )


def _bike_rules(streets: StreetSource) -> dict[str, Any]:
    return {
        "access": _access_rule(streets, "bike"),
        "speed_kmh": tg.BIKE_SPEED_KMH,
        "speed_kmh_by_highway": tg.BIKE_SPEED_BY_HIGHWAY,
    }


def _car_rules(streets: StreetSource) -> dict[str, Any]:
    tags_from = "the 2021 Overpass answer" if streets.kind == "matsim" else "the way's own tags"
    return {
        "access": _access_rule(streets, "car"),
        "speed_order": f"OSM maxspeed of {tags_from} (directional when tagged) > zone:traffic "
        "rural (70 on trunk..unclassified) > class table",
        "speed_kmh_by_highway": tg.CAR_SPEED_KMH,
        "speed_kmh_other": tg.CAR_DEFAULT_SPEED_KMH,
        "rural_zone_speed_kmh": tg.CAR_RURAL_SPEED_KMH,
        "times": "free flow at the limit; the engine applies its peak factor",
    }


STAGES = [
    Stage(
        name="graphs",
        inputs=(
            src.MATSIM_NETWORK,
            src.OVERPASS_DRIVE,
            src.STRATEGIC_NODES,
            src.STRATEGIC_LINKS,
            MUNICIPALITIES,
        ),
        depends=(),
        outputs=("graph:walk", "graph:bike", "graph:car", "graph:strategic_car"),
        build=build,
        extra_inputs=_extra_inputs,
    )
]
