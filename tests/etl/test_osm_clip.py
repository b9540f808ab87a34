"""Tests of etl.sources.osm_pbf.clip_pbf on the mirror's PBF of central Leuven, clipped to
a real polygon of the committed snapshot (deelgemeente Leuven, code 24062A)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
import pytest
import shapely

from etl.errors import SourceError
from etl.sources.osm_pbf import clip_pbf
from geodata.io import load_layer

MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CORE_PBF = MIRROR / "osm" / "leuven_core_2024-06.osm.pbf"
DEELGEMEENTE = "24062A"  # Leuven (the historic centre), inside the extract's box

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORE_PBF.exists(), reason="shared data mirror missing"),
]


@dataclass
class OsmContent:
    """Everything of an OSM file the checks need."""

    nodes: dict[int, tuple[float, float]]
    ways: dict[int, tuple[list[int], dict[str, str]]]
    relations: dict[int, list[tuple[str, int]]]
    header_time: str
    header_box: str


def _read(path: Path) -> OsmContent:
    content = OsmContent({}, {}, {}, "", "")
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            content.nodes[obj.id] = (obj.location.lon, obj.location.lat)
        elif obj.is_way():
            content.ways[obj.id] = ([n.ref for n in obj.nodes], dict(obj.tags))
        elif obj.is_relation():
            content.relations[obj.id] = [(m.type, m.ref) for m in obj.members]
    reader = osmium.io.Reader(str(path), osmium.osm.NOTHING)
    header = reader.header()
    content.header_time = header.get("osmosis_replication_timestamp", "")
    content.header_box = str(header.box())
    reader.close()
    return content


@pytest.fixture(scope="module")
def polygon() -> shapely.Geometry:
    deelgemeenten = load_layer("deelgemeenten")
    return deelgemeenten.loc[deelgemeenten["code"] == DEELGEMEENTE, "geometry"].iloc[0]


@pytest.fixture(scope="module")
def source() -> OsmContent:
    return _read(CORE_PBF)


@pytest.fixture(scope="module")
def clipped(tmp_path_factory: pytest.TempPathFactory, polygon: shapely.Geometry) -> Path:
    target = tmp_path_factory.mktemp("clip") / "leuven_dg.osm.pbf"
    result = clip_pbf(CORE_PBF, polygon, target)
    assert result.path == target
    return target


@pytest.fixture(scope="module")
def kept(clipped: Path) -> OsmContent:
    return _read(clipped)


def _inside_ids(content: OsmContent, polygon: shapely.Geometry) -> set[int]:
    ids = np.fromiter(content.nodes, dtype=np.int64)
    lonlat = np.array(list(content.nodes.values()))
    return set(ids[polygon.covers(shapely.points(lonlat))].tolist())


def test_no_node_inside_is_lost(
    source: OsmContent, kept: OsmContent, polygon: shapely.Geometry
) -> None:
    inside = _inside_ids(source, polygon)
    assert len(inside) > 50_000  # the centre of Leuven is densely mapped
    assert inside <= set(kept.nodes)


def test_every_kept_node_is_inside_or_on_a_kept_way(
    kept: OsmContent, polygon: shapely.Geometry
) -> None:
    on_ways = {ref for refs, _ in kept.ways.values() for ref in refs}
    inside = _inside_ids(kept, polygon)
    assert set(kept.nodes) <= inside | on_ways
    # ways crossing the border keep their outside nodes, so some nodes are outside
    assert len(set(kept.nodes) - inside) > 100


def test_kept_ways_are_complete_and_exactly_those_touching_the_polygon(
    source: OsmContent, kept: OsmContent, polygon: shapely.Geometry
) -> None:
    inside = _inside_ids(source, polygon)
    touching = {way for way, (refs, _) in source.ways.items() if inside.intersection(refs)}
    assert set(kept.ways) == touching
    for way, (refs, tags) in kept.ways.items():
        assert (refs, tags) == source.ways[way]
        assert all(ref in kept.nodes for ref in refs), way
    assert kept.nodes == {n: source.nodes[n] for n in kept.nodes}  # positions unchanged


def _has_kept_member(members: list[tuple[str, int]], kept: OsmContent) -> bool:
    return any(
        (kind == "n" and ref in kept.nodes) or (kind == "w" and ref in kept.ways)
        for kind, ref in members
    )


def test_kept_relations_are_those_with_a_kept_node_or_way(
    source: OsmContent, kept: OsmContent
) -> None:
    expected = {r for r, members in source.relations.items() if _has_kept_member(members, kept)}
    assert expected and set(kept.relations) == expected
    for relation, members in kept.relations.items():
        assert members == source.relations[relation]


def test_header_keeps_time_and_gets_the_polygon_box(
    source: OsmContent, kept: OsmContent, polygon: shapely.Geometry
) -> None:
    assert kept.header_time == source.header_time  # none in this osmconvert extract
    assert kept.header_box.startswith(f"({polygon.bounds[0]:.7f}/{polygon.bounds[1]:.7f}")


def test_failed_clip_keeps_the_previous_file(tmp_path: Path, polygon: shapely.Geometry) -> None:
    target = tmp_path / "out.osm.pbf"
    target.write_bytes(b"previous")
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(CORE_PBF.read_bytes()[:100_000])
    with pytest.raises(SourceError, match="not a readable OSM PBF"):
        clip_pbf(broken, polygon, target)
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.osm.pbf", "out.osm.pbf"]


def test_clip_area_must_be_a_polygon(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="LineString"):
        clip_pbf(CORE_PBF, shapely.LineString([(4.7, 50.88), (4.71, 50.89)]), tmp_path / "x.pbf")


def test_hand_made_crossing_way_keeps_its_outside_node(tmp_path: Path) -> None:
    # hand-made: square 4.70-4.71 x 50.88-50.89; node 1 inside, 2 outside on way 10
    # (crosses the border), 3 outside alone, 4 and 5 outside on way 11 (never enters)
    source = tmp_path / "hand_made.osm.pbf"
    header = osmium.io.Header()
    header.set("osmosis_replication_timestamp", "2024-06-24T10:37:07Z")
    positions = {1: (4.705, 50.885), 2: (4.72, 50.885), 3: (4.69, 50.87), 4: (4.72, 50.9)}
    positions[5] = (4.73, 50.9)
    with osmium.SimpleWriter(str(source), header=header) as writer:
        for node, location in positions.items():
            writer.add_node(osmium.osm.mutable.Node(id=node, location=location))
        writer.add_way(osmium.osm.mutable.Way(id=10, nodes=[1, 2], tags={"highway": "path"}))
        writer.add_way(osmium.osm.mutable.Way(id=11, nodes=[4, 5], tags={"highway": "path"}))
    result = clip_pbf(source, shapely.box(4.70, 50.88, 4.71, 50.89), tmp_path / "out.osm.pbf")
    kept = _read(result.path)
    assert set(kept.nodes) == {1, 2} and set(kept.ways) == {10}
    assert (result.nodes_inside, result.nodes_kept, result.ways_kept) == (1, 2, 1)
    assert kept.header_time == "2024-06-24T10:37:07Z"
