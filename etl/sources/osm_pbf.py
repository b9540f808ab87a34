"""Read an OpenStreetMap PBF extract with ``osmium``: tagged features as points, relations.

A small, shared reader for the raw OSM extract (``osm/leuven_core_2024-06.osm.pbf`` in
the mirror).  It turns the three OSM object types into plain Python records that do not
depend on osmium's short-lived buffers, so callers can keep them after the file is closed:

* :func:`iter_tagged_features` - nodes, ways and multipolygon relations whose tags pass a
  predicate, each reduced to one point (node position, or centroid of the way or area);
* :func:`iter_relations` - relations (e.g. bus routes) with their tags and ordered members;
* :func:`node_locations` / :func:`way_coordinates` - positions of given node ids and the
  vertex lists of given ways, to resolve relation members;
* :func:`clip_pbf` - cut a PBF to a polygon, keeping ways whole (see its docstring).

Every function reads the whole file once per call (3.3 MB: well under a second each) and
raises :class:`etl.errors.SourceError` for a missing, empty or corrupt file.

Examples
--------
>>> from etl.sources.osm_pbf import iter_tagged_features, iter_relations
>>> shops = [f for f in iter_tagged_features(pbf, lambda t: "shop" in t)]  # doctest: +SKIP
>>> routes = list(iter_relations(pbf, lambda t: t.get("route") == "bus"))  # doctest: +SKIP
"""

from __future__ import annotations

import array
import logging
import os
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import shapely
from shapely.geometry import LineString, Point, Polygon

from etl.errors import SourceError

#: Predicate over an object's tags; return True to keep the object.
TagPredicate = Callable[[Mapping[str, str]], bool]

#: OSM object types accepted by :func:`iter_tagged_features` (``types`` argument).
OSM_TYPES: tuple[str, ...] = ("node", "way", "relation")

_MEMBER_TYPES = {"n": "node", "w": "way", "r": "relation"}
#: Nodes tested against the clip polygon at once (bounded memory on a national extract).
CLIP_CHUNK_NODES = 1_000_000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OsmFeature:
    """One tagged OSM object reduced to a point.

    Attributes
    ----------
    osm_type : str
        ``"node"``, ``"way"`` or ``"relation"`` (multipolygon relations only).
    osm_id : int
        The object's OSM id.
    tags : dict of str to str
        All tags of the object.
    lon, lat : float
        WGS84 position: the node itself, or the centroid of the way or area.
    geometry_type : str
        Shape the point was taken from: ``"point"``, ``"line"``, ``"polygon"`` or
        ``"multipolygon"``.
    """

    osm_type: str
    osm_id: int
    tags: dict[str, str]
    lon: float
    lat: float
    geometry_type: str

    @property
    def osm_key(self) -> str:
        """Return the usual OSM reference, e.g. ``"way/80075802"``."""
        return f"{self.osm_type}/{self.osm_id}"


@dataclass(frozen=True)
class OsmMember:
    """One member of a relation: ``type`` (node/way/relation), ``ref`` (id) and ``role``."""

    type: str
    ref: int
    role: str


@dataclass(frozen=True)
class OsmRelation:
    """A relation with its tags and members in file order (route order for PTv2 routes)."""

    osm_id: int
    tags: dict[str, str]
    members: tuple[OsmMember, ...]


def iter_tagged_features(
    path: Path,
    keep: TagPredicate,
    *,
    types: Collection[str] = OSM_TYPES,
) -> Iterator[OsmFeature]:
    """Yield the tagged objects of a PBF that ``keep`` accepts, each as one point.

    Parameters
    ----------
    path : Path
        The ``.osm.pbf`` file.
    keep : callable
        ``keep(tags) -> bool``, called with a ``dict`` of every tagged object's tags.
    types : collection of str, optional
        Subset of ``("node", "way", "relation")`` to consider (default: all three).

    Yields
    ------
    OsmFeature
        Nodes at their position; ways at the centroid of their polygon (closed ways with
        at least 4 vertices and a non-zero area) or of their line; relations of
        ``type=multipolygon`` or ``boundary`` at the centroid of the assembled area.
        Other relations (routes, sites) have no geometry here: use
        :func:`iter_relations`.  Objects whose nodes all lie outside the extract are
        skipped.  Centroids are planar in lon/lat, which is exact to well below a metre
        for building-sized objects.

    Raises
    ------
    SourceError
        When the file is missing, empty or not a readable OSM file.
    """
    wanted = set(types)
    unknown = wanted - set(OSM_TYPES)
    if unknown:
        msg = f"unknown OSM type(s) {sorted(unknown)}; use {OSM_TYPES}"
        raise ValueError(msg)
    check_pbf(path)
    processor = osmium.FileProcessor(str(path)).with_locations()
    if "relation" in wanted:
        processor = processor.with_areas()
    wkb = osmium.geom.WKBFactory()
    with reading_pbf(path):
        for obj in processor:
            feature = _feature_from(obj, keep, wanted, wkb)
            if feature is not None:
                yield feature


