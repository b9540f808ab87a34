"""Street links from an OpenStreetMap PBF, in the shape of the MATSim network's links.

:func:`streets_from_pbf` reads the ways tagged ``highway`` of a PBF with ``osmium`` (node
locations attached by osmium's location cache) and cuts them into one *directed* link per
segment (two consecutive nodes) and direction, exactly like the MATSim network of
:func:`etl.sources.osm.parse_matsim_network`: ``link_id`` (``<way>_<n>`` along the way,
``<way>_r_<n>`` against it), ``way_id``, ``reverse``, ``from_id``, ``to_id``, ``length_m``,
``modes`` (comma separated, among ``walk``, ``bike``, ``car``) and ``highway``, plus
``walk_forbidden``.  A second table has one row per way with the tags that set car speeds,
in the shape of the Overpass answer (:func:`etl.sources.osm.parse_overpass_ways`).  So the
graph stage builds walk, bike and car graphs from a PBF with the same functions
(:func:`etl.transform.graphs.walk_edges`, ``bike_edges``, ``car_edges``) as from MATSim.

How OSM tags become modes
-------------------------
1. **Class default** (:data:`DEFAULT_MODES`, Belgian defaults of the OSM wiki's access
   table): ``motorway``/``motorway_link`` car only; ``trunk`` .. ``unclassified``,
   ``residential``, ``living_street``, ``service``, ``road``, ``track`` walk, bike and car;
   ``path`` and ``cycleway`` walk and bike; ``footway``, ``pedestrian``, ``steps``,
   ``corridor``, ``platform``, ``elevator`` walk only.  Any other ``highway`` value
   (``construction``, ``proposed``, ``bridleway``, ``raceway``, ``bus_guideway`` ...) and
   ways tagged ``area=yes`` (squares drawn as outlines, not paths) give no links.
2. **Access tags**, the most specific present wins: walk ``foot`` > ``access``; bike
   ``bicycle`` > ``vehicle`` > ``access``; car ``motorcar`` > ``motor_vehicle`` >
   ``vehicle`` > ``access``.  A value in :data:`DENIED_VALUES` (``no``, ``private``,
   ``agricultural``, ``forestry``, ``delivery``, ``use_sidepath``, ``permit`` ...) removes
   the mode; any other value (``yes``, ``designated``, ``permissive``, ``destination``,
   ``customers``, ``dismount``, ``unknown``) grants it, also on a class that lacks it by
   default (``footway`` + ``bicycle=yes`` is cyclable).  ``motorroad=yes`` removes walk
   and bike.
3. **Direction**: ``oneway=yes|true|1`` keeps bike and car along the way, ``-1|reverse``
   against it, ``no`` both; without the tag ``junction=roundabout|circular`` and
   ``highway=motorway`` are one-way (OSM's implied values).  For bikes
   ``oneway:bicycle`` overrides ``oneway`` (``no`` = contraflow cycling, Belgium's
   "beperkt eenrichtingsverkeer"), as does the older ``cycleway=opposite*``.  Walking
   ignores ``oneway``.
4. **walk_forbidden** is True when step 2 removed walking.  The walk rule of
   :func:`etl.transform.graphs.walk_mask` admits a link by road class even without the
   ``walk`` mode (MATSim's walk mode is unreliable); for OSM links this column makes an
   explicit ``foot=no`` (or ``access=no``) win over the class.

A link is written for a direction only when some mode may use it.  Segments whose nodes
lie outside the extract (no location) are dropped.  ``length_m`` is the straight distance
between the two nodes in EPSG:31370 (the MATSim network's CRS; Lambert 72's scale error in
Belgium is below 0.01 %).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import osmium
import pandas as pd
from pyproj import Transformer

from etl.errors import SourceError
from etl.settings import METRIC_CRS, OSM_EXTRACT_URL, STORAGE_CRS, LiveSource
from etl.sources.osm_pbf import check_pbf, reading_pbf

#: The Belgian extract as downloaded by ``python -m etl fetch osm`` (raw folder).
BELGIUM_PBF: Final[str] = "osm/belgium-latest.osm.pbf"
#: The extract clipped to the region's municipalities; the graph stage reads it when present.
REGIONAL_PBF: Final[str] = "osm/leuven_region.osm.pbf"

#: ``python -m etl fetch osm``: the extract (URL configurable in
#: :attr:`etl.settings.Settings.source_urls`), then clipped to the region by
#: :func:`etl.fetch.clip_osm_to_region`.
LIVE_SOURCES = (
    LiveSource(
        "osm",
        BELGIUM_PBF,
        OSM_EXTRACT_URL,
        "https://download.geofabrik.de/europe/belgium.html",
        "the whole of Belgium (about 650 MB); after the download it is clipped to the 60 "
        f"region municipalities into {REGIONAL_PBF}, which the graphs stage reads instead "
        "of the MATSim network of Leuven municipality",
    ),
)

MODES: Final[tuple[str, ...]] = ("walk", "bike", "car")
_ALL: Final = frozenset(MODES)
_ROADS: Final = (
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
    "track",
)
#: Modes a ``highway`` class allows before access tags (Belgian defaults).
DEFAULT_MODES: Final[dict[str, frozenset[str]]] = {
    "motorway": frozenset({"car"}),
    "motorway_link": frozenset({"car"}),
    **dict.fromkeys(_ROADS, _ALL),
    "path": frozenset({"walk", "bike"}),
    "cycleway": frozenset({"walk", "bike"}),
    **dict.fromkeys(
        ("footway", "pedestrian", "steps", "corridor", "platform", "elevator"), frozenset({"walk"})
    ),
}
#: Access keys per mode, most specific first.
ACCESS_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "walk": ("foot", "access"),
    "bike": ("bicycle", "vehicle", "access"),
    "car": ("motorcar", "motor_vehicle", "vehicle", "access"),
}
#: Access values that forbid a mode to the general public.
DENIED_VALUES: Final[frozenset[str]] = frozenset(
    {
        "no",
        "private",
        "agricultural",
        "forestry",
        "agricultural;forestry",
        "delivery",
        "use_sidepath",
        "permit",
        "restricted",
        "psv",
        "bus",
        "emergency",
        "military",
    }
)
_FORWARD: Final = frozenset({"yes", "true", "1"})
_BACKWARD: Final = frozenset({"-1", "reverse"})
_BOTH: Final = frozenset({"no", "false", "0"})
_IMPLIED_ONEWAY_JUNCTIONS: Final = frozenset({"roundabout", "circular"})
#: Way tags kept for car speeds (column -> OSM key), as in the Overpass table.
SPEED_TAGS: Final[dict[str, str]] = {
    "highway": "highway",
    "maxspeed": "maxspeed",
    "maxspeed_forward": "maxspeed:forward",
    "maxspeed_backward": "maxspeed:backward",
    "oneway": "oneway",
    "zone_traffic": "zone:traffic",
}
LINK_COLUMNS: Final[tuple[str, ...]] = (
    "link_id",
    "way_id",
    "reverse",
    "from_id",
    "to_id",
    "length_m",
    "modes",
    "highway",
    "walk_forbidden",
)
_TO_METRIC = Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)


@dataclass(frozen=True)
class WayAccess:
    """Modes allowed on a way, by direction (see the module docstring).

    Attributes
    ----------
    forward, backward : frozenset of str
        Modes allowed along and against the way's drawing direction.
    walk_forbidden : bool
        An access tag removed walking.
    """

    forward: frozenset[str]
    backward: frozenset[str]
    walk_forbidden: bool


@dataclass(frozen=True)
class StreetNetwork:
    """Street links read from a PBF.

    Attributes
    ----------
    nodes : DataFrame
        ``node_id`` (int64 OSM id), ``x``, ``y`` (EPSG:31370), ``lon``, ``lat``; the
        nodes used by links, sorted by id.
    links : DataFrame
        :data:`LINK_COLUMNS`, in way order (see the module docstring).
    ways : DataFrame
        ``way_id`` and :data:`SPEED_TAGS` columns (None when absent), one row per way that
        gave links, sorted by id (the shape of :class:`etl.sources.osm.OverpassWays`).
    osm_base : str
        The extract's OSM time (header ``osmosis_replication_timestamp``, else the newest
        object time), ISO 8601, "" when unknown.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    ways: pd.DataFrame
    osm_base: str


