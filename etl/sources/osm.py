"""OpenStreetMap street networks and the KU Leuven strategic car network: parsers.

Three raw inputs feed the routable graphs (see :mod:`etl.stages.graphs`):

================================  =========================================================
raw file                          what the parser returns
================================  =========================================================
MATSim ``network_v2`` XML (gz)    :class:`MatsimNetwork`: nodes (OSM id, Lambert-72 x/y,
                                  lon/lat) and directed links (OSM way id, direction,
                                  length, modes, ``highway``), streamed with ``iterparse``
Overpass API JSON (osmnx cache)   :class:`OverpassWays`: one row per OSM way with the tags
                                  that set car speeds (``maxspeed``, ``zone:traffic``,
                                  ``oneway``) and the OSM snapshot time
strategic network CSVs            nodes (id, x/y, lon/lat, zone centroid flag) and directed
                                  links (length, speed, free-flow time, type, connector)
================================  =========================================================

Live sources
------------
* Overpass: the same ``drive`` way filter that osmnx uses, restricted to the Leuven
  municipality boundary (``ref:INS=24062``), sent as a GET ``data=`` query to the public
  Overpass API.  The answer has the mirror's format (``elements`` of nodes and ways with
  all tags), so a fresh download is read by :func:`parse_overpass_ways` unchanged; its
  OSM date is read from ``osm3s.timestamp_osm_base``, never from the file name.
  ``etl._overpass`` offers the osmnx route (``graph_from_place``) as an alternative.
* MATSim network: the conversion from OSM to MATSim (XanderPENG/matsim-xp, a Java
  ``pt2matsim``-style converter) is **not** reproduced here.  The live entry below
  re-downloads the converted file itself from its repository, pinned to the mirrored commit.
  The live street network of the whole region comes instead from ``python -m etl fetch
  osm``: the Belgian OSM extract clipped to the region, read by
  :mod:`etl.sources.osm_streets` into links of the MATSim shape (one per segment and
  direction, modes from the OSM access tags), which the graph stage prefers when present.
* Strategic network: the TNTP originals (PLANitTNTP test resources); the CSV conversion in
  the mirror (x/y plus lon/lat) is not reproduced by this project, so the downloaded TNTP
  files are stored beside, not over, the CSVs.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import urllib.parse
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from etl.errors import SourceError
from etl.settings import METRIC_CRS, REGION_BBOX, STORAGE_CRS, LiveSource
from etl.sources.contracts import read_text, require_unique
from etl.sources.vector import read_csv

MATSIM_NETWORK = "osm/leuven_municipality_multimodal_network_matsim_epsg31370.xml.gz"
OVERPASS_DRIVE = "osm/leuven_municipality_drive_overpass_2021-03-31.json"
STRATEGIC_NODES = "strategic_network/leuven_strategic_nodes.csv"
STRATEGIC_LINKS = "strategic_network/leuven_strategic_links.csv"

OVERPASS_URL = "https://overpass-api.de/api/interpreter"

#: Overpass QL for Leuven's drivable ways: osmnx 2.x's ``drive`` filter (public, not
#: private, no service roads, no paths) inside the municipality with NIS code 24062.
OVERPASS_DRIVE_QUERY = (
    "[out:json][timeout:180];"
    'area["boundary"="administrative"]["admin_level"="8"]["ref:INS"="24062"]->.leuven;'
    '(way["highway"]["area"!~"yes"]["access"!~"private"]'
    '["highway"!~"abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|'
    "escalator|footway|no|path|pedestrian|planned|platform|proposed|raceway|razed|rest_area|"
    'service|services|steps|track"]["motor_vehicle"!~"no"]["motorcar"!~"no"]'
    '["service"!~"alley|driveway|emergency_access|parking|parking_aisle|private"](area.leuven);'
    ">;);out;"
)

_MATSIM_COMMIT = "775bfc04efbca6661901f35f3e4fcdc335745f80"
_PLANIT_COMMIT = "06ac4e234b621b5733fad0613395fe1eded259c5"
_GITHUB_RAW = "https://raw.githubusercontent.com"

LIVE_SOURCES = (
    LiveSource(
        "osm_drive_overpass",
        OVERPASS_DRIVE,
        f"{OVERPASS_URL}?data={urllib.parse.quote(OVERPASS_DRIVE_QUERY, safe='')}",
        "https://wiki.openstreetmap.org/wiki/Overpass_API",
        "same JSON format as the mirror (an osmnx Overpass cache file); the live answer is "
        "today's OSM although the raw file name keeps the mirror's date: the build reads the "
        "date from osm3s.timestamp_osm_base. Alternative: etl._overpass (osmnx).",
    ),
    LiveSource(
        "osm_matsim_network",
        MATSIM_NETWORK,
        f"{_GITHUB_RAW}/XanderPENG/matsim-xp/{_MATSIM_COMMIT}/data/clean/network/"
        "GemeenteLeuvenMultimodalNetwork.xml.gz",
        "https://github.com/XanderPENG/matsim-xp",
        "the converted MATSim file itself (identical to the mirror); the OSM-to-MATSim "
        "conversion is not reproduced live, see etl.sources.osm docstring",
    ),
    LiveSource(
        "strategic_network_tntp_net",
        "strategic_network/LeuvenTest_net.tntp",
        f"{_GITHUB_RAW}/TrafficPLANit/PLANitTNTP/{_PLANIT_COMMIT}/src/test/resources/"
        "Leuven/LeuvenTest_net.tntp",
        "https://github.com/TrafficPLANit/PLANitTNTP",
        "TNTP original of leuven_strategic_links.csv; the TNTP-to-CSV conversion (adds "
        "lon/lat) is not part of this project, so the build still needs the CSVs",
    ),
    LiveSource(
        "strategic_network_tntp_nodes",
        "strategic_network/LeuvenTest_node.tntp",
        f"{_GITHUB_RAW}/TrafficPLANit/PLANitTNTP/{_PLANIT_COMMIT}/src/test/resources/"
        "Leuven/LeuvenTest_node.tntp",
        "https://github.com/TrafficPLANit/PLANitTNTP",
        "TNTP original of leuven_strategic_nodes.csv (Lambert-72 x/y only)",
    ),
)

#: MATSim link ids written by the converter: ``<way id>_<n>`` along the OSM way,
#: ``<way id>_r_<n>`` against it.
_LINK_ID = re.compile(r"^(\d+)(_r)?_(\d+)$")
_LINK_ATTRS = ("id", "from", "to", "length", "modes")
#: Tolerance around the region box for coordinate checks (degrees, about 7-11 km).
REGION_MARGIN_DEG = 0.1
_TO_LONLAT = Transformer.from_crs(METRIC_CRS, STORAGE_CRS, always_xy=True)


@dataclass(frozen=True)
class MatsimNetwork:
    """A parsed MATSim network.

    Attributes
    ----------
    nodes : DataFrame
        ``node_id`` (int64 OSM node id), ``x``, ``y`` (EPSG:31370), ``lon``, ``lat``.
    links : DataFrame
        ``link_id`` (str), ``way_id`` (int64 OSM way id, -1 when the id has another form),
        ``reverse`` (bool: against the way's drawing direction), ``from_id``, ``to_id``
        (int64 node ids), ``length_m`` (float64), ``modes`` (str, comma separated),
        ``highway`` (str, ``"NA"`` when absent).
    """

    nodes: pd.DataFrame
    links: pd.DataFrame


@dataclass(frozen=True)
class OverpassWays:
    """Ways of an Overpass JSON answer with the tags that matter for car speeds.

    Attributes
    ----------
    ways : DataFrame
        ``way_id`` (int64), ``highway``, ``maxspeed``, ``maxspeed_forward``,
        ``maxspeed_backward``, ``oneway``, ``zone_traffic`` (str or None), sorted by id.
    osm_base : str
        OSM snapshot time of the answer (``osm3s.timestamp_osm_base``), "" when absent.
    """

    ways: pd.DataFrame
    osm_base: str


# --------------------------------------------------------------------------- MATSim


def parse_matsim_network(path: Path) -> MatsimNetwork:
    """Stream a (gzipped) MATSim ``network_v2`` XML into node and link tables.

    Parameters
    ----------
    path : Path
        ``.xml`` or ``.xml.gz`` file.

    Returns
    -------
    MatsimNetwork
        Nodes sorted by id, links in file order.

    Raises
    ------
    SourceError
        When the file is truncated, not gzip/XML, lacks a required attribute, has a node
        outside the region or a link to an unknown node.
    """
    nodes: list[tuple[int, float, float]] = []
    links: list[tuple[str, int, int, float, str, str]] = []
    try:
        with _open_maybe_gzip(path) as fh:
            for kind, row in _iter_matsim(fh, path):
                if kind == "node":
                    nodes.append(row)
                else:
                    links.append(row)
    except ET.ParseError as exc:
        raise SourceError(path, f"malformed XML ({exc})") from exc
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise SourceError(path, f"truncated or corrupt gzip stream ({exc})") from exc
    if not nodes or not links:
        raise SourceError(path, "MATSim network has no nodes or no links")
    return MatsimNetwork(_node_frame(nodes, path), _link_frame(links, nodes, path))


def _open_maybe_gzip(path: Path) -> IO[bytes] | gzip.GzipFile:
    """Open ``path`` for reading bytes, un-gzipping when it starts with the gzip magic."""
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if gzipped:
        return gzip.open(path, "rb")
    return path.open("rb")


def _iter_matsim(
    fh: IO[bytes] | gzip.GzipFile, path: Path
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Yield ``("node", (id, x, y))`` and ``("link", (...))`` while freeing parsed elements."""
    parent: ET.Element | None = None
    link_attrs: dict[str, str] = {}
    for event, elem in ET.iterparse(fh, events=("start", "end")):
        if event == "start":
            if elem.tag in {"nodes", "links"}:
                parent = elem
            continue
        if elem.tag == "attribute":
            link_attrs[elem.get("name", "")] = (elem.text or "").strip()
            continue
        if elem.tag == "node":
            yield "node", _node_row(elem, path)
        elif elem.tag == "link":
            yield "link", _link_row(elem, link_attrs, path)
            link_attrs = {}
        else:
            continue
        if parent is not None:
            parent.clear()  # keeps memory flat: drop the finished node/link children


def _node_row(elem: ET.Element, path: Path) -> tuple[int, float, float]:
    node_id, x, y = (elem.get(k) for k in ("id", "x", "y"))
    if node_id is None or x is None or y is None:
        raise SourceError(path, f"node {node_id!r} lacks attribute 'id', 'x' or 'y'")
    try:
        return int(node_id), float(x), float(y)
    except ValueError as exc:
        raise SourceError(path, f"node {node_id!r} has a non-numeric id or coordinate") from exc


def _link_row(
    elem: ET.Element, attrs: dict[str, str], path: Path
) -> tuple[str, int, int, float, str, str]:
    values = {k: elem.get(k) for k in _LINK_ATTRS}
    missing = [k for k, v in values.items() if v is None]
    if missing:
        msg = f"link {values['id']!r} lacks attribute(s) {', '.join(missing)}"
        raise SourceError(path, msg)
    try:
        length = float(values["length"])  # type: ignore[arg-type]
        start, end = int(values["from"]), int(values["to"])  # type: ignore[arg-type]
    except ValueError as exc:
        raise SourceError(path, f"link {values['id']!r} has a non-numeric value") from exc
    if not math.isfinite(length) or length < 0:
        raise SourceError(path, f"link {values['id']!r} has invalid length {length}")
    highway = attrs.get("highway") or "NA"
    return values["id"], start, end, length, values["modes"], highway  # type: ignore[return-value]


def _node_frame(rows: list[tuple[int, float, float]], path: Path) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["node_id", "x", "y"]).astype(
        {"node_id": "int64", "x": "float64", "y": "float64"}
    )
    if frame["node_id"].duplicated().any():
        node = frame.loc[frame["node_id"].duplicated(), "node_id"].iloc[0]
        raise SourceError(path, f"node id {node} appears more than once")
    lon, lat = _TO_LONLAT.transform(frame["x"].to_numpy(), frame["y"].to_numpy())
    frame["lon"], frame["lat"] = lon, lat
    _check_in_region(frame["lon"].to_numpy(), frame["lat"].to_numpy(), path, "node")
    return frame.sort_values("node_id", ignore_index=True)