def iter_relations(path: Path, keep: TagPredicate | None = None) -> Iterator[OsmRelation]:
    """Yield the relations of a PBF (those ``keep`` accepts, or all), with ordered members.

    Parameters
    ----------
    path : Path
        The ``.osm.pbf`` file.
    keep : callable, optional
        ``keep(tags) -> bool``; e.g. ``lambda t: t.get("route") == "bus"``.

    Raises
    ------
    SourceError
        When the file is missing, empty or not a readable OSM file.
    """
    check_pbf(path)
    processor = osmium.FileProcessor(str(path), osmium.osm.RELATION)
    with reading_pbf(path):
        for rel in processor:
            rel_any: Any = rel  # osmium's stubs type the iterator as a union of all kinds
            tags = dict(rel.tags)
            if keep is not None and not keep(tags):
                continue
            members = tuple(
                OsmMember(_MEMBER_TYPES[m.type], m.ref, m.role) for m in rel_any.members
            )
            yield OsmRelation(rel_any.id, tags, members)


def node_locations(path: Path, node_ids: Collection[int]) -> dict[int, tuple[float, float]]:
    """Return ``{node_id: (lon, lat)}`` for the given node ids present in the file.

    Ids missing from the extract (members outside its bounding box) are simply absent
    from the result.
    """
    check_pbf(path)
    wanted = set(node_ids)
    found: dict[int, tuple[float, float]] = {}
    with reading_pbf(path):
        node: Any
        for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
            if node.id in wanted and node.location.valid():
                found[node.id] = (node.location.lon, node.location.lat)
    return found


def way_coordinates(path: Path, way_ids: Collection[int]) -> dict[int, list[tuple[float, float]]]:
    """Return ``{way_id: [(lon, lat), ...]}`` (vertices in way order) for the given ways.

    Vertices whose node lies outside the extract are dropped; ways left with fewer than
    two vertices are absent from the result.
    """
    check_pbf(path)
    wanted = set(way_ids)
    found: dict[int, list[tuple[float, float]]] = {}
    processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
    obj: Any
    with reading_pbf(path):
        for obj in processor.with_locations():
            if obj.is_way() and obj.id in wanted:
                coords = _way_vertices(obj)
                if len(coords) >= 2:
                    found[obj.id] = coords
    return found


# --------------------------------------------------------------------------- clip


@dataclass(frozen=True)
class ClipResult:
    """What :func:`clip_pbf` kept.

    Attributes
    ----------
    path : Path
        The clipped file.
    nodes_inside : int
        Nodes of the source inside the polygon (all kept).
    nodes_kept : int
        Nodes written: those inside plus the outside nodes of kept ways.
    ways_kept, relations_kept : int
        Ways with at least one node inside; relations with a kept node or way member.
    """

    path: Path
    nodes_inside: int
    nodes_kept: int
    ways_kept: int
    relations_kept: int