def way_access(tags: Mapping[str, str]) -> WayAccess | None:
    """Return the modes a ``highway`` way allows by direction, or None when it gives no link.

    Parameters
    ----------
    tags : mapping
        All tags of the way.
    """
    default = DEFAULT_MODES.get(tags.get("highway", ""))
    if default is None or tags.get("area") == "yes":
        return None
    allowed = {mode for mode in MODES if _mode_allowed(tags, mode, mode in default)}
    if tags.get("motorroad") == "yes":
        allowed -= {"walk", "bike"}
    walk_forbidden = "walk" in default and "walk" not in allowed
    directions = {mode: _direction(tags, mode) for mode in allowed}
    forward = frozenset(m for m, d in directions.items() if d >= 0)
    backward = frozenset(m for m, d in directions.items() if d <= 0)
    if not forward and not backward:
        return None
    return WayAccess(forward, backward, walk_forbidden)


def _mode_allowed(tags: Mapping[str, str], mode: str, by_default: bool) -> bool:
    """Decide by the most specific access tag present, else by the class default."""
    for key in ACCESS_KEYS[mode]:
        value = tags.get(key)
        if value is not None:
            return value.strip().lower() not in DENIED_VALUES
    return by_default


def _direction(tags: Mapping[str, str], mode: str) -> int:
    """Return 1 (along the way only), -1 (against only) or 0 (both) for ``mode``."""
    if mode == "walk":
        return 0
    oneway = tags.get("oneway", "").strip().lower()
    if mode == "bike":
        bicycle = tags.get("oneway:bicycle", "").strip().lower()
        if bicycle:
            oneway = bicycle
        elif tags.get("cycleway", "").startswith("opposite"):
            oneway = "no"
    if oneway in _FORWARD:
        return 1
    if oneway in _BACKWARD:
        return -1
    if oneway in _BOTH:
        return 0
    implied = tags.get("junction") in _IMPLIED_ONEWAY_JUNCTIONS or tags.get("highway") == "motorway"
    return 1 if implied else 0


