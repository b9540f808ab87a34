"""Stage ``graphs``: routable walk, bike, car and strategic car graphs as compact arrays.

Outputs ``graph:walk``, ``graph:bike``, ``graph:car`` (OpenStreetMap via the MATSim
network of Leuven municipality, car speeds joined from an Overpass answer) and
``graph:strategic_car`` (the KU Leuven regional model network).  Access and speed rules
are tabled in :mod:`etl.transform.graphs`; every graph keeps only its largest strongly
connected component.

Arrays of the OSM graphs: ``node_lon``, ``node_lat``, ``node_x``, ``node_y`` (float64,
EPSG:4326 / EPSG:31370), ``node_osm_id`` (int64), ``edge_from``, ``edge_to`` (int32),
``edge_length_m``, ``edge_time_s`` (float32), ``edge_highway`` (int8 code) and
``highway_names`` (code -> name).  The strategic graph has ``node_id`` and
``node_is_zone_centroid`` instead of ``node_osm_id``, and ``edge_link_type`` (int8),
``edge_is_connector`` (bool) instead of ``edge_highway``.

Every manifest records the graph's coverage area, derived from its own kept edges
(:func:`etl.transform.graphs.coverage_polygon`; the strategic graph without its zone
connectors, which are not roads), as ``extra["coverage_area"]`` (read it with
:func:`geodata.coverage.coverage_area`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from etl.pipeline import BuildContext, Output, Stage
from etl.sources import osm as src
from etl.transform import graphs as tg
from geodata.coverage import COVERAGE_KEY, coverage_entry
from geodata.io import LayerManifest

OSM_SOURCE = (
    "OpenStreetMap contributors (via MATSim network, XanderPENG/matsim-xp; Overpass 2021-03-31)"
)
OSM_LICENCE = "ODbL 1.0, © OpenStreetMap contributors"
OSM_URL = "https://github.com/XanderPENG/matsim-xp"
OSM_COVERAGE = (
    "Leuven municipality only (Leuven, Heverlee, Kessel-Lo, Wilsele, Wijgmaal); outside "
    "it there is no {mode} network: times there are estimates (straight line x the "
    "detour factor in this manifest)"
)
STRATEGIC_SOURCE = "KU Leuven network via TrafficPLANit/PLANitTNTP"
STRATEGIC_LICENCE = (
    "repository licence: PLANit modified BSD; the data's own licence is not stated; "
    "attribution: TrafficPLANit/PLANitTNTP, KU Leuven network"
)
STRATEGIC_URL = "https://github.com/TrafficPLANit/PLANitTNTP"

_OSM_EDGE_COLUMNS = {"length_m": "float32", "time_s": "float32", "highway_code": "int8"}


def build(ctx: BuildContext) -> list[Output]:
    """Parse the three sources and build the four graphs."""
    network = src.parse_matsim_network(ctx.raw(src.MATSIM_NETWORK))
    overpass = src.parse_overpass_ways(ctx.raw(src.OVERPASS_DRIVE))
    strategic_nodes = src.parse_strategic_nodes(ctx.raw(src.STRATEGIC_NODES))
    strategic_links = src.parse_strategic_links(ctx.raw(src.STRATEGIC_LINKS))
    links = network.links
    return [
        _osm_output("walk", network.nodes, tg.walk_edges(links), _walk_rules(), detour=True),
        _osm_output("bike", network.nodes, tg.bike_edges(links), _bike_rules(), detour=True),
        _car_output(network.nodes, tg.car_edges(links, overpass.ways), overpass.osm_base),
        _strategic_output(strategic_nodes, strategic_links),
    ]


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
    mode: str, nodes: pd.DataFrame, edges: pd.DataFrame, rules: dict[str, Any], *, detour: bool
) -> Output:
    arrays, stats = _osm_arrays(nodes, edges)
    extra: dict[str, Any] = {
        "nodes": len(arrays["node_lon"]),
        "edges": len(arrays["edge_from"]),
        "connectivity": stats,
        "rules": rules,
        "highway_codes": dict(enumerate(tg.HIGHWAY_NAMES)),
        "edges_by_highway": _edges_by_highway(arrays),
        COVERAGE_KEY: _coverage(arrays),
    }
    if detour:
        extra["detour_factor"] = tg.detour_factor(arrays)
    manifest = LayerManifest(
        f"graph:{mode}",
        f"{mode.capitalize()} network (OpenStreetMap, Leuven municipality)",
        OSM_SOURCE,
        OSM_URL,
        OSM_LICENCE,
        "2024",
        OSM_COVERAGE.format(mode=mode),
        extra=extra,
    )
    return Output(manifest, arrays=arrays)


def _car_output(nodes: pd.DataFrame, edges: pd.DataFrame, osm_base: str) -> Output:
    merged_sources = tg.merge_parallel_edges(edges)
    arrays, stats = _osm_arrays(nodes, edges)
    kept = _kept_edge_mask(merged_sources, arrays)
    kept_edges = merged_sources[kept]
    share = kept_edges["speed_source"].value_counts(normalize=True).round(4)
    rules = _car_rules()
    extra: dict[str, Any] = {
        "nodes": len(arrays["node_lon"]),
        "edges": len(arrays["edge_from"]),
        "connectivity": stats,
        "rules": rules,
        "highway_codes": dict(enumerate(tg.HIGHWAY_NAMES)),
        "edges_by_highway": _edges_by_highway(arrays),
        "speed_source_share": {k: float(v) for k, v in share.sort_index().items()},
        "share_edges_with_osm_maxspeed": float(share.get("maxspeed", 0.0)),
        "share_edges_way_in_overpass": round(float(kept_edges["in_overpass"].mean()), 4),
        "share_edges_with_osm_maxspeed_among_overpass_ways": round(
            float((kept_edges.loc[kept_edges["in_overpass"], "speed_source"] == "maxspeed").mean()),
            4,
        ),
        "note_overpass_join": "the 2021 Overpass answer is osmnx's 'drive' network: it has "
        "no service roads or tracks, and ways split or created after 2021 have new ids, so "
        "those edges use the class table",
        "edges_against_2021_oneway_tag": int(kept_edges["against_oneway"].sum()),
        "overpass_osm_base": osm_base,
        COVERAGE_KEY: _coverage(arrays),
    }
    manifest = LayerManifest(
        "graph:car",
        "Car network (OpenStreetMap, Leuven municipality)",
        OSM_SOURCE,
        OSM_URL,
        OSM_LICENCE,
        f"2024 (network); {osm_base[:10] or 'unknown'} (maxspeed tags)",
        "Leuven municipality only (Leuven, Heverlee, Kessel-Lo, Wilsele, Wijgmaal); outside "
        "it only graph:strategic_car (main roads) exists; free-flow times at the speed "
        "limit, no congestion or junction delay; "
        f"{1 - extra['share_edges_with_osm_maxspeed']:.0%} of edges have no OSM maxspeed and "
        "use an assumed speed (extra.speed_source_share)",
        extra=extra,
    )
    return Output(manifest, arrays=arrays)


def _coverage(
    arrays: dict[str, np.ndarray],
    edge_mask: np.ndarray | None = None,
    edges_used: str = tg.COVERAGE_ALL_EDGES,
) -> dict[str, str]:
    """Return the manifest entry of the coverage area (see :mod:`geodata.coverage`)."""
    geometry, method = tg.coverage_polygon(arrays, edge_mask=edge_mask, edges_used=edges_used)
    return coverage_entry(geometry, method)


def _kept_edge_mask(edges: pd.DataFrame, arrays: dict[str, np.ndarray]) -> np.ndarray:
    """Mark the merged edges whose (from, to) OSM node ids survived SCC pruning."""
    ids = arrays["node_osm_id"]
    pairs = pd.MultiIndex.from_arrays([ids[arrays["edge_from"]], ids[arrays["edge_to"]]])
    mine = pd.MultiIndex.from_arrays([edges["from_id"], edges["to_id"]])
    return np.asarray(mine.isin(pairs))


def _edges_by_highway(arrays: dict[str, np.ndarray]) -> dict[str, int]:
    counts = np.bincount(arrays["edge_highway"], minlength=len(tg.HIGHWAY_NAMES))
    return {tg.HIGHWAY_NAMES[i]: int(c) for i, c in enumerate(counts) if c}


def _strategic_output(nodes: pd.DataFrame, links: pd.DataFrame) -> Output:
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
        COVERAGE_KEY: _coverage(
            arrays,
            edge_mask=~arrays["edge_is_connector"],
            edges_used="every edge of the graph (after pruning) except the zone connectors",
        ),
    }
    manifest = LayerManifest(
        "graph:strategic_car",
        "Regional car network (strategic model, KU Leuven)",
        STRATEGIC_SOURCE,
        STRATEGIC_URL,
        STRATEGIC_LICENCE,
        "before 2020",
        "region lon 4.42-5.02, lat 50.74-51.00 (Huldenberg not covered); a strategic model "
        "network: main roads only, no street geometry or names, free-flow times",
        extra=extra,
    )
    return Output(manifest, arrays=arrays)


def _speeds_by_type(links: pd.DataFrame) -> dict[str, dict[str, float]]:
    grouped = links.groupby("link_type")["speed_kmh"].agg(["min", "median", "max", "count"])
    return {str(t): {str(k): float(v) for k, v in row.items()} for t, row in grouped.iterrows()}


def _walk_rules() -> dict[str, Any]:
    return {
        "access": "highway in walk_highways or modes contain walk; not no_walk_highways; "
        "not rail (modes pt only); both directions",
        "walk_highways": sorted(tg.WALK_HIGHWAYS),
        "no_walk_highways": sorted(tg.NO_WALK_HIGHWAYS),
        "speed_kmh": tg.WALK_SPEED_KMH,
        "speed_kmh_by_highway": tg.WALK_SPEED_BY_HIGHWAY,
    }


def _bike_rules() -> dict[str, Any]:
    return {
        "access": "MATSim modes contain bike; direction as given",
        "speed_kmh": tg.BIKE_SPEED_KMH,
        "speed_kmh_by_highway": tg.BIKE_SPEED_BY_HIGHWAY,
    }


def _car_rules() -> dict[str, Any]:
    return {
        "access": "MATSim modes contain car; direction as given",
        "speed_order": "OSM maxspeed (directional when tagged) > zone:traffic rural (70 on "
        "trunk..unclassified) > class table",
        "speed_kmh_by_highway": tg.CAR_SPEED_KMH,
        "speed_kmh_other": tg.CAR_DEFAULT_SPEED_KMH,
        "rural_zone_speed_kmh": tg.CAR_RURAL_SPEED_KMH,
        "times": "free flow at the limit; the engine applies its peak factor",
    }


STAGES = [
    Stage(
        name="graphs",
        inputs=(src.MATSIM_NETWORK, src.OVERPASS_DRIVE, src.STRATEGIC_NODES, src.STRATEGIC_LINKS),
        depends=(),
        outputs=("graph:walk", "graph:bike", "graph:car", "graph:strategic_car"),
        build=build,
    )
]