def clip_pbf(source: Path, polygon: shapely.Geometry, target: Path) -> ClipResult:
    """Write the part of an OSM file inside ``polygon`` (EPSG:4326) to ``target``.

    The cut keeps ways whole (osmium-tool's ``complete_ways`` strategy): every node
    inside the polygon, every way with at least one node inside together with *all* its
    nodes (also those outside, so a road crossing the border keeps its geometry), and
    every relation with a kept node or way member (members outside are not added, and
    a relation whose members are only relations is not kept).  Five streaming passes
    over ``source`` with pyosmium; nodes are tested against the polygon a million at a
    time.  On a Belgian extract (about 100 million nodes) the node pass takes a few
    minutes and the id set about 1.5 GB of memory.

    The output is written to a temporary file beside ``target`` and renamed over it only
    when complete, so a failed clip leaves any previous ``target`` untouched.  Its header
    keeps the source's replication time and carries the polygon's bounding box.

    Parameters
    ----------
    source : Path
        An ``.osm.pbf`` (or any format osmium reads).
    polygon : Polygon or MultiPolygon
        The area to keep, lon/lat.
    target : Path
        The output; its name must end with the format (``.osm.pbf``).

    Raises
    ------
    SourceError
        When ``source`` is missing, empty or unreadable.
    ValueError
        When ``polygon`` is not a non-empty polygon.
    """
    if polygon.is_empty or polygon.geom_type not in ("Polygon", "MultiPolygon"):
        msg = f"clip area must be a non-empty polygon, not {polygon.geom_type}"
        raise ValueError(msg)
    check_pbf(source)
    started = time.perf_counter()
    with reading_pbf(source):
        tracker, inside_count = _track_inside_nodes(source, polygon)
        ways = _track_ways(source, tracker)
        relations = _track_relations(source, tracker)
        nodes_kept = _write_tracked(source, tracker, polygon, target)
    log.info(
        "clipped %s -> %s: %d nodes (%d inside), %d ways, %d relations in %.0f s",
        source.name,
        target,
        nodes_kept,
        inside_count,
        ways,
        relations,
        time.perf_counter() - started,
    )
    return ClipResult(target, inside_count, nodes_kept, ways, relations)


def _track_inside_nodes(source: Path, polygon: shapely.Geometry) -> tuple[osmium.IdTracker, int]:
    """Pass 1: track the nodes inside the polygon, tested a chunk at a time.

    One tracker holds every id to keep: osmium's node id set is a bitmap over the whole
    id range (about 1.5 GB once the ids of a national extract are spread over it), so a
    second set would double the memory.
    """
    shapely.prepare(polygon)
    tracker = osmium.IdTracker()
    ids, lons, lats = array.array("q"), array.array("d"), array.array("d")
    count = 0
    node: Any
    for node in osmium.FileProcessor(str(source), osmium.osm.NODE):
        location = node.location
        if not location.valid():
            continue
        ids.append(node.id)
        lons.append(location.lon)
        lats.append(location.lat)
        if len(ids) >= CLIP_CHUNK_NODES:
            count += _add_inside(tracker, polygon, ids, lons, lats)
            ids, lons, lats = array.array("q"), array.array("d"), array.array("d")
    count += _add_inside(tracker, polygon, ids, lons, lats)
    return tracker, count


def _add_inside(
    tracker: osmium.IdTracker,
    polygon: shapely.Geometry,
    ids: array.array[int],
    lons: array.array[float],
    lats: array.array[float],
) -> int:
    lon, lat = np.frombuffer(lons, dtype=np.float64), np.frombuffer(lats, dtype=np.float64)
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    in_box = (lon >= min_lon) & (lon <= max_lon) & (lat >= min_lat) & (lat <= max_lat)
    candidate = np.flatnonzero(in_box)
    inside = candidate[shapely.contains_xy(polygon, lon[candidate], lat[candidate])]
    node_ids = np.frombuffer(ids, dtype=np.int64)[inside]
    for node_id in node_ids.tolist():
        tracker.add_node(node_id)
    return len(node_ids)


def _track_ways(source: Path, tracker: osmium.IdTracker) -> int:
    """Keep the ways with a node inside, then all their nodes (passes 2 and 3).

    The nodes are added in a second pass (over the kept ways only, filtered by osmium)
    so that a way is never kept for a node that is merely on another kept way.
    """
    count = 0
    way: Any
    for way in osmium.FileProcessor(str(source), osmium.osm.WAY):
        if tracker.contains_any_references(way):
            tracker.add_way(way.id)
            count += 1
    kept = osmium.FileProcessor(str(source), osmium.osm.WAY).with_filter(tracker.id_filter())
    for way in kept:
        tracker.add_references(way)
    return count


def _track_relations(source: Path, tracker: osmium.IdTracker) -> int:
    """Pass 4: find the relations with a kept node or way member.

    The ids are added after the pass, so that a relation is never kept for a member
    relation (which would depend on the order of the file).
    """
    found: list[int] = []
    relation: Any
    for relation in osmium.FileProcessor(str(source), osmium.osm.RELATION):
        if tracker.contains_any_references(relation):
            found.append(relation.id)
    for relation_id in found:
        tracker.add_relation(relation_id)
    return len(found)