# --------------------------------------------------------------------------- reading


@dataclass
class _Ways:
    """Ways read from the file, flattened: one entry per way node."""

    way_ids: list[int]
    access: list[WayAccess]
    tags: list[list[str | None]]
    node_counts: list[int]
    refs: list[int]
    lons: list[float]
    lats: list[float]


def streets_from_pbf(path: Path) -> StreetNetwork:
    """Read the street links of a PBF (see the module docstring for the rules).

    Parameters
    ----------
    path : Path
        An ``.osm.pbf`` extract (e.g. central Leuven, or the region clipped from the
        Belgian extract by :func:`etl.sources.osm_pbf.clip_pbf`).

    Returns
    -------
    StreetNetwork

    Raises
    ------
    SourceError
        When the file is missing, empty, unreadable or holds no usable street.
    """
    check_pbf(path)
    with reading_pbf(path):
        ways, newest = _read_ways(path)
        osm_base = _header_time(path) or newest
    links, nodes = _links_and_nodes(ways)
    if links.empty:
        raise SourceError(path, "PBF holds no highway way with two located nodes")
    way_table = pd.DataFrame(ways.tags, columns=list(SPEED_TAGS))
    way_table.insert(0, "way_id", np.array(ways.way_ids, dtype=np.int64))
    way_table = way_table[way_table["way_id"].isin(links["way_id"])]
    return StreetNetwork(nodes, links, way_table.sort_values("way_id", ignore_index=True), osm_base)