def _link_frame(
    rows: list[tuple[str, int, int, float, str, str]],
    nodes: list[tuple[int, float, float]],
    path: Path,
) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["link_id", "from_id", "to_id", "length_m", "modes", "highway"]
    ).astype({"from_id": "int64", "to_id": "int64", "length_m": "float64"})
    known = np.fromiter((n[0] for n in nodes), dtype=np.int64, count=len(nodes))
    unknown = ~(frame["from_id"].isin(known) & frame["to_id"].isin(known))
    if unknown.any():
        first = frame.loc[unknown, "link_id"].iloc[0]
        raise SourceError(path, f"{int(unknown.sum())} link(s) use unknown nodes, e.g. {first}")
    parts = frame["link_id"].str.extract(_LINK_ID)
    frame.insert(1, "way_id", pd.to_numeric(parts[0]).fillna(-1).astype("int64"))
    frame.insert(2, "reverse", parts[1].notna())
    return frame


def _check_in_region(lon: np.ndarray, lat: np.ndarray, path: Path, what: str) -> None:
    """Refuse coordinates outside the region box plus a margin (wrong CRS or wrong file).

    The margin (:data:`REGION_MARGIN_DEG`) is needed because the region is made of the
    municipalities that *meet* :data:`etl.settings.REGION_BBOX`, so they reach beyond it
    (the strategic network goes to lon 4.42).
    """
    lon_min, lat_min, lon_max, lat_max = (
        REGION_BBOX[0] - REGION_MARGIN_DEG,
        REGION_BBOX[1] - REGION_MARGIN_DEG,
        REGION_BBOX[2] + REGION_MARGIN_DEG,
        REGION_BBOX[3] + REGION_MARGIN_DEG,
    )
    outside = ~((lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max))
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        msg = (
            f"{int(outside.sum())} {what}(s) outside the region box {REGION_BBOX} "
            f"(+{REGION_MARGIN_DEG} degree), "
            f"e.g. lon {lon[i]:.5f}, lat {lat[i]:.5f} (wrong CRS?)"
        )
        raise SourceError(path, msg)


