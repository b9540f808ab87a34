"""Tests of the shared OSM PBF reader on a hand-built file and on a real cut of the mirror."""

from __future__ import annotations

from pathlib import Path

import osmium
import pytest

from etl.errors import SourceError
from etl.sources import osm_pbf

FIXTURE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "childcare" / "leuven_childcare_cut.pbf"
)


@pytest.fixture
def square_pbf(tmp_path: Path) -> Path:
    """A 0.002 x 0.002 degree square way (centroid 4.701, 50.881), a tagged node and a route."""
    path = tmp_path / "square.osm.pbf"
    corners = [(1, 4.700, 50.880), (2, 4.702, 50.880), (3, 4.702, 50.882), (4, 4.700, 50.882)]
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id, lon, lat in corners:
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(lon, lat)))
        writer.add_node(
            osmium.osm.mutable.Node(id=5, location=(4.71, 50.89), tags={"amenity": "childcare"})
        )
        writer.add_way(
            osmium.osm.mutable.Way(
                id=10, nodes=[1, 2, 3, 4, 1], tags={"amenity": "kindergarten", "name": "Sq"}
            )
        )
        writer.add_way(osmium.osm.mutable.Way(id=11, nodes=[1, 2, 99], tags={"highway": "path"}))
        writer.add_relation(
            osmium.osm.mutable.Relation(
                id=20,
                members=[("n", 5, "stop"), ("w", 11, ""), ("n", 1, "platform")],
                tags={"type": "route", "route": "bus", "ref": "3"},
            )
        )
    return path


def test_node_and_polygon_centroid(square_pbf: Path) -> None:
    found = {
        f.osm_key: f for f in osm_pbf.iter_tagged_features(square_pbf, lambda t: "amenity" in t)
    }
    assert set(found) == {"node/5", "way/10"}
    assert (found["node/5"].lon, found["node/5"].lat, found["node/5"].geometry_type) == (
        4.71,
        50.89,
        "point",
    )
    square = found["way/10"]
    assert square.geometry_type == "polygon"
    assert square.lon == pytest.approx(4.701)
    assert square.lat == pytest.approx(50.881)
    assert square.tags == {"amenity": "kindergarten", "name": "Sq"}


def test_open_way_with_missing_node_is_a_line(square_pbf: Path) -> None:
    (path,) = osm_pbf.iter_tagged_features(square_pbf, lambda t: "highway" in t)
    # node 99 is not in the file: the line runs over the two known vertices only
    assert (path.geometry_type, path.lon, path.lat) == ("line", pytest.approx(4.701), 50.88)


def test_types_filter(square_pbf: Path) -> None:
    keys = [f.osm_key for f in osm_pbf.iter_tagged_features(square_pbf, bool, types=("node",))]
    assert keys == ["node/5"]
    with pytest.raises(ValueError, match="unknown OSM type"):
        list(osm_pbf.iter_tagged_features(square_pbf, bool, types=("area",)))


def test_relations_keep_member_order_and_roles(square_pbf: Path) -> None:
    (route,) = osm_pbf.iter_relations(square_pbf, lambda t: t.get("route") == "bus")
    assert route.osm_id == 20
    assert route.tags["ref"] == "3"
    assert route.members == (
        osm_pbf.OsmMember("node", 5, "stop"),
        osm_pbf.OsmMember("way", 11, ""),
        osm_pbf.OsmMember("node", 1, "platform"),
    )
    assert list(osm_pbf.iter_relations(square_pbf, lambda t: False)) == []


def test_node_locations_and_way_coordinates(square_pbf: Path) -> None:
    assert osm_pbf.node_locations(square_pbf, [1, 5, 99]) == {1: (4.7, 50.88), 5: (4.71, 50.89)}
    coords = osm_pbf.way_coordinates(square_pbf, [10, 11])
    assert coords[10][0] == coords[10][-1] == (4.7, 50.88)
    assert coords[11] == [(4.7, 50.88), (4.702, 50.88)]


def test_real_cut_multipolygon_and_bus_route() -> None:
    features = {f.osm_key: f for f in osm_pbf.iter_tagged_features(FIXTURE, lambda t: "name" in t)}
    ter_wende = features["relation/6699181"]
    assert ter_wende.geometry_type == "multipolygon"
    assert ter_wende.tags["name"] == "OBC ter Wende"
    assert 4.68 < ter_wende.lon < 4.69 and 50.88 < ter_wende.lat < 50.89
    assert features["node/2423888516"].lon == pytest.approx(4.6922944)
    routes = list(osm_pbf.iter_relations(FIXTURE, lambda t: t.get("route") == "bus"))
    assert [r.osm_id for r in routes] == [2815]
    assert len(routes[0].members) == 223


def test_missing_empty_and_corrupt_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        list(osm_pbf.iter_tagged_features(tmp_path / "nope.pbf", bool))
    empty = tmp_path / "empty.osm.pbf"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match="empty"):
        list(osm_pbf.iter_relations(empty))
    truncated = tmp_path / "truncated.osm.pbf"
    truncated.write_bytes(FIXTURE.read_bytes()[:3000])
    with pytest.raises(SourceError, match=r"truncated\.osm\.pbf: not a readable OSM PBF"):
        list(osm_pbf.iter_tagged_features(truncated, bool))
    garbage = tmp_path / "garbage.osm.pbf"
    garbage.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all" * 10)
    with pytest.raises(SourceError, match="not a readable OSM PBF"):
        osm_pbf.node_locations(garbage, [1])