def _write_tracked(
    source: Path, tracker: osmium.IdTracker, polygon: shapely.Geometry, target: Path
) -> int:
    """Pass 5: copy the kept objects, in file order, to ``target`` atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".osm.pbf", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    nodes = 0
    try:
        with osmium.SimpleWriter(
            str(tmp), header=_clip_header(source, polygon), overwrite=True
        ) as writer:
            obj: Any
            for obj in osmium.FileProcessor(str(source)).with_filter(tracker.id_filter()):
                writer.add(obj)
                nodes += int(obj.is_node())
        tmp.chmod(0o644)
        tmp.replace(target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return nodes


def _clip_header(source: Path, polygon: shapely.Geometry) -> osmium.io.Header:
    reader = osmium.io.Reader(str(source), osmium.osm.NOTHING)
    try:
        stamp = reader.header().get("osmosis_replication_timestamp", "")
    finally:
        reader.close()
    header = osmium.io.Header()
    header.set("generator", "leuven-atlas etl (pyosmium clip, complete ways)")
    if stamp:
        header.set("osmosis_replication_timestamp", stamp)
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    header.add_box(osmium.osm.Box(min_lon, min_lat, max_lon, max_lat))
    return header


# --------------------------------------------------------------------------- helpers


def check_pbf(path: Path) -> None:
    """Refuse a missing or empty OSM file with a :class:`SourceError` naming it."""
    if not path.is_file():
        raise SourceError(path, "OSM file not found")
    if path.stat().st_size == 0:
        raise SourceError(path, "OSM file is empty")


@contextmanager
def reading_pbf(path: Path) -> Iterator[None]:
    """Turn osmium's parse errors (``RuntimeError``) into :class:`SourceError`."""
    try:
        yield
    except SourceError:
        raise
    except RuntimeError as exc:  # osmium reports truncated or non-PBF input this way
        raise SourceError(path, f"not a readable OSM PBF file ({exc})") from exc


def _feature_from(
    obj: Any, keep: TagPredicate, wanted: set[str], wkb: osmium.geom.WKBFactory
) -> OsmFeature | None:
    """Turn one osmium object into an :class:`OsmFeature`, or ``None`` to skip it."""
    if len(obj.tags) == 0:
        return None
    if obj.is_node() and "node" in wanted:
        return _node_feature(obj, keep)
    if obj.is_way() and "way" in wanted:
        return _way_feature(obj, keep)
    if obj.is_area() and not obj.from_way() and "relation" in wanted:
        return _relation_area_feature(obj, keep, wkb)
    return None


def _node_feature(node: Any, keep: TagPredicate) -> OsmFeature | None:
    tags = dict(node.tags)
    if not keep(tags) or not node.location.valid():
        return None
    return OsmFeature("node", node.id, tags, node.location.lon, node.location.lat, "point")


def _way_feature(way: Any, keep: TagPredicate) -> OsmFeature | None:
    tags = dict(way.tags)
    if not keep(tags):
        return None
    coords = _way_vertices(way)
    if not coords:
        return None
    point, kind = _centroid(coords)
    return OsmFeature("way", way.id, tags, point.x, point.y, kind)


def _relation_area_feature(
    area: Any, keep: TagPredicate, wkb: osmium.geom.WKBFactory
) -> OsmFeature | None:
    tags = dict(area.tags)
    if not keep(tags):
        return None
    try:
        shape = shapely.from_wkb(bytes.fromhex(wkb.create_multipolygon(area)))
    except RuntimeError:  # an area whose rings could not be built (broken multipolygon)
        return None
    if shape.is_empty:
        return None
    centre = shape.centroid
    return OsmFeature("relation", area.orig_id(), tags, centre.x, centre.y, "multipolygon")


def _way_vertices(way: Any) -> list[tuple[float, float]]:
    """Vertices of a way with a known location (nodes outside the extract are dropped)."""
    return [(n.location.lon, n.location.lat) for n in way.nodes if n.location.valid()]


def _centroid(coords: list[tuple[float, float]]) -> tuple[Point, str]:
    """Centroid of a closed ring (as polygon) or of an open line; a single vertex as is."""
    if len(coords) == 1:
        return Point(coords[0]), "point"
    if len(coords) >= 4 and coords[0] == coords[-1]:
        polygon = Polygon(coords)
        if polygon.is_valid and polygon.area > 0:
            return polygon.centroid, "polygon"
    return LineString(coords).centroid, "line"