# --------------------------------------------------------------------------- Overpass

_WAY_TAGS = {
    "highway": "highway",
    "maxspeed": "maxspeed",
    "maxspeed_forward": "maxspeed:forward",
    "maxspeed_backward": "maxspeed:backward",
    "oneway": "oneway",
    "zone_traffic": "zone:traffic",
}


def parse_overpass_ways(path: Path) -> OverpassWays:
    """Parse an Overpass JSON answer (``[out:json]``) into one row per way.

    Raises
    ------
    SourceError
        When the file is not UTF-8 JSON, has no ``elements``, no ways, a repeated way
        id, a way without ``id`` or ``tags``, or a node outside the region.
    """
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise SourceError(path, "no 'elements' list: not an Overpass JSON answer")
    elements = [e for e in data["elements"] if isinstance(e, dict)]
    ways = [e for e in elements if e.get("type") == "way"]
    if not ways:
        raise SourceError(path, "Overpass answer holds no ways")
    _check_overpass_nodes(elements, path)
    rows = [_way_row(w, path) for w in ways]
    frame = pd.DataFrame(rows, columns=["way_id", *_WAY_TAGS])
    frame = frame.astype({"way_id": "int64"}).sort_values("way_id", ignore_index=True)
    if frame["way_id"].duplicated().any():
        way = frame.loc[frame["way_id"].duplicated(), "way_id"].iloc[0]
        raise SourceError(path, f"way id {way} appears more than once")
    osm3s = data.get("osm3s")
    osm_base = str(osm3s.get("timestamp_osm_base", "")) if isinstance(osm3s, dict) else ""
    return OverpassWays(frame, osm_base)