def _read_ways(path: Path) -> tuple[_Ways, str]:
    ways = _Ways([], [], [], [], [], [], [])
    newest: datetime | None = None
    processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
    processor = processor.with_locations().with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
    way: Any
    for way in processor.with_filter(osmium.filter.KeyFilter("highway")):
        tags = dict(way.tags)
        access = way_access(tags)
        if access is None:
            continue
        stamp = way.timestamp
        newest = stamp if newest is None or stamp > newest else newest
        ways.way_ids.append(way.id)
        ways.access.append(access)
        ways.tags.append([tags.get(key) for key in SPEED_TAGS.values()])
        ways.node_counts.append(len(way.nodes))
        for node in way.nodes:
            ways.refs.append(node.ref)
            located = node.location.valid()
            ways.lons.append(node.location.lon if located else np.nan)
            ways.lats.append(node.location.lat if located else np.nan)
    return ways, _iso(newest)


def _header_time(path: Path) -> str:
    reader = osmium.io.Reader(str(path), osmium.osm.NOTHING)
    try:
        return reader.header().get("osmosis_replication_timestamp", "")
    finally:
        reader.close()


def _iso(stamp: datetime | None) -> str:
    if stamp is None or stamp.year < 1971:  # files written without object metadata
        return ""
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def _links_and_nodes(ways: _Ways) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cut the ways into directed segment links; collect the nodes they use."""
    counts = np.array(ways.node_counts, dtype=np.int64)
    refs = np.array(ways.refs, dtype=np.int64)
    lon, lat = np.array(ways.lons), np.array(ways.lats)
    x, y = _TO_METRIC.transform(lon, lat)
    way_of = np.repeat(np.arange(len(counts)), counts)
    # a segment joins node i and i+1 of the same way, both located
    start = np.flatnonzero((way_of[:-1] == way_of[1:]) & np.isfinite(x[:-1]) & np.isfinite(x[1:]))
    first_of_way = np.cumsum(counts) - counts
    position = start - first_of_way[way_of[start]]
    segments = pd.DataFrame(
        {
            "way": way_of[start],
            "position": position,
            "from_id": refs[start],
            "to_id": refs[start + 1],
            "length_m": np.hypot(x[start + 1] - x[start], y[start + 1] - y[start]),
        }
    )
    links = _directed_links(segments, ways)
    used = np.unique(np.concatenate([links["from_id"], links["to_id"]]))
    nodes = pd.DataFrame({"node_id": refs, "x": x, "y": y, "lon": lon, "lat": lat})
    nodes = nodes[nodes["node_id"].isin(used) & np.isfinite(nodes["x"])]
    nodes = nodes.drop_duplicates("node_id").sort_values("node_id", ignore_index=True)
    return links, nodes


def _directed_links(segments: pd.DataFrame, ways: _Ways) -> pd.DataFrame:
    way_ids = np.array(ways.way_ids, dtype=np.int64)
    highway = np.array([tags[0] for tags in ways.tags], dtype=object)
    parts = []
    for reverse, modes in _direction_modes(ways):
        seg = segments[modes[segments["way"]] != ""]
        part = pd.DataFrame(
            {
                "way_id": way_ids[seg["way"]],
                "reverse": reverse,
                "from_id": seg["to_id" if reverse else "from_id"].to_numpy(),
                "to_id": seg["from_id" if reverse else "to_id"].to_numpy(),
                "length_m": seg["length_m"].to_numpy(),
                "modes": modes[seg["way"]],
                "highway": highway[seg["way"]],
                "walk_forbidden": np.array([a.walk_forbidden for a in ways.access])[seg["way"]],
                "order": seg.index.to_numpy() * 2 + int(reverse),
            }
        )
        infix = "_r_" if reverse else "_"
        part.insert(
            0,
            "link_id",
            part["way_id"].astype(str) + infix + seg["position"].astype(str).to_numpy(),
        )
        parts.append(part)
    links = pd.concat(parts, ignore_index=True).sort_values("order", kind="mergesort")
    return links[list(LINK_COLUMNS)].reset_index(drop=True)


def _direction_modes(ways: _Ways) -> Iterator[tuple[bool, np.ndarray]]:
    """Yield (reverse, modes text per way) for both directions."""
    for reverse in (False, True):
        texts = [
            ",".join(m for m in sorted(a.backward if reverse else a.forward)) for a in ways.access
        ]
        yield reverse, np.array(texts, dtype=object)