def _way_row(way: dict[str, Any], path: Path) -> list[Any]:
    tags = way.get("tags")
    if not isinstance(way.get("id"), int) or not isinstance(tags, dict):
        raise SourceError(path, f"way {way.get('id')!r} lacks an integer 'id' or 'tags'")
    return [way["id"], *(tags.get(key) for key in _WAY_TAGS.values())]


def _check_overpass_nodes(elements: list[dict[str, Any]], path: Path) -> None:
    nodes = [e for e in elements if e.get("type") == "node"]
    if not nodes:
        return
    try:
        lon = np.array([n["lon"] for n in nodes], dtype=float)
        lat = np.array([n["lat"] for n in nodes], dtype=float)
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceError(path, "a node lacks numeric 'lon'/'lat'") from exc
    _check_in_region(lon, lat, path, "node")


# --------------------------------------------------------------------------- strategic


def parse_strategic_nodes(path: Path) -> pd.DataFrame:
    """Parse the strategic network nodes: ``node``, ``x``, ``y``, ``lon``, ``lat``, centroid flag.

    Raises
    ------
    SourceError
        Missing columns, non-numeric values, duplicate ids or nodes outside the region.
    """
    cols = ["node", "x", "y", "lon", "lat", "is_zone_centroid"]
    frame = read_csv(path, cols)[cols]
    try:
        out = frame.astype({"node": "int64", "x": "float64", "y": "float64"})
        out = out.astype({"lon": "float64", "lat": "float64"})
    except (ValueError, TypeError) as exc:
        raise SourceError(path, f"non-numeric node id or coordinate ({exc})") from exc
    out["is_zone_centroid"] = _parse_bool(frame["is_zone_centroid"], "is_zone_centroid", path)
    require_unique(out["node"], path, "node id")
    _check_in_region(out["lon"].to_numpy(), out["lat"].to_numpy(), path, "node")
    return out.sort_values("node", ignore_index=True)


def parse_strategic_links(path: Path) -> pd.DataFrame:
    """Parse the strategic network links (directed).

    Returns
    -------
    DataFrame
        ``link_id``, ``from_node``, ``to_node`` (int64), ``length_m``, ``speed_kmh``,
        ``free_flow_time_s`` (float64), ``link_type`` (int64), ``is_connector`` (bool).

    Raises
    ------
    SourceError
        Missing columns, non-numeric values, or negative lengths/times.
    """
    ints = ["link_id", "from_node", "to_node", "link_type"]
    floats = ["length_m", "speed_kmh", "free_flow_time_s"]
    frame = read_csv(path, [*ints, *floats, "is_connector"])
    try:
        out = frame[ints].astype("int64").join(frame[floats].astype("float64"))
    except (ValueError, TypeError) as exc:
        raise SourceError(path, f"non-numeric link value ({exc})") from exc
    out["is_connector"] = _parse_bool(frame["is_connector"], "is_connector", path)
    require_unique(out["link_id"], path, "link_id")
    bad = (out[floats] < 0).any(axis=1) | out[floats].isna().any(axis=1)
    if bad.any():
        raise SourceError(path, f"{int(bad.sum())} link(s) with missing or negative values")
    return out


def _parse_bool(values: pd.Series, column: str, path: Path) -> pd.Series:
    text = values.astype(str).str.strip().str.lower()
    ok = text.isin({"true", "false", "1", "0"})
    if not ok.all():
        raise SourceError(path, f"column {column!r} holds values that are not true/false")
    return text.isin({"true", "1"})
